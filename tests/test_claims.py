"""Graded verdicts of claims 1-5 (il6hcc.claims) on constructed result tables.

Each verdict category is reached by a small table built here; the workflow's own run on the
bundled cohort is checked in tests/test_study_claims.py.
"""

import math

import numpy as np
import pandas as pd
import pytest

from il6hcc.claims import COLUMNS, check_claims

ALPHA = 0.05


def prepost_rows(results):
    """Pre/post rows from {(subgroup, group): (p, p_adjusted, estimate, ci_low, ci_high)}."""
    rows = []
    for (subgroup, group), (p_value, p_adjusted, estimate, low, high) in results.items():
        estimable = not math.isnan(p_value)
        rows.append(
            {
                "subgroup": subgroup,
                "group": group,
                "marker": "il6",
                "marker_label": "IL-6",
                "unit": "pg/mL",
                "n_pairs": 10,
                "statistic": 40.0,
                "p_value": p_value,
                "p_adjusted": p_adjusted,
                "adjust_method": "holm",
                "method": "exact",
                "hl_scale": "difference",
                "hl_estimate": estimate,
                "hl_ci_low": low,
                "hl_ci_high": high,
                "conf_level": 0.95,
                "estimable": estimable,
                "reason": "" if estimable else "fewer than 2 complete pairs",
            }
        )
    return pd.DataFrame(rows)


PAPER = {
    ("first_line", "all"): (0.001, 0.004, 3.0, 1.0, 5.0),
    ("later_line", "all"): (0.4, 0.8, 0.2, -1.0, 1.5),
    ("first_line", "responders"): (0.002, 0.008, 8.0, 4.0, 12.0),
    ("first_line", "non-responders"): (0.6, 1.0, 0.1, -2.0, 2.5),
}


def accuracy_rows(sensitivities):
    return pd.DataFrame(
        [
            {
                "subgroup": "first_line",
                "marker": key,
                "marker_label": key.upper(),
                "measure": "sensitivity",
                "criterion": f"{key.upper()} percent change > 0",
                "numerator": 9,
                "denominator": 10,
                "estimate": value,
                "ci_low": value - 0.3,
                "ci_high": min(1.0, value + 0.1),
                "conf_level": 0.95,
                "estimable": not math.isnan(value),
            }
            for key, value in sensitivities.items()
        ]
    )


def mcnemar_rows(p_values):
    """McNemar rows from {marker_b: (p, p_adjusted)}."""
    return pd.DataFrame(
        [
            {
                "subgroup": "first_line",
                "measure": "sensitivity",
                "marker_a": "il6",
                "marker_b": key,
                "p_value": p,
                "p_adjusted": adjusted,
            }
            for key, (p, adjusted) in p_values.items()
        ]
    )


COMPARISON = pd.DataFrame(
    [
        {
            "comparison": "first_vs_later_line",
            "marker": "il6",
            "group_a": "first_line",
            "group_b": "later_line",
            "n_a": 27,
            "n_b": 17,
            "statistic": 369.5,
            "p_value": 0.0008,
            "p_adjusted": 0.003,
            "method": "exact",
            "rank_biserial": 0.6,
            "marker_label": "IL-6",
            "estimable": True,
            "reason": "",
        }
    ]
)
SENSITIVITIES = {"il6": 0.9, "afp": 0.5, "dcp": 0.4}
MCNEMAR = {"afp": (0.01, 0.02), "dcp": (0.004, 0.02)}


def claims(changes=None, sensitivities=None, p_values=None, comparison=COMPARISON, prepost=None):
    """The claims check on constructed tables (``prepost`` replaces the rows of ``changes``)."""
    return check_claims(
        prepost=prepost_rows({**PAPER, **(changes or {})}) if prepost is None else prepost,
        accuracy=accuracy_rows(sensitivities or SENSITIVITIES),
        mcnemar=mcnemar_rows(p_values or MCNEMAR),
        comparison=comparison,
        reference_marker="il6",
        first_line="first_line",
        later_line="later_line",
        accuracy_subgroup="first_line",
        alpha=ALPHA,
        conf_level=0.95,
    ).set_index("claim")


