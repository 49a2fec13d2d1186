"""Pre/post change of every marker within a subgroup, and between-group tests of the change.

Tables are tidy: one row per (marker, group) or (marker, comparison), with raw and adjusted
p-values side by side and the method actually used on every row.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from il6hcc.change import marker_change
from il6hcc.config import ConfigError
from il6hcc.quartiles import below_lloq_mask, quartiles
from il6hcc.stats.effectsize import (
    CLES,
    common_language_effect_size,
    matched_pairs_rank_biserial,
)
from il6hcc.stats.nonparametric import (
    hodges_lehmann_signed_rank,
    mann_whitney_u,
    wilcoxon_signed_rank,
)
from il6hcc.stats.regression import logistic_regression, separates_outcome
from il6hcc.stats.result import StatResult
from il6hcc.tables import adjust_p_values

RESPONSE_GROUPS = {"all": None, "responders": 1, "non-responders": 0}
# The fields of a rank test's result in its table (its counts and effect size follow), and of
# the Hodges-Lehmann estimate beside it (hl_ columns; conf_level unprefixed, as it always was).
TEST_FIELDS = ("statistic", "p_value", "method", "estimable", "reason")
HL_FIELDS = ("estimate", "ci_low", "ci_high", "method", "reason")
# The effect size printed beside each rank test (effect_size_ columns, with its name). Its
# interval is a bootstrap: tables built with effect_sizes=False (the robustness reruns, which
# hundreds of times read only the tests) leave these columns out.
EFFECT_SIZE_FIELDS = ("estimate", "ci_low", "ci_high", "method")
# A logistic regression's columns: the Wald z is the result's statistic.
LOGISTIC_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "z",
    "p_value",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "conf_level",
    "n",
    "n_events",
    "n_excluded",
    "method",
    "estimable",
    "reason",
]
# The scale of the paired differences that the signed-rank test and the Hodges-Lehmann estimate
# use (statistics.signed_rank_scale): the change metric computing each scale's difference.
SIGNED_RANK_SCALES = {"difference": "absolute", "log_ratio": "log2_ratio"}
# Why a marker's Hodges-Lehmann columns are empty in a table built with location_markers: the
# claims read only the reference marker's estimate, and in the robustness reruns (hundreds of
# tables) the others' root searches would be most of the work.
LOCATION_NOT_COMPUTED = "not computed: only the reference marker's estimate is read"


def change_below_lloq(patients: pd.DataFrame, key: str) -> pd.Series:
    """True where a patient's change uses a pre or post value substituted below the LLOQ."""
    return below_lloq_mask(patients, f"{key}_pre") | below_lloq_mask(patients, f"{key}_post")


def prepost_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    metric: str,
    correct: bool,
    adjust_method: str,
    adjust_family: str,
    scale: str = "difference",
    conf_level: float = 0.95,
    effect_sizes: bool = True,
    location_markers: list[str] | None = None,
) -> pd.DataFrame:
    """Wilcoxon signed-rank test of post versus pre for each marker and response group, with
    the Hodges-Lehmann estimate of the paired difference and its confidence interval, and
    (``effect_sizes``) the matched-pairs rank-biserial correlation with its bootstrap interval.
    ``location_markers`` (None: every marker) limits the Hodges-Lehmann estimate to the markers
    listed; the others' hl_ columns are not estimable, with :data:`LOCATION_NOT_COMPUTED`.

    Groups: all patients of the subgroup with both values, responders, non-responders
    (patients whose response is not evaluable enter only 'all'). On the ``difference`` scale
    the test is R's ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)``; on the
    ``log_ratio`` scale it is the same test of log2(post/pre) against 0 (pairs with a value
    <= 0 have no log ratio and are left out). The ``change_*`` columns describe the configured
    change ``metric`` and are not what the test uses unless the two coincide. Each median and
    quartile has a ``_below_lloq`` flag (it rests on a value substituted below the LLOQ; for
    the change, on a change computed from one) and ``lloq`` is the marker's configured limit.
    """
    scale_metric = SIGNED_RANK_SCALES[scale]
    # Plain arrays per marker and group: these tables are rebuilt hundreds of times by the
    # robustness reruns, where pandas' cost per operation was most of the work.
    groups = {
        group: (
            np.ones(len(patients), dtype=bool)
            if flag is None
            else (patients["responder"] == flag).fillna(False).to_numpy(dtype=bool)
        )
        for group, flag in RESPONSE_GROUPS.items()
    }
    rows = []
    for marker in markers:
        key = marker["key"]
        values = {
            column: patients[column].to_numpy(dtype="float64", na_value=np.nan)
            for column in (f"{key}_pre", f"{key}_post")
        }
        below = {column: below_lloq_mask(patients, column).to_numpy() for column in values}
        for group, in_group in groups.items():
            pre, post = values[f"{key}_pre"][in_group], values[f"{key}_post"][in_group]
            complete = ~np.isnan(pre) & ~np.isnan(post)
            pre_below = below[f"{key}_pre"][in_group]
            post_below = below[f"{key}_post"][in_group]
            differences = marker_change(pre, post, scale_metric)
            test = wilcoxon_signed_rank(differences, np.zeros_like(differences), correct=correct)
            if location_markers is not None and key not in location_markers:
                location = StatResult.not_estimable(
                    LOCATION_NOT_COMPUTED, n_nonzero=test.extra["n_nonzero"]
                )
            elif test.estimable:
                location = hodges_lehmann_signed_rank(
                    differences, conf_level=conf_level, correct=correct
                )
            else:
                # One analysis: no estimate beside a test that could not be done.
                location = StatResult.not_estimable(test.reason)
            effect = (
                matched_pairs_rank_biserial(
                    differences, np.zeros_like(differences), conf_level=conf_level
                ).columns("effect_size_", keep=EFFECT_SIZE_FIELDS)
                if effect_sizes
                else {}
            )
            change = marker_change(pre[complete], post[complete], metric)
            rows.append(
                {
                    "subgroup": subgroup,
                    "marker": key,
                    "marker_label": marker["label"],
                    "unit": marker["unit"],
                    "group": group,
                    "n_patients": int(in_group.sum()),
                    "n_pairs": test.extra["n_pairs"],
                    **quartiles(pre[complete], pre_below[complete], "pre_"),
                    **quartiles(post[complete], post_below[complete], "post_"),
                    "lloq": marker["lloq"],
                    "change_metric": metric,
                    **quartiles(change, pre_below[complete] | post_below[complete], "change_"),
                    "n_increased": int((post[complete] > pre[complete]).sum()),
                    "n_decreased": int((post[complete] < pre[complete]).sum()),
                    "n_unchanged": int((post[complete] == pre[complete]).sum()),
                    **test.columns(keep=TEST_FIELDS),
                    "hl_scale": scale,
                    **location.columns("hl_", keep=HL_FIELDS),
                    "conf_level": location.conf_level,
                    **effect,
                }
            )
    return adjust_prepost(
        pd.DataFrame(rows), adjust_method=adjust_method, adjust_family=adjust_family
    )


