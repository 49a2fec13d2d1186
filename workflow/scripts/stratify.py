"""Rule stratify: the patients of one configured subgroup, and how many of the cohort they are."""

from il6hcc.rulekit import run_step
from il6hcc.steps.stratify import stratify

run_step(snakemake, stratify)  # noqa: F821 (injected by the script directive)
