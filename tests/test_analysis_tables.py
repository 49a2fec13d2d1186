"""The per-subgroup result tables (il6hcc.change, paired, rocanalysis, criteria, table1,
tables, provenance) on small hand-made cohorts.

Where a number must be right, an R fixture dataset (tests/fixtures/core, tests/fixtures/roc) is
fed through the table function and compared with the R value stored beside it, so the
orchestration (orientation, grouping, missing values) is proven equal to R, not only the
statistics underneath.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis_helpers import AFP, IL6, assert_no_silent_nan, scores_as_change, with_responder

from il6hcc.change import (
    criterion_positive,
    describe_criterion,
    marker_change,
    oriented_change,
)
from il6hcc.criteria import accuracy_table, diagnostic_accuracy, mcnemar_table
from il6hcc.paired import (
    EFFECT_SIZE_FIELDS,
    LOCATION_NOT_COMPUTED,
    logistic_table,
    prepost_table,
    responder_comparison_table,
    subgroup_comparison_table,
)
from il6hcc.provenance import provenance_table
from il6hcc.quartiles import quartiles
from il6hcc.rocanalysis import auc_table, curve_table, delong_table
from il6hcc.stats.multiplicity import p_adjust
from il6hcc.stats.regression import logistic_regression
from il6hcc.table1 import table1
from il6hcc.tables import adjust_p_values, read_patients, read_tsv, write_tsv

FIXTURES = Path(__file__).parent / "fixtures"
REL = 1e-10
NO_BOOTSTRAP = {"enabled": False, "replicates": 2000}


def r_core(fn: str) -> dict:
    table = pd.read_csv(
        FIXTURES / "core" / "results.tsv", sep="\t", keep_default_na=False, dtype=str
    )
    table = table[table["fn"] == fn]
    return {(row.case, row.key): row.value for row in table.itertuples()}


def r_roc(name: str) -> pd.DataFrame:
    return pd.read_csv(
        FIXTURES / "roc" / name, sep="\t", keep_default_na=False, na_values=["NA", "NaN"]
    )


def close(ours, theirs):
    return ours == pytest.approx(float(theirs), rel=REL, abs=1e-12)


def paired_cohort(pre, post, responder, *, markers=(IL6,)):
    """Patients with the same (pre, post) values for every marker in ``markers``, none censored."""
    table = pd.DataFrame({"source_row": range(2, len(pre) + 2)})
    for marker in markers:
        for timepoint, values in (("pre", pre), ("post", post)):
            table[f"{marker['key']}_{timepoint}"] = np.asarray(values, dtype=float)
            table[f"{marker['key']}_{timepoint}_censored"] = "none"
    return with_responder(table, responder)


# --------------------------------------------------------------------------- change and criteria
def test_change_metrics():
    pre = pd.Series([2.0, 4.0, 0.0, np.nan])
    post = pd.Series([4.0, 3.0, 1.0, 1.0])
    ratio = marker_change(pre, post, "ratio")
    assert ratio.iloc[:2].tolist() == [2.0, 0.75]
    assert ratio.iloc[2:].isna().all(), "a ratio from pre = 0 or a missing value is undefined"
    assert marker_change(pre, post, "log2_ratio").iloc[:2].tolist() == [1.0, math.log2(0.75)]
    assert marker_change(pre, post, "percent").iloc[:2].tolist() == [100.0, -25.0]
    absolute = marker_change(pre, post, "absolute")
    assert absolute.iloc[:3].tolist() == [2.0, -1.0, 1.0]
    assert math.isnan(absolute.iloc[3])
    with pytest.raises(ValueError, match="unknown change metric 'difference'"):
        marker_change(pre, post, "difference")


@pytest.mark.parametrize("metric", ["ratio", "log2_ratio", "percent", "absolute"])
def test_change_of_arrays_is_the_change_of_series(metric):
    # The robustness reruns pass plain arrays: same numbers, bit for bit, as for Series (whose
    # index the result keeps), including the undefined ones.
    pre = pd.Series([2.0, 4.0, 0.0, np.nan, -1.0, 3.0, 0.1], index=[7, 3, 5, 1, 2, 9, 4])
    post = pd.Series([4.0, 3.0, 1.0, 1.0, 2.0, 0.0, 0.3], index=pre.index)
    from_series = marker_change(pre, post, metric)
    from_arrays = marker_change(pre.to_numpy(), post.to_numpy(), metric)
    assert isinstance(from_arrays, np.ndarray)
    assert from_series.index.equals(pre.index)
    np.testing.assert_array_equal(from_arrays, from_series.to_numpy())


def test_log2_ratio_of_a_zero_post_value_is_undefined_not_minus_infinity():
    assert marker_change(pd.Series([2.0]), pd.Series([0.0]), "log2_ratio").isna().all()


def test_orientation_negates_a_favourable_fall():
    change = pd.Series([1.0, -2.0])
    assert oriented_change(change, "rise").tolist() == [1.0, -2.0]
    assert oriented_change(change, "fall").tolist() == [-1.0, 2.0]
    with pytest.raises(ValueError, match="'rise' or 'fall'"):
        oriented_change(change, "up")


def test_criterion_missing_value_is_not_evaluable_rather_than_negative():
    result = criterion_positive(
        pd.Series([10.0, 10.0, np.nan, 10.0]),
        pd.Series([7.0, 9.0, 5.0, np.nan]),
        {"metric": "percent", "comparison": "le", "value": -20},
    )
    assert result.iloc[0] is True or bool(result.iloc[0]) is True
    assert bool(result.iloc[1]) is False
    assert result.iloc[2:].isna().all()


@pytest.mark.parametrize(
    ("pre", "post"),
    # Exactly a 20% fall, but 0.4/0.5 and (2.4 - 3)/3 are not exact in binary.
    [(100.0, 80.0), (0.5, 0.4), (3.0, 2.4), (12.5, 10.0)],
)
def test_a_change_exactly_at_the_cut_off_meets_an_inclusive_criterion(pre, post):
    pre, post = pd.Series([pre]), pd.Series([post])
    fall_20 = {"metric": "percent", "comparison": "le", "value": -20}
    assert bool(criterion_positive(pre, post, fall_20).iloc[0]) is True
    assert bool(criterion_positive(pre, post, {**fall_20, "comparison": "lt"}).iloc[0]) is False


def test_any_rise_criterion_and_its_wording():
    any_rise = {"metric": "percent", "comparison": "gt", "value": 0}
    result = criterion_positive(pd.Series([2.0, 2.0, 2.0]), pd.Series([2.1, 2.0, 1.9]), any_rise)
    assert [bool(v) for v in result] == [True, False, False]
    assert describe_criterion("IL-6", any_rise) == "IL-6 percent change, 100*(post-pre)/pre > 0"
    assert (
        describe_criterion("AFP", {"metric": "ratio", "comparison": "ge", "value": 1.4})
        == "AFP post/pre ratio >= 1.4"
    )


# --------------------------------------------------------------------------- pre/post (Wilcoxon)
SIGNED_RANK = r_core("wilcoxon_signed_rank")
RANK_SUM = r_core("mann_whitney_u")


def prepost(patients, *, markers=(IL6,), correct=True, family="marker", method="holm"):
    return prepost_table(
        patients,
        subgroup="s",
        markers=list(markers),
        metric="log2_ratio",
        correct=correct,
        adjust_method=method,
        adjust_family=family,
    )


@pytest.mark.parametrize("case", ["small", "tied", "censored"])
@pytest.mark.parametrize("variant", ["default", "nocorrect"])
def test_prepost_table_equals_r_wilcox_test(case, variant):
    data = pd.read_csv(FIXTURES / "core" / f"data_paired_{case}.tsv", sep="\t")
    patients = paired_cohort(data["pre"], data["post"], [1] * len(data))
    table = prepost(patients, correct=variant == "default").set_index("group")
    for group in ("all", "responders"):
        row = table.loc[group]
        assert close(row["statistic"], SIGNED_RANK[(f"{case}/{variant}", "statistic")])
        assert close(row["p_value"], SIGNED_RANK[(f"{case}/{variant}", "p_value")])
        assert row["estimable"]
    assert table.loc["all", "n_patients"] == len(data)
    assert not table.loc["non-responders", "estimable"]
    assert table.loc["non-responders", "reason"] == "fewer than 2 complete pairs"


HL_R = pd.read_csv(FIXTURES / "core" / "hodges_lehmann.tsv", sep="\t", dtype=str)


@pytest.mark.parametrize("case", ["small", "tied", "large"])
@pytest.mark.parametrize(
    ("scale", "variant"), [("difference", "default"), ("log_ratio", "log_ratio")]
)
@pytest.mark.parametrize("conf_level", [0.95, 0.90])
def test_prepost_hodges_lehmann_equals_r(case, scale, variant, conf_level):
    data = pd.read_csv(FIXTURES / "core" / f"data_paired_{case}.tsv", sep="\t")
    if scale == "log_ratio":
        # R's fixture drops the pairs without a log ratio; so does the table.
        data = data[(data["pre"] > 0) & ~(data["post"] <= 0)]
    patients = paired_cohort(data["pre"], data["post"], [1] * len(data))
    table = prepost_table(
        patients,
        subgroup="s",
        markers=[IL6],
        metric="log2_ratio",
        correct=True,
        adjust_method="holm",
        adjust_family="marker",
        scale=scale,
        conf_level=conf_level,
    ).set_index("group")
    rows = HL_R[
        (HL_R["case"] == case)
        & (HL_R["variant"] == variant)
        & (HL_R["conf_level_requested"].astype(float) == conf_level)
    ]
    expected = dict(zip(rows["key"], rows["value"], strict=True))
    row = table.loc["all"]
    assert row["hl_scale"] == scale
    assert row["change_metric"] == "log2_ratio"
    for ours, theirs in [
        ("hl_estimate", "estimate"),
        ("hl_ci_low", "ci_low"),
        ("hl_ci_high", "ci_high"),
        ("conf_level", "conf_level"),
    ]:
        assert row[ours] == pytest.approx(float(expected[theirs]), rel=1e-9), ours
    # The test beside the estimate is on the same scale.
    assert (row["hl_estimate"] > 0) == (row["rank_biserial"] > 0)


def test_prepost_without_a_test_has_no_estimate():
    patients = paired_cohort(pre=[1.0, 2.0, 3.0], post=[2.0, np.nan, np.nan], responder=[1, 0, 0])
    row = prepost(patients).set_index("group").loc["all"]
    assert not row["estimable"]
    assert math.isnan(row["hl_estimate"]) and row["hl_method"] == "not estimable"
    assert row["hl_reason"] == row["reason"] == "fewer than 2 complete pairs"


def test_prepost_groups_count_and_describe_the_right_patients():
    patients = paired_cohort(
        pre=[1, 2, 3, 4, 5, 6, 7],
        post=[2, 4, 2, 4, np.nan, 9, 8],
        responder=[1, 1, 0, 0, 0, None, 1],
    )
    table = prepost(patients).set_index("group")
    assert table.loc["all", "n_patients"] == 7, "not evaluable response still enters 'all'"
    assert table.loc["all", "n_pairs"] == 6
    assert table.loc["responders", "n_pairs"] == 3
    assert table.loc["non-responders", "n_patients"] == 3
    assert table.loc["non-responders", "n_pairs"] == 2
    responders = table.loc["responders"]
    assert (responders["n_increased"], responders["n_decreased"]) == (3, 0)
    non = table.loc["non-responders"]
    assert (non["n_increased"], non["n_decreased"], non["n_unchanged"]) == (0, 1, 1)
    # R's quantile(type = 7) of the pre values 1, 2, 7
    assert (responders["pre_q1"], responders["pre_median"], responders["pre_q3"]) == (
        1.5,
        2.0,
        4.5,
    )
    assert responders["change_median"] == pytest.approx(1.0)
    assert responders["change_metric"] == "log2_ratio"


@pytest.mark.parametrize(
    ("values", "substituted", "expected"),
    [
        # q1 at position 1 falls on the substitute 0.75; median (position 2) and q3 do not.
        ([0.75, 0.75, 2, 3, 4], [True, True, False, False, False], (True, False, False)),
        # q1 at position 0.75 interpolates between the substitute and 2.
        ([2, 0.75, 3, 5], [False, True, False, False], (True, False, False)),
        # LLOQ rule: the substitute 1.5 equals a measured 1.5; whichever is sorted first, every
        # quartile using a 1.5 is flagged (q3 interpolates between 1.5 and 4).
        ([1.5, 1.5, 4], [False, True, False], (True, True, True)),
        ([1.5, 1.5, 4], [True, False, False], (True, True, True)),
        ([4, 5, 6, 0.75], [False, False, False, True], (True, False, False)),
        ([4, 5, 6, 7], [False] * 4, (False, False, False)),
    ],
)
def test_quartiles_flag_numbers_resting_on_a_substituted_value(values, substituted, expected):
    result = quartiles(pd.Series(values, dtype=float), pd.Series(substituted), "pre_")
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    assert (result["pre_q1"], result["pre_median"], result["pre_q3"]) == (q1, median, q3)
    flags = (result["pre_q1_below_lloq"], result["pre_median_below_lloq"])
    assert (*flags, result["pre_q3_below_lloq"]) == expected


def test_quartiles_of_arrays_are_the_quartiles_of_series():
    values, substituted = [1.5, np.nan, 1.5, 4.0, 0.75], [True, False, False, False, True]
    from_series = quartiles(pd.Series(values), pd.Series(substituted), "change_")
    assert quartiles(np.array(values), np.array(substituted), "change_") == from_series


def test_quartiles_of_no_value_are_missing_and_not_flagged():
    result = quartiles(pd.Series([np.nan, np.nan]), pd.Series([True, False]))
    assert all(math.isnan(result[name]) for name in ("median", "q1", "q3"))
    assert not any(result[f"{name}_below_lloq"] for name in ("median", "q1", "q3"))


def test_prepost_and_table1_say_which_medians_rest_on_values_below_the_lloq():
    patients = paired_cohort(
        pre=[0.75, 0.75, 0.75, 4.0, 5.0], post=[3.0, 4.0, 5.0, 6.0, 0.75], responder=[1] * 5
    )
    patients["il6_pre_censored"] = ["below", "below", "below", "none", "none"]
    patients["il6_post_censored"] = ["none", "none", "none", "none", "below"]
    patients["line_of_therapy"] = pd.array([1, 1, 1, 2, 2], dtype="Int64")
    row = prepost(patients).set_index("group").loc["all"]
    assert row["lloq"] == 1.5
    assert row["pre_median"] == 0.75 and row["pre_median_below_lloq"]
    assert row["pre_q3"] == 4.0 and not row["pre_q3_below_lloq"]
    assert row["post_q1"] == 3.0 and not row["post_q1_below_lloq"]
    # Every change but the fourth patient's uses a substituted value; the median change does.
    assert row["change_median_below_lloq"]

    summary, _ = table1(
        patients,
        subgroup="s",
        categorical=[],
        continuous=["il6_pre"],
        lloq={"il6_pre": 1.5},
        correct=True,
        **FISHER_OPTIONS,
    )
    by_line = summary[summary["by"] == "line_of_therapy"].set_index("group")
    assert by_line.loc["first-line", "median"] == 0.75
    assert by_line.loc["first-line", "median_below_lloq"]
    assert not by_line.loc["later-line", "median_below_lloq"]
    assert by_line.loc["overall", "median_below_lloq"]
    assert not by_line.loc["overall", "q3_below_lloq"]
    assert (by_line["lloq"] == 1.5).all()


def two_marker_cohort():
    rng = np.random.default_rng(3)
    pre = rng.lognormal(1, 0.5, 24)
    responder = [1] * 10 + [0] * 14
    table = paired_cohort(pre, pre * rng.lognormal(0.4, 0.5, 24), responder, markers=(IL6, AFP))
    table["afp_post"] = table["afp_pre"] * rng.lognormal(-0.1, 0.5, 24)
    return table


def test_multiplicity_family_marker_adjusts_markers_within_each_group():
    table = prepost(two_marker_cohort(), family="marker")
    for _, family in table.groupby("group"):
        expected = p_adjust(family["p_value"].to_numpy(), "holm")
        np.testing.assert_allclose(family["p_adjusted"], expected, rtol=1e-15)
    assert (table["adjust_family"] == "marker").all()
    assert (table["adjust_method"] == "holm").all()


def test_multiplicity_family_subgroup_adjusts_every_pre_post_test_together():
    by_marker = prepost(two_marker_cohort(), family="marker")
    table = prepost(two_marker_cohort(), family="subgroup", method="BH")
    expected = p_adjust(table["p_value"].to_numpy(), "BH")
    np.testing.assert_allclose(table["p_adjusted"], expected, rtol=1e-15)
    assert (table["adjust_family"] == "subgroup").all()
    assert not np.allclose(
        prepost(two_marker_cohort(), family="subgroup")["p_adjusted"], by_marker["p_adjusted"]
    ), "the two families must give different adjustments here"


def test_adjust_p_values_equals_r_p_adjust_and_skips_missing():
    data = pd.read_csv(FIXTURES / "core" / "data_padjust.tsv", sep="\t")
    data = data[data["case"] == "with_ties_and_na"].rename(columns={"p": "p_value"})
    expected = r_core("p_adjust")
    for method in ("holm", "BH", "bonferroni"):
        adjusted = adjust_p_values(data.reset_index(drop=True), method=method, by=[])
        for position, value in enumerate(adjusted, start=1):
            theirs = expected[(f"with_ties_and_na/{method}", str(position))]
            if theirs == "NA":
                assert math.isnan(value)
            else:
                assert close(value, theirs)


# --------------------------------------------------------------------------- between groups
def twogroup(case):
    data = pd.read_csv(FIXTURES / "core" / f"data_twogroup_{case}.tsv", sep="\t")
    return data.loc[data["group"] == "x", "value"], data.loc[data["group"] == "y", "value"]


@pytest.mark.parametrize("case", ["small", "tied", "censored"])
@pytest.mark.parametrize("variant", ["default", "nocorrect"])
def test_responders_versus_non_responders_equals_r_wilcox_test(case, variant):
    x, y = twogroup(case)
    values = pd.concat([x, y], ignore_index=True)
    pre, post = scores_as_change(values, "rise")
    patients = paired_cohort(pre, post, [1] * len(x) + [0] * len(y))
    table = responder_comparison_table(
        patients,
        subgroup="s",
        markers=[IL6],
        metric="absolute",
        correct=variant == "default",
        adjust_method="holm",
        adjust_family="marker",
    )
    row = table.iloc[0]
    assert (row["group_a"], row["group_b"]) == ("responders", "non-responders")
    assert (row["n_a"], row["n_b"]) == (len(x), len(y))
    key = f"{case}/{variant}"
    assert close(row["statistic"], RANK_SUM[(key, "statistic")])
    assert close(row["p_value"], RANK_SUM[(key, "p_value")])
    assert close(row["rank_biserial"], RANK_SUM[(key, "rank_biserial")])


@pytest.mark.parametrize("case", ["small", "tied"])
def test_subgroup_comparison_equals_r_wilcox_test(case):
    x, y = twogroup(case)
    group_a = paired_cohort(*scores_as_change(x, "rise"), [1] * len(x))
    group_b = paired_cohort(*scores_as_change(y, "rise"), [0] * len(y))
    group_b["source_row"] += 1000
    table = subgroup_comparison_table(
        group_a,
        group_b,
        comparison={"name": "first_vs_later", "a": "first_line", "b": "later_line"},
        markers=[IL6],
        metric="absolute",
        correct=True,
        adjust_method="holm",
    )
    row = table.iloc[0]
    assert (row["comparison"], row["group_a"], row["group_b"]) == (
        "first_vs_later",
        "first_line",
        "later_line",
    )
    assert close(row["statistic"], RANK_SUM[(f"{case}/default", "statistic")])
    assert close(row["p_value"], RANK_SUM[(f"{case}/default", "p_value")])


def test_overlapping_subgroups_are_not_compared_as_independent_groups():
    everyone = paired_cohort([1, 2, 3, 4], [2, 3, 5, 3], [1, 0, 1, 0])
    table = subgroup_comparison_table(
        everyone,
        everyone.iloc[:2],
        comparison={"name": "all_vs_first", "a": "all", "b": "first_line"},
        markers=[IL6],
        metric="absolute",
        correct=True,
        adjust_method="holm",
    )
    row = table.iloc[0]
    assert not row["estimable"]
    assert row["method"] == "not estimable"
    assert "share 2 patients" in row["reason"]
    assert math.isnan(row["p_value"]) and math.isnan(row["p_adjusted"])


@pytest.mark.parametrize("overlapping", [False, True])
def test_tables_without_effect_sizes_leave_out_only_the_effect_size_columns(overlapping):
    """effect_sizes=False (the robustness reruns) drops the effect_size_ columns and changes no
    other value; with effect sizes, the columns are there and estimated."""
    patients = two_marker_cohort()
    later = (
        patients.iloc[:12]
        if overlapping
        else patients.assign(source_row=lambda t: t["source_row"] + 1000)
    )
    options = {"markers": [IL6, AFP], "metric": "absolute", "correct": True}
    builders = {
        "prepost": lambda **switch: prepost_table(
            patients, subgroup="s", **options, adjust_method="holm", adjust_family="marker",
            **switch),
        "responders": lambda **switch: responder_comparison_table(
            patients, subgroup="s", **options, adjust_method="holm", adjust_family="marker",
            **switch),
        "comparison": lambda **switch: subgroup_comparison_table(
            patients, later, comparison={"name": "c", "a": "a", "b": "b"}, **options,
            adjust_method="holm", **switch),
    }  # fmt: skip
    for name, build in builders.items():
        full, lean = build(), build(effect_sizes=False)
        effect_columns = [column for column in full.columns if column.startswith("effect_size_")]
        assert {f"effect_size_{f}" for f in EFFECT_SIZE_FIELDS} <= set(effect_columns), name
        assert list(lean.columns) == [c for c in full.columns if c not in effect_columns], name
        pd.testing.assert_frame_equal(lean, full.drop(columns=effect_columns), obj=name)
        if not (overlapping and name == "comparison"):
            assert full["effect_size_estimate"].notna().all(), name


def test_location_markers_leave_only_the_other_markers_estimates_out():
    """location_markers (the robustness reruns: the reference marker) computes the
    Hodges-Lehmann estimate of the listed markers only, and changes no other value."""
    patients = two_marker_cohort()
    options = {"subgroup": "s", "markers": [IL6, AFP], "metric": "absolute", "correct": True}
    options |= {"adjust_method": "holm", "adjust_family": "marker", "effect_sizes": False}
    full = prepost_table(patients, **options)
    lean = prepost_table(patients, **options, location_markers=["il6"])
    located = full["marker"] == "il6"
    pd.testing.assert_frame_equal(lean[located], full[located])
    hl_columns = [c for c in full.columns if c.startswith("hl_") and c != "hl_n_nonzero"]
    hl_columns += ["conf_level"]
    others = [column for column in full.columns if column not in hl_columns]
    pd.testing.assert_frame_equal(lean[others], full[others])
    assert full.loc[~located, "hl_estimate"].notna().all()
    assert lean.loc[~located, "hl_estimate"].isna().all()
    assert (lean.loc[~located, "hl_reason"] == LOCATION_NOT_COMPUTED).all()


def test_logistic_drops_constant_adjustment_columns_and_names_those_used():
    patients = two_marker_cohort()
    options = {"subgroup": "s", "markers": [IL6], "metric": "log2_ratio", "conf_level": 0.95}
    patients["line_of_therapy"] = 1
    table = logistic_table(patients, adjust_for=["line_of_therapy"], **options)
    assert set(table["adjusted_for"]) == {"none"}
    assert "line_of_therapy" not in set(table["term"])
    patients["line_of_therapy"] = [1, 2] * 12
    table = logistic_table(patients, adjust_for=["line_of_therapy"], **options)
    assert set(table["adjusted_for"]) == {"line_of_therapy"}
    assert {"il6_change", "line_of_therapy"} <= set(table["term"])
    assert set(table["left_out_separating"]) == {""}


def test_logistic_leaves_out_a_covariate_separating_response_and_fits_the_change():
    patients = two_marker_cohort()
    # Every responder at line 1: line of therapy alone separates response.
    patients["line_of_therapy"] = np.where(patients["responder"] == 1, 1, [1, 2] * 12)
    table = logistic_table(
        patients,
        subgroup="s",
        markers=[IL6],
        metric="log2_ratio",
        adjust_for=["line_of_therapy"],
        conf_level=0.95,
    )
    assert set(table["left_out_separating"]) == {"line_of_therapy"}
    assert set(table["adjusted_for"]) == {
        "none; left out: line_of_therapy (separates response in this subgroup, "
        "so no adjusted model has an estimate)"
    }
    assert table["estimable"].all()
    # The same fit as the unadjusted model, which tests/test_stats_regression.py checks with R.
    change = np.log2(patients["il6_post"] / patients["il6_pre"])
    data = pd.DataFrame({"responder": patients["responder"].astype(float), "il6_change": change})
    unadjusted = logistic_regression(data, "responder", ["il6_change"])
    np.testing.assert_allclose(table["estimate"], unadjusted.estimate, rtol=1e-12)


# --------------------------------------------------------------------------- ROC
AUC_ROWS = r_roc("auc.tsv")
TEST_ROWS = r_roc("roc_test.tsv").set_index("dataset")
BEST = r_roc("coords_best.tsv")
ROC_DATASETS = ["small", "ties", "censored", "large"]


def roc_cohort(dataset, favourable_a="rise", favourable_b="fall"):
    """The fixture's marker_a and marker_b as IL-6 and AFP changes, oriented as configured."""
    data = r_roc(f"data_{dataset}.tsv")
    is_case = data["is_case"].astype(str).str.upper() == "TRUE"
    patients = pd.DataFrame({"source_row": range(2, len(data) + 2)})
    for marker, column, favourable in (
        (IL6, "marker_a", favourable_a),
        (AFP, "marker_b", favourable_b),
    ):
        pre, post = scores_as_change(data[column], favourable)
        patients[f"{marker['key']}_pre"] = pre
        patients[f"{marker['key']}_post"] = post
    return with_responder(patients, is_case.astype(int).tolist())


