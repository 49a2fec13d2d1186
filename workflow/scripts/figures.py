"""Rule figures: paired plot per marker and ROC curves, as SVG and PDF, for one subgroup."""

from il6hcc.figures import outputs_by_key, paired_plot, roc_plot, save
from il6hcc.rulekit import data_status, load_json_param, run_rule
from il6hcc.tables import read_patients, read_tsv


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    subgroup = snakemake.wildcards.subgroup
    markers = load_json_param(snakemake.params.markers)
    max_lines = snakemake.params.max_lines
    simulated = data_status(patients) == "simulated"
    svgs = outputs_by_key(snakemake.output.paired_svg, "paired_")
    pdfs = outputs_by_key(snakemake.output.paired_pdf, "paired_")
    for marker in markers:
        key = marker["key"]
        figure = paired_plot(
            patients, marker, subgroup=subgroup, max_lines=max_lines, simulated=simulated
        )
        identity = {"figure": "paired", "subgroup": subgroup, "marker": key}
        save(figure, svgs[key], pdfs[key], identity)
    figure = roc_plot(
        read_tsv(snakemake.input.curves),
        read_tsv(snakemake.input.auc),
        markers,
        subgroup=subgroup,
        simulated=simulated,
    )
    identity = {"figure": "roc", "subgroup": subgroup}
    save(figure, snakemake.output.roc_svg, snakemake.output.roc_pdf, identity)
    log.info("%d paired plots and the ROC plot written", len(markers))


run_rule(snakemake, main)  # noqa: F821
