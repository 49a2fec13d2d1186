"""Rule ingest: read and validate the raw cohort, write it canonically with its sha256."""

from il6hcc.rulekit import run_step
from il6hcc.steps.ingest import ingest

run_step(snakemake, ingest)  # noqa: F821 (injected by the script directive)
