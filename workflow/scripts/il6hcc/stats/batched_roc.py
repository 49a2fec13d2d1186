"""DeLong's AUC and paired test over a batch of studies that share their cases and controls.

:func:`il6hcc.stats.roc.roc_auc` and :func:`il6hcc.stats.roc.delong_paired_test` analyse one
study. Planning a study analyses thousands of simulated studies of one design, in which every
study has the same number of cases and controls in the same columns; then the placements of all
studies come from one ranking along the last axis, with no Python loop over studies. The
formulas are those of the one-study functions (DeLong et al. 1988, placements from midranks as
Sun and Xu 2014), which the tests check study by study.

Batched input is complete (no NaN): a simulated study has no missing values.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

from il6hcc.stats.result import StatResult


def _batched_placements(scores: np.ndarray, is_case: np.ndarray):
    """Case placements (share of controls below, ties half) and control placements (share of
    cases above, ties half) of every study (row), and the AUCs.

    A case's midrank among all scores less its midrank among the cases is the number of
    controls below it plus half the tied ones; likewise for a control.
    """
    scores = np.asarray(scores, dtype=float)
    is_case = np.asarray(is_case)
    if is_case.dtype != bool or is_case.ndim != 1 or scores.shape[-1] != is_case.size:
        raise ValueError("is_case must be a boolean vector, one entry per column of scores")
    if np.isnan(scores).any():
        raise ValueError("batched ROC input must be complete (no NaN)")
    n_cases = int(is_case.sum())
    n_controls = is_case.size - n_cases
    if min(n_cases, n_controls) < 2:
        raise ValueError("DeLong's variance needs at least 2 cases and 2 controls")
    pooled = rankdata(scores, axis=-1)
    cases = scores[..., is_case]
    controls = scores[..., ~is_case]
    case_placements = (pooled[..., is_case] - rankdata(cases, axis=-1)) / n_controls
    control_placements = 1 - (pooled[..., ~is_case] - rankdata(controls, axis=-1)) / n_cases
    return case_placements, control_placements, case_placements.mean(axis=-1)


def _delong_variance(case_part: np.ndarray, control_part: np.ndarray) -> np.ndarray:
    return (
        case_part.var(axis=-1, ddof=1) / case_part.shape[-1]
        + control_part.var(axis=-1, ddof=1) / control_part.shape[-1]
    )


def roc_auc_batch(scores, is_case, *, conf_level: float = 0.95) -> StatResult:
    """AUC of each study (row of ``scores``) with DeLong's standard error and interval, and the
    two-sided test of AUC = 0.5 (z = (AUC - 0.5) / se), as :func:`il6hcc.stats.roc.roc_auc`.

    ``is_case``: one boolean per column (the same cases in every study). A study with zero
    variance (AUC 0 or 1, or all scores tied) is not estimable (``estimable`` False, NaN
    interval and p-value), as in the one-study function.

    Returns a StatResult with arrays over the studies: estimate (AUC), statistic (z),
    p_value, ci_low, ci_high (clipped to [0, 1]); extra ``auc_se``.
    """
    case_placements, control_placements, auc = _batched_placements(scores, is_case)
    se = np.sqrt(
        _delong_variance(case_placements - auc[..., None], control_placements - auc[..., None])
    )
    estimable = se > 0
    safe_se = np.where(estimable, se, np.nan)
    z = (auc - 0.5) / safe_se
    half_width = ndtri(0.5 + conf_level / 2) * safe_se
    return StatResult(
        statistic=z,
        p_value=2 * ndtr(-np.abs(z)),
        estimate=auc,
        ci_low=np.clip(auc - half_width, 0.0, 1.0),
        ci_high=np.clip(auc + half_width, 0.0, 1.0),
        conf_level=conf_level,
        method="DeLong",
        estimable=estimable,
        reason=np.where(estimable, "", "the DeLong variance is zero"),
        extra={"auc_se": se},
    )


def delong_paired_test_batch(scores_a, scores_b, is_case, *, conf_level: float = 0.95):
    """DeLong's test of AUC(a) = AUC(b) in each study (row), as
    :func:`il6hcc.stats.roc.delong_paired_test` (interval of the difference truncated to
    [-1, 1]); studies where the variance of the difference is zero are not estimable.

    Returns a StatResult with arrays over the studies: estimate (AUC a - AUC b), statistic (z),
    p_value, ci_low, ci_high; extra ``auc_a``, ``auc_b``, ``se_difference``.
    """
    cases_a, controls_a, auc_a = _batched_placements(scores_a, is_case)
    cases_b, controls_b, auc_b = _batched_placements(scores_b, is_case)
    se = np.sqrt(
        _delong_variance(
            (cases_a - auc_a[..., None]) - (cases_b - auc_b[..., None]),
            (controls_a - auc_a[..., None]) - (controls_b - auc_b[..., None]),
        )
    )
    difference = auc_a - auc_b
    estimable = se > 0
    safe_se = np.where(estimable, se, np.nan)
    z = difference / safe_se
    half_width = ndtri(0.5 + conf_level / 2) * safe_se
    return StatResult(
        statistic=z,
        p_value=2 * ndtr(-np.abs(z)),
        estimate=difference,
        ci_low=np.maximum(difference - half_width, -1.0),
        ci_high=np.minimum(difference + half_width, 1.0),
        conf_level=conf_level,
        method="DeLong's test for two correlated ROC curves",
        estimable=estimable,
        reason=np.where(estimable, "", "the DeLong variance of the difference is zero"),
        extra={"auc_a": auc_a, "auc_b": auc_b, "se_difference": se},
    )
