"""Rule paired_stats: pre/post tests, responders versus non-responders, logistic regression."""

from il6hcc.rulekit import run_step
from il6hcc.steps.paired_stats import paired_stats

run_step(snakemake, paired_stats)  # noqa: F821 (injected by the script directive)
