"""il6hcc.optimism against pROC (tests/r/make_optimism_fixtures.R) on the committed index sets
of a small cohort, and its independence of batching, subgroup order and row order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.optimism import (
    OPTIMISM_COLUMNS,
    RESAMPLE_FIELDS,
    batch_range,
    bootstrap_patients,
    index_sets,
    optimism_table,
    resample_counts,
    resample_statistics,
    resampled_batch,
)
from il6hcc.optimism_report import optimism_context
from il6hcc.rocanalysis import oriented_scores
from il6hcc.tables import read_tsv

FIXTURES = Path(__file__).parent / "fixtures" / "optimism"
# As tests/r/make_optimism_inputs.py wrote them.
SEED = 7
RESAMPLES = 200
MARKERS = [{"key": "a", "favourable": "rise"}, {"key": "b", "favourable": "fall"}]
METRIC = "absolute"
KEYS = ["subgroup", "marker"]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    cohort = read_tsv(FIXTURES / "patients.tsv").astype({"patient_id": str})
    return {name: rows for name, rows in cohort.groupby("subgroup", sort=False)}


def committed_index_sets() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "index_sets.tsv.gz", sep="\t", dtype={"counts": str})


def decoded(counts: pd.Series) -> np.ndarray:
    """The base-36 digits of each row as a matrix of multiplicities."""
    return np.array([[int(digit, 36) for digit in row] for row in counts])


def assert_close_by_key(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Every column R wrote, row by key, at 1e-6 (missing where R's is missing)."""
    merged = expected.merge(actual, on=keys, suffixes=("_r", ""), how="left", validate="1:1")
    assert len(merged) == len(expected)
    for column in expected.columns.difference(keys):
        np.testing.assert_allclose(
            merged[column].to_numpy(float),
            merged[f"{column}_r"].to_numpy(float),
            rtol=0,
            atol=1e-6,
            err_msg=column,
        )


def test_the_committed_index_sets_are_the_modules_resamples(tables):
    drawn = index_sets(tables, seed=SEED, resamples=RESAMPLES)
    pd.testing.assert_frame_equal(drawn, committed_index_sets(), check_dtype=False)


def test_each_resample_agrees_with_pROC(tables):
    sets = committed_index_sets()
    frames = []
    for subgroup, patients in tables.items():
        patients = bootstrap_patients(patients)
        is_case = (patients["responder"] == 1).to_numpy(bool)
        counts = decoded(sets.loc[sets["subgroup"] == subgroup, "counts"])
        assert (counts[:, is_case].sum(axis=1) == is_case.sum()).all()
        for marker in MARKERS:
            scores = oriented_scores(patients, marker, METRIC).to_numpy(float)
            frame = resample_statistics(scores, is_case, counts)
            frames.append(
                frame.assign(subgroup=subgroup, marker=marker["key"], resample=frame.index)
            )
    expected = read_tsv(FIXTURES / "resamples.tsv")
    # The fixture covers cut-offs that are missing, out-of-bag classes that are empty, ties.
    assert expected["cutoff"].isna().any() and expected["oob_sensitivity"].isna().any()
    assert_close_by_key(pd.concat(frames), expected, [*KEYS, "resample"])


def test_the_optimism_table_agrees_with_pROC(tables):
    resampled = resampled_batch(
        tables, markers=MARKERS, metric=METRIC, seed=SEED, start=0, stop=RESAMPLES
    )
    table = optimism_table(
        resampled,
        tables,
        markers=MARKERS,
        metric=METRIC,
        conf_level=0.95,
        resamples=RESAMPLES,
        seed=SEED,
    )
    assert list(table.columns) == OPTIMISM_COLUMNS
    assert table["estimable"].all()
    assert_close_by_key(table, read_tsv(FIXTURES / "optimism.tsv"), KEYS)


def test_resamples_do_not_depend_on_batches_subgroup_order_or_row_order(tables):
    whole = resampled_batch(tables, markers=MARKERS, metric=METRIC, seed=SEED, start=0, stop=250)
    batches = [batch_range(250, 3, batch) for batch in range(3)]
    assert batches == [(0, 83), (83, 166), (166, 250)]
    shuffled = {
        name: rows.sample(frac=1, random_state=1) for name, rows in reversed(tables.items())
    }
    split = pd.concat(
        resampled_batch(shuffled, markers=MARKERS, metric=METRIC, seed=SEED, start=a, stop=b)
        for a, b in batches
    )
    order = [*KEYS, "resample"]
    pd.testing.assert_frame_equal(
        split.sort_values(order).reset_index(drop=True),
        whole.sort_values(order).reset_index(drop=True),
    )
    other_seed = resampled_batch(tables, markers=MARKERS, metric=METRIC, seed=8, start=0, stop=5)
    assert not other_seed["auc"].equals(whole["auc"].iloc[:5])


