"""The rule graph in the report: found from the workflow's own rules by the main Snakemake
process (il6hcc.rulegraph.rule_graph, written by the Snakefile), equal to `snakemake
--rulegraph`, rewritten only when it changes, drawn by graphviz or as text."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from workflow_helpers import copy_workflow, load_config, snakemake, write_config

from il6hcc.rulegraph import canonical_dot, rulegraph_figure, text_svg

GRAPH = Path(".snakemake") / "il6hcc-rulegraph.json"
NODE = re.compile(r'^\s*(\d+)\s*\[\s*label\s*=\s*"([^"]*)"')
EDGE = re.compile(r"^\s*(\d+)\s*->\s*(\d+)\s*$")
SMALL = {"rules": ["all", "ingest", "report"], "edges": [["ingest", "report"], ["report", "all"]]}


def snakemakes_rulegraph(workdir: Path) -> dict:
    """`snakemake --rulegraph` of the target all, by rule name (it numbers nodes at random)."""
    dot_text = snakemake(workdir, "--rulegraph", "--quiet", "all").stdout
    names, edges = {}, set()
    for line in dot_text.splitlines():
        if node := NODE.match(line):
            names[node.group(1)] = node.group(2)
        elif edge := EDGE.match(line):
            edges.add(edge.groups())
    return {
        "rules": sorted(names.values()),
        "edges": sorted([names[a], names[b]] for a, b in edges),
    }


def without_claims_comparisons_and_survival(config: dict) -> dict:
    config["claims"] = None
    config["subgroup_comparisons"] = []
    config["survival"]["enabled"] = False
    return config


def with_more_subgroups_and_markers(config: dict) -> dict:
    config["subgroups"]["women"] = [{"column": "sex", "op": "eq", "value": "F"}]
    config["markers"] = config["markers"][:2]
    config["criteria"] = {m["key"]: config["criteria"][m["key"]] for m in config["markers"]}
    config["survival"]["endpoints"] = ["os"]
    return config


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("rulegraph") / "workflow")


@pytest.mark.parametrize(
    "edit",
    [lambda config: config, without_claims_comparisons_and_survival],
    ids=["default", "lean"],
)
def test_the_graph_is_snakemakes_own_rule_graph(workdir, edit):
    write_config(workdir, edit(load_config(workdir)))
    expected = snakemakes_rulegraph(workdir)
    assert json.loads((workdir / GRAPH).read_text(encoding="utf-8")) == expected
    assert ("rulegraph", "report") in {tuple(edge) for edge in expected["edges"]}


def test_the_graph_file_changes_only_with_the_graph(workdir):
    write_config(workdir, load_config(workdir))
    snakemake(workdir, "-n")
    stamp = (workdir / GRAPH).stat().st_mtime_ns
    original = load_config(workdir)
    write_config(workdir, with_more_subgroups_and_markers(load_config(workdir)))
    snakemake(workdir, "-n")
    assert (workdir / GRAPH).stat().st_mtime_ns == stamp
    write_config(workdir, without_claims_comparisons_and_survival(original))
    snakemake(workdir, "-n")
    graph = json.loads((workdir / GRAPH).read_text(encoding="utf-8"))
    assert "claims" not in graph["rules"] and "survival" not in graph["rules"]


def test_the_dot_text_names_rules_and_edges():
    dot = canonical_dot(SMALL["rules"], [tuple(edge) for edge in SMALL["edges"]])
    assert dot.startswith("digraph rulegraph {")
    assert '"ingest" -> "report";' in dot and '"report" -> "all";' in dot


def test_rulegraph_text_form_lists_every_edge_escaped():
    svg = text_svg([("a<b", "c")], "note & more")
    assert svg.startswith("<svg ")
    assert "note &amp; more" in svg
    assert "a&lt;b \u2192 c" in svg


def test_rulegraph_without_graphviz_falls_back_to_text(monkeypatch):
    monkeypatch.setattr("il6hcc.rulegraph.shutil.which", lambda name: None)
    dot, svg, drawn_by = rulegraph_figure(SMALL)
    assert drawn_by == "text (graphviz not installed)"
    assert "ingest \u2192 report" in svg
    assert dot.startswith("digraph rulegraph {")


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz (Debian package) not installed")
def test_rulegraph_drawn_by_graphviz_without_a_network_address():
    _, svg, drawn_by = rulegraph_figure(SMALL)
    assert drawn_by == "graphviz dot"
    assert "<svg" in svg and ">ingest<" in svg
    assert "DOCTYPE" not in svg
