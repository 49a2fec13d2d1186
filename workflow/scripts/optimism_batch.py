"""Rule optimism_batch: one batch of bootstrap resamples of every subgroup, per marker."""

from il6hcc.rulekit import run_step
from il6hcc.steps.optimism import optimism_batch

run_step(snakemake, optimism_batch)  # noqa: F821 (injected by the script directive)