def adjust_prepost(table: pd.DataFrame, *, adjust_method: str, adjust_family: str) -> pd.DataFrame:
    """The pre/post table with its p-values adjusted by ``adjust_method`` over the family:
    "marker" adjusts the markers of one response group together, "subgroup" every row.

    Separate from ``prepost_table`` so that an adjustment can be changed (the robustness
    multiverse tries several) without recomputing the tests.
    """
    table = table.copy()
    table["p_adjusted"] = adjust_p_values(
        table, method=adjust_method, by=["group"] if adjust_family == "marker" else []
    )
    table["adjust_method"] = adjust_method
    table["adjust_family"] = adjust_family
    return table


def _change_test_row(
    change_a: pd.Series,
    change_b: pd.Series,
    below_a: pd.Series,
    below_b: pd.Series,
    correct: bool,
    conf_level: float,
    effect_sizes: bool,
    not_estimable_reason: str = "",
) -> dict:
    """Columns of a Mann-Whitney test of change a versus change b, with (``effect_sizes``) the
    common-language effect size and its CI at ``conf_level``; ``not_estimable_reason``: the
    test does not apply to these groups, and why."""
    a, b = change_a.to_numpy(float), change_b.to_numpy(float)
    test = mann_whitney_u(a, b, correct=correct)
    if not_estimable_reason:
        test = StatResult.not_estimable(
            not_estimable_reason, **{**test.extra, "rank_biserial": np.nan}
        )
        effect = StatResult.not_estimable(not_estimable_reason, name=CLES)
    elif effect_sizes:
        effect = common_language_effect_size(a, b, conf_level=conf_level)
    columns = test.columns(keep=TEST_FIELDS)
    return {
        # a and b: the groups' names in these tables (x and y in the test's).
        "n_a": columns.pop("n_x"),
        "n_b": columns.pop("n_y"),
        **quartiles(change_a, below_a, "change_a_"),
        **quartiles(change_b, below_b, "change_b_"),
        **columns,
        **(effect.columns("effect_size_", keep=EFFECT_SIZE_FIELDS) if effect_sizes else {}),
    }


def responder_comparison_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    metric: str,
    correct: bool,
    adjust_method: str,
    adjust_family: str,
    conf_level: float = 0.95,
    effect_sizes: bool = True,
) -> pd.DataFrame:
    """Mann-Whitney U test of each marker's change, responders (a) versus non-responders (b),
    with (``effect_sizes``) the common-language effect size and its CI at ``conf_level``."""
    rows = []
    for marker in markers:
        key = marker["key"]
        change = marker_change(patients[f"{key}_pre"], patients[f"{key}_post"], metric)
        below = change_below_lloq(patients, key)
        is_responder = (patients["responder"] == 1).fillna(False).astype(bool)
        is_non_responder = (patients["responder"] == 0).fillna(False).astype(bool)
        rows.append(
            {
                "subgroup": subgroup,
                "marker": key,
                "marker_label": marker["label"],
                "change_metric": metric,
                "group_a": "responders",
                "group_b": "non-responders",
                **_change_test_row(
                    change[is_responder],
                    change[is_non_responder],
                    below[is_responder],
                    below[is_non_responder],
                    correct,
                    conf_level,
                    effect_sizes,
                ),
            }
        )
    table = pd.DataFrame(rows)
    table["p_adjusted"] = adjust_p_values(table, method=adjust_method, by=[])
    table["adjust_method"] = adjust_method
    table["adjust_family"] = adjust_family
    return table


