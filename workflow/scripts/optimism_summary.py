"""Rule optimism_summary: the gathered batches, as the optimism table and the index sets."""

from il6hcc.rulekit import run_step
from il6hcc.steps.optimism import optimism_summary

run_step(snakemake, optimism_summary)  # noqa: F821 (injected by the script directive)
