"""ROC analysis as pROC 1.18.0 (Robin et al., BMC Bioinformatics 2011;12:77): AUC with DeLong
interval, DeLong's paired test (one study, or a batch of studies sharing cases and controls), ROC
coordinates, the Youden cut-off and a stratified bootstrap interval of the AUC.

Orientation is never guessed: higher ``scores`` mean "more likely a case", ``is_case`` is
boolean (pROC's ``levels = c(FALSE, TRUE), direction = "<"``); positive at ``t`` means score
>= t. Missing scores are dropped and counted; degenerate input (no cases, no controls, infinite
scores) is not estimable, with a reason. A one-study result's ``extra`` starts with n_cases,
n_controls, n_missing.

Hand-written, as no Python library reproduces pROC: DeLong's variance and paired test (from
midranks in O(n log n), Sun & Xu 2014; one core for one study and a batch), pROC's thresholds and
Youden rule, a bootstrap that reuses one sort. Departures from pROC, on purpose: a zero DeLong
variance gives no interval and no test (pROC: a zero-width interval, p = 1); the interval of a
difference is truncated to [-1, 1]; callers may ask for more than 2 cases and 2 controls.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

from il6hcc.stats.result import StatResult

DELONG_MIN_PER_GROUP = 2
# pROC's roc.utils.thresholds halves before adding beyond this magnitude to avoid overflow.
PROC_HALVING_LIMIT = 1e100
# Elements per bootstrap batch: bounds memory while keeping numpy calls few.
BOOTSTRAP_BATCH_ELEMENTS = 4_000_000
DELONG_TEST = "DeLong's test for two correlated ROC curves"


def _counts(is_case):
    n_cases = int(np.count_nonzero(is_case))
    return n_cases, int(is_case.size - n_cases)


def _prepared(markers, is_case, method, extra, conf_level=np.nan):
    """The patients with every marker's score: their scores (a row per marker), their labels, and
    the result to fill in (not estimable, with the reason, where pROC refuses to build a curve)."""
    markers = np.array([np.asarray(scores, dtype=float) for scores in markers])
    is_case = np.asarray(is_case)
    if is_case.dtype != bool:
        raise TypeError("is_case must be a boolean array (True = case / responder)")
    if markers.shape[1:] != is_case.shape or is_case.ndim != 1:
        raise ValueError("scores and is_case must be one-dimensional and of equal length")
    present = ~np.isnan(markers).any(axis=0)
    n_missing = int(np.count_nonzero(~present))
    markers, is_case = markers[:, present], is_case[present]
    n_cases, n_controls = _counts(is_case)
    extra = {"n_cases": n_cases, "n_controls": n_controls, "n_missing": n_missing, **extra}
    reason = ""
    if not n_cases:
        reason = "no cases (responders) with a score; pROC stops with 'No case observation.'"
    elif not n_controls:
        reason = "no controls with a score; pROC stops with 'No control observation.'"
    elif np.isinf(markers).any():
        reason = "infinite score(s): pROC refuses to build a ROC curve (returns NaN)"
    result = StatResult(conf_level=conf_level, method=method, extra=extra)
    return markers, is_case, replace(result, estimable=not reason, reason=reason)


def _placements(scores, is_case):
    """DeLong's placements (pROC's X, Y) and the AUC of each study (last axis of ``scores``). A
    case's placement is the share of controls below it, a control's the share of cases above it,
    ties counting one half. As Sun and Xu (2014), from midranks: a case's midrank among all less its
    midrank among the cases is the number of controls below it plus half the tied ones; twice that
    is an integer, so the AUC is exact before its one division."""
    n_cases, n_controls = _counts(is_case)
    pooled = rankdata(scores, axis=-1)
    twice_controls_under = 2 * (pooled[..., is_case] - rankdata(scores[..., is_case], axis=-1))
    twice_cases_under = 2 * (pooled[..., ~is_case] - rankdata(scores[..., ~is_case], axis=-1))
    auc = twice_controls_under.sum(axis=-1) / (2.0 * n_cases * n_controls)
    return twice_controls_under / (2.0 * n_controls), 1 - twice_cases_under / (2.0 * n_cases), auc


def _check_conf_level(conf_level):
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be strictly between 0 and 1")


def _delong_test(placements, conf_level, null, lowest):
    """DeLong's z test against ``null`` of the AUC (one placements triple) or of AUC - other AUC
    (two, on the same patients) per study: the result's fields (interval clipped to [``lowest``,
    1], NaN where the variance is zero), the standard error, and whether the clipping truncated.
    The standard error is sqrt(s2(V10) / m + s2(V01) / n) over the centred placements (for a
    difference, L S L' with L = (1, -1): over the differences of centred placements). Sums of
    squares, not np.dot: BLAS threads only slow this memory-bound sum on a shared host."""
    cases, controls, estimate = placements[0]
    cases, controls = cases - estimate[..., None], controls - estimate[..., None]
    for other_cases, other_controls, other_estimate in placements[1:]:
        cases = cases - (other_cases - other_estimate[..., None])
        controls = controls - (other_controls - other_estimate[..., None])
        estimate = estimate - other_estimate
    parts = [np.square(c).sum(axis=-1) / (c.shape[-1] - 1) / c.shape[-1] for c in (cases, controls)]
    se = np.sqrt(parts[0] + parts[1])
    safe_se = np.where(se > 0, se, np.nan)
    z = (estimate - null) / safe_se
    half_width = ndtri(0.5 + conf_level / 2) * safe_se
    low, high = estimate - half_width, estimate + half_width
    fields = {"statistic": z, "p_value": 2 * ndtr(-np.abs(z)), "estimate": estimate}
    fields.update(ci_low=np.clip(low, lowest, 1.0), ci_high=np.clip(high, lowest, 1.0))
    return fields, se, (low < lowest) | (high > 1)


def _too_few_reason(n_cases, n_controls, min_per_group):
    """Why a DeLong variance is not used with this many cases and controls, or ''."""
    if min(n_cases, n_controls) >= max(min_per_group, DELONG_MIN_PER_GROUP):
        return ""
    if min(n_cases, n_controls) < DELONG_MIN_PER_GROUP:
        return "DeLong variance needs at least 2 cases and 2 controls (pROC returns NA)"
    return (
        f"{n_cases} cases and {n_controls} controls: DeLong's normal approximation is not "
        f"used below {min_per_group} of each (statistics.delong_min_per_group)"
    )


def roc_auc(scores, is_case, *, conf_level=0.95, min_per_group=DELONG_MIN_PER_GROUP):
    """AUC = P(case > control) + P(tie) / 2 with DeLong's standard error and interval (clipped to
    [0, 1]), as pROC's ``ci.auc(roc, method = "delong")``; method "DeLong". Not estimable, the AUC
    still reported where it exists: degenerate input, fewer than ``min_per_group`` (at least 2)
    cases or controls (pROC: NA), zero variance (AUC 0 or 1, ``perfect_separation``, or all scores
    tied). ``extra`` then: auc_se, perfect_separation."""
    _check_conf_level(conf_level)
    extra = {"auc_se": np.nan, "perfect_separation": False}
    (scores,), is_case, result = _prepared([scores], is_case, "DeLong", extra, conf_level)
    if not result.estimable:
        return result
    placements = _placements(scores, is_case)
    auc = float(placements[2])
    result = replace(result, estimate=auc).with_extra(perfect_separation=auc in (0.0, 1.0))
    too_few = _too_few_reason(*_counts(is_case), min_per_group)
    if too_few:
        return replace(result, estimable=False, reason=f"{too_few}; only the AUC is reported")
    fields, se, _ = _delong_test([placements], conf_level, 0.5, 0.0)
    result = result.with_extra(auc_se=float(se))
    if se == 0:
        reason = "all scores tied: the DeLong variance is zero, so no interval is given"
        if auc in (0.0, 1.0):
            reason = (
                f"perfect separation (AUC = {auc:g}): the DeLong variance is zero, so no interval "
                f"is given (pROC prints the zero-width interval {auc:g} to {auc:g}, which claims "
                "a certainty the data do not give)"
            )
        return replace(result, estimable=False, reason=reason)
    return replace(result, ci_low=float(fields["ci_low"]), ci_high=float(fields["ci_high"]))


def delong_paired_test(
    scores_a, scores_b, is_case, *, conf_level=0.95, min_per_group=DELONG_MIN_PER_GROUP
):
    """DeLong's test of two correlated AUCs on the same patients, as pROC's ``roc.test(roc_a, roc_b,
    method = "delong", paired = TRUE)``: z = (AUC_a - AUC_b) / se, p = 2 Phi(-|z|), the difference
    as ``estimate`` with a normal interval truncated to [-1, 1] (``method`` says when). Patients
    missing either score are dropped. Not estimable: fewer than ``min_per_group`` (at least 2) cases
    or controls, or a zero variance of the difference (pROC: z = 0, p = 1 for equal AUCs, z = Inf, p
    = 0 otherwise). ``extra`` then: auc_a, auc_b, se_difference."""
    _check_conf_level(conf_level)
    scores_a, scores_b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    if scores_a.shape != scores_b.shape:
        raise ValueError("scores_a and scores_b must have one value per patient")
    extra = dict.fromkeys(("auc_a", "auc_b", "se_difference"), np.nan)
    both, is_case, result = _prepared([scores_a, scores_b], is_case, DELONG_TEST, extra, conf_level)
    if not result.estimable:
        return result
    placements_a, placements_b = [_placements(scores, is_case) for scores in both]
    auc_a, auc_b = float(placements_a[2]), float(placements_b[2])
    difference = auc_a - auc_b
    result = replace(result, estimate=difference).with_extra(auc_a=auc_a, auc_b=auc_b)
    too_few = _too_few_reason(*_counts(is_case), min_per_group)
    if too_few:
        return replace(result, estimable=False, reason=too_few)
    fields, se, truncated = _delong_test([placements_a, placements_b], conf_level, 0.0, -1.0)
    result = result.with_extra(se_difference=float(se))
    if se == 0:
        reason = (
            "the DeLong variance of the difference is zero (each marker separates perfectly "
            "or ranks the patients alike): no valid test "
            + ("(pROC reports z = Inf, p = 0)" if difference != 0 else "(pROC sets z = 0, p = 1)")
        )
        return replace(result, estimable=False, reason=reason)
    tested = {name: float(fields[name]) for name in ("statistic", "p_value", "ci_low", "ci_high")}
    method = DELONG_TEST + ("; interval truncated to [-1, 1]" if truncated else "")
    return replace(result, **tested, method=method)


def _delong_batch(is_case, scores, conf_level, null, lowest):
    """Placements, batch fields (as the one-study function's) and DeLong standard error of the AUC
    (or, given two score arrays, of the difference of two AUCs) of each row of ``scores``: studies
    with the same ``is_case`` columns, complete, at least 2 cases and 2 controls; a study with zero
    variance is not estimable."""
    _check_conf_level(conf_level)
    is_case, scores = np.asarray(is_case), [np.asarray(s, dtype=float) for s in scores]
    mismatched = is_case.ndim != 1 or any(s.shape[-1] != is_case.size for s in scores)
    if is_case.dtype != bool or mismatched:
        raise ValueError("is_case must be a boolean vector, one entry per column of scores")
    if any(np.isnan(values).any() for values in scores):
        raise ValueError("batched ROC input must be complete (no NaN)")
    if _too_few_reason(*_counts(is_case), DELONG_MIN_PER_GROUP):
        raise ValueError("DeLong's variance needs at least 2 cases and 2 controls")
    placements = [_placements(values, is_case) for values in scores]
    fields, se, _ = _delong_test(placements, conf_level, null, lowest)
    return placements, {**fields, "estimable": se > 0, "conf_level": conf_level}, se


def roc_auc_batch(scores, is_case, *, conf_level=0.95) -> StatResult:
    """:func:`roc_auc` of each study (row of ``scores``) with the test of AUC = 0.5, z = (AUC -
    0.5) / se; fields are arrays over the studies, ``extra``: auc_se."""
    _, fields, se = _delong_batch(is_case, [scores], conf_level, 0.5, 0.0)
    reason = np.where(se > 0, "", "the DeLong variance is zero")
    return StatResult(**fields, method="DeLong", reason=reason, extra={"auc_se": se})


def delong_paired_test_batch(scores_a, scores_b, is_case, *, conf_level=0.95) -> StatResult:
    """:func:`delong_paired_test` of each study (row); fields are arrays over the studies,
    ``extra``: auc_a, auc_b, se_difference."""
    (a, b), fields, se = _delong_batch(is_case, [scores_a, scores_b], conf_level, 0.0, -1.0)
    reason = np.where(se > 0, "", "the DeLong variance of the difference is zero")
    extra = {"auc_a": a[2], "auc_b": b[2], "se_difference": se}
    return StatResult(**fields, method=DELONG_TEST, reason=reason, extra=extra)


def _curve_arrays(scores, is_case):
    """Thresholds (increasing), sensitivities and specificities, with pROC's arithmetic. pROC's
    roc.utils.thresholds for direction "<": -Inf, the thresholds between consecutive distinct
    scores (:func:`proc_threshold_between`), Inf."""
    n_cases, n_controls = _counts(is_case)
    order = np.argsort(scores)
    distinct, first_of_value = np.unique(scores[order], return_index=True)
    cases_below = np.concatenate(([0], np.cumsum(is_case[order])))[first_of_value]
    controls_below = np.concatenate(([0], (first_of_value - cases_below)[1:], [n_controls]))
    cases_at_or_above = np.concatenate(([n_cases], n_cases - cases_below[1:], [0]))
    lower = np.concatenate(([-np.inf], distinct))
    upper = np.concatenate((distinct, [np.inf]))
    thresholds = proc_threshold_between(lower, upper)
    return thresholds, cases_at_or_above / n_cases, controls_below / n_controls


def proc_threshold_between(lower, upper):
    """pROC's threshold between consecutive distinct scores ``lower`` < ``upper`` (arrays):
    their midpoint, beyond 1e100 as a/2 + b/2 (no overflow); a midpoint that rounds onto the
    lower score moves to the upper one, so it still separates them under ">="."""
    with np.errstate(invalid="ignore", over="ignore"):
        direct = (lower + upper) / 2
        halved = lower / 2 + upper / 2
    thresholds = np.where(np.abs(direct) > PROC_HALVING_LIMIT, halved, direct)
    return np.where((thresholds == lower) & np.isfinite(lower), upper, thresholds)


def roc_curve(scores, is_case):
    """Every threshold with its sensitivity and specificity, as pROC's ``coords(roc, "all",
    transpose = FALSE)``. ``attrs``: estimable, reason (no rows if degenerate), n_missing."""
    (scores,), is_case, result = _prepared([scores], is_case, method="", extra={})
    columns = ("threshold", "sensitivity", "specificity")
    arrays = _curve_arrays(scores, is_case) if result.estimable else ([],) * 3
    curve = pd.DataFrame(dict(zip(columns, arrays, strict=True)), dtype=float)
    curve.attrs.update(estimable=result.estimable, reason=result.reason)
    curve.attrs["n_missing"] = result.extra["n_missing"]
    return curve


def youden_threshold(scores, is_case):
    """The cut-off maximising Youden's J = sensitivity + specificity - 1 (Youden 1950) as
    ``estimate``, as pROC's ``coords(roc, "best", best.method = "youden")``; of tied optima
    (pROC returns all) the LOWEST, counted in ``n_tied_optima``. Data-driven: optimistic for new
    patients. Not estimable when the best J is <= 0 (values still reported). ``extra`` then:
    sensitivity, specificity, youden_j, n_tied_optima."""
    extra = dict.fromkeys(("sensitivity", "specificity", "youden_j"), np.nan) | {"n_tied_optima": 0}
    method = "maximum Youden index over pROC thresholds; lowest threshold among ties"
    (scores,), is_case, result = _prepared([scores], is_case, method, extra)
    if not result.estimable:
        return result
    thresholds, sensitivity, specificity = _curve_arrays(scores, is_case)
    criterion = sensitivity + specificity
    best = int(np.argmax(criterion))  # the first optimum: the lowest threshold
    youden_j = float(criterion[best] - 1)
    result = replace(result, estimate=float(thresholds[best])).with_extra(
        sensitivity=float(sensitivity[best]),
        specificity=float(specificity[best]),
        youden_j=youden_j,
        n_tied_optima=int(np.count_nonzero(criterion == criterion[best])),
    )
    if youden_j > 0:
        return result
    return replace(result, estimable=False, reason="no threshold has a positive Youden index")


def bootstrap_auc_ci(scores, is_case, *, n_boot=2000, seed, conf_level=0.95):
    """The AUC with a stratified bootstrap percentile interval, as pROC's ``ci.auc(roc, method =
    "bootstrap", boot.stratified = TRUE)`` (cases and controls resampled apart; R's quantile
    type 7; Carpenter & Bithell, Stat Med 2000;19:1141-64); reproducible for a ``seed`` (numpy
    PCG64), not pROC's random stream. O(n) per replicate: one sort, then per resampled case the
    resampled controls below and tied, from a cumulative count over the sorted controls. ``extra``
    then: n_boot, seed."""
    _check_conf_level(conf_level)
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    method, extra = "stratified bootstrap, percentile interval", {"n_boot": n_boot, "seed": seed}
    (scores,), is_case, result = _prepared([scores], is_case, method, extra, conf_level)
    if not result.estimable:
        return result
    n_cases, n_controls = _counts(is_case)
    sorted_controls, case_scores = np.sort(scores[~is_case]), scores[is_case]
    controls_below = np.searchsorted(sorted_controls, case_scores, side="left")
    controls_below_or_tied = np.searchsorted(sorted_controls, case_scores, side="right")
    rng = np.random.default_rng(seed)
    batch = max(1, BOOTSTRAP_BATCH_ELEMENTS // (n_cases + n_controls))
    replicate_aucs = []
    for start in range(0, n_boot, batch):
        size = min(batch, n_boot - start)
        drawn_controls = rng.integers(0, n_controls, size=(size, n_controls))
        drawn_controls += (np.arange(size) * n_controls)[:, None]
        control_counts = np.bincount(drawn_controls.ravel(), minlength=size * n_controls)
        cumulative = np.zeros((size, n_controls + 1), dtype=np.int64)
        np.cumsum(control_counts.reshape(size, n_controls), axis=1, out=cumulative[:, 1:])
        # 2 * (controls below) + (controls tied) for every original case, in this replicate.
        twice_under = cumulative[:, controls_below] + cumulative[:, controls_below_or_tied]
        drawn_cases = rng.integers(0, n_cases, size=(size, n_cases))
        total = np.take_along_axis(twice_under, drawn_cases, axis=1).sum(axis=1)
        replicate_aucs.append(total / (2.0 * n_cases * n_controls))
    alpha = 1 - conf_level
    ci_low, ci_high = np.quantile(np.concatenate(replicate_aucs), [alpha / 2, 1 - alpha / 2])
    estimate = float(_placements(scores, is_case)[2])
    return replace(result, estimate=estimate, ci_low=float(ci_low), ci_high=float(ci_high))
