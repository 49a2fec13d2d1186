"""Rule report_section: one subgroup's tables and figures, checked and keyed, as JSON."""

import json
from pathlib import Path

from il6hcc.rulekit import load_json_param, run_rule
from il6hcc.sections import build_section

FIGURES = "figures"


def main(snakemake, log):
    settings = load_json_param(snakemake.params.section)
    tables = {name: path for name, path in snakemake.input.items() if name not in (FIGURES, "code")}
    section = build_section(
        snakemake.wildcards.subgroup,
        tables=tables,
        figures=list(snakemake.input[FIGURES]),
        markers=settings["markers"],
        endpoints=settings["endpoints"],
    )
    text = json.dumps(section, sort_keys=True, allow_nan=False)
    Path(snakemake.output.section).write_text(text + "\n", encoding="utf-8")
    log.info("%d tables and %d figures", len(tables), sum(map(len, section["figures"].values())))


run_rule(snakemake, main)  # noqa: F821
