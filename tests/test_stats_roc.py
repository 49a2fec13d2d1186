"""il6hcc.stats.roc against pROC 1.18.0 (fixtures from tests/r/make_roc_fixtures.R)."""

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.rocanalysis import AUC_NAMES, DELONG_NAMES, renamed
from il6hcc.stats.roc import (
    bootstrap_auc_ci,
    delong_paired_test,
    roc_auc,
    roc_curve,
    youden_threshold,
)

FIXTURES = Path(__file__).parent / "fixtures" / "roc"


# Each result as table columns, under the names the ROC tables give them.
def roc_auc_columns(*args, **kwargs) -> dict:
    return renamed(roc_auc(*args, **kwargs).columns(), AUC_NAMES)


def delong_paired_test_columns(*args, **kwargs) -> dict:
    return renamed(delong_paired_test(*args, **kwargs).columns(), DELONG_NAMES)


def youden_threshold_columns(*args, **kwargs) -> dict:
    return renamed(youden_threshold(*args, **kwargs).columns(), {"estimate": "threshold"})


def bootstrap_auc_ci_columns(*args, **kwargs) -> dict:
    return renamed(bootstrap_auc_ci(*args, **kwargs).columns(), {"estimate": "auc"})


REL = 1e-10
MARKERS = ("marker_a", "marker_b")


def read_fixture(name):
    # Empty message fields must stay "", while R's NA / NaN become NaN.
    return pd.read_csv(FIXTURES / name, sep="\t", keep_default_na=False, na_values=["NA", "NaN"])


def load_dataset(name):
    data = read_fixture(f"data_{name}.tsv")
    is_case = (data["is_case"].astype(str).str.upper() == "TRUE").to_numpy()
    return data, is_case


AUC_ROWS = read_fixture("auc.tsv")
TEST_ROWS = read_fixture("roc_test.tsv")
COORDS_ALL = read_fixture("coords_all.tsv")
COORDS_BEST = read_fixture("coords_best.tsv")


def row_id(row):
    return f"{row['dataset']}-{row['marker']}" if "marker" in row else row["dataset"]


def assert_close(ours, theirs):
    assert ours == pytest.approx(theirs, rel=REL, abs=1e-12)


@pytest.mark.parametrize(
    "expected", AUC_ROWS.to_dict("records"), ids=[row_id(r) for r in AUC_ROWS.to_dict("records")]
)
def test_roc_auc_matches_proc(expected):
    data, is_case = load_dataset(expected["dataset"])
    scores = data[expected["marker"]].to_numpy()
    result = roc_auc_columns(scores, is_case)
    assert result["ci_method"] == "DeLong"
    assert result["n_missing"] == int(np.isnan(scores).sum())
    if expected["error"]:
        # pROC's roc() refused the data (no cases or no controls).
        assert not result["estimable"]
        assert result["reason"]
        assert math.isnan(result["auc"])
        return
    assert result["n_cases"] == expected["n_cases"]
    assert result["n_controls"] == expected["n_controls"]
    assert_close(result["auc"], expected["auc"])
    if math.isnan(expected["var_delong"]):
        assert not result["estimable"]
        assert "at least 2 cases and 2 controls" in result["reason"]
        assert math.isnan(result["auc_se"])
        assert math.isnan(result["ci_low"]) and math.isnan(expected["ci_low"])
        return
    assert_close(result["auc_se"] ** 2, expected["var_delong"])
    assert result["perfect_separation"] == (expected["auc"] in (0, 1))
    if expected["var_delong"] == 0:
        # pROC prints the zero-width interval (1 to 1 with a warning for AUC 1); we give none.
        assert expected["ci_low"] == expected["ci_high"] == expected["auc"]
        assert not result["estimable"]
        assert math.isnan(result["ci_low"]) and math.isnan(result["ci_high"])
        start = "perfect separation (AUC = 1)" if expected["auc"] == 1 else "all scores tied"
        assert result["reason"].startswith(start)
        return
    assert result["estimable"] and result["reason"] == ""
    assert_close(result["ci_low"], expected["ci_low"])
    assert_close(result["ci_high"], expected["ci_high"])
    narrower = roc_auc_columns(scores, is_case, conf_level=0.9)
    assert_close(narrower["ci_low"], expected["ci90_low"])
    assert_close(narrower["ci_high"], expected["ci90_high"])