def auc(patients, markers=(IL6, AFP)):
    return auc_table(
        patients,
        subgroup="s",
        markers=list(markers),
        metric="absolute",
        conf_level=0.95,
        bootstrap=NO_BOOTSTRAP,
        seed=1,
        # pROC's own minimum, to compare with pROC on its small fixtures.
        min_per_group=2,
    ).set_index("marker")


@pytest.mark.parametrize("dataset", ROC_DATASETS)
def test_auc_table_equals_proc_for_rise_and_fall_markers(dataset):
    table = auc(roc_cohort(dataset))
    for key, column in (("il6", "marker_a"), ("afp", "marker_b")):
        expected = AUC_ROWS[(AUC_ROWS["dataset"] == dataset) & (AUC_ROWS["marker"] == column)]
        expected = expected.iloc[0]
        row = table.loc[key]
        assert (row["n_cases"], row["n_controls"]) == (expected["n_cases"], expected["n_controls"])
        assert close(row["auc"], expected["auc"])
        assert close(row["ci_low"], expected["ci_low"])
        assert close(row["ci_high"], expected["ci_high"])
        assert row["estimable"]


@pytest.mark.parametrize("dataset", ROC_DATASETS)
def test_youden_threshold_is_reported_on_the_change_scale(dataset):
    table = auc(roc_cohort(dataset))
    for key, column, sign, symbol in (("il6", "marker_a", 1, ">="), ("afp", "marker_b", -1, "<=")):
        expected = BEST[(BEST["dataset"] == dataset) & (BEST["marker"] == column)].iloc[0]
        row = table.loc[key]
        assert close(row["youden_threshold_change"], sign * expected["threshold"])
        assert close(row["youden_sensitivity"], expected["sensitivity"])
        assert close(row["youden_specificity"], expected["specificity"])
        assert row["youden_rule"] == f"change {symbol} {sign * expected['threshold']:.6g}"


