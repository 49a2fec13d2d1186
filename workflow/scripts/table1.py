"""Rule table1: baseline characteristics of one subgroup by line of therapy and by response."""

from il6hcc.rulekit import run_step
from il6hcc.steps.table1 import table1

run_step(snakemake, table1)  # noqa: F821 (injected by the script directive)
