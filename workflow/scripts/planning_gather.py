"""Rule planning_gather: power and sample size from every chunk, and the power figure."""

from il6hcc.rulekit import run_step
from il6hcc.steps.planning import planning_gather

run_step(snakemake, planning_gather)  # noqa: F821 (injected by the script directive)
