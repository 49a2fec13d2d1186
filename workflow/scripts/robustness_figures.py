"""Rule robustness_figures: one specification curve per claim, as SVG and PDF."""

from il6hcc.rulekit import run_step
from il6hcc.steps.robustness import robustness_figures

run_step(snakemake, robustness_figures)  # noqa: F821 (injected by the script directive)
