"""Rule claims: the paper's claims 1-5 checked against the result tables."""

from il6hcc.rulekit import run_step
from il6hcc.steps.claims import claims

run_step(snakemake, claims)  # noqa: F821 (injected by the script directive)
