"""Rule survival: landmark prognosis analysis by IL-6 change (tables and KM figures)."""

from il6hcc.rulekit import run_step
from il6hcc.steps.survival import survival

run_step(snakemake, survival)  # noqa: F821 (injected by the script directive)
