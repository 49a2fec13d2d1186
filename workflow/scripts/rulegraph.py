"""Rule rulegraph: the workflow's rule graph (dot text and SVG) for the report's Provenance."""

import json
from pathlib import Path

from il6hcc.rulegraph import rulegraph_figure, snakemake_rulegraph
from il6hcc.rulekit import run_rule


def main(snakemake, log):
    # The configuration as used (config.yaml plus any --config/--configfile of this run), so the
    # graph drawn is the one of the workflow that ran.
    raw = snakemake_rulegraph(snakemake.input.sources[0], snakemake.input.config)
    dot_text, svg, drawn_by = rulegraph_figure(raw)
    Path(snakemake.output.dot).write_text(dot_text, encoding="utf-8")
    Path(snakemake.output.svg).write_text(svg, encoding="utf-8")
    info = {"drawn_by": drawn_by}
    Path(snakemake.output.info).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log.info("rule graph drawn by %s", drawn_by)


run_rule(snakemake, main)  # noqa: F821
