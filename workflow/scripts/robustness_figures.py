"""Rule robustness_figures: one specification curve per claim, as SVG and PDF."""

from il6hcc.figures import outputs_by_key, save
from il6hcc.rulekit import load_json_param, run_rule
from il6hcc.specification_curve import specification_curve
from il6hcc.tables import read_tsv

PREFIX = "specification_curve_"


def main(snakemake, log):
    specifications = read_tsv(snakemake.input.specifications)
    claims = read_tsv(snakemake.input.claims)
    verdicts = claims.set_index(claims["claim"].astype(str))["verdict"]
    simulated = (claims["data_status"] == "simulated").any()
    svgs = outputs_by_key(snakemake.output.svg, PREFIX)
    pdfs = outputs_by_key(snakemake.output.pdf, PREFIX)
    for claim, name in load_json_param(snakemake.params.claim_files).items():
        figure = specification_curve(
            specifications,
            claim=claim,
            main_verdict=verdicts[claim],
            alpha=snakemake.params.alpha,
            simulated=simulated,
        )
        save(figure, svgs[name], pdfs[name], {"figure": "specification_curve", "claim": claim})
    log.info("%d specification curves written", len(svgs))


run_rule(snakemake, main)  # noqa: F821
