"""Rule robustness_batch: the claims check under one batch of the multiverse's specifications."""

from il6hcc.rulekit import run_step
from il6hcc.steps.robustness import robustness_batch

run_step(snakemake, robustness_batch)  # noqa: F821 (injected by the script directive)