def test_a_fall_marker_is_negated_so_that_a_fall_predicts_response():
    # AFP falls in every responder and rises in every non-responder: a perfect predictor.
    patients = with_responder(
        pd.DataFrame({"afp_pre": [10.0] * 6, "afp_post": [5.0, 6.0, 7.0, 12.0, 13.0, 14.0]}),
        [1, 1, 1, 0, 0, 0],
    )
    row = auc(patients, markers=[AFP]).loc["afp"]
    assert row["auc"] == 1.0
    assert row["direction"] == "responders have higher negated change"
    rising = {**AFP, "favourable": "rise"}
    assert auc(patients, markers=[rising]).loc["afp", "auc"] == 0.0


@pytest.mark.parametrize("dataset", ROC_DATASETS)
def test_delong_table_equals_proc_roc_test(dataset):
    table = delong_table(
        roc_cohort(dataset),
        subgroup="s",
        markers=[IL6, AFP],
        pairs=[["il6", "afp"]],
        metric="absolute",
        conf_level=0.95,
        adjust_method="holm",
        min_per_group=2,
    )
    row, expected = table.iloc[0], TEST_ROWS.loc[dataset]
    assert (row["marker_a"], row["marker_b"]) == ("il6", "afp")
    assert (row["n_cases"], row["n_controls"]) == (expected["n_cases"], expected["n_controls"])
    for ours, theirs in (
        ("auc_a", "auc_a"),
        ("auc_b", "auc_b"),
        ("z", "z"),
        ("p_value", "p_value"),
        ("ci_low", "conf_low"),
        ("ci_high", "conf_high"),
    ):
        assert close(row[ours], expected[theirs]), ours


