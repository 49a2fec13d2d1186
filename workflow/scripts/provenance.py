"""Rule provenance: results/provenance.tsv, one row per output with its rule, inputs and params."""

from pathlib import Path

from il6hcc.provenance import git_state, provenance_table
from il6hcc.rulekit import run_rule
from il6hcc.tables import write_tsv


def main(snakemake, log):
    commit, dirty = git_state(Path(snakemake.scriptdir))
    table = provenance_table(snakemake.input.records, git_commit=commit, git_dirty=dirty)
    write_tsv(table, snakemake.output.table)
    log.info(
        "%d outputs from %d jobs, commit %s%s",
        len(table),
        len(snakemake.input.records),
        commit,
        " (dirty)" if dirty else "",
    )


run_rule(snakemake, main)  # noqa: F821
