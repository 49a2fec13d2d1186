"""Rule report_section: one subgroup's tables and figures, checked and keyed, as JSON."""

from il6hcc.rulekit import run_step
from il6hcc.steps.report_section import report_section

run_step(snakemake, report_section)  # noqa: F821 (injected by the script directive)
