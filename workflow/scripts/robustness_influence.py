"""Rule robustness_influence: the claims check without each patient in turn (leave-one-out), and
with responses swapped until a verdict changes (fragility index)."""

from il6hcc.rulekit import run_step
from il6hcc.steps.robustness import robustness_influence

run_step(snakemake, robustness_influence)  # noqa: F821 (injected by the script directive)
