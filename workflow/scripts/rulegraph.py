"""Rule rulegraph: the workflow's rule graph (dot text and SVG) for the report's Provenance."""

import json
from pathlib import Path

from il6hcc.rulegraph import rulegraph_figure
from il6hcc.rulekit import run_rule


def main(snakemake, log):
    # Found by the main Snakemake process from the workflow's own rules (see il6hcc.rulegraph).
    graph = json.loads(Path(snakemake.input.graph).read_text(encoding="utf-8"))
    dot_text, svg, drawn_by = rulegraph_figure(graph)
    Path(snakemake.output.dot).write_text(dot_text, encoding="utf-8")
    Path(snakemake.output.svg).write_text(svg, encoding="utf-8")
    info = {"drawn_by": drawn_by}
    Path(snakemake.output.info).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log.info("rule graph of %d rules drawn by %s", len(graph["rules"]), drawn_by)


run_rule(snakemake, main)  # noqa: F821
