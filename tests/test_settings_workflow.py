"""WHOLE-WORKFLOW TEST AGAINST R: every statistics setting changed at once.

One real Snakemake run on a temporary copy of the workflow, with a cohort that is not the
bundled one (tests/data/settings/cohort.csv: SIMULATED, 60 patients, il6hcc.simulate seed 81)
and, at once, every setting of tests/data/settings/settings.tsv: conf_level 0.9, Wilson
intervals, Benjamini-Hochberg over the subgroup family, no continuity correction, percent change,
LLOQ/sqrt(2) for values below the limit. Every number of every per-subgroup table, of the
between-subgroup comparison and of the survival tables is compared with R run on the same raw
file and the same settings (tests/r/make_settings_fixtures.R -> tests/fixtures/settings/), to a
relative tolerance of 1e-6, rows joined by their keys.

Cost: one full workflow run, 30-80 s on this 2-core machine.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from workflow_helpers import REPO, copy_workflow, load_config, snakemake_in_process, write_config

from il6hcc.tables import read_tsv

pytestmark = pytest.mark.workflow_vs_r

SETTINGS = REPO / "tests" / "data" / "settings"
FIXTURES = REPO / "tests" / "fixtures" / "settings"
SUBGROUPS = ["all", "first_line", "later_line"]
TABLES = [
    "table1/{subgroup}/summary.tsv",
    "table1/{subgroup}/tests.tsv",
    "paired_stats/{subgroup}/prepost.tsv",
    "paired_stats/{subgroup}/responders_vs_nonresponders.tsv",
    "paired_stats/{subgroup}/logistic.tsv",
    "roc/{subgroup}/auc.tsv",
    "roc/{subgroup}/delong.tsv",
    "criteria/{subgroup}/accuracy.tsv",
    "criteria/{subgroup}/mcnemar.tsv",
    "survival/{subgroup}/km.tsv",
    "survival/{subgroup}/medians.tsv",
    "survival/{subgroup}/logrank.tsv",
    "survival/{subgroup}/cox.tsv",
]
TARGETS = [
    *(f"results/{table.format(subgroup=s)}" for table in TABLES for s in SUBGROUPS),
    "results/compare_subgroups/first_vs_later_line.tsv",
]
RTOL = 1e-6
FLAGS = ["median_below_lloq", "q1_below_lloq", "q3_below_lloq"]


def settings() -> dict[str, str]:
    table = pd.read_csv(SETTINGS / "settings.tsv", sep="\t", dtype=str, keep_default_na=False)
    return dict(zip(table["key"], table["value"], strict=True))


def typed(value: str):
    """A settings.tsv value as config.yaml would hold it."""
    if value in ("true", "false"):
        return value == "true"
    try:
        return float(value)
    except ValueError:
        return value


def lookup(config: dict, dotted: str):
    value = config
    for part in dotted.split("."):
        value = value[part]
    return value


def with_settings(config: dict) -> dict:
    """A copy of ``config`` with every value of settings.tsv set (each must exist already)."""
    changed = copy.deepcopy(config)
    for dotted, value in settings().items():
        *parents, name = dotted.split(".")
        section = lookup(changed, ".".join(parents)) if parents else changed
        assert name in section, f"settings.tsv names a key config.yaml does not have: {dotted}"
        section[name] = typed(value)
    return changed


def configure(workdir: Path) -> None:
    for suffix in (".csv", ".json"):
        shutil.copy2(SETTINGS / f"cohort{suffix}", workdir / "resources" / f"settings{suffix}")
    config = with_settings(load_config(workdir))
    config["cohort"]["path"] = "resources/settings.csv"
    write_config(workdir, config)


@pytest.fixture(scope="module")
def settings_run(tmp_path_factory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("settings") / "workflow")
    configure(workdir)
    # Only the tables these tests read, and the jobs they need: the report, figures, claims,
    # planning and robustness read the same params and are proven on the other runs.
    snakemake_in_process(workdir, *TARGETS)
    return workdir


def fixture(name: str) -> pd.DataFrame:
    return read_tsv(FIXTURES / name)


def ours(workdir: Path, pattern: str, subgroups=SUBGROUPS) -> pd.DataFrame:
    return pd.concat(
        [read_tsv(workdir / "results" / pattern.format(subgroup=s)) for s in subgroups],
        ignore_index=True,
    )


def assert_matches(table: pd.DataFrame, reference: pd.DataFrame, keys: list[str]) -> None:
    """Every row of R's table has exactly one row of ours with the same keys and vice versa;
    every other column R wrote is equal (numbers to RTOL, NA where R has NA, flags exactly)."""
    merged = reference.merge(
        table, on=keys, how="outer", suffixes=("_r", ""), validate="1:1", indicator=True
    )
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, unmatched[[*keys, "_merge"]].to_string()
    for column in reference.columns.difference(keys):
        expected, actual = merged[f"{column}_r"], merged[column]
        if column.endswith("_below_lloq"):
            assert (expected.astype(bool) == actual.astype(bool)).all(), column
            continue
        np.testing.assert_allclose(
            actual.to_numpy(float),
            expected.to_numpy(float),
            rtol=RTOL,
            atol=1e-12,
            equal_nan=True,
            err_msg=column,
        )


def test_fixtures_were_made_from_these_files():
    versions = dict(fixture("versions.tsv")[["item", "value"]].itertuples(index=False))
    for item, path in (("cohort_md5", "cohort.csv"), ("settings_md5", "settings.tsv")):
        digest = hashlib.md5((SETTINGS / path).read_bytes()).hexdigest()
        assert versions[item] == digest, f"{path} changed: rerun tests/r/make_settings_fixtures.R"


def test_every_setting_differs_from_the_default():
    defaults = load_config(REPO)
    changed = with_settings(defaults)
    for dotted in settings():
        assert lookup(changed, dotted) != lookup(defaults, dotted), dotted


def test_table1_matches_r(settings_run):
    summary = ours(settings_run, "table1/{subgroup}/summary.tsv")
    assert_matches(
        summary, fixture("table1_summary.tsv"), ["subgroup", "by", "variable", "group", "level"]
    )
    tests = ours(settings_run, "table1/{subgroup}/tests.tsv")
    assert_matches(tests, fixture("table1_tests.tsv"), ["subgroup", "by", "variable"])
    continuous = tests[tests["type"] == "continuous"]
    assert not continuous["method"].str.contains("continuity correction").any()


def test_prepost_and_responder_tables_match_r(settings_run):
    prepost = ours(settings_run, "paired_stats/{subgroup}/prepost.tsv")
    assert_matches(prepost, fixture("prepost.tsv"), ["subgroup", "marker", "group"])
    assert set(prepost["adjust_method"]) == {"BH"}
    assert set(prepost["adjust_family"]) == {"subgroup"}
    assert set(prepost["change_metric"]) == {"percent"}
    assert prepost["method"].str.startswith("normal approximation").any()
    assert not prepost["method"].str.contains("continuity correction").any()
    assert prepost[[f"pre_{flag}" for flag in FLAGS]].any().any(), "no flagged median: weak data"
    responders = ours(settings_run, "paired_stats/{subgroup}/responders_vs_nonresponders.tsv")
    assert_matches(responders, fixture("responders_vs_nonresponders.tsv"), ["subgroup", "marker"])


def test_logistic_regression_matches_r_at_the_configured_level(settings_run):
    logistic = ours(settings_run, "paired_stats/{subgroup}/logistic.tsv")
    assert logistic["estimable"].all()
    assert_matches(logistic, fixture("logistic.tsv"), ["subgroup", "marker", "term"])


def test_subgroup_comparison_matches_r(settings_run):
    comparison = read_tsv(
        settings_run / "results" / "compare_subgroups" / "first_vs_later_line.tsv"
    )
    assert_matches(comparison, fixture("compare_subgroups.tsv"), ["comparison", "marker"])


def test_roc_tables_match_proc_at_the_configured_level(settings_run):
    auc = ours(settings_run, "roc/{subgroup}/auc.tsv")
    assert_matches(auc, fixture("auc.tsv"), ["subgroup", "marker"])
    delong = ours(settings_run, "roc/{subgroup}/delong.tsv")
    assert_matches(delong, fixture("delong.tsv"), ["subgroup", "marker_a", "marker_b"])


def test_criteria_tables_match_r(settings_run):
    accuracy = ours(settings_run, "criteria/{subgroup}/accuracy.tsv")
    assert_matches(accuracy, fixture("accuracy.tsv"), ["subgroup", "marker", "measure"])
    assert set(accuracy["ci_method"]) == {"wilson"}
    mcnemar = ours(settings_run, "criteria/{subgroup}/mcnemar.tsv")
    assert_matches(mcnemar, fixture("mcnemar.tsv"), ["subgroup", "measure", "marker_a", "marker_b"])


def test_survival_tables_match_r_at_the_configured_level(settings_run):
    cox = ours(settings_run, "survival/{subgroup}/cox.tsv")
    assert_matches(
        cox[cox["estimable"]], fixture("cox.tsv"), ["subgroup", "endpoint", "model", "term"]
    )
    logrank = ours(settings_run, "survival/{subgroup}/logrank.tsv")
    assert_matches(logrank, fixture("logrank.tsv"), ["subgroup", "endpoint"])
    medians = ours(settings_run, "survival/{subgroup}/medians.tsv")
    assert_matches(medians, fixture("medians.tsv"), ["subgroup", "endpoint", "group"])


def test_every_interval_carries_the_configured_level(settings_run):
    for pattern in (
        "paired_stats/{subgroup}/logistic.tsv",
        "roc/{subgroup}/auc.tsv",
        "roc/{subgroup}/delong.tsv",
        "criteria/{subgroup}/accuracy.tsv",
        "survival/{subgroup}/km.tsv",
        "survival/{subgroup}/medians.tsv",
        "survival/{subgroup}/cox.tsv",
    ):
        table = ours(settings_run, pattern)
        assert {"ci_low", "ci_high"} <= set(table.columns), pattern
        assert set(table["conf_level"]) == {0.9}, pattern