@pytest.mark.parametrize(
    "expected", TEST_ROWS.to_dict("records"), ids=[row_id(r) for r in TEST_ROWS.to_dict("records")]
)
def test_delong_paired_test_matches_proc(expected):
    data, is_case = load_dataset(expected["dataset"])
    scores_a = data["marker_a"].to_numpy()
    scores_b = data["marker_b"].to_numpy()
    result = delong_paired_test_columns(scores_a, scores_b, is_case)
    assert result["method"] == "DeLong's test for two correlated ROC curves"
    assert result["n_missing"] == int((np.isnan(scores_a) | np.isnan(scores_b)).sum())
    assert result["n_cases"] == expected["n_cases"]
    assert result["n_controls"] == expected["n_controls"]
    if expected["error"] or math.isnan(expected["z"]):
        # pROC stopped (no cases / no controls; single case with equal AUCs) or gave NaN.
        assert not result["estimable"]
        assert result["reason"]
        assert math.isnan(result["z"]) and math.isnan(result["p_value"])
        return
    assert_close(result["auc_a"], expected["auc_a"])
    assert_close(result["auc_b"], expected["auc_b"])
    assert_close(result["auc_difference"], expected["auc_a"] - expected["auc_b"])
    if math.isinf(expected["z"]):
        # pROC: z = Inf, p = 0 when the AUCs differ with zero variance; not a valid test.
        assert not result["estimable"]
        assert result["se_difference"] == 0
        assert math.isnan(result["p_value"])
        return
    if result["se_difference"] == 0:
        # pROC: z = 0, p = 1 and the interval [0, 0] for equal AUCs with zero variance.
        assert (expected["z"], expected["p_value"]) == (0, 1)
        assert not result["estimable"] and "(pROC sets z = 0, p = 1)" in result["reason"]
        assert math.isnan(result["ci_low"])
        return
    assert result["estimable"] and result["reason"] == ""
    assert_close(result["z"], expected["z"])
    assert_close(result["p_value"], expected["p_value"])
    assert_close(result["ci_low"], expected["conf_low"])
    assert_close(result["ci_high"], expected["conf_high"])


ROC_BUILT = AUC_ROWS[AUC_ROWS["error"] == ""].to_dict("records")


@pytest.mark.parametrize("expected", ROC_BUILT, ids=[row_id(r) for r in ROC_BUILT])
def test_roc_curve_matches_proc_coords_all(expected):
    data, is_case = load_dataset(expected["dataset"])
    curve = roc_curve(data[expected["marker"]].to_numpy(), is_case)
    reference = COORDS_ALL[
        (COORDS_ALL["dataset"] == expected["dataset"])
        & (COORDS_ALL["marker"] == expected["marker"])
    ]
    assert list(curve.columns) == ["threshold", "sensitivity", "specificity"]
    assert curve.attrs["estimable"]
    # Thresholds are computed with pROC's own arithmetic, so they agree to the last bit
    # (the "precision" dataset has scores one ulp apart and near the double limit).
    np.testing.assert_array_equal(curve["threshold"], reference["threshold"])
    np.testing.assert_allclose(curve["sensitivity"], reference["sensitivity"], rtol=REL)
    np.testing.assert_allclose(curve["specificity"], reference["specificity"], rtol=REL)


@pytest.mark.parametrize("expected", ROC_BUILT, ids=[row_id(r) for r in ROC_BUILT])
def test_youden_threshold_is_lowest_of_procs_tied_optima(expected):
    data, is_case = load_dataset(expected["dataset"])
    result = youden_threshold_columns(data[expected["marker"]].to_numpy(), is_case)
    reference = COORDS_BEST[
        (COORDS_BEST["dataset"] == expected["dataset"])
        & (COORDS_BEST["marker"] == expected["marker"])
    ].sort_values("threshold")
    lowest = reference.iloc[0]
    assert result["n_tied_optima"] == len(reference)
    assert result["threshold"] == lowest["threshold"]
    assert_close(result["sensitivity"], lowest["sensitivity"])
    assert_close(result["specificity"], lowest["specificity"])
    assert_close(result["youden_j"], lowest["sensitivity"] + lowest["specificity"] - 1)
    assert result["estimable"] == (result["youden_j"] > 0)