def test_roc_uses_only_patients_with_an_evaluable_response():
    patients = roc_cohort("small")
    extra = patients.iloc[:3].copy()
    extra["responder"] = pd.array([None] * 3, dtype="Int64")
    extra["il6_post"] = [1000.0, -1000.0, 1000.0]
    table = auc(pd.concat([patients, extra], ignore_index=True))
    expected = AUC_ROWS[(AUC_ROWS["dataset"] == "small") & (AUC_ROWS["marker"] == "marker_a")]
    assert close(table.loc["il6", "auc"], expected["auc"].iloc[0])
    assert table.loc["il6", "n_cases"] + table.loc["il6", "n_controls"] <= len(patients)


def test_all_tied_changes_give_an_explicit_not_estimable_youden_rule():
    patients = with_responder(
        pd.DataFrame({"il6_pre": [1.0] * 6, "il6_post": [2.0] * 6}), [1, 1, 1, 0, 0, 0]
    )
    row = auc(patients, markers=[IL6]).loc["il6"]
    assert row["auc"] == 0.5
    assert row["youden_rule"].startswith("not estimable: ")
    assert "Youden" in row["youden_rule"]
    assert math.isnan(row["youden_threshold_change"])


def test_bootstrap_columns_are_seeded_and_reproducible():
    patients = roc_cohort("ties")
    options = {
        "subgroup": "s",
        "markers": [IL6],
        "metric": "absolute",
        "conf_level": 0.95,
        "bootstrap": {"enabled": True, "replicates": 200},
        "min_per_group": 2,
    }
    first = auc_table(patients, seed=7, **options).iloc[0]
    again = auc_table(patients, seed=7, **options).iloc[0]
    other = auc_table(patients, seed=8, **options).iloc[0]
    assert (first["bootstrap_ci_low"], first["bootstrap_ci_high"]) == (
        again["bootstrap_ci_low"],
        again["bootstrap_ci_high"],
    )
    assert (first["bootstrap_ci_low"], first["bootstrap_ci_high"]) != (
        other["bootstrap_ci_low"],
        other["bootstrap_ci_high"],
    )
    assert first["bootstrap_replicates"] == 200 and first["bootstrap_seed"] == 7
    assert first["bootstrap_ci_low"] < first["auc"] < first["bootstrap_ci_high"]


