"""Unit tests of the report's assembly by identity: figure metadata, sections, labels."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from workflow_helpers import run_step

from il6hcc.config import ConfigError
from il6hcc.figures import save
from il6hcc.identity import IdentityError, check_figure, check_records, svg_identity
from il6hcc.report import format_level, method_notes
from il6hcc.report_context import (
    column_labels,
    comparisons_context,
    describe_filters,
    odds_ratio_unit,
    threshold_rule,
)
from il6hcc.sections import build_section, check_section, merge_sections
from il6hcc.steps.report_section import report_section
from il6hcc.tables import write_tsv


def _figure(path_stem, identity):
    figure, axis = plt.subplots()
    axis.set_title(str(identity))
    svg, pdf = path_stem.with_suffix(".svg"), path_stem.with_suffix(".pdf")
    save(figure, svg, pdf, identity)
    return svg


def test_save_writes_the_identity_into_svg_and_pdf_metadata(tmp_path):
    identity = {"figure": "paired", "subgroup": "first_line", "marker": "il6"}
    svg = _figure(tmp_path / "paired_il6", identity)
    assert svg_identity(svg.read_bytes(), svg) == identity
    pdf = (tmp_path / "paired_il6.pdf").read_bytes()
    assert b'/Subject ({"figure":"paired","marker":"il6","subgroup":"first_line"})' in pdf
    assert b"CreationDate" not in pdf


def test_check_figure_names_the_file_and_the_mismatch(tmp_path):
    svg = _figure(tmp_path / "roc", {"figure": "roc", "subgroup": "later_line"})
    content, identity = check_figure(svg, {"subgroup": "later_line"})
    assert identity["figure"] == "roc" and content == svg.read_bytes()
    with pytest.raises(
        IdentityError, match=rf"{svg}: the figure is about .*later_line.*first_line"
    ):
        check_figure(svg, {"subgroup": "first_line"})


def test_a_figure_without_identity_is_refused(tmp_path):
    path = tmp_path / "plain.svg"
    figure, _ = plt.subplots()
    figure.savefig(path, format="svg")
    plt.close(figure)
    with pytest.raises(IdentityError, match="carries no identity"):
        svg_identity(path.read_bytes(), path)


def test_check_records_refuses_rows_of_another_subgroup():
    rows = [{"subgroup": "all", "p_value": 0.1}, {"subgroup": "first_line", "p_value": 0.2}]
    with pytest.raises(IdentityError, match="prepost.tsv: row 2 has subgroup = 'first_line'"):
        check_records(rows, {"subgroup": "all"}, "prepost.tsv")
    assert check_records(rows[:1], {"subgroup": "all"}, "prepost.tsv") == rows[:1]


@pytest.fixture(scope="module")
def subgroup_files(tmp_path_factory):
    """One subgroup's table and figures, as the rules write them; drawn once for the module (the
    tests read them and write what they add in their own folders)."""
    tmp_path = tmp_path_factory.mktemp("subgroup_files")
    table = tmp_path / "prepost.tsv"
    write_tsv(
        pd.DataFrame({"subgroup": ["first_line"], "marker": ["il6"], "p_value": [0.01]}), table
    )
    figures = [
        _figure(
            tmp_path / f"paired_{m}", {"figure": "paired", "subgroup": "first_line", "marker": m}
        )
        for m in ("il6", "afp")
    ]
    figures.append(_figure(tmp_path / "roc", {"figure": "roc", "subgroup": "first_line"}))
    figures += [
        _figure(tmp_path / f"km_{e}", {"figure": "km", "subgroup": "first_line", "endpoint": e})
        for e in ("pfs", "os")
    ]
    return {"tables": {"prepost": str(table)}, "figures": [str(f) for f in figures]}


def test_build_section_places_figures_by_their_identity_in_config_order(subgroup_files):
    section = build_section(
        "first_line",
        tables=subgroup_files["tables"],
        figures=list(reversed(subgroup_files["figures"])),
        markers=["afp", "il6"],
        endpoints=["os", "pfs"],
    )
    assert [f["identity"]["marker"] for f in section["figures"]["paired"]] == ["afp", "il6"]
    assert [f["identity"]["endpoint"] for f in section["figures"]["km"]] == ["os", "pfs"]
    assert section["tables"]["prepost"]["rows"][0]["p_value"] == 0.01
    assert json.loads(json.dumps(section)) == section
    assert check_section(section, "first_line") is section


def test_build_section_refuses_what_is_not_the_subgroups(subgroup_files, tmp_path):
    with pytest.raises(IdentityError, match="prepost.tsv: row 1 has subgroup = 'first_line'"):
        build_section("all", markers=["il6", "afp"], endpoints=["pfs", "os"], **subgroup_files)
    with pytest.raises(IdentityError, match=r"missing \[\('paired', 'dcp'\)\]"):
        build_section(
            "first_line", markers=["il6", "afp", "dcp"], endpoints=["pfs", "os"], **subgroup_files
        )
    with pytest.raises(IdentityError, match=r"unexpected \[\('km', 'pfs'\)\]"):
        build_section("first_line", markers=["il6", "afp"], endpoints=["os"], **subgroup_files)
    stray = _figure(tmp_path / "stray", {"figure": "roc", "subgroup": "later_line"})
    with pytest.raises(IdentityError, match="stray.svg: the figure is about"):
        build_section(
            "first_line",
            tables=subgroup_files["tables"],
            figures=[*subgroup_files["figures"], str(stray)],
            markers=["il6", "afp"],
            endpoints=["pfs", "os"],
        )


def test_the_section_job_refuses_a_figure_of_another_subgroup_naming_the_file(
    subgroup_files, tmp_path
):
    """The report_section rule's step as its job runs it (the job then ends with the message
    and no traceback, as every ConfigError does: test_bad_input_workflow runs one through
    Snakemake)."""
    stray = _figure(
        tmp_path / "paired_dcp", {"figure": "paired", "subgroup": "all", "marker": "il6"}
    )
    settings = {
        "subgroup": "first_line",
        "markers": [{"key": "il6"}, {"key": "afp"}],
        "survival": {"enabled": True, "endpoints": ["pfs", "os"]},
    }
    inputs = {**subgroup_files["tables"], "figures": [*subgroup_files["figures"], str(stray)]}
    section = tmp_path / "sections" / "first_line.json"
    assert issubclass(IdentityError, ConfigError)
    with pytest.raises(
        IdentityError, match='paired_dcp.svg: the figure is about .*"subgroup":"all"'
    ):
        run_step(report_section, settings, inputs, {"section": section})
    assert not section.exists()
    run_step(report_section, settings, {**inputs, "figures": subgroup_files["figures"]},
             {"section": section})  # fmt: skip
    assert json.loads(section.read_text(encoding="utf-8"))["subgroup"] == "first_line"


def test_check_section_catches_a_tampered_fragment(subgroup_files):
    section = build_section(
        "first_line", markers=["il6", "afp"], endpoints=["pfs", "os"], **subgroup_files
    )
    paired = section["figures"]["paired"]
    paired[0]["svg"], paired[1]["svg"] = paired[1]["svg"], paired[0]["svg"]
    with pytest.raises(IdentityError, match="paired_il6.svg: the figure is about"):
        check_section(section, "first_line")
    with pytest.raises(IdentityError, match="was to be shown under 'all'"):
        check_section(section, "all")


def test_merge_sections_keys_by_subgroup_and_follows_the_configured_order():
    def fragment(name):
        rows = [{"subgroup": name, "p_value": 0.5}]
        figures = {"paired": [], "roc": [], "km": []}
        return {"subgroup": name, "tables": {"t": {"source": f"{name}.tsv", "rows": rows}},
                "figures": figures}  # fmt: skip

    merged = merge_sections([fragment("a"), fragment("c"), fragment("b")], ["c", "a", "b"])
    assert [s["subgroup"] for s in merged] == ["c", "a", "b"]
    with pytest.raises(IdentityError, match="two report sections for subgroup 'a'"):
        merge_sections([fragment("a"), fragment("a")], ["a", "b"])
    with pytest.raises(IdentityError, match="configured subgroups are"):
        merge_sections([fragment("a")], ["a", "b"])
    moved = fragment("a")
    moved["tables"]["t"]["rows"][0]["subgroup"] = "b"
    with pytest.raises(IdentityError, match="a.tsv: row 1 has subgroup = 'b'"):
        merge_sections([moved], ["a"])


def test_comparisons_are_found_by_their_name_and_groups():
    spec = {"name": "first_vs_later", "a": "first_line", "b": "later_line"}
    table = pd.DataFrame(
        {"comparison": ["first_vs_later"], "group_a": ["first_line"], "group_b": ["later_line"]}
    )
    other = table.assign(comparison="other", group_a="all")
    config = {"subgroup_comparisons": [spec]}
    (context,) = comparisons_context({"x.tsv": other, "y.tsv": table}, config)
    assert context["name"] == "first_vs_later" and len(context["rows"]) == 1
    swapped = table.assign(group_a="later_line", group_b="first_line")
    with pytest.raises(IdentityError, match="z.tsv: row 1 has group_a = 'later_line'"):
        comparisons_context({"z.tsv": swapped}, config)
    with pytest.raises(IdentityError, match="no result table for comparison 'first_vs_later'"):
        comparisons_context({"x.tsv": other}, config)


MARKERS = [{"key": "il6", "label": "IL-6", "unit": "pg/mL"}]


def test_filters_and_columns_are_in_words():
    labels = column_labels(MARKERS)
    assert describe_filters([], labels) == "all patients (no filter)"
    filters = [
        {"column": "line_of_therapy", "op": "ge", "value": 2},
        {"column": "bclc", "op": "in", "value": ["B", "C"]},
        {"column": "il6_pre", "op": "lt", "value": 7.4},
        {"column": "hospital_site", "op": "ne", "value": "A"},
    ]
    assert describe_filters(filters, labels) == (
        "line of therapy \u2265 2 and BCLC stage in {B, C} and IL-6 before treatment (pg/mL) "
        "< 7.4 and hospital site \u2260 A"
    )


def test_thresholds_and_odds_ratios_carry_their_scale():
    row = {
        "youden_threshold_change": 0.9937545,
        "favourable": "rise",
        "change_metric": "log2_ratio",
    }
    assert threshold_rule(row, "pg/mL") == "log2 ratio \u2265 0.994"
    fall = {**row, "favourable": "fall", "change_metric": "absolute", "youden_threshold_change": -3}
    assert threshold_rule(fall, "ng/mL") == "change \u2264 -3 ng/mL"
    missing = {**row, "youden_threshold_change": None, "youden_rule": "not estimable: no cases"}
    assert threshold_rule(missing, "pg/mL") == "not estimable: no cases"
    assert odds_ratio_unit("log2_ratio", "IL-6", "pg/mL") == "per doubling of IL-6"
    assert odds_ratio_unit("absolute", "IL-6", "pg/mL") == "per 1 pg/mL rise of IL-6"
    assert odds_ratio_unit("percent", "AFP", "ng/mL") == "per 1 percentage point of AFP change"


@pytest.mark.parametrize(
    ("level", "text"), [(0.95, "95%"), (0.9, "90%"), (0.975, "97.5%"), (0.57, "57%")]
)
def test_confidence_levels_print_as_configured(level, text):
    assert format_level(level) == text


def test_method_notes_list_each_method_once_in_order():
    rows = [
        {"estimable": True, "method": "exact"},
        {"estimable": False, "method": None},
        {"estimable": True, "method": "normal approximation"},
        {"estimable": True, "method": "exact"},
    ]
    assert method_notes(rows) == ["exact", "normal approximation"]


def test_the_run_configuration_snapshot_is_rewritten_only_when_its_content_changes(tmp_path):
    import os

    from il6hcc.config import snapshot_config

    path = tmp_path / "meta" / "il6hcc-config.json"
    config = {"b": [2, 1], "a": {"y": 1, "x": 2}}
    assert snapshot_config(config, path) == str(path)
    assert json.loads(path.read_text()) == config
    os.utime(path, (1, 1))
    # Key order is not content: the file (and so its modification time) stays as it was.
    snapshot_config({"a": {"x": 2, "y": 1}, "b": [2, 1]}, path)
    assert path.stat().st_mtime == 1
    # A changed value rewrites it, so the rules taking it as an input rerun.
    snapshot_config({**config, "b": [1, 2]}, path)
    assert path.stat().st_mtime > 1 and json.loads(path.read_text())["b"] == [1, 2]
    assert [p.name for p in path.parent.iterdir()] == ["il6hcc-config.json"]


def test_keys_in_table_text_are_put_in_words():
    from il6hcc.report_context import wording

    markers = [
        {"key": "afp", "label": "AFP", "unit": "ng/mL"},
        {"key": "afp_l3", "label": "AFP-L3", "unit": "%"},
    ]
    in_words = wording(markers)
    assert in_words("afp_l3 post value missing") == "AFP-L3 post value missing"
    assert in_words("afp change") == "AFP change"
    assert in_words("none; left out: line_of_therapy (separates") == (
        "none; left out: line of therapy (separates"
    )
    assert in_words("afp_rise") == "AFP rise"
    assert in_words("safpx") == "safpx"
    assert in_words(None) is None


def test_paired_plot_says_how_many_values_sit_at_the_substituted_limit(tmp_path):
    from il6hcc.figures import paired_plot

    patients = pd.DataFrame(
        {
            "il6_pre": [0.75, 0.75, 3.0, 5.0],
            "il6_post": [0.75, 4.0, 6.0, 0.75],
            "il6_pre_censored": ["below", "below", "none", "none"],
            "il6_post_censored": ["below", "none", "none", "below"],
            "responder": pd.array([1, 0, 1, pd.NA], dtype="Int64"),
        }
    )
    marker = {"key": "il6", "label": "IL-6", "unit": "pg/mL", "lloq": 1.5, "uloq": None}
    identity = {"figure": "paired", "subgroup": "s", "marker": "il6"}
    svg = tmp_path / "paired_il6.svg"
    figure = paired_plot(patients, marker, subgroup="s", max_lines=300, simulated=False)
    save(figure, svg, tmp_path / "paired_il6.pdf", identity)
    text = svg.read_text(encoding="utf-8")
    assert "below LLOQ, drawn at the substituted value: 2 before, 2 at week 3" in text
    assert "IL-6, subgroup s (one line per patient)" in text
    uncensored = patients.assign(il6_pre_censored="none", il6_post_censored="none")
    figure = paired_plot(uncensored, marker, subgroup="s", max_lines=300, simulated=False)
    save(figure, svg, tmp_path / "paired_il6.pdf", identity)
    assert "below LLOQ" not in svg.read_text(encoding="utf-8")