def test_every_row_has_the_graded_columns_filled():
    table = claims().reset_index()
    assert list(table.columns) == COLUMNS
    for column in ("verdict", "reason", "sentence", "effect", "effect_label"):
        assert table[column].notna().all(), column
    for row in table.itertuples():
        assert row.sentence.endswith("."), row.claim
        assert row.sentence.count(". ") == 0, row.sentence


def test_the_paper_reproduced_with_effects_and_intervals():
    table = claims()
    assert table.loc["1", "verdict"] == "reproduced"
    assert table.loc["3", "verdict"] == "reproduced"
    assert table.loc["5", "verdict"] == "reproduced"
    row = table.loc["1"]
    assert (row["effect"], row["effect_ci_low"], row["effect_ci_high"]) == (3.0, 1.0, 5.0)
    assert row["effect_label"] == "Hodges-Lehmann pseudo-median of post - pre (pg/mL)"
    assert (row["p_value"], row["p_adjusted"]) == (0.001, 0.004)
    assert "rose significantly" in row["sentence"]
    assert table.loc["1 vs 2", "verdict"] == "difference shown"


def test_claim_1_states_the_direction_observed():
    fell = claims({("first_line", "all"): (0.001, 0.004, -3.0, -5.0, -1.0)}).loc["1"]
    assert fell["verdict"] == "reproduced"
    assert "fell" in fell["reason"] and "fell significantly" in fell["sentence"]


@pytest.mark.parametrize(
    "claim_key", [("1", ("first_line", "all")), ("3", ("first_line", "responders"))]
)
def test_significant_only_before_adjustment(claim_key):
    claim, key = claim_key
    table = claims({key: (0.02, 0.08, 3.0, 0.5, 6.0)})
    assert table.loc[claim, "verdict"] == "reproduced before adjustment only"
    assert "holm-adjusted p = 0.08" in table.loc[claim, "reason"]


def test_claim_3_significant_the_other_way_is_not_reproduced():
    row = claims({("first_line", "responders"): (0.002, 0.008, -8.0, -12.0, -4.0)}).loc["3"]
    assert row["verdict"] == "not reproduced"
    assert "instead of rising" in row["reason"]
    assert "opposite" in row["sentence"]


def test_a_change_claim_not_significant_is_not_reproduced():
    row = claims({("first_line", "all"): (0.2, 0.6, 1.0, -1.0, 3.0)}).loc["1"]
    assert row["verdict"] == "not reproduced"
    assert "not significant" in row["reason"]


def test_no_change_claims_consistent_when_the_interval_excludes_the_comparison_effect():
    table = claims()
    # Claim 2: CI -1.0..1.5 inside +-3.0 (claim 1); claim 4: CI -2.0..2.5 inside +-8.0 (claim 3).
    assert table.loc["2", "verdict"] == "consistent, not significant"
    assert table.loc["4", "verdict"] == "consistent, not significant"
    assert "(+3 pg/mL (post - pre))" in table.loc["2", "reason"]
    assert "+8 pg/mL" in table.loc["4", "reason"]
    # The interval, not certainty, excludes the comparison change.
    sentence = table.loc["2", "sentence"]
    assert "any change is smaller" not in sentence
    assert "the interval excludes a change as large as the change in first_line" in sentence


@pytest.mark.parametrize("interval", [(-1.0, 3.5), (-3.0, 1.0)])
def test_no_change_claim_inconclusive_when_the_interval_reaches_the_comparison_effect(interval):
    low, high = interval
    row = claims({("later_line", "all"): (0.4, 0.8, 0.2, low, high)}).loc["2"]
    assert row["verdict"] == "inconclusive"
    assert "still includes" in row["reason"] and "too wide" in row["sentence"]


def test_no_change_claim_at_a_reduced_reached_level_is_inconclusive():
    """With very few pairs the interval reaches less than the configured 95%: even if it
    excludes the comparison change, that is not evidence at the configured level."""
    prepost = prepost_rows(PAPER)
    later = (prepost["subgroup"] == "later_line") & (prepost["group"] == "all")
    prepost.loc[later, ["conf_level", "n_pairs"]] = [0.75, 3]
    table = claims(prepost=prepost)
    row = table.loc["2"]
    assert row["verdict"] == "inconclusive"
    assert "with 3 pairs the interval reaches only 0.75, not the configured 0.95" in row["reason"]
    assert "no 95% interval can say" in row["sentence"]
    assert table.loc["4", "verdict"] == "consistent, not significant"


