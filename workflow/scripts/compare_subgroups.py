"""Rule compare_subgroups: the change in subgroup a versus subgroup b (Mann-Whitney U)."""

from il6hcc.rulekit import run_step
from il6hcc.steps.paired_stats import compare_subgroups

run_step(snakemake, compare_subgroups)  # noqa: F821 (injected by the script directive)
