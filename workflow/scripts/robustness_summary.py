"""Rule robustness_summary: the batches gathered, and per claim the share in which it holds."""

from il6hcc.rulekit import run_step
from il6hcc.steps.robustness import robustness_summary

run_step(snakemake, robustness_summary)  # noqa: F821 (injected by the script directive)
