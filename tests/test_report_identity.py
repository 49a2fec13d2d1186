"""The report shows every result under its own name, whatever the configuration's order.

Metamorphic tests through the whole workflow: the same analysis with subgroups, markers and
endpoints listed in another order, a subgroup renamed so that it sorts first, and a fourth
subgroup added (all at once, in one run) must show, under each subgroup's heading, exactly what
the default run shows under that heading. And every number the report shows equals the value in
the result file of the subgroup whose section it stands in. The variant run is the session's
`variant_run` (a full workflow, every job in Snakemake's own process: about 40 s of CPU here;
shared with the browser tests' hostile ids).
"""

from __future__ import annotations

from html import escape

from report_parsing import parse_report, sections
from workflow_helpers import load_config

from il6hcc.tables import read_tsv

# The effect size beside a rank test and its interval, shown with each rank test.
EFFECT_SIZE_ATTRIBUTES = {
    "data-effect-size": "effect_size_estimate",
    "data-effect-size-ci-low": "effect_size_ci_low",
    "data-effect-size-ci-high": "effect_size_ci_high",
}
# Table shown in the report -> (result file under results/, with {subgroup} or {comparison};
# row attribute -> key column; value attribute -> value column).
RESULT_FILES = {
    "prepost": (
        "paired_stats/{subgroup}/prepost.tsv",
        {"data-marker": "marker", "data-group": "group"},
        {"data-p": "p_value", "data-estimate": "hl_estimate", **EFFECT_SIZE_ATTRIBUTES},
    ),
    "responders": (
        "paired_stats/{subgroup}/responders_vs_nonresponders.tsv",
        {"data-marker": "marker"},
        {"data-p": "p_value", **EFFECT_SIZE_ATTRIBUTES},
    ),
    "logistic": (
        "paired_stats/{subgroup}/logistic.tsv",
        {"data-marker": "marker", "data-term": "term"},
        {"data-p": "p_value"},
    ),
    "auc": ("roc/{subgroup}/auc.tsv", {"data-marker": "marker"}, {"data-auc": "auc"}),
    "delong": (
        "roc/{subgroup}/delong.tsv",
        {"data-marker": ("marker_a", "marker_b")},
        {"data-p": "p_value"},
    ),
    "accuracy": (
        "criteria/{subgroup}/accuracy.tsv",
        {"data-marker": "marker", "data-measure": "measure"},
        {"data-estimate": "estimate"},
    ),
    "mcnemar": (
        "criteria/{subgroup}/mcnemar.tsv",
        {"data-marker": ("marker_a", "marker_b"), "data-measure": "measure"},
        {"data-p": "p_value"},
    ),
    "logrank": (
        "survival/{subgroup}/logrank.tsv",
        {"data-endpoint": "endpoint"},
        {"data-p": "p_value"},
    ),
    "cox": (
        "survival/{subgroup}/cox.tsv",
        {"data-endpoint": "endpoint", "data-model": "model", "data-term": "term"},
        {"data-hr": "hazard_ratio"},
    ),
    "comparison": (
        "compare_subgroups/{comparison}.tsv",
        {"data-marker": "marker"},
        {"data-p": "p_value", **EFFECT_SIZE_ATTRIBUTES},
    ),
}
# Every section of every subgroup must show at least these tables.
SECTION_TABLES = {
    "subgroup": {"prepost", "responders", "logistic", "auc", "delong", "accuracy", "mcnemar"},
    "prognosis": {"logrank", "cox"},
}


