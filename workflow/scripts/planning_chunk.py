"""Rule planning_chunk: simulate and analyse one chunk of studies of one sample size."""

from il6hcc.rulekit import run_step
from il6hcc.steps.planning import planning_chunk

run_step(snakemake, planning_chunk)  # noqa: F821 (injected by the script directive)
