"""Rule planning_gather: power and sample size from every chunk, and the power figure."""

import pandas as pd

from il6hcc.figures import save
from il6hcc.planning import design_columns, power_table, sample_size_table
from il6hcc.planning_figures import FIGURE_IDENTITY, power_plot
from il6hcc.rulekit import load_json_param, run_rule, write_result
from il6hcc.tables import read_patients, read_tsv


def main(snakemake, log):
    chunks = pd.concat([read_tsv(path) for path in snakemake.input.chunks], ignore_index=True)
    (status,) = chunks["data_status"].unique()
    plan = load_json_param(snakemake.params.plan)
    power = power_table(chunks.drop(columns="data_status"))
    design = design_columns(read_patients(snakemake.input.patients), plan, power["n_patients"])
    power = power.merge(design.drop_duplicates("n_patients"), on="n_patients", validate="m:1")
    power.insert(0, "model", plan["model"])
    presentation = load_json_param(snakemake.params.presentation)
    write_result(power, snakemake.output.power, status)
    sample_size = sample_size_table(power, presentation["target_powers"])
    sample_size.insert(0, "model", plan["model"])
    write_result(sample_size, snakemake.output.sample_size, status)
    targets, labels = presentation["target_powers"], presentation["labels"]
    figure = power_plot(power, targets, labels, simulated=status == "simulated")
    save(figure, snakemake.output.svg, snakemake.output.pdf, FIGURE_IDENTITY)
    log.info("%d chunks, %d power rows", len(snakemake.input.chunks), len(power))


run_rule(snakemake, main)  # noqa: F821
