"""Rule roc: AUC with DeLong CI per marker, DeLong comparisons, ROC curve points."""

from il6hcc.rocanalysis import auc_table, curve_table, delong_table
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import mark_empty_subgroup, read_selection
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    subgroup = snakemake.wildcards.subgroup
    markers = load_json_param(snakemake.params.markers)
    metric = snakemake.params.metric
    roc = load_json_param(snakemake.params.roc)
    status = data_status(patients)
    empty = read_selection(snakemake.input.selection)["empty_reason"]
    auc = auc_table(
        patients,
        subgroup=subgroup,
        markers=markers,
        metric=metric,
        conf_level=roc["conf_level"],
        bootstrap=roc["bootstrap"],
        seed=roc["seed"],
        min_per_group=roc["delong_min_per_group"],
    )
    write_result(mark_empty_subgroup(auc, empty), snakemake.output.auc, status)
    delong = delong_table(
        patients,
        subgroup=subgroup,
        markers=markers,
        pairs=roc["pairs"],
        metric=metric,
        conf_level=roc["conf_level"],
        adjust_method=roc["method"],
        min_per_group=roc["delong_min_per_group"],
    )
    write_result(mark_empty_subgroup(delong, empty), snakemake.output.delong, status)
    curves = curve_table(patients, subgroup=subgroup, markers=markers, metric=metric)
    write_result(curves, snakemake.output.curves, status)


run_rule(snakemake, main)  # noqa: F821
