"""The workflow's rule graph for the report: which rule feeds which, as dot text and an image.

The graph is found in the main Snakemake process while the Snakefile is read (``rule_graph``,
from the rules as the workflow defines them), written to a file only when it changes, and drawn
by the ``rulegraph`` rule: no second Snakemake runs inside a job, and the drawing is redone only
when the graph changes. Rules and edges are sorted, so the same workflow always gives the same
bytes. Graphviz draws the SVG when its `dot` program is installed; without it the SVG shows the
same edges as text.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

from il6hcc.config import canonical_json, write_if_changed

DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")


def rule_graph(rules: dict, target: str, wildcards_type) -> dict:
    """The rules ``target`` needs, directly or not, and which feeds which, as Snakemake's DAG
    would find them: from the target's job, each input file's producing rule, with the
    wildcards it takes from that file, then that job's inputs, until no new job appears.

    ``rules``: Snakemake's rules by name (``workflow.rules``, once every rule is defined);
    ``wildcards_type``: Snakemake's Wildcards class, to call input functions as a job would.
    Every subgroup, comparison and endpoint the configuration names is a job visited, so the
    graph follows the configuration (``claims: null`` drops a rule).
    """
    edges = set()
    seen = {(target, ())}
    pending = [(rules[target], {})]
    while pending:
        rule, wildcards = pending.pop()
        inputs = rule.expand_input(wildcards_type(fromdict=wildcards))[0]
        for path in inputs:
            for producer in rules.values():
                if producer is rule or not producer.is_producer(path):
                    continue
                edges.add((producer.name, rule.name))
                found = dict(producer.get_wildcards(path))
                job = (producer.name, tuple(sorted(found.items())))
                if job not in seen:
                    seen.add(job)
                    pending.append((producer, found))
    names = sorted({name for name, _ in seen})
    return {"rules": names, "edges": [list(edge) for edge in sorted(edges)]}


def record_rule_graph(path: Path, sources: list[Path], config: dict, find) -> None:
    """Write the graph ``find()`` returns to ``path`` (JSON) when it changed.

    Finding it calls every job's input functions, about a second on each start of Snakemake, so
    it is skipped when the rule files (``sources``) and the configuration are those of the graph
    on record: their sha256 is kept beside it (``path`` with suffix .sha256).
    """
    digest = hashlib.sha256(canonical_json(config).encode("utf-8"))
    for source in sources:
        digest.update(source.read_bytes())
    key = path.with_suffix(".sha256")
    try:
        if key.read_text(encoding="utf-8") == digest.hexdigest() and path.is_file():
            return
    except OSError:
        pass
    write_if_changed(path, json.dumps(find(), indent=1, sort_keys=True) + "\n")
    write_if_changed(key, digest.hexdigest())


def canonical_dot(rules: list[str], edges: list[tuple[str, str]]) -> str:
    """A dot graph of the rules, identical for identical graphs (nodes named by rule)."""
    lines = [
        "digraph rulegraph {",
        "    graph [rankdir=TB, margin=0, bgcolor=white];",
        '    node [shape=box, style=rounded, fontname="Helvetica", fontsize=10, color="#0072b2"];',
        '    edge [color="#555555"];',
    ]
    lines += [f'    "{rule}";' for rule in rules]
    lines += [f'    "{upstream}" -> "{downstream}";' for upstream, downstream in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_svg(dot_text: str) -> str | None:
    """The graph drawn by graphviz's ``dot`` as SVG, or None when graphviz is not installed."""
    program = shutil.which("dot")
    if program is None:
        return None
    result = subprocess.run(
        [program, "-Tsvg"], input=dot_text, capture_output=True, text=True, check=True
    )
    # The DOCTYPE names a DTD by URL; nothing fetches it from an <img>, but the report should
    # not even mention a network address it does not need.
    return DOCTYPE.sub("", result.stdout)


def text_svg(edges: list[tuple[str, str]], note: str) -> str:
    """The edges as lines of text in an SVG (the rule graph's text form, no graphviz needed)."""
    lines = [note, *(f"{upstream} \u2192 {downstream}" for upstream, downstream in edges)]
    line_height = 16
    width = 12 + 7 * max(len(line) for line in lines)
    height = line_height * (len(lines) + 1)
    texts = [
        f'<text x="6" y="{line_height * (index + 1)}">{escape(line)}</text>'
        for index, line in enumerate(lines)
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">\n'
        + "\n".join(texts)
        + "\n</svg>\n"
    )


def rulegraph_figure(graph: dict) -> tuple[str, str, str]:
    """(dot text, SVG, how the SVG was drawn) of a ``rule_graph``."""
    rules, edges = graph["rules"], [tuple(edge) for edge in graph["edges"]]
    canonical = canonical_dot(rules, edges)
    drawn = graphviz_svg(canonical)
    if drawn is not None:
        return canonical, drawn, "graphviz dot"
    note = "graphviz is not installed: the rule graph as text (upstream \u2192 downstream)"
    return canonical, text_svg(edges, note), "text (graphviz not installed)"
