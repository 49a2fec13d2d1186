"""How patients are grouped, and how groups, endpoints and planned tests are named.

Kept apart from the statistics (pandas only) because the report jobs need these names too, and
a job that imports :mod:`il6hcc.table1` or :mod:`il6hcc.prognosis` pays for scipy.stats and
statsmodels (about 3 s of every cold run) without computing anything with them.
"""

from __future__ import annotations

import pandas as pd

from il6hcc.change import METRIC_LABELS

ENDPOINT_LABELS = {"pfs": "progression-free survival", "os": "overall survival"}

LINE_GROUPS = "line_of_therapy"
RESPONSE_GROUPS = "response"


def grouping(patients: pd.DataFrame, by: str) -> pd.Series:
    """Group label per patient for ``by`` ('line_of_therapy' or 'response'); <NA> if unknown."""
    if by == LINE_GROUPS:
        line = patients["line_of_therapy"]
        labels = pd.Series(pd.NA, index=patients.index, dtype="string")
        labels[line == 1] = "first-line"
        labels[line >= 2] = "later-line"
        return labels
    if by == RESPONSE_GROUPS:
        labels = pd.Series(pd.NA, index=patients.index, dtype="string")
        labels[patients["responder"] == 1] = "responders"
        labels[patients["responder"] == 0] = "non-responders"
        return labels
    raise ValueError(f"unknown grouping '{by}'")


GROUP_ORDER = {
    LINE_GROUPS: ["first-line", "later-line"],
    RESPONSE_GROUPS: ["responders", "non-responders"],
}


def group_labels(grouping: dict) -> tuple[str, str]:
    """``(index group, reference group)``: "rise"/"no rise", or the two sides of the cut-off.

    The index group is the one claim 6 expects to live longer; hazard ratios compare it with
    the reference group.
    """
    if grouping["rule"] == "rise":
        return "rise", "no rise"
    cutoff = f"{grouping['cutoff']:g}"
    return f"change > {cutoff}", f"change <= {cutoff}"


def indicator_name(grouping: dict) -> str:
    """Name of the 0/1 Cox covariate (1 = index group), e.g. ``il6_rise``."""
    suffix = "rise" if grouping["rule"] == "rise" else "above_cutoff"
    return f"{grouping['marker']}_{suffix}"


def describe_grouping(grouping: dict, marker_label: str) -> str:
    """Human wording of the grouping rule, e.g. 'IL-6 rise (post > pre) versus no rise'."""
    if grouping["rule"] == "rise":
        return f"{marker_label} rise (post > pre) versus no rise (post <= pre)"
    index, reference = group_labels(grouping)
    metric = METRIC_LABELS[grouping["metric"]]
    return f"{marker_label} {metric}: {index} versus {reference} (pre-specified cut-off)"


# The tests whose power is estimated: key -> (claim, what it tests). Claims 1, 3 and 5 are
# STUDY.md's; "difference" is the direct test the paper implies; "auc" and "delong" the ROC
# analysis of claim 5's prediction.
PLANNING_TESTS = {
    "prepost_first_line": ("1", "signed-rank test of post vs pre in first-line patients"),
    "prepost_first_line_responders": (
        "3",
        "signed-rank test of post vs pre in first-line responders, with a rise",
    ),
    "first_vs_later_line": ("difference", "Mann-Whitney test of the change, first vs later line"),
    "mcnemar_sensitivity": (
        "5",
        "exact McNemar test of the criteria's sensitivities in first-line responders, the "
        "reference marker more sensitive",
    ),
    "auc_above_half": ("auc", "DeLong test of the change's AUC against 0.5 in first-line, above"),
    "delong_auc": (
        "delong",
        "DeLong test of the reference marker's AUC against the other's in first-line, higher",
    ),
}
# The identity the power figure carries in its metadata (il6hcc.identity).
PLANNING_FIGURE_IDENTITY = {"figure": "planning_power"}