def _result_value(workdir, section, table, row, attribute):
    """The value in the result file that a report cell claims to show."""
    name, _, comparison = table.partition(":")
    pattern, keys, values = RESULT_FILES[name]
    subgroup = section[1] if section else None
    result = read_tsv(
        workdir / "results" / pattern.format(subgroup=subgroup, comparison=comparison)
    )
    selected = result
    for key, value in row:
        columns = keys[key]
        if isinstance(columns, str):
            columns, parts = (columns,), (value,)
        else:
            parts = value.split("-")
        for column, part in zip(columns, parts, strict=True):
            selected = selected[selected[column].astype(str) == part]
    assert len(selected) == 1, f"{table} {row}: {len(selected)} rows in the result file"
    if name != "comparison":
        assert (selected["subgroup"] == subgroup).all()
    return float(selected[values[attribute]].iloc[0])


def assert_report_matches_result_files(workdir) -> dict:
    """Every number in the report equals its subgroup's own result file; every figure in a
    section is that subgroup's. Returns the parsed sections."""
    parsed = parse_report((workdir / "results" / "report.html").read_text(encoding="utf-8"))
    assert parsed.values, "the report shows no keyed value"
    for (section, table, row, attribute), shown in parsed.values.items():
        expected = _result_value(workdir, section, table, row, attribute)
        assert shown == expected, (section, table, row, attribute)
    by_section = sections(parsed)
    config = load_config(workdir)
    for name in config["subgroups"]:
        assert SECTION_TABLES["subgroup"] <= parsed.tables[("subgroup", name)], name
        figures = by_section[("subgroup", name)]["figures"]
        assert {f["subgroup"] for f in figures} == {name}
        assert sorted(f["marker"] for f in figures if f["figure"] == "paired") == sorted(
            m["key"] for m in config["markers"]
        )
        prognosis = by_section[("prognosis", name)]
        assert SECTION_TABLES["prognosis"] <= parsed.tables[("prognosis", name)], name
        assert sorted(f["endpoint"] for f in prognosis["figures"]) == sorted(
            config["survival"]["endpoints"]
        )
        assert {f["subgroup"] for f in prognosis["figures"]} == {name}
    return by_section


def test_every_number_in_the_report_is_its_subgroups_own(completed_run):
    assert_report_matches_result_files(completed_run)


def test_each_section_is_the_same_whatever_the_order_and_names(completed_run, variant_run):
    rename = {"a_later": "later_line"}
    default = sections(parse_report((completed_run / "results" / "report.html").read_text()))
    workdir, config = variant_run
    assert list(config["subgroups"]) == ["bclc_c_first_line", "a_later", "first_line", "all"]
    assert_report_matches_result_files(workdir)
    html = (workdir / "results" / "report.html").read_text(encoding="utf-8")
    variant = sections(parse_report(html), rename)
    for key, expected in default.items():
        assert variant[key]["values"] == expected["values"], key
        assert variant[key]["figures"] == expected["figures"], key
    # Sections appear in the configured order, each heading with its key and label.
    positions = [html.index(f'id="subgroup-{name}"') for name in config["subgroups"]]
    assert positions == sorted(positions)
    for name, label in config["report"]["subgroup_labels"].items():
        assert f'<span class="subgroup-key">{name}</span>: {label}' in html


def test_the_claims_table_shows_each_claims_own_verdict_effect_and_sentence(completed_run):
    html = (completed_run / "results" / "report.html").read_text(encoding="utf-8")
    claims = read_tsv(completed_run / "results" / "claims.tsv")
    survival = read_tsv(completed_run / "results" / "survival" / "all" / "claim.tsv")
    # The claims table's rows (the Robustness table also has a row per claim).
    table = html.split('<table data-table="claims"', 1)[1].split("</table>", 1)[0]
    rows = table.split('<tr data-claim="')[1:]
    shown = {row.split('"', 1)[0]: row.split("</tr>", 2) for row in rows}
    for claim in [*claims.itertuples(), *survival.itertuples()]:
        numbers, words = shown[str(claim.claim)][:2]
        assert f">{escape(claim.verdict)}</span>" in numbers, claim.claim
        assert escape(claim.sentence) in words, claim.claim
        assert escape(claim.reason) in words, claim.claim
    assert len(shown) == len(claims) + len(survival)
