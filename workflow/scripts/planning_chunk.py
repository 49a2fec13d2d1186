"""Rule planning_chunk: simulate and analyse one chunk of studies of one sample size."""

from il6hcc.planning import run_chunk
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    start, stop = snakemake.params.replicates
    table, note = run_chunk(
        patients,
        load_json_param(snakemake.params.plan),
        int(snakemake.wildcards.size),
        range(start, stop),
    )
    log.info("%s; studies %d-%d of size %s", note, start, stop - 1, snakemake.wildcards.size)
    write_result(table, snakemake.output.chunk, data_status(patients))


run_rule(snakemake, main)  # noqa: F821