def test_curve_table_skips_markers_without_a_curve():
    patients = roc_cohort("small")
    patients["afp_post"] = np.nan
    curves = curve_table(patients, subgroup="s", markers=[IL6, AFP], metric="absolute")
    assert set(curves["marker"]) == {"il6"}
    coords = r_roc("coords_all.tsv")
    expected = coords[(coords["dataset"] == "small") & (coords["marker"] == "marker_a")]
    assert len(curves) == len(expected)


# --------------------------------------------------------------------------- criteria, McNemar
DIAGNOSTIC = r_core("diagnostic_accuracy")
MCNEMAR = r_core("mcnemar_exact")
ANY_RISE = {"metric": "absolute", "comparison": "gt", "value": 0}


def criterion_cohort(positive_a, positive_b, responder):
    """IL-6 and AFP criterion results set directly: True -> rise, False -> fall, None -> missing."""

    def post(values):
        return [np.nan if v is None else (1.0 if v else -1.0) for v in values]

    table = pd.DataFrame(
        {
            "il6_pre": 0.0,
            "il6_post": post(positive_a),
            "afp_pre": 0.0,
            "afp_post": post(positive_b),
        }
    )
    return with_responder(table, responder)


def optional(values):
    return [None if pd.isna(v) else bool(v) for v in values]


@pytest.mark.parametrize(
    ("ci_method", "r_name"), [("clopper_pearson", "clopper_pearson"), ("wilson", "wilson")]
)
def test_accuracy_table_equals_r_binom_and_prop_test(ci_method, r_name):
    data = pd.read_csv(FIXTURES / "core" / "data_diagnostic.tsv", sep="\t")
    positive = optional(data["test_positive"])
    responder = [None if pd.isna(v) else int(bool(v)) for v in data["is_case"]]
    patients = criterion_cohort(positive, positive, responder)
    table = accuracy_table(
        patients,
        subgroup="s",
        markers=[IL6],
        criteria={"il6": ANY_RISE},
        ci_method=ci_method,
        conf_level=0.95,
    ).set_index("measure")
    for measure in ("sensitivity", "specificity", "ppv", "npv", "accuracy"):
        row = table.loc[measure]
        assert row["numerator"] == int(DIAGNOSTIC[(measure, "numerator")])
        assert row["denominator"] == int(DIAGNOSTIC[(measure, "denominator")])
        assert close(row["estimate"], DIAGNOSTIC[(measure, "estimate")])
        assert close(row["ci_low"], DIAGNOSTIC[(measure, f"{r_name}_low")])
        assert close(row["ci_high"], DIAGNOSTIC[(measure, f"{r_name}_high")])
    for count in ("tp", "fp", "fn", "tn"):
        assert table.loc["sensitivity", count] == int(DIAGNOSTIC[("counts", count)])
    # R counts 3 incomplete rows; one of them has no evaluable response, so it never reaches
    # the criterion table (the clean step's flow counts it): 2 criterion results missing.
    assert table.loc["sensitivity", "n_not_evaluable"] == 2
    assert table.loc["sensitivity", "criterion"] == "IL-6 absolute change, post-pre > 0"


