"""Degenerate inputs finish the run: one Snakemake run on a constructed cohort in which every
degenerate case occurs (tests/data/degenerate/README.md), each checked in its tables.

Cost: one full run of the workflow, every job in Snakemake's own process (about 35 s of CPU; a
process per job costs about 95 s): the run proves what the analyses give on these data, and
test_cluster that such a run gives what a process per job gives.
"""

import html
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workflow_helpers import (
    copy_workflow,
    light_stages,
    load_config,
    snakemake_in_process,
    write_config,
)

from il6hcc.claims import VERDICTS
from il6hcc.tables import read_tsv

DATA = Path(__file__).parent / "data" / "degenerate"
FIXTURES = Path(__file__).parent / "fixtures" / "fisher_monte_carlo"
EMPTY = "no patient matches the subgroup's filters (0 of 42)"
REPLICATES = 2000


def degenerate_config(config: dict) -> dict:
    overrides = yaml.safe_load((DATA / "config_overrides.yaml").read_text(encoding="utf-8"))
    statistics = {**config["statistics"], **overrides.pop("statistics")}
    return {**config, **overrides, "statistics": statistics}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("degenerate") / "workflow")
    shutil.copy2(DATA / "cohort.csv", workdir / "resources" / "degenerate_cohort.csv")
    write_config(workdir, light_stages(degenerate_config(load_config(workdir))))
    result = snakemake_in_process(workdir)
    return workdir, result


def table(run, path):
    workdir, _ = run
    return read_tsv(workdir / "results" / path)


def only(rows: pd.DataFrame) -> pd.Series:
    assert len(rows) == 1, rows
    return rows.iloc[0]


EMPTY_SUBGROUP_TABLES = [
    "table1/fourth_line/tests.tsv",
    "paired_stats/fourth_line/prepost.tsv",
    "paired_stats/fourth_line/responders_vs_nonresponders.tsv",
    "paired_stats/fourth_line/logistic.tsv",
    "roc/fourth_line/auc.tsv",
    "roc/fourth_line/delong.tsv",
    "criteria/fourth_line/accuracy.tsv",
    "criteria/fourth_line/mcnemar.tsv",
    "survival/fourth_line/logrank.tsv",
    "survival/fourth_line/cox.tsv",
]


@pytest.mark.parametrize("path", EMPTY_SUBGROUP_TABLES)
def test_every_table_of_an_empty_subgroup_says_why(run, path):
    rows = table(run, path)
    assert len(rows) > 0
    assert not rows["estimable"].astype(bool).any()
    assert set(rows["reason"]) == {EMPTY}


def test_an_empty_subgroup_is_recorded_and_the_comparison_names_it(run):
    workdir, _ = run
    selection = json.loads(
        (workdir / "results/stratify/fourth_line/selection.json").read_text(encoding="utf-8")
    )
    assert (selection["n_selected"], selection["n_cohort"]) == (0, 42)
    assert selection["empty_reason"] == EMPTY
    comparison = table(run, "compare_subgroups/first_vs_fourth_line.tsv")
    assert not comparison["estimable"].astype(bool).any()
    assert set(comparison["reason"]) == {f"subgroup fourth_line: {EMPTY}"}
    survival_claim = only(table(run, "survival/fourth_line/claim.tsv"))
    assert survival_claim["verdict"] == "not checkable"
    assert EMPTY in survival_claim["detail"]


def test_claims_needing_the_empty_subgroup_are_not_checkable_and_say_why(run):
    claims = table(run, "claims.tsv").set_index("claim")
    for claim in ("2", "5", "1 vs 2"):
        assert claims.loc[claim, "verdict"] == "not checkable", claim
        assert EMPTY in claims.loc[claim, "detail"], claim
    assert claims.loc["1", "verdict"] in set(VERDICTS) - {"not checkable"}


def test_the_run_completes_and_warns_about_the_empty_subgroup(run):
    workdir, result = run
    assert result.returncode == 0
    # The run's own log.
    (log_path,) = re.findall(r"Complete log\(s\): (\S+)", result.stderr)
    log = Path(log_path).read_text(encoding="utf-8")
    warning = f"subgroup fourth_line: {EMPTY}"
    assert f"Warning: {warning}; its analyses are not estimable" in log
    assert f"Warning in rule stratify: {warning}" in result.stderr
    for subgroup in ("all", "first_line", "women"):
        assert f"subgroup {subgroup}:" not in log
    report = html.unescape((workdir / "results" / "report.html").read_text(encoding="utf-8"))
    section = report.split('id="subgroup-fourth_line"')[1].split("</details>")[0]
    assert ": fourth line or later (n = 0)</summary>" in section
    reasons = re.findall(r"not estimable: ([^<]*)<", section)
    assert len(reasons) > 10 and set(reasons) == {EMPTY}