def test_no_change_claim_inconclusive_without_a_comparison_effect():
    changes = {("first_line", "responders"): (np.nan, np.nan, np.nan, np.nan, np.nan)}
    table = claims(changes)
    assert table.loc["3", "verdict"] == "not checkable"
    assert table.loc["4", "verdict"] == "inconclusive"
    assert "no estimable change in the comparison group" in table.loc["4", "reason"]


@pytest.mark.parametrize("adjusted", [0.01, 0.2])
def test_no_change_claim_significant_on_the_raw_p_is_not_reproduced(adjusted):
    row = claims({("first_line", "non-responders"): (0.01, adjusted, -2.0, -3.0, -0.5)}).loc["4"]
    assert row["verdict"] == "not reproduced"
    assert "fell significantly" in row["sentence"]


def test_a_claim_without_an_estimable_result_is_not_checkable():
    row = claims({("later_line", "all"): (np.nan, np.nan, np.nan, np.nan, np.nan)}).loc["2"]
    assert row["verdict"] == "not checkable"
    assert row["detail"] == "fewer than 2 complete pairs"
    assert "could not be checked" in row["sentence"]


def test_claim_5_before_adjustment_only():
    row = claims(p_values={"afp": (0.01, 0.02), "dcp": (0.03, 0.06)}).loc["5"]
    assert row["verdict"] == "reproduced before adjustment only"
    assert (row["p_value"], row["p_adjusted"]) == (0.03, 0.06)


def test_claim_5_with_two_responders_is_consistent_not_significant():
    row = claims(p_values={"afp": (0.5, 1.0), "dcp": (0.03, 0.06)}).loc["5"]
    assert row["verdict"] == "consistent, not significant"
    assert row["p_value"] == 0.5
    assert row["effect"] == 0.9 and row["effect_label"].startswith("sensitivity of IL6")
    assert "not significant" in row["sentence"]


def test_claim_5_not_reproduced_when_another_marker_is_as_sensitive():
    row = claims(sensitivities={"il6": 0.6, "afp": 0.5, "dcp": 0.6}).loc["5"]
    assert row["verdict"] == "not reproduced"
    assert "dcp at least as sensitive" in row["reason"]
    higher = claims(
        sensitivities={"il6": 0.4, "afp": 0.5, "dcp": 0.9},
        p_values={"afp": (0.5, 1.0), "dcp": (0.01, 0.02)},
    ).loc["5"]
    assert higher["verdict"] == "not reproduced"
    assert higher["reason"] == "dcp significantly more sensitive"


def test_claim_5_not_checkable_without_other_sensitivities():
    row = claims(sensitivities={"il6": 0.6, "afp": np.nan, "dcp": np.nan}).loc["5"]
    assert row["verdict"] == "not checkable"
    assert row["effect"] == 0.6


def test_the_direct_between_subgroup_test_is_graded_by_the_adjusted_p():
    assert claims().loc["1 vs 2", "effect"] == 0.6
    before = COMPARISON.assign(p_value=0.03, p_adjusted=0.09)
    row = claims(comparison=before).loc["1 vs 2"]
    assert row["verdict"] == "difference shown before adjustment only"
    not_shown = COMPARISON.assign(p_value=0.3, p_adjusted=0.9)
    assert claims(comparison=not_shown).loc["1 vs 2", "verdict"] == "difference not shown"


def test_no_change_claim_without_an_interval_says_there_is_none():
    # Every non-zero difference alike: the Hodges-Lehmann interval is missing, the test is not.
    row = claims({("later_line", "all"): (0.4, 0.8, 0.2, np.nan, np.nan)}).loc["2"]
    assert row["verdict"] == "inconclusive"
    assert "no confidence interval" in row["reason"]
    assert "the no confidence interval" not in row["reason"]
    assert "too wide" not in row["sentence"]
    assert "no confidence interval" in row["sentence"]


def test_claim_5_sentence_names_only_the_differences_that_are_not_significant():
    row = claims(p_values={"afp": (0.01, 0.02), "dcp": (0.3, 0.6)}).loc["5"]
    assert row["verdict"] == "consistent, not significant"
    assert "the differences are not significant" not in row["sentence"]
    assert "the difference from DCP is not significant" in row["sentence"]