@pytest.mark.parametrize("ci_method", ["clopper-pearson", "wilson"])
def test_diagnostic_accuracy_matches_r(ci_method):
    data = pd.read_csv(FIXTURES / "core" / "data_diagnostic.tsv", sep="\t")
    table = diagnostic_accuracy(
        optional(data["test_positive"]), optional(data["is_case"]), ci_method=ci_method
    )
    assert list(table["measure"]) == ["sensitivity", "specificity", "ppv", "npv", "accuracy"]
    prefix = ci_method.replace("-", "_")
    for row in table.itertuples():
        assert row.numerator == int(DIAGNOSTIC[(row.measure, "numerator")])
        assert row.denominator == int(DIAGNOSTIC[(row.measure, "denominator")])
        assert row.estimate == pytest.approx(float(DIAGNOSTIC[(row.measure, "estimate")]), rel=REL)
        assert row.ci_low == pytest.approx(
            float(DIAGNOSTIC[(row.measure, f"{prefix}_low")]), rel=REL
        )
        assert row.ci_high == pytest.approx(
            float(DIAGNOSTIC[(row.measure, f"{prefix}_high")]), rel=REL
        )
        assert row.ci_method == ci_method and row.estimable and row.reason == ""
    for count in ("tp", "fp", "fn", "tn", "n_not_evaluable"):
        assert (table[count] == int(DIAGNOSTIC[("counts", count)])).all()
    assert (table["n_evaluable"] == len(data) - table["n_not_evaluable"]).all()


def test_diagnostic_accuracy_without_cases_reports_not_estimable():
    table = diagnostic_accuracy([True, False, None, True], [False, False, True, np.nan])
    by_measure = table.set_index("measure")
    assert not by_measure.loc["sensitivity", "estimable"]
    assert by_measure.loc["sensitivity", "reason"] == "no evaluable cases"
    assert math.isnan(by_measure.loc["sensitivity", "ci_low"])
    assert by_measure.loc["specificity", "estimate"] == 0.5
    assert by_measure.loc["npv", "denominator"] == 1
    assert (table["n_not_evaluable"] == 2).all() and (table["n_evaluable"] == 2).all()


def test_diagnostic_accuracy_everything_missing():
    table = diagnostic_accuracy([None, np.nan], [True, None])
    assert not table["estimable"].any()
    assert (table["n_not_evaluable"] == 2).all()
    assert set(table["reason"]) >= {"no evaluable patients", "no evaluable cases"}


def test_diagnostic_accuracy_rejects_non_binary_values():
    with pytest.raises(ValueError):
        diagnostic_accuracy([1, 2], [True, False])


def test_a_missing_criterion_result_is_not_evaluable_not_negative():
    patients = criterion_cohort([True, None, None, False], [True] * 4, [1, 1, 0, 0])
    table = accuracy_table(
        patients,
        subgroup="s",
        markers=[IL6],
        criteria={"il6": ANY_RISE},
        ci_method="clopper_pearson",
        conf_level=0.95,
    ).set_index("measure")
    fraction = ["numerator", "denominator"]
    assert table.loc["sensitivity", fraction].tolist() == [1, 1]
    assert table.loc["specificity", fraction].tolist() == [1, 1]
    assert table.loc["accuracy", "n_not_evaluable"] == 2


def mcnemar(patients, family="marker"):
    return mcnemar_table(
        patients,
        subgroup="s",
        markers=[IL6, AFP],
        criteria={"il6": ANY_RISE, "afp": ANY_RISE},
        reference="il6",
        adjust_method="holm",
        adjust_family=family,
    ).set_index("measure")


def test_sensitivity_mcnemar_on_responders_equals_r_binom_test():
    data = pd.read_csv(FIXTURES / "core" / "data_mcnemar.tsv", sep="\t")
    a, b = optional(data["a"]), optional(data["b"])
    # Every fixture patient is a responder; non-responders with discordant results are added
    # and must not enter the sensitivity comparison.
    patients = criterion_cohort(a + [True] * 6, b + [False] * 6, [1] * len(a) + [0] * 6)
    row = mcnemar(patients).loc["sensitivity"]
    assert row["population"] == "responders"
    assert (row["marker_a"], row["marker_b"]) == ("il6", "afp")
    assert row["n"] == int(MCNEMAR[("simulated", "n")])
    assert row["a_only"] == int(MCNEMAR[("simulated", "a_only")])
    assert row["b_only"] == int(MCNEMAR[("simulated", "b_only")])
    assert close(row["p_value"], MCNEMAR[("simulated", "p_value")])


def test_specificity_mcnemar_on_non_responders_counts_correct_negatives():
    data = pd.read_csv(FIXTURES / "core" / "data_mcnemar.tsv", sep="\t")
    a, b = optional(data["a"]), optional(data["b"])
    patients = criterion_cohort(a + [True] * 6, b + [False] * 6, [0] * len(a) + [1] * 6)
    row = mcnemar(patients).loc["specificity"]
    assert row["population"] == "non-responders"
    assert row["n"] == int(MCNEMAR[("simulated", "n")])
    # A non-responder is correctly classified when the criterion is negative: "a only" means
    # IL-6 negative and AFP positive, R's b_only.
    assert row["a_only"] == int(MCNEMAR[("simulated", "b_only")])
    assert row["b_only"] == int(MCNEMAR[("simulated", "a_only")])
    assert close(row["p_value"], MCNEMAR[("simulated", "p_value")])
    known = [u is not None and v is not None for u, v in zip(a, b, strict=True)]
    specificity_a = np.mean([not u for u, k in zip(a, known, strict=True) if k])
    assert row["estimate_a"] == pytest.approx(specificity_a)


def test_mcnemar_family_marker_is_per_measure_and_subgroup_is_the_whole_table():
    rng = np.random.default_rng(11)
    a = (rng.random(40) < 0.8).tolist()
    b = (rng.random(40) < 0.3).tolist()
    patients = criterion_cohort(a, b, [1] * 20 + [0] * 20)
    by_measure = mcnemar(patients, family="marker")
    whole = mcnemar(patients, family="subgroup")
    # One comparison per measure: per-measure Holm leaves it unchanged, the whole table doubles.
    np.testing.assert_allclose(by_measure["p_adjusted"], by_measure["p_value"])
    np.testing.assert_allclose(whole["p_adjusted"], p_adjust(whole["p_value"], "holm"))
    assert not np.allclose(whole["p_adjusted"], by_measure["p_adjusted"])
    assert set(whole["adjust_family"]) == {"subgroup"}


