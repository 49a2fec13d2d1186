"""Rule table1: baseline characteristics of one subgroup by line of therapy and by response."""

from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import mark_empty_subgroup, read_selection
from il6hcc.table1 import table1
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    variables = load_json_param(snakemake.params.variables)
    markers = load_json_param(snakemake.params.markers)
    baseline_markers = [f"{m['key']}_pre" for m in markers]
    requested = variables["categorical"] + variables["continuous"]
    absent = [v for v in requested if v not in patients.columns]
    if absent:
        log.warning("Table 1 variables absent from the cohort, skipped: %s", ", ".join(absent))
    summary, tests = table1(
        patients,
        subgroup=snakemake.wildcards.subgroup,
        categorical=variables["categorical"],
        continuous=variables["continuous"] + baseline_markers,
        lloq={f"{m['key']}_pre": m["lloq"] for m in markers},
        correct=snakemake.params.continuity_correction,
        **load_json_param(snakemake.params.fisher),
    )
    status = data_status(patients)
    empty = read_selection(snakemake.input.selection)["empty_reason"]
    write_result(summary, snakemake.output.summary, status)
    write_result(mark_empty_subgroup(tests, empty), snakemake.output.tests, status)


run_rule(snakemake, main)  # noqa: F821
