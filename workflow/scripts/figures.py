"""Rule figures: paired plot per marker and ROC curves, as SVG and PDF, for one subgroup."""

from il6hcc.rulekit import run_step
from il6hcc.steps.figures import figures

run_step(snakemake, figures)  # noqa: F821 (injected by the script directive)
