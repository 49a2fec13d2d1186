"""Rule criteria: pre-specified response criteria, accuracy with CIs, McNemar comparisons."""

from il6hcc.criteria import accuracy_table, mcnemar_table
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import mark_empty_subgroup, read_selection
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    subgroup = snakemake.wildcards.subgroup
    markers = load_json_param(snakemake.params.markers)
    criteria = load_json_param(snakemake.params.criteria)
    accuracy = load_json_param(snakemake.params.accuracy)
    status = data_status(patients)
    empty = read_selection(snakemake.input.selection)["empty_reason"]
    table = accuracy_table(
        patients,
        subgroup=subgroup,
        markers=markers,
        criteria=criteria["criteria"],
        ci_method=accuracy["ci_method"],
        conf_level=accuracy["conf_level"],
    )
    write_result(mark_empty_subgroup(table, empty), snakemake.output.accuracy, status)
    table = mcnemar_table(
        patients,
        subgroup=subgroup,
        markers=markers,
        criteria=criteria["criteria"],
        reference=criteria["reference"],
        adjust_method=accuracy["method"],
        adjust_family=accuracy["family"],
    )
    write_result(mark_empty_subgroup(table, empty), snakemake.output.mcnemar, status)


run_rule(snakemake, main)  # noqa: F821
