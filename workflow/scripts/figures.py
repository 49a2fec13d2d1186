"""Rule figures: paired plot per marker and ROC curves, as SVG and PDF, for one subgroup."""

from il6hcc.figures import paired_plot, roc_plot, save
from il6hcc.rulekit import data_status, load_json_param, run_rule
from il6hcc.tables import read_patients, read_tsv


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    subgroup = snakemake.wildcards.subgroup
    markers = load_json_param(snakemake.params.markers)
    max_lines = snakemake.params.max_lines
    simulated = data_status(patients) == "simulated"
    for marker, svg, pdf in zip(
        markers, snakemake.output.paired_svg, snakemake.output.paired_pdf, strict=True
    ):
        figure = paired_plot(
            patients, marker, subgroup=subgroup, max_lines=max_lines, simulated=simulated
        )
        save(figure, svg, pdf)
    figure = roc_plot(
        read_tsv(snakemake.input.curves),
        read_tsv(snakemake.input.auc),
        markers,
        subgroup=subgroup,
        simulated=simulated,
    )
    save(figure, snakemake.output.roc_svg, snakemake.output.roc_pdf)
    log.info("%d paired plots and the ROC plot written", len(markers))


run_rule(snakemake, main)  # noqa: F821
