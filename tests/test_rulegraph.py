"""The rule graph in the report: found from the workflow's own rules by the main Snakemake
process (il6hcc.rulegraph.rule_graph, written by the Snakefile), equal to `snakemake
--rulegraph`, rewritten only when it changes, drawn by graphviz or as text."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
from workflow_helpers import copy_workflow, load_config, snakemake, write_config

from il6hcc.rulegraph import canonical_dot, record_rule_graph, rulegraph_figure, text_svg

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


def test_the_graph_is_snakemakes_own_and_its_file_changes_only_with_it(tmp_path):
    """Three configurations in turn, each read by `snakemake --rulegraph` (which writes our
    graph as it reads the Snakefile): the default; more subgroups, fewer markers and endpoints
    (more or fewer jobs, the same rules: the file is not rewritten, so the rulegraph job does
    not rerun); and stages switched off (other rules: rewritten)."""
    workdir = copy_workflow(tmp_path / "workflow")
    default = load_config(workdir)
    graph = workdir / GRAPH
    stamps = []
    for edit in (lambda config: config, with_more_subgroups_and_markers,
                 without_claims_comparisons_and_survival):  # fmt: skip
        write_config(workdir, edit(copy.deepcopy(default)))
        expected = snakemakes_rulegraph(workdir)
        assert json.loads(graph.read_text(encoding="utf-8")) == expected
        stamps.append(graph.stat().st_mtime_ns)
    assert ["rulegraph", "report"] in expected["edges"]
    assert "claims" not in expected["rules"] and "survival" not in expected["rules"]
    assert stamps[0] == stamps[1] != stamps[2]


def test_the_graph_is_found_again_only_when_the_rules_or_the_configuration_change(tmp_path):
    rules_file, path = tmp_path / "rules.smk", tmp_path / "graph.json"
    rules_file.write_text("rule a:\n", encoding="utf-8")
    found = []

    def find():
        found.append(len(found))
        return SMALL

    def record(config):
        record_rule_graph(path, [rules_file], config, find)

    record({"x": 1})
    record({"x": 1})
    assert found == [0] and json.loads(path.read_text(encoding="utf-8")) == SMALL
    record({"x": 2})
    rules_file.write_text("rule b:\n", encoding="utf-8")
    record({"x": 2})
    path.unlink()
    record({"x": 2})
    assert found == [0, 1, 2, 3]


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
