"""Rule criteria: pre-specified response criteria, accuracy with CIs, McNemar comparisons."""

from il6hcc.rulekit import run_step
from il6hcc.steps.criteria import criteria

run_step(snakemake, criteria)  # noqa: F821 (injected by the script directive)