def test_a_resample_is_fixed_by_seed_subgroup_name_and_number():
    is_case = np.array([True] * 3 + [False] * 5)
    whole = resample_counts(is_case, seed=1, subgroup="first", start=0, stop=300)
    part = resample_counts(is_case, seed=1, subgroup="first", start=150, stop=230)
    np.testing.assert_array_equal(part, whole[150:230])
    renamed = resample_counts(is_case, seed=1, subgroup="second", start=0, stop=300)
    assert not np.array_equal(renamed, whole)
    assert (whole[:, is_case].sum(axis=1) == 3).all() and (whole.sum(axis=1) == 8).all()


def test_too_few_responders_gives_a_row_that_says_why(tables):
    patients = tables["small"].assign(responder=[1.0] + [0.0] * (len(tables["small"]) - 1))
    few = {"small": patients}
    resampled = resampled_batch(few, markers=MARKERS, metric=METRIC, seed=SEED, start=0, stop=10)
    assert resampled.empty
    table = optimism_table(
        resampled, few, markers=MARKERS, metric=METRIC, conf_level=0.95, resamples=10, seed=SEED
    )
    assert not table["estimable"].any()
    assert table["reason"].str.contains("1 responders and 8 non-responders").all()
    assert table["auc_corrected"].isna().all()


def test_batches_missing_a_resample_are_refused(tables):
    resampled = resampled_batch(tables, markers=MARKERS, metric=METRIC, seed=SEED, start=0, stop=9)
    with pytest.raises(ValueError, match="do not hold resamples 0-9 once each"):
        optimism_table(
            resampled, tables, markers=MARKERS, metric=METRIC, conf_level=0.95, resamples=10,
            seed=SEED,
        )  # fmt: skip


def test_every_resample_field_is_a_column_of_a_batch(tables):
    resampled = resampled_batch(tables, markers=MARKERS, metric=METRIC, seed=SEED, start=0, stop=2)
    assert list(resampled.columns) == ["subgroup", "marker", "resample", *RESAMPLE_FIELDS]


def test_a_marker_without_a_positive_youden_index_has_no_cutoff_figures(tables):
    # Every patient's b unchanged: all scores tied, so no threshold beats chance anywhere.
    tied = {"small": tables["small"].assign(b_post=tables["small"]["b_pre"])}
    resampled = resampled_batch(tied, markers=MARKERS, metric=METRIC, seed=SEED, start=0, stop=20)
    table = optimism_table(
        resampled, tied, markers=MARKERS, metric=METRIC, conf_level=0.95, resamples=20, seed=SEED
    ).set_index("marker")
    b = table.loc["b"]
    assert b["estimable"] and b["auc_apparent"] == 0.5 and b["auc_optimism"] == 0
    assert b["n_resamples_cutoff"] == 0 and b["n_resamples_oob_sensitivity"] == 0
    cutoff_figures = ["cutoff_apparent", "cutoff_median", "cutoff_ci_low", "youden_j_corrected"]
    assert b[cutoff_figures].isna().all()
    assert "no threshold has a positive Youden index" in b["reason"]
    assert table.loc["a", "n_resamples_cutoff"] > 0 and table.loc["a", "reason"] == ""


def test_the_report_context_takes_rows_by_key_in_the_configured_order():
    table = pd.DataFrame(
        {
            "subgroup": ["small", "small", "large", "large"],
            "marker": ["b", "a", "b", "a"],
            "auc_corrected": [0.4, 0.3, 0.2, 0.1],
        }
    )
    config = {
        "subgroups": {"large": [], "small": []},
        "markers": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
        "report": {"subgroup_labels": {"large": "thirty patients"}},
        "robustness": {"optimism": {"resamples": 20, "seed": 3, "batches": 1}},
        "statistics": {"conf_level": 0.9},
    }
    context = optimism_context(table, config)
    shown = [(r["subgroup"], r["marker_label"], r["auc_corrected"]) for r in context["rows"]]
    assert shown == [("large", "A", 0.1), ("large", "B", 0.2), ("small", "A", 0.3),
                     ("small", "B", 0.4)]  # fmt: skip
    assert [r["subgroup_label"] for r in context["rows"]] == ["thirty patients"] * 2 + [None] * 2
    assert (context["resamples"], context["seed"], context["conf_level"]) == (20, 3, 0.9)