def test_fixtures_cover_the_required_situations():
    reference = TEST_ROWS.set_index("dataset")
    assert (reference.loc["ties", "n_cases"], reference.loc["large", "n_cases"]) == (14, 178)
    assert reference.loc["large", ["n_cases", "n_controls"]].sum() >= 500
    assert (COORDS_BEST.groupby(["dataset", "marker"]).size() > 1).any()
    assert "No case observation." in set(AUC_ROWS["error"])


def test_ties_between_cases_and_controls_count_one_half():
    is_case = np.array([True, False, True, False])
    result = roc_auc_columns(np.array([2.0, 2.0, 1.0, 1.0]), is_case)
    assert result["auc"] == 0.5


def brute_force_delong(scores, is_case):
    cases, controls = scores[is_case], scores[~is_case]
    kernel = (cases[:, None] > controls[None, :]) + 0.5 * (cases[:, None] == controls[None, :])
    case_placements, control_placements = kernel.mean(axis=1), kernel.mean(axis=0)
    variance = (
        case_placements.var(ddof=1) / cases.size + control_placements.var(ddof=1) / controls.size
    )
    return kernel.mean(), variance


@pytest.mark.parametrize("seed", range(5))
def test_roc_auc_agrees_with_quadratic_definition(seed):
    rng = np.random.default_rng(seed)
    is_case = rng.random(300) < 0.3
    scores = rng.integers(0, 12, size=300).astype(float) + 2 * is_case
    auc, variance = brute_force_delong(scores, is_case)
    result = roc_auc_columns(scores, is_case)
    assert result["auc"] == pytest.approx(auc, rel=1e-12)
    assert result["auc_se"] ** 2 == pytest.approx(variance, rel=1e-10)


def test_missing_scores_are_dropped_and_counted():
    is_case = np.array([True, True, True, False, False, False, False])
    scores_a = np.array([5.0, np.nan, 3.0, 1.0, 2.0, 4.0, np.nan])
    scores_b = np.array([4.0, 2.0, np.nan, 1.0, 3.0, 0.5, 2.5])
    single = roc_auc_columns(scores_a, is_case)
    assert (single["n_cases"], single["n_controls"], single["n_missing"]) == (2, 3, 2)
    paired = delong_paired_test_columns(scores_a, scores_b, is_case)
    assert (paired["n_cases"], paired["n_controls"], paired["n_missing"]) == (1, 3, 3)
    assert not paired["estimable"]
    assert roc_curve(scores_a, is_case).attrs["n_missing"] == 2


def test_everything_missing_is_not_estimable():
    is_case = np.array([True, False, True])
    scores = np.full(3, np.nan)
    assert not roc_auc_columns(scores, is_case)["estimable"]
    assert not youden_threshold_columns(scores, is_case)["estimable"]
    assert not bootstrap_auc_ci_columns(scores, is_case, seed=1)["estimable"]
    curve = roc_curve(scores, is_case)
    assert curve.empty and not curve.attrs["estimable"] and curve.attrs["reason"]


def test_infinite_scores_are_refused_like_proc():
    is_case = np.array([True, False, True, False])
    scores = np.array([np.inf, 1.0, 2.0, 0.0])
    result = roc_auc_columns(scores, is_case)
    assert not result["estimable"] and "infinite" in result["reason"]
    assert not delong_paired_test_columns(scores, scores[::-1].copy(), is_case)["estimable"]


def test_non_boolean_labels_are_rejected():
    with pytest.raises(TypeError):
        roc_auc_columns([1.0, 2.0], [0, 1])
    with pytest.raises(ValueError):
        roc_auc_columns([1.0, 2.0, 3.0], np.array([True, False]))


def test_bootstrap_is_reproducible_for_a_seed():
    rng = np.random.default_rng(7)
    is_case = rng.random(120) < 0.3
    scores = rng.normal(size=120) + is_case
    first = bootstrap_auc_ci_columns(scores, is_case, n_boot=500, seed=11)
    again = bootstrap_auc_ci_columns(scores, is_case, n_boot=500, seed=11)
    other = bootstrap_auc_ci_columns(scores, is_case, n_boot=500, seed=12)
    assert first == again
    assert (first["ci_low"], first["ci_high"]) != (other["ci_low"], other["ci_high"])
    assert first["ci_low"] < first["auc"] < first["ci_high"]
    assert first["method"] == "stratified bootstrap, percentile interval"
    assert (first["n_boot"], first["seed"]) == (500, 11)


