"""ROC analysis of each marker's change for predicting response, per subgroup.

Each marker's change is oriented by its favourable direction (a fall is negated), so that a
higher score always means "more likely a responder": pROC's ``direction = "<"`` with
``levels = c(non-responder, responder)``. The orientation is stated in every table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from il6hcc.change import marker_change, oriented_change
from il6hcc.stats.result import StatResult
from il6hcc.stats.roc import (
    bootstrap_auc_ci,
    delong_paired_test,
    roc_auc,
    roc_curve,
    youden_threshold,
)
from il6hcc.tables import adjust_p_values

# The AUC's fields in the AUC table, and the names they have there.
AUC_FIELDS = ("estimate", "ci_low", "ci_high", "method", "conf_level", "estimable", "reason")
AUC_NAMES = {"estimate": "auc", "method": "ci_method"}
# DeLong's test in its table: z and the AUC difference under their own names, in this order.
DELONG_NAMES = {"statistic": "z", "estimate": "auc_difference"}
DELONG_COLUMNS = [
    "subgroup",
    "marker_a",
    "marker_b",
    "change_metric",
    "n_cases",
    "n_controls",
    "auc_a",
    "auc_b",
    "auc_difference",
    "se_difference",
    "ci_low",
    "ci_high",
    "conf_level",
    "z",
    "p_value",
    "method",
    "estimable",
    "reason",
]


def renamed(columns: dict, names: dict) -> dict:
    """``columns`` with the names a table gives some of them (``names``: old -> new)."""
    return {names.get(name, name): value for name, value in columns.items()}


def oriented_scores(patients: pd.DataFrame, marker: dict, metric: str) -> pd.Series:
    """The marker's change in ``metric``, signed so that larger is more favourable."""
    key = marker["key"]
    change = marker_change(patients[f"{key}_pre"], patients[f"{key}_post"], metric)
    return oriented_change(change, marker["favourable"])


def evaluable(patients: pd.DataFrame) -> pd.DataFrame:
    """Patients whose response is evaluable (responder flag known)."""
    return patients[patients["responder"].notna()].reset_index(drop=True)


def auc_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    metric: str,
    conf_level: float,
    bootstrap: dict,
    seed: int,
    min_per_group: int,
) -> pd.DataFrame:
    """AUC with DeLong CI, Youden-optimal threshold and (optionally) a bootstrap CI per marker.

    The DeLong interval needs ``min_per_group`` cases and controls; an AUC of 1 or 0 is flagged
    (``perfect_separation``) and has no interval (see il6hcc.stats.roc.roc_auc).
    """
    patients = evaluable(patients)
    is_case = (patients["responder"] == 1).to_numpy(bool)
    rows = []
    for marker in markers:
        scores = oriented_scores(patients, marker, metric).to_numpy(float)
        auc = roc_auc(scores, is_case, conf_level=conf_level, min_per_group=min_per_group)
        row = {
            "subgroup": subgroup,
            "marker": marker["key"],
            "marker_label": marker["label"],
            "change_metric": metric,
            "favourable": marker["favourable"],
            "direction": "responders have higher "
            + ("change" if marker["favourable"] == "rise" else "negated change"),
            **renamed(auc.columns(keep=AUC_FIELDS), AUC_NAMES),
        }
        youden = youden_threshold(scores, is_case)
        if not youden.estimable:
            # No rule: the reason, not the values at a threshold that beats nothing.
            youden = StatResult.not_estimable(youden.reason, **dict.fromkeys(youden.extra, np.nan))
        # Positive when the oriented score >= threshold (pROC's rule), i.e. for a fall marker
        # when the change <= -threshold.
        sign = 1.0 if marker["favourable"] == "rise" else -1.0
        row.update(
            youden_threshold_change=sign * youden.estimate,
            youden_rule=(
                ("change >= " if sign > 0 else "change <= ") + f"{sign * youden.estimate:.6g}"
                if youden.estimable
                else f"not estimable: {youden.reason}"
            ),
            youden_sensitivity=youden.extra["sensitivity"],
            youden_specificity=youden.extra["specificity"],
            youden_j=youden.extra["youden_j"],
        )
        if bootstrap["enabled"] and auc.estimable:
            boot = bootstrap_auc_ci(
                scores,
                is_case,
                n_boot=bootstrap["replicates"],
                seed=seed,
                conf_level=conf_level,
            )
            row.update(
                bootstrap_ci_low=boot.ci_low,
                bootstrap_ci_high=boot.ci_high,
                bootstrap_replicates=boot.extra["n_boot"],
                bootstrap_seed=seed,
            )
        rows.append(row)
    return pd.DataFrame(rows)


def delong_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    pairs: list[list[str]],
    metric: str,
    conf_level: float,
    adjust_method: str,
    min_per_group: int,
) -> pd.DataFrame:
    """DeLong's test of correlated AUCs for each configured pair of markers (same patients),
    with the confidence interval of the AUC difference at ``conf_level``; not estimable with
    fewer than ``min_per_group`` cases or controls."""
    patients = evaluable(patients)
    is_case = (patients["responder"] == 1).to_numpy(bool)
    by_key = {m["key"]: m for m in markers}
    rows = []
    for key_a, key_b in pairs:
        test = delong_paired_test(
            oriented_scores(patients, by_key[key_a], metric).to_numpy(float),
            oriented_scores(patients, by_key[key_b], metric).to_numpy(float),
            is_case,
            conf_level=conf_level,
            min_per_group=min_per_group,
        )
        rows.append(
            {
                "subgroup": subgroup,
                "marker_a": key_a,
                "marker_b": key_b,
                "change_metric": metric,
                **renamed(test.columns(), DELONG_NAMES),
            }
        )
    table = pd.DataFrame(rows).reindex(columns=DELONG_COLUMNS)
    table["p_adjusted"] = adjust_p_values(table, method=adjust_method, by=[])
    table["adjust_method"] = adjust_method
    return table


def curve_table(
    patients: pd.DataFrame, *, subgroup: str, markers: list[dict], metric: str
) -> pd.DataFrame:
    """ROC curve points (threshold, sensitivity, specificity) per marker, for the figures."""
    patients = evaluable(patients)
    is_case = (patients["responder"] == 1).to_numpy(bool)
    curves = []
    for marker in markers:
        scores = oriented_scores(patients, marker, metric).to_numpy(float)
        if not is_case.any() or is_case.all() or np.isnan(scores).all():
            continue
        curve = roc_curve(scores, is_case)
        curve.insert(0, "marker", marker["key"])
        curve.insert(0, "subgroup", subgroup)
        curves.append(curve)
    if not curves:
        return pd.DataFrame(
            columns=["subgroup", "marker", "threshold", "sensitivity", "specificity"]
        )
    return pd.concat(curves, ignore_index=True)
