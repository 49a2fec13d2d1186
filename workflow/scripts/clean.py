"""Rule clean: censored values substituted, responders flagged, exclusions and flow recorded."""

from il6hcc.rulekit import run_step
from il6hcc.steps.clean import clean

run_step(snakemake, clean)  # noqa: F821 (injected by the script directive)
