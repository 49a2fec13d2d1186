"""Rule stratify: the patients of one configured subgroup."""

from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import select_subgroup
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    filters = load_json_param(snakemake.params.filters)
    selected = select_subgroup(patients, filters, subgroup=snakemake.wildcards.subgroup)
    write_result(selected, snakemake.output.patients, data_status(patients))
    log.info(
        "subgroup %s: %d of %d patients (filters %s)",
        snakemake.wildcards.subgroup,
        len(selected),
        len(patients),
        filters,
    )


run_rule(snakemake, main)  # noqa: F821