def test_bootstrap_keeps_case_and_control_numbers_fixed():
    # A single case: a replicate always holds that one case, so every replicate AUC is the share
    # of resampled controls below it; with one control above and one below it varies.
    is_case = np.array([True, False, False])
    result = bootstrap_auc_ci_columns(np.array([1.0, 0.0, 2.0]), is_case, n_boot=400, seed=3)
    assert result["ci_low"] == 0.0 and result["ci_high"] == 1.0
    perfect = bootstrap_auc_ci_columns(np.array([5.0, 1.0, 2.0]), is_case, n_boot=400, seed=3)
    assert perfect["ci_low"] == perfect["ci_high"] == 1.0


def test_bootstrap_interval_is_close_to_delong_on_a_large_sample():
    rng = np.random.default_rng(2024)
    is_case = rng.random(4000) < 0.3
    scores = rng.normal(size=4000) + 0.9 * is_case
    delong = roc_auc_columns(scores, is_case)
    boot = bootstrap_auc_ci_columns(scores, is_case, n_boot=2000, seed=5)
    half_width = (delong["ci_high"] - delong["ci_low"]) / 2
    # Both estimate the same sampling distribution; the bootstrap's Monte Carlo error on a 2.5%
    # quantile with 2000 replicates is a few percent of the half-width.
    assert boot["ci_low"] == pytest.approx(delong["ci_low"], abs=0.1 * half_width)
    assert boot["ci_high"] == pytest.approx(delong["ci_high"], abs=0.1 * half_width)


def test_bootstrap_runs_2000_replicates_of_100000_patients_in_seconds():
    rng = np.random.default_rng(1)
    is_case = rng.random(100_000) < 0.3
    scores = rng.normal(size=100_000) + is_case
    started = time.perf_counter()
    result = bootstrap_auc_ci_columns(scores, is_case, n_boot=2000, seed=1)
    assert time.perf_counter() - started < 10
    assert result["estimable"]


def test_fewer_than_the_minimum_cases_or_controls_gives_the_auc_without_delong():
    data, is_case = load_dataset("small")
    scores_a, scores_b = data["marker_a"].to_numpy(), data["marker_b"].to_numpy()
    # marker_b has 4 cases: below a minimum of 5, above pROC's 2.
    assert roc_auc_columns(scores_b, is_case, min_per_group=4)["estimable"]
    result = roc_auc_columns(scores_b, is_case, min_per_group=5)
    assert not result["estimable"] and result["auc"] == 0.75
    assert math.isnan(result["ci_low"]) and math.isnan(result["auc_se"])
    assert result["reason"] == (
        "4 cases and 7 controls: DeLong's normal approximation is not used below 5 of each "
        "(statistics.delong_min_per_group); only the AUC is reported"
    )
    test = delong_paired_test_columns(scores_a, scores_b, is_case, min_per_group=5)
    assert not test["estimable"] and math.isnan(test["p_value"]) and math.isnan(test["ci_high"])
    assert test["reason"].startswith("4 cases and 7 controls")
    assert delong_paired_test_columns(scores_a, scores_b, is_case, min_per_group=4)["estimable"]


def test_the_interval_of_an_auc_difference_is_truncated_to_its_range():
    # Marker a separates perfectly; b ranks four of five cases below every control.
    is_case = np.array([True] * 5 + [False] * 5)
    scores_a = np.arange(10.0)[::-1]
    scores_b = np.array([0.0, 1.0, 2.0, 3.0, 9.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    result = delong_paired_test_columns(scores_a, scores_b, is_case)
    assert result["auc_a"] == 1.0 and result["auc_difference"] == pytest.approx(0.8)
    half_width = 1.959963984540054 * result["se_difference"]
    assert result["auc_difference"] + half_width > 1
    assert result["ci_high"] == 1.0
    assert_close(result["ci_low"], result["auc_difference"] - half_width)
    assert result["method"] == (
        "DeLong's test for two correlated ROC curves; interval truncated to [-1, 1]"
    )
