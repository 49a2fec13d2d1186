"""Rule robustness_summary: the batches gathered, and per claim the share in which it holds."""

from il6hcc.multiverse import gather_batches, summarise
from il6hcc.rulekit import load_json_param, run_rule, write_result
from il6hcc.tables import read_tsv


def main(snakemake, log):
    settings = load_json_param(snakemake.params.settings)
    batches = [read_tsv(path) for path in snakemake.input.batches]
    specifications = gather_batches(batches, settings)
    claims = read_tsv(snakemake.input.claims)
    status = claims["data_status"].iloc[0]
    write_result(specifications, snakemake.output.specifications, status)
    summary = summarise(specifications, claims)
    write_result(summary, snakemake.output.summary, status)
    for row in summary[summary["choice"] == "all"].itertuples():
        log.info("claim %s (%s): holds in %.0f%%", row.claim, row.main_verdict,
                 100 * row.share_holds)  # fmt: skip


run_rule(snakemake, main)  # noqa: F821
