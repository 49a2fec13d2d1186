"""il6hcc.stats.survival against R survival fixtures (tests/r/make_survival_fixtures.R)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.stats.survival import (
    cox_fit,
    cox_regression,
    cox_zph,
    kaplan_meier,
    km_median,
    logrank_test,
    numbers_at_risk,
)

FIXTURES = Path(__file__).parent / "fixtures" / "survival"
DATASETS = [
    "small_ties",
    "heavy_censoring",
    "tied_across_groups",
    "large",
    "no_events_in_group",
    "no_events",
]
MODELS = {
    "unadjusted": ["group"],
    "adjusted": ["group", "line"],
    "adjusted_factor": ["group", "line_f"],
}
# Relative tolerances against R, each the loosest that the arithmetic needs (measured worst
# case over the fixtures in brackets):
# - EXACT_REL: closed forms computed in another order than R (KM, Greenwood, log CI, medians,
#   log-rank, Cox log-likelihoods and LR test [2e-12]): agreement to rounding.
# - COX_REL: what depends on the Cox coefficients. R stops Newton-Raphson at
#   |1 - loglik_old / loglik_new| <= 1e-9 and statsmodels' PHReg at its own rule, each within
#   about 1e-8 of the optimum [coef 8e-9, z 8e-9, CI 3e-9, se 5e-10].
# - COX_P_REL: the Wald p-values; a relative error e of z becomes about z^2 e in p [8e-8].
# - ZPH_REL: cox.zph, evaluated at those coefficients [5e-9].
EXACT_REL = 1e-10
COX_REL = 1e-7
COX_P_REL = 1e-6
ZPH_REL = 1e-8


def read(dataset: str, name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / dataset / f"{name}.tsv", sep="\t")


def data(dataset: str) -> pd.DataFrame:
    frame = read(dataset, "data")
    # line_f is line of therapy as a categorical (R's factor(line)).
    frame["line_f"] = frame["line"].astype(str)
    return frame


def assert_close(actual, expected, what: str, rel: float = EXACT_REL) -> None:
    """Relative ``rel``, NaN only where R has NA."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, what
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=what)
    ok = ~np.isnan(expected)
    np.testing.assert_allclose(actual[ok], expected[ok], rtol=rel, atol=0, err_msg=what)


def curves(dataset: str):
    frame = data(dataset)
    yield "all", frame
    for level in sorted(frame["group"].unique()):
        yield f"group={level}", frame[frame["group"] == level]


# ---------------------------------------------------------------------------------------
# Kaplan-Meier, median, numbers at risk
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", DATASETS)
def test_kaplan_meier_matches_survfit(dataset):
    expected = read(dataset, "km")
    for curve, frame in curves(dataset):
        ref = expected[expected["curve"] == curve]
        got = kaplan_meier(frame["time"], frame["event"])
        for col in ("n_risk", "n_event", "n_censor"):
            np.testing.assert_array_equal(got[col], ref[col], err_msg=f"{curve} {col}")
        for col in ("time", "survival", "std_err", "ci_low", "ci_high"):
            assert_close(got[col], ref[col], f"{dataset} {curve} {col}")


@pytest.mark.parametrize("dataset", DATASETS)
def test_km_median_matches_summary_table(dataset):
    expected = read(dataset, "median")
    for curve, frame in curves(dataset):
        ref = expected[expected["curve"] == curve].iloc[0]
        got = km_median(frame["time"], frame["event"])
        for key, col in (("estimate", "median"), ("ci_low", "lcl"), ("ci_high", "ucl")):
            assert_close([getattr(got, key)], [ref[col]], f"{dataset} {curve} {key}")
        assert got.extra["median_reached"] == (not math.isnan(ref["median"]))
        assert got.extra["ci_low_reached"] == (not math.isnan(ref["lcl"]))
        assert got.extra["ci_high_reached"] == (not math.isnan(ref["ucl"]))
        if not got.extra["median_reached"]:
            assert "median not reached" in got.extra["note"]


def test_km_median_midpoint_when_curve_flat_at_half():
    # tied_across_groups, group 0: S = 0.5 exactly from t = 9 until the drop at t = 10.
    frame = data("tied_across_groups")
    frame = frame[frame["group"] == 0]
    assert km_median(frame["time"], frame["event"]).estimate == 9.5


def test_km_median_without_data_is_not_estimable():
    got = km_median([], [])
    assert got.estimable is False
    assert got.reason == "no observations"


@pytest.mark.parametrize("dataset", DATASETS)
def test_numbers_at_risk_matches_summary_times(dataset):
    frame = data(dataset)
    ref = read(dataset, "at_risk")
    got = numbers_at_risk(
        frame["time"], frame["event"], frame["group"], sorted(ref["time"].unique())
    )
    np.testing.assert_array_equal(got["group"].to_numpy(), ref["group"].to_numpy())
    np.testing.assert_array_equal(got["time"].to_numpy(), ref["time"].to_numpy())
    np.testing.assert_array_equal(got["n_risk"].to_numpy(), ref["n_risk"].to_numpy())


