"""Rule roc: AUC with DeLong CI per marker, DeLong comparisons, ROC curve points."""

from il6hcc.rulekit import run_step
from il6hcc.steps.roc import roc

run_step(snakemake, roc)  # noqa: F821 (injected by the script directive)