def test_two_cases_give_no_delong_interval_or_test(run):
    auc = table(run, "roc/women/auc.tsv").set_index("marker")
    assert (auc["n_cases"] == 2).all() and (auc["n_controls"] == 8).all()
    assert not auc["estimable"].astype(bool).any()
    assert auc["ci_low"].isna().all() and auc["ci_high"].isna().all()
    for reason in auc["reason"]:
        assert "2 cases and 8 controls" in reason and "below 5 of each" in reason
    assert auc.loc["il6", "auc"] == 1.0
    delong = only(table(run, "roc/women/delong.tsv"))
    assert not delong["estimable"]
    assert math.isnan(delong["z"]) and math.isnan(delong["p_value"])
    assert math.isnan(delong["ci_low"]) and math.isnan(delong["ci_high"])
    assert "2 cases and 8 controls" in delong["reason"]


def test_an_auc_of_one_is_flagged_with_no_interval(run):
    for subgroup in ("first_line", "all"):
        il6 = only(table(run, f"roc/{subgroup}/auc.tsv").query("marker == 'il6'"))
        assert il6["auc"] == 1.0 and il6["perfect_separation"]
        assert not il6["estimable"]
        assert math.isnan(il6["ci_low"]) and math.isnan(il6["ci_high"])
        assert il6["reason"].startswith("perfect separation (AUC = 1): the DeLong variance is zero")
        afp = only(table(run, f"roc/{subgroup}/auc.tsv").query("marker == 'afp'"))
        assert afp["estimable"] and not afp["perfect_separation"]
    workdir, _ = run
    report = html.unescape((workdir / "results" / "report.html").read_text(encoding="utf-8"))
    assert "no interval: perfect separation (AUC = 1)" in report


def test_no_interval_leaves_the_range_of_its_quantity(run):
    for subgroup in ("all", "first_line", "women", "fourth_line"):
        auc = table(run, f"roc/{subgroup}/auc.tsv")
        assert ((auc["ci_low"] >= 0) | auc["ci_low"].isna()).all()
        assert ((auc["ci_high"] <= 1) | auc["ci_high"].isna()).all()
        delong = table(run, f"roc/{subgroup}/delong.tsv")
        assert ((delong["ci_low"] >= -1) | delong["ci_low"].isna()).all()
        assert ((delong["ci_high"] <= 1) | delong["ci_high"].isna()).all()
    # IL-6 minus AFP in first-line patients: 0.9875 +/- 0.026, truncated at 1 and said so.
    delong = only(table(run, "roc/first_line/delong.tsv"))
    assert delong["estimable"] and delong["auc_difference"] == pytest.approx(0.9875)
    assert delong["ci_high"] == 1.0 and delong["ci_low"] < 0.99
    assert delong["method"].endswith("interval truncated to [-1, 1]")


def test_a_covariate_separating_response_is_left_out_and_the_change_still_fitted(run):
    logistic = table(run, "paired_stats/all/logistic.tsv")
    assert set(logistic["left_out_separating"]) == {"line_of_therapy"}
    afp = logistic[logistic["marker"] == "afp"].set_index("term")
    assert afp["estimable"].astype(bool).all()
    assert list(afp.index) == ["(Intercept)", "afp_change"]
    assert math.isfinite(afp.loc["afp_change", "estimate"])
    assert afp.loc["afp_change", "adjusted_for"] == (
        "none; left out: line_of_therapy (separates response in this subgroup, "
        "so no adjusted model has an estimate)"
    )
    # IL-6's change itself separates response (AUC 1): that model stays not estimable.
    il6 = only(logistic[logistic["marker"] == "il6"])
    assert not il6["estimable"] and "separation" in il6["reason"]


def test_fisher_is_monte_carlo_only_where_enumeration_is_too_long(run):
    exact = pd.read_csv(FIXTURES / "pvalues.tsv", sep="\t").set_index("case")["exact_p_value"]
    tests = table(run, "table1/all/tests.tsv").query("variable == 'etiology'").set_index("by")
    by_line = tests.loc["line_of_therapy"]
    assert by_line["method"].startswith(f"Monte Carlo (B = {REPLICATES}, seed 20250101)")
    expected = exact["degenerate_etiology_by_line"]
    # Four Monte Carlo standard errors around R's exact p-value.
    assert abs(by_line["p_value"] - expected) < 4 * math.sqrt(
        expected * (1 - expected) / REPLICATES
    )
    by_response = tests.loc["response"]
    assert by_response["method"].startswith("exact (enumeration of")
    assert by_response["p_value"] == pytest.approx(
        exact["degenerate_etiology_by_response"], rel=1e-6
    )