# --------------------------------------------------------------------------- Table 1
FISHER = r_core("fisher_exact")
FISHER_OPTIONS = {"fisher_monte_carlo_replicates": 2000, "seed": 1}
# Table 1 of non-marker variables with the continuity correction: no LLOQ flags to compute.
TABLE1_OPTIONS = {"lloq": {}, "correct": True, **FISHER_OPTIONS}


def counts_to_patients(case):
    """Expand a fixture contingency table: row 1/2 -> first-/later-line and responder/not."""
    counts = pd.read_csv(FIXTURES / "core" / "data_tables.tsv", sep="\t")
    counts = counts[counts["case"] == case]
    records = []
    for row in counts.itertuples():
        records += [{"group_row": row.row, "level": f"L{row.col}"}] * row.count
    table = pd.DataFrame(records)
    table["line_of_therapy"] = pd.array(table["group_row"].map({1: 1, 2: 2}), dtype="Int64")
    table["responder"] = pd.array(table["group_row"].map({1: 1, 2: 0}), dtype="Int64")
    table["etiology"] = table["level"].astype("string")
    return table


@pytest.mark.parametrize("case", ["two_by_two", "etiology_two_by_four"])
def test_table1_categorical_equals_r_fisher_test(case):
    _, tests = table1(
        counts_to_patients(case),
        subgroup="all",
        categorical=["etiology"],
        continuous=[],
        **TABLE1_OPTIONS,
    )
    tests = tests[tests["variable"] == "etiology"].set_index("by")
    for by in ("line_of_therapy", "response"):
        assert close(tests.loc[by, "p_value"], FISHER[(case, "p_value")])
        assert tests.loc[by, "method"].startswith("exact")


@pytest.mark.parametrize("case", ["small", "tied"])
@pytest.mark.parametrize(("condition", "correct"), [("default", True), ("nocorrect", False)])
def test_table1_continuous_equals_r_wilcox_test(case, condition, correct):
    """R's wilcox.test(x, y, correct = ...): the tied case differs between the two conditions."""
    x, y = twogroup(case)
    patients = pd.DataFrame(
        {
            "line_of_therapy": pd.array([1] * len(x) + [2] * len(y), dtype="Int64"),
            "responder": pd.array([1] * len(x) + [0] * len(y), dtype="Int64"),
            "age": pd.concat([x, y], ignore_index=True),
        }
    )
    summary, tests = table1(
        patients,
        subgroup="all",
        categorical=[],
        continuous=["age"],
        **{**TABLE1_OPTIONS, "correct": correct},
    )
    for by in ("line_of_therapy", "response"):
        row = tests[(tests["by"] == by) & (tests["variable"] == "age")].iloc[0]
        assert close(row["statistic"], RANK_SUM[(f"{case}/{condition}", "statistic")])
        assert close(row["p_value"], RANK_SUM[(f"{case}/{condition}", "p_value")])
        assert row["method"].startswith("Mann-Whitney U")
    first = summary[(summary["by"] == "line_of_therapy") & (summary["group"] == "first-line")]
    q1, median, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert (first["q1"].item(), first["median"].item(), first["q3"].item()) == (q1, median, q3)


def test_table1_counts_missing_values_and_uses_known_values_as_denominator():
    patients = pd.DataFrame(
        {
            "line_of_therapy": pd.array([1, 1, 1, 1, 2, 2], dtype="Int64"),
            "responder": pd.array([1, 0, 1, None, 0, 0], dtype="Int64"),
            "sex": pd.array(["M", "F", pd.NA, "M", "M", pd.NA], dtype="string"),
            "age": [70.0, np.nan, 60.0, 80.0, 75.0, 65.0],
        }
    )
    summary, tests = table1(
        patients,
        subgroup="all",
        categorical=["sex"],
        continuous=["age"],
        **TABLE1_OPTIONS,
    )
    line = summary[(summary["by"] == "line_of_therapy") & (summary["variable"] == "sex")]
    first_m = line[(line["group"] == "first-line") & (line["level"] == "M")].iloc[0]
    assert (first_m["n"], first_m["n_missing"]) == (2, 1)
    assert first_m["percent"] == pytest.approx(100 * 2 / 3)
    overall_m = line[(line["group"] == "overall") & (line["level"] == "M")].iloc[0]
    assert (overall_m["n"], overall_m["n_missing"]) == (3, 2)
    age = summary[(summary["by"] == "line_of_therapy") & (summary["variable"] == "age")]
    assert age.set_index("group")["n_missing"].to_dict() == {
        "first-line": 1,
        "later-line": 0,
        "overall": 1,
    }
    response = summary[summary["by"] == "response"]
    assert "line_of_therapy_group" in set(response["variable"])
    overall = response[(response["variable"] == "age") & (response["group"] == "overall")]
    assert overall["n"].item() == 5, "'overall' includes the patient whose response is unknown"
    assert len(tests) == 5


def test_table1_with_one_group_says_why_there_is_no_test():
    patients = pd.DataFrame(
        {
            "line_of_therapy": pd.array([1, 1, 1], dtype="Int64"),
            "responder": pd.array([1, 0, 1], dtype="Int64"),
            "sex": pd.array(["M", "M", "M"], dtype="string"),
            "age": [70.0, 60.0, 65.0],
        }
    )
    _, tests = table1(
        patients,
        subgroup="first_line",
        categorical=["sex"],
        continuous=["age"],
        **TABLE1_OPTIONS,
    )
    by_line = tests[tests["by"] == "line_of_therapy"]
    assert set(by_line["reason"]) == {"only one line of therapy group present"}
    assert set(by_line["method"]) == {"not estimable"}
    sex = tests[(tests["by"] == "response") & (tests["variable"] == "sex")].iloc[0]
    assert not sex["estimable"] and sex["reason"] == "fewer than 2 non-empty rows or columns"
    assert_no_silent_nan(tests)


# --------------------------------------------------------------------------- degenerate cohorts
def run_all_tables(patients):
    options = {"subgroup": "s", "markers": [IL6, AFP], "metric": "log2_ratio"}
    criteria = {
        "il6": {"metric": "percent", "comparison": "gt", "value": 0},
        "afp": {"metric": "percent", "comparison": "le", "value": -20},
    }
    adjust = {"adjust_method": "holm", "adjust_family": "marker"}
    return {
        "prepost": prepost_table(patients, correct=True, **options, **adjust),
        "responders": responder_comparison_table(patients, correct=True, **options, **adjust),
        "logistic": logistic_table(
            patients, adjust_for=["line_of_therapy"], conf_level=0.95, **options
        ),
        "auc": auc_table(
            patients,
            conf_level=0.95,
            bootstrap={"enabled": True, "replicates": 100},
            seed=1,
            min_per_group=5,
            **options,
        ),
        "delong": delong_table(
            patients,
            pairs=[["il6", "afp"]],
            conf_level=0.95,
            adjust_method="holm",
            min_per_group=5,
            **options,
        ),
        "accuracy": accuracy_table(
            patients,
            subgroup="s",
            markers=[IL6, AFP],
            criteria=criteria,
            ci_method="clopper_pearson",
            conf_level=0.95,
        ),
        "mcnemar": mcnemar_table(
            patients,
            subgroup="s",
            markers=[IL6, AFP],
            criteria=criteria,
            reference="il6",
            **adjust,
        ),
        "table1": table1(
            patients,
            subgroup="s",
            categorical=["sex"],
            continuous=["age"],
            **TABLE1_OPTIONS,
        )[1],
    }


