"""The workflow's rule graph for the report: which rule feeds which, as dot text and an image.

`snakemake --rulegraph` numbers its nodes and orders its edges differently from run to run
(set iteration order), so the graph is parsed and rewritten canonically (rules sorted by name)
before it is drawn: the same workflow always gives the same bytes. Graphviz draws the SVG when
its `dot` program is installed; without it the SVG shows the same edges as text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from xml.sax.saxutils import escape

NODE = re.compile(r'^\s*(\d+)\s*\[\s*label\s*=\s*"([^"]*)"')
EDGE = re.compile(r"^\s*(\d+)\s*->\s*(\d+)\s*$")
DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")


def snakemake_rulegraph(snakefile: str, configfile: str, *, cwd=None) -> str:
    """Dot text of ``snakemake --rulegraph`` for this Snakefile and configuration.

    ``--nolock`` because the calling workflow holds the working directory's lock while this
    job runs; the default profile is disabled so only the given configuration counts.
    """
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        snakefile,
        "--configfile",
        configfile,
        "--rulegraph",
        "--nolock",
        "--quiet",
        "all",
        "--workflow-profile",
        "none",
    ]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"snakemake --rulegraph failed:\n{result.stderr[-3000:]}")
    return result.stdout


def parse_rulegraph(dot_text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Rule names and (upstream, downstream) edges of a rule graph, both sorted."""
    names = {}
    numbered_edges = []
    for line in dot_text.splitlines():
        if node := NODE.match(line):
            names[node.group(1)] = node.group(2)
        elif edge := EDGE.match(line):
            numbered_edges.append((edge.group(1), edge.group(2)))
    edges = sorted({(names[a], names[b]) for a, b in numbered_edges})
    return sorted(names.values()), edges


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


def rulegraph_figure(dot_text: str) -> tuple[str, str, str]:
    """(canonical dot text, SVG, how the SVG was drawn) from ``snakemake --rulegraph`` output."""
    rules, edges = parse_rulegraph(dot_text)
    canonical = canonical_dot(rules, edges)
    drawn = graphviz_svg(canonical)
    if drawn is not None:
        return canonical, drawn, "graphviz dot"
    note = "graphviz is not installed: the rule graph as text (upstream \u2192 downstream)"
    return canonical, text_svg(edges, note), "text (graphviz not installed)"