def subgroup_comparison_table(
    group_a: pd.DataFrame,
    group_b: pd.DataFrame,
    *,
    comparison: dict,
    markers: list[dict],
    metric: str,
    correct: bool,
    adjust_method: str,
    conf_level: float = 0.95,
    effect_sizes: bool = True,
) -> pd.DataFrame:
    """Mann-Whitney U test of each marker's change between two subgroups (a versus b), with
    (``effect_sizes``) the common-language effect size and its CI at ``conf_level``.

    This is the direct test of "changes in a, not in b". Overlapping subgroups are not
    independent samples, so the test is then reported as not estimable, with the overlap.
    """
    overlap = set(group_a["source_row"]) & set(group_b["source_row"])
    not_estimable_reason = (
        f"the subgroups share {len(overlap)} patients; a test for independent groups does not apply"
        if overlap
        else ""
    )
    rows = []
    for marker in markers:
        key = marker["key"]
        change_a = marker_change(group_a[f"{key}_pre"], group_a[f"{key}_post"], metric)
        change_b = marker_change(group_b[f"{key}_pre"], group_b[f"{key}_post"], metric)
        row = {
            "comparison": comparison["name"],
            "marker": key,
            "marker_label": marker["label"],
            "change_metric": metric,
            "group_a": comparison["a"],
            "group_b": comparison["b"],
            **_change_test_row(
                change_a,
                change_b,
                change_below_lloq(group_a, key),
                change_below_lloq(group_b, key),
                correct,
                conf_level,
                effect_sizes,
                not_estimable_reason,
            ),
        }
        rows.append(row)
    table = pd.DataFrame(rows)
    table["p_adjusted"] = adjust_p_values(table, method=adjust_method, by=[])
    table["adjust_method"] = adjust_method
    table["adjust_family"] = "marker"
    return table


def logistic_rows(fit: StatResult) -> pd.DataFrame:
    """One row per term of a logistic regression (one "(model)" row when not estimable)."""
    columns = fit.columns()
    rows = pd.DataFrame(columns, index=range(len(np.atleast_1d(columns["term"]))))
    return rows.rename(columns={"statistic": "z"}).reindex(columns=LOGISTIC_COLUMNS)


def logistic_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    metric: str,
    adjust_for: list[str],
    conf_level: float,
) -> pd.DataFrame:
    """Logistic regression of response on each marker's change, adjusted for ``adjust_for``,
    with Wald intervals at ``conf_level``.

    Adjustment columns that are constant within the subgroup (line of therapy within
    first-line patients) carry no information and are left out; so are columns that alone
    separate response among the marker's patients (every responder at one line of therapy):
    with them no adjusted model has a maximum likelihood estimate, and the change's coefficient
    is still estimable without them. ``adjusted_for`` names the columns used and those left out
    for separating response; ``left_out_separating`` lists the latter alone.
    """
    tables = []
    for marker in markers:
        key = marker["key"]
        change_column = f"{key}_change"
        data = pd.DataFrame(
            {
                "responder": patients["responder"].astype("float64"),
                change_column: marker_change(
                    patients[f"{key}_pre"], patients[f"{key}_post"], metric
                ),
            }
        )
        used = []
        separating = []
        for column in adjust_for:
            if column not in patients.columns:
                raise ConfigError(
                    f"statistics.logistic.adjust_for: unknown column '{column}' "
                    f"(columns: {', '.join(map(str, patients.columns))})"
                )
            if not pd.api.types.is_numeric_dtype(patients[column].dtype):
                raise ConfigError(
                    f"statistics.logistic.adjust_for: column '{column}' is not numeric; "
                    "adjust for numeric or 0/1 columns"
                )
            values = patients[column]
            if values.dropna().nunique() > 1:
                data[column] = values.astype("float64")
                model_rows = data[data[change_column].notna()]
                if separates_outcome(model_rows, "responder", column):
                    separating.append(column)
                else:
                    used.append(column)
        fit = logistic_regression(data, "responder", [change_column, *used], conf_level=conf_level)
        if data[change_column].isna().all():
            # The regression would only see an empty data set and say "no events".
            fit = replace(fit, reason=f"no patient has both {key} values (pre and post)")
        result = logistic_rows(fit)
        result.insert(0, "marker", key)
        result.insert(0, "subgroup", subgroup)
        result["change_metric"] = metric
        adjusted_for = ", ".join(used) if used else "none"
        if separating:
            adjusted_for += (
                f"; left out: {', '.join(separating)} (separates response in this subgroup, "
                "so no adjusted model has an estimate)"
            )
        result["adjusted_for"] = adjusted_for
        result["left_out_separating"] = ", ".join(separating)
        tables.append(result)
    return pd.concat(tables, ignore_index=True)