VALUE_COLUMN = {"auc": "auc", "accuracy": "estimate"}


def degenerate(responder, il6_post=None, afp=True):
    n = len(responder)
    table = pd.DataFrame(
        {
            "source_row": range(2, n + 2),
            "line_of_therapy": pd.array([1] * n, dtype="Int64"),
            "il6_pre": np.linspace(2.0, 4.0, n),
            "il6_post": il6_post if il6_post is not None else np.linspace(3.0, 9.0, n),
            "afp_pre": np.linspace(10.0, 40.0, n) if afp else np.nan,
            "afp_post": np.linspace(9.0, 20.0, n) if afp else np.nan,
            "sex": pd.array(["M", "F"] * (n // 2) + ["M"] * (n % 2), dtype="string"),
            "age": np.linspace(60.0, 80.0, n),
        }
    )
    for column in ("il6_pre", "il6_post", "afp_pre", "afp_post"):
        table[f"{column}_censored"] = "none"
    return with_responder(table, responder)


@pytest.mark.parametrize(
    "patients",
    [
        pytest.param(degenerate([0, 0, 0, 0, 0]), id="no responders"),
        pytest.param(degenerate([1, 1, 1, 1]), id="no non-responders"),
        pytest.param(degenerate([None, None, None]), id="no evaluable response"),
        pytest.param(degenerate([1, 0]), id="one pair per group"),
        pytest.param(degenerate([1]), id="one patient"),
        pytest.param(degenerate([1, 0, 1, 0, 1, 0], afp=False), id="AFP missing for everyone"),
        pytest.param(degenerate([1, 0, 1, 0], il6_post=np.linspace(2.0, 4.0, 4)), id="no change"),
    ],
)
def test_degenerate_cohorts_give_not_estimable_rows_with_reasons(patients):
    tables = run_all_tables(patients)
    for name, table in tables.items():
        assert not table.empty, name
        value_column = VALUE_COLUMN.get(name, "p_value")
        assert_no_silent_nan(table, value_column)
        assert table["estimable"].map(lambda v: v in (True, False)).all(), name


def test_no_responders_names_the_missing_group():
    tables = run_all_tables(degenerate([0, 0, 0, 0, 0]))
    responders = tables["prepost"].set_index(["marker", "group"]).loc[("il6", "responders")]
    assert responders["reason"] == "fewer than 2 complete pairs"
    assert tables["auc"].set_index("marker").loc["il6", "reason"].startswith("no cases")
    sensitivity = tables["mcnemar"].set_index("measure").loc["sensitivity"]
    assert sensitivity["reason"] == "no responders evaluable for both criteria"
    accuracy = tables["accuracy"].set_index(["marker", "measure"]).loc[("il6", "sensitivity")]
    assert accuracy["reason"] == "no evaluable cases"


def test_a_marker_missing_for_everyone_says_so_in_the_logistic_table():
    tables = run_all_tables(degenerate([1, 0, 1, 0, 1, 0], afp=False))
    afp = tables["logistic"][tables["logistic"]["marker"] == "afp"].iloc[0]
    assert not afp["estimable"]
    assert afp["reason"] == "no patient has both afp values (pre and post)"
    il6 = tables["logistic"][tables["logistic"]["marker"] == "il6"]
    assert il6["estimable"].all()


def test_no_evaluable_response_gives_every_accuracy_measure_a_reason():
    accuracy = run_all_tables(degenerate([None, None, None]))["accuracy"]
    assert len(accuracy) == 10
    assert set(accuracy["reason"]) == {"no patient with an evaluable response in the subgroup"}
    assert (accuracy["n_evaluable"] == 0).all()


# --------------------------------------------------------------------------- TSV and provenance
def test_tsv_round_trip_keeps_text_numbers_and_missing_values(tmp_path):
    table = pd.DataFrame(
        {
            "patient_id": ["001", "002"],
            "reason": ["", "fewer than 2 complete pairs"],
            "p_value": [0.1 + 0.2, np.nan],
        }
    )
    path = tmp_path / "t.tsv"
    write_tsv(table, path)
    assert "\r" not in path.read_text(encoding="utf-8")
    again = read_tsv(path)
    assert again["p_value"].iloc[0] == 0.1 + 0.2, "full precision"
    assert math.isnan(again["p_value"].iloc[1])
    assert again["reason"].tolist() == ["", "fewer than 2 complete pairs"]
    patients_path = tmp_path / "patients.tsv"
    write_tsv(
        pd.DataFrame({"patient_id": ["001", "002"], "albi_grade": ["1", None], "il6_pre": [1, 2]}),
        patients_path,
    )
    patients = read_patients(patients_path)
    assert patients["patient_id"].tolist() == ["001", "002"], "identifiers stay text"
    assert patients["albi_grade"].iloc[0] == "1" and pd.isna(patients["albi_grade"].iloc[1])
    assert patients["il6_pre"].dtype == "float64"


def test_provenance_table_has_one_row_per_output(tmp_path):
    records = []
    for rule, outputs in (("roc", {"b.tsv": "22", "a.tsv": "11"}), ("clean", {"c.tsv": "33"})):
        path = tmp_path / f"{rule}.json"
        record = {
            "rule": rule,
            "wildcards": {"subgroup": "all"},
            "inputs": {"in.tsv": "00"},
            "params": {"metric": "log2_ratio"},
            "outputs": outputs,
            "packages": {"pandas": "3"},
            "python": "3.11.7",
        }
        path.write_text(json.dumps(record), encoding="utf-8")
        records.append(path)
    table = provenance_table(records, git_commit="abc", git_dirty=False)
    outputs = table["output"].tolist()
    assert outputs == sorted(outputs)
    assert {"a.tsv", "b.tsv", "c.tsv"} <= set(outputs)
    assert set(outputs) - {"a.tsv", "b.tsv", "c.tsv"} <= {str(path) for path in records}
    by_output = table.set_index("output")
    assert by_output.loc["c.tsv", "rule"] == "clean"
    assert by_output.loc["a.tsv", "sha256"] == "11"
    assert json.loads(table["params"].iloc[0]) == {"metric": "log2_ratio"}
    assert set(table["git_commit"]) == {"abc"}
