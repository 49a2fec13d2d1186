"""Rule claims: the paper's claims 1-5 checked against the result tables."""

import pandas as pd

from il6hcc.claims import check_claims
from il6hcc.rulekit import load_json_param, run_rule, write_result
from il6hcc.tables import read_tsv


def main(snakemake, log):
    roles = load_json_param(snakemake.params.roles)
    prepost = pd.concat(
        [read_tsv(snakemake.input.prepost_first), read_tsv(snakemake.input.prepost_later)],
        ignore_index=True,
    )
    claims = check_claims(
        prepost=prepost,
        accuracy=read_tsv(snakemake.input.accuracy),
        mcnemar=read_tsv(snakemake.input.mcnemar),
        comparison=read_tsv(snakemake.input.comparison),
        reference_marker=roles["reference_marker"],
        first_line=roles["first_line"],
        later_line=roles["later_line"],
        accuracy_subgroup=roles["accuracy_subgroup"],
        alpha=roles["alpha"],
        conf_level=roles["conf_level"],
    )
    status = prepost["data_status"].iloc[0]
    write_result(claims, snakemake.output.claims, status)
    for row in claims.itertuples():
        log.info("claim %s: %s (%s)", row.claim, row.verdict, row.detail)


run_rule(snakemake, main)  # noqa: F821