def test_near_tie_is_merged_like_r_timefix():
    # small_ties has times 3 and 3 + 1e-10: R (aeqSurv) treats them as one time.
    frame = data("small_ties")
    km = kaplan_meier(frame["time"], frame["event"])
    assert km.loc[km["time"] == 3, "n_event"].tolist() == [2]
    assert not ((km["time"] > 3) & (km["time"] < 4)).any()


# ---------------------------------------------------------------------------------------
# Log-rank
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", DATASETS)
def test_logrank_matches_survdiff(dataset):
    frame = data(dataset)
    ref = read(dataset, "logrank")
    got = logrank_test(frame["time"], frame["event"], frame["group"])
    for _, row in ref.iterrows():
        assert got.extra["n"][row["group"]] == row["n"]
        assert_close([got.extra["observed"][row["group"]]], [row["observed"]], "observed")
        assert_close([got.extra["expected"][row["group"]]], [row["expected"]], "expected")
    if ref["df"].iloc[0] < 1:
        assert got.estimable is False
        assert got.reason == "no events"
        assert math.isnan(got.statistic)
    else:
        assert got.estimable is True
        assert got.extra["df"] == ref["df"].iloc[0]
        assert_close([got.statistic, got.p_value], ref[["chisq", "p_value"]].iloc[0], "chisq")


def test_logrank_drops_a_group_without_expected_events_like_survdiff():
    # Group c is censored before the first event: nobody of it is at risk at an event time,
    # so R's survdiff leaves it out of the statistic (df 1, not 2).
    time = [2, 4, 6, 3, 5, 7, 1, 1.5]
    event = [1, 1, 0, 1, 0, 1, 0, 0]
    group = ["a", "a", "a", "b", "b", "b", "c", "c"]
    got = logrank_test(time, event, group)
    two_groups = logrank_test(time[:6], event[:6], group[:6])
    assert got.extra["expected"]["c"] == 0
    assert got.extra["df"] == two_groups.extra["df"] == 1
    assert got.statistic == two_groups.statistic
    assert got.p_value == two_groups.p_value


