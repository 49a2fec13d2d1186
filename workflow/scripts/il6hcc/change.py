"""Per-patient change of a marker from pre to post, and pre-specified response criteria."""

from __future__ import annotations

import numpy as np
import pandas as pd

METRIC_LABELS = {
    "ratio": "post/pre ratio",
    "log2_ratio": "log2(post/pre)",
    "percent": "percent change, 100*(post-pre)/pre",
    "absolute": "absolute change, post-pre",
}
COMPARISON_SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
# A change within this relative distance of a criterion's cut-off counts as equal to it: decimal
# lab values are not exact in binary, so 3.0 -> 2.4 gives a percent change of -20.000000000000004
# and 0.5 -> 0.4 one of -19.999999999999996; both are a fall of exactly 20%.
CUT_OFF_TOLERANCE = 1e-9


def marker_change(pre, post, metric: str):
    """Change from ``pre`` to ``post`` in ``metric`` (ratio, log2_ratio, percent, absolute): a
    Series with ``pre``'s index for Series, an array for arrays (the robustness reruns compute
    thousands, where pandas' per-operation cost was most of the work).

    A ratio-type change with pre = 0 is undefined and returned as NaN; censored values were
    already substituted by a positive value in cleaning, so this only happens with a true 0.
    """
    if metric not in METRIC_LABELS:
        raise ValueError(f"unknown change metric '{metric}' (known: {', '.join(METRIC_LABELS)})")
    before = np.asarray(pre, dtype="float64")
    after = np.asarray(post, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_pre = np.where(before > 0, before, np.nan)
        if metric == "absolute":
            change = after - before
        elif metric == "ratio":
            change = after / safe_pre
        elif metric == "log2_ratio":
            ratio = after / safe_pre
            change = np.log2(np.where(ratio > 0, ratio, np.nan))
        else:
            # (post - pre) / pre, not ratio - 1: a 100 -> 80 fall is then exactly -20, not -19.99..
            change = 100.0 * (after - before) / safe_pre
    return pd.Series(change, index=pre.index) if isinstance(pre, pd.Series) else change


def oriented_change(change: pd.Series, favourable: str) -> pd.Series:
    """The change signed so that larger means more favourable (a fall is negated)."""
    if favourable not in ("rise", "fall"):
        raise ValueError(f"favourable must be 'rise' or 'fall', not '{favourable}'")
    return change if favourable == "rise" else -change


def criterion_positive(pre: pd.Series, post: pd.Series, criterion: dict) -> pd.Series:
    """Boolean (nullable) result of a pre-specified criterion such as percent change <= -20.

    <NA> where the change cannot be computed (a missing value), so the patient is counted as
    not evaluable for that criterion rather than as negative. A change equal to the cut-off up to
    floating-point rounding (CUT_OFF_TOLERANCE, relative) meets "ge"/"le" and fails "gt"/"lt".
    """
    change = marker_change(pre, post, criterion["metric"])
    symbol = criterion["comparison"]
    cut_off = float(criterion["value"])
    compare = {"gt": change.gt, "ge": change.ge, "lt": change.lt, "le": change.le}[symbol]
    result = compare(cut_off).astype("boolean")
    at_cut_off = (change - cut_off).abs() <= CUT_OFF_TOLERANCE * max(1.0, abs(cut_off))
    result[at_cut_off] = symbol in ("ge", "le")
    result[change.isna()] = pd.NA
    return result


def describe_criterion(label: str, criterion: dict) -> str:
    """Human wording of a criterion, e.g. 'AFP percent change <= -20'."""
    symbol = COMPARISON_SYMBOLS[criterion["comparison"]]
    metric = METRIC_LABELS[criterion["metric"]]
    return f"{label} {metric} {symbol} {criterion['value']:g}"
