"""Rule robustness_batch: the claims check under one batch of the multiverse's specifications."""

from il6hcc.multiverse import run_batch
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.tables import read_patients


def main(snakemake, log):
    cohort = read_patients(snakemake.input.cohort)
    settings = load_json_param(snakemake.params.settings)
    batch = int(snakemake.wildcards.batch)
    table = run_batch(cohort, settings, batches=settings["batches"], batch=batch)
    write_result(table, snakemake.output.specifications, data_status(cohort))
    log.info(
        "batch %d of %d: %d specifications", batch, settings["batches"],
        table["specification"].nunique(),
    )  # fmt: skip


run_rule(snakemake, main)  # noqa: F821