def test_logrank_single_group_is_not_estimable():
    got = logrank_test([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    assert got.estimable is False
    assert got.reason == "fewer than two groups"


# ---------------------------------------------------------------------------------------
# Cox regression and cox.zph
# ---------------------------------------------------------------------------------------

COX_COLUMNS = ["coef", "se", "z", "p_value", "ci_low", "ci_high"]
LR_COLUMNS = ["loglik_null", "loglik", "lr_chisq", "lr_df", "lr_p_value"]
ESTIMABLE_FITS = [
    (dataset, model)
    for dataset in ("small_ties", "heavy_censoring", "tied_across_groups", "large")
    for model in MODELS
]


def fixture_min_events(dataset: str, model: str) -> int:
    # small_ties' factor(line) level 3 has one event: R fits it, our default rule refuses it.
    return 1 if (dataset, model) == ("small_ties", "adjusted_factor") else 2


def fit(frame: pd.DataFrame, covariates: list[str], **options):
    return cox_fit(frame, time="time", event="event", covariates=covariates, **options)


def table(results: dict) -> pd.DataFrame:
    """Results keyed by term as a table, with R's column names for statistic and estimate."""
    rows = [{"term": term, **result.columns()} for term, result in results.items()]
    return pd.DataFrame(rows).rename(columns={"statistic": "z", "estimate": "hazard_ratio"})


@pytest.mark.parametrize(("dataset", "model"), ESTIMABLE_FITS)
def test_cox_matches_coxph_efron(dataset, model):
    ref = read(dataset, "cox")
    ref = ref[ref["model"] == model]
    assert (ref["r_status"] == "ok").all()
    model_fit = fit(
        data(dataset), MODELS[model], min_events_per_level=fixture_min_events(dataset, model)
    )
    got = table(cox_regression(model_fit))
    assert got["estimable"].all()
    assert list(got["term"]) == list(ref["term"])
    for col in COX_COLUMNS:
        rel = COX_P_REL if col == "p_value" else COX_REL
        assert_close(got[col], ref[col], f"{dataset} {model} {col}", rel=rel)
    for col in LR_COLUMNS:
        assert_close(got[col], ref[col], f"{dataset} {model} {col}")
    assert_close(got["hazard_ratio"], np.exp(ref["coef"]), "hazard ratio", rel=COX_REL)
    np.testing.assert_array_equal(got["n"], ref["n"])
    np.testing.assert_array_equal(got["n_events"], ref["n_events"])


@pytest.mark.parametrize(("dataset", "model"), ESTIMABLE_FITS)
def test_cox_zph_matches_r(dataset, model):
    ref = read(dataset, "zph")
    ref = ref[ref["model"] == model]
    model_fit = fit(
        data(dataset), MODELS[model], min_events_per_level=fixture_min_events(dataset, model)
    )
    got = table(cox_zph(model_fit)).rename(columns={"z": "chisq"})
    assert list(got["term"]) == list(ref["term"])
    np.testing.assert_array_equal(got["df"], ref["df"])
    for col in ("chisq", "p_value"):
        assert_close(got[col], ref[col], f"{dataset} {model} zph {col}", rel=ZPH_REL)


def test_default_event_rule_refuses_sparse_factor_level():
    model_fit = fit(data("small_ties"), MODELS["adjusted_factor"])
    got = table(cox_regression(model_fit))
    assert not got["estimable"].any()
    assert got["reason"].iloc[0].startswith("fewer than 2 events at line_f3 = 1 (1)")
    assert "coef" not in got
    zph = table(cox_zph(model_fit))
    assert list(zph["term"]) == ["group", "line_f", "GLOBAL"]
    assert not zph["estimable"].any()


@pytest.mark.parametrize("model", MODELS)
def test_cox_no_events_in_a_group_is_not_estimable(model):
    frame = data("no_events_in_group")
    # R warns for these fits ("coefficient may be infinite"); see cox.tsv's r_status.
    assert read("no_events_in_group", "cox")["r_status"].str.contains("infinite").all()
    model_fit = fit(frame, MODELS[model])
    got = table(cox_regression(model_fit))
    assert not got["estimable"].any()
    assert got["reason"].iloc[0] == ("fewer than 2 events at group = 1 (0) or group = 0 (3)")
    # Without the events-per-group rule, R's own infinite-coefficient check still refuses it.
    relaxed = fit(frame, MODELS[model], min_events_per_level=0)
    assert "may be infinite" in relaxed.reason
    assert not table(cox_regression(relaxed))["estimable"].any()
    zph = cox_zph(model_fit).values()
    assert not any(result.estimable for result in zph)
    assert all(math.isnan(result.statistic) for result in zph)


@pytest.mark.parametrize("model", MODELS)
def test_cox_no_events_is_not_estimable(model):
    model_fit = fit(data("no_events"), MODELS[model])
    got = table(cox_regression(model_fit))
    assert not got["estimable"].any()
    assert (got["reason"] == "no events").all()
    assert (got["n"] == 6).all()
    zph = table(cox_zph(model_fit))
    assert (zph["reason"] == "no events").all()


def test_cox_constant_and_collinear_covariates_are_not_estimable():
    frame = data("large")
    frame["constant"] = 1
    frame["group_copy"] = 2 * frame["group"] + 1
    assert fit(frame, ["constant"]).reason == "constant does not vary"
    assert fit(frame, ["group", "group_copy"]).reason.startswith("covariates are collinear")
    assert fit(frame.assign(arm="A"), ["arm"]).reason == "arm has a single level"
    no_terms = fit(frame, [])
    assert list(cox_regression(no_terms)) == ["(no covariates)"]
    assert no_terms.reason == "no covariates"
    assert list(cox_zph(no_terms)) == ["GLOBAL"]
    assert cox_zph(no_terms)["GLOBAL"].reason == "no covariates"


def test_two_valued_code_with_too_few_events_is_not_estimable():
    # Line of therapy coded 1/2 is a two-valued column: the events rule applies to it too.
    frame = data("large").head(60).copy()
    frame["line12"] = np.where(frame["line"] == 1, 1, 2)
    late = frame["line12"] == 2
    frame.loc[late, "event"] = 0
    frame.loc[late[late].index[0], "event"] = 1
    assert fit(frame, ["group", "line12"]).reason.startswith(
        "fewer than 2 events at line12 = 2 (1)"
    )


def test_cox_drops_incomplete_rows():
    frame = data("large")
    with_missing = frame.copy()
    with_missing.loc[0, "line"] = np.nan
    got = fit(with_missing, ["group", "line"])
    ref = fit(frame.iloc[1:], ["group", "line"])
    assert got.n == 399
    np.testing.assert_allclose(got.coef, ref.coef, rtol=1e-12)


def test_a_time_that_is_not_finite_drops_its_whole_row():
    # The time and event are cleaned together; the group and the covariates must lose the same
    # row, or the arrays no longer line up.
    frame = data("large")
    with_infinite = frame.copy()
    with_infinite.loc[0, "time"] = np.inf
    rest = frame.iloc[1:]
    got = fit(with_infinite, ["group", "line"])
    assert got.n == 399
    np.testing.assert_array_equal(got.coef, fit(rest, ["group", "line"]).coef)
    logrank = logrank_test(with_infinite["time"], with_infinite["event"], with_infinite["group"])
    assert logrank.statistic == logrank_test(rest["time"], rest["event"], rest["group"]).statistic
    at = [0.0, 5.0]
    pd.testing.assert_frame_equal(
        numbers_at_risk(with_infinite["time"], with_infinite["event"], with_infinite["group"], at),
        numbers_at_risk(rest["time"], rest["event"], rest["group"], at),
    )
