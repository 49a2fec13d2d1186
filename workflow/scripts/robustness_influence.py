"""Rule robustness_influence: the claims check without each patient in turn (leave-one-out)."""

from il6hcc.influence import leave_one_out
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.tables import read_patients


def main(snakemake, log):
    cohort = read_patients(snakemake.input.cohort)
    influence = leave_one_out(cohort, load_json_param(snakemake.params.settings))
    write_result(influence, snakemake.output.influence, data_status(cohort))
    for row in influence.itertuples():
        log.info("claim %s: holds in %d of %d leave-one-out cohorts", row.claim, row.n_holds,
                 row.n_cohorts)  # fmt: skip


run_rule(snakemake, main)  # noqa: F821
