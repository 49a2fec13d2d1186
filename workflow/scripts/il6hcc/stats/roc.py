"""ROC analysis of oriented scores, as pROC 1.18.0 (Robin et al. 2011, BMC Bioinformatics
12:77): AUC with DeLong intervals, DeLong's paired test (one study, or a batch of studies that
share their cases and controls), ROC coordinates, the Youden cut-off and a stratified bootstrap
interval for the AUC.

Orientation is never guessed: ``scores`` are oriented so that higher means "more likely a case",
``is_case`` is boolean, i.e. pROC's ``roc(is_case, score, levels = c(FALSE, TRUE), direction =
"<")``; a patient is positive at threshold ``t`` when its score is ``>= t``. Missing scores are
dropped and counted; degenerate input gives ``estimable=False`` with a ``reason`` (the AUC is
still reported where it exists).

Hand-written, because no Python library reproduces pROC: DeLong's variance and paired test
(scikit-learn and scipy have none; O(n log n) from midranks as Sun and Xu 2014, one code path
for one study and for a batch of studies; about 3x faster than pROC at 10^6 patients),
pROC's thresholds and Youden rule, and a bootstrap that reuses one sort.

Departures from pROC, on purpose: a DeLong variance of zero (AUC exactly 0 or 1, or all scores
tied) gives no interval and no test instead of pROC's zero-width interval and p = 1; the
interval of an AUC difference is truncated to [-1, 1]; callers may require more than two cases
and two controls (``min_per_group``) before DeLong's normal approximation is used.
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


def _drop_missing(scores, is_case):
    """Keep patients with a score; return kept scores, kept labels, number dropped."""
    scores = np.asarray(scores, dtype=float)
    is_case = np.asarray(is_case)
    if is_case.dtype != bool:
        raise TypeError("is_case must be a boolean array (True = case / responder)")
    if scores.shape != is_case.shape or scores.ndim != 1:
        raise ValueError("scores and is_case must be one-dimensional and of equal length")
    present = ~np.isnan(scores)
    return scores[present], is_case[present], int(np.count_nonzero(~present))


def _degenerate_reason(scores, is_case):
    """Why no ROC curve can be built (pROC refuses the same inputs), or '' if one can."""
    if not is_case.any():
        return "no cases (responders) with a score; pROC stops with 'No case observation.'"
    if is_case.all():
        return "no controls with a score; pROC stops with 'No control observation.'"
    if np.isinf(scores).any():
        return "infinite score(s): pROC refuses to build a ROC curve (returns NaN)"
    return ""


def _placements(scores, is_case):
    """DeLong's placements and the AUC of each study (last axis of ``scores``).

    A case's placement is the share of controls below it, a control's the share of cases above
    it, ties counting one half: the structural components V10 / V01 of DeLong et al. (1988),
    pROC's ``X`` / ``Y``. As Sun and Xu (2014), they come from midranks: a case's midrank among
    all scores less its midrank among the cases is the number of controls below it plus half
    the tied ones. Twice that is an integer, so the AUC is exact before its one division.
    """
    n_cases = int(np.count_nonzero(is_case))
    n_controls = is_case.size - n_cases
    pooled = rankdata(scores, axis=-1)
    twice_controls_under = 2 * (pooled[..., is_case] - rankdata(scores[..., is_case], axis=-1))
    twice_cases_under = 2 * (pooled[..., ~is_case] - rankdata(scores[..., ~is_case], axis=-1))
    auc = twice_controls_under.sum(axis=-1) / (2.0 * n_cases * n_controls)
    return twice_controls_under / (2.0 * n_controls), 1 - twice_cases_under / (2.0 * n_cases), auc


def _delong_se(centred_case_placements, centred_control_placements):
    """sqrt(s2(V10) / m + s2(V01) / n) from placements centred on their AUC (or, for two AUCs
    on the same patients, the differences of the centred placements), along the last axis.

    Sums of squares rather than np.dot: a BLAS call may start threads, which only slows this
    memory-bound sum on a shared machine.
    """
    m = centred_case_placements.shape[-1]
    n = centred_control_placements.shape[-1]
    case_part = np.square(centred_case_placements).sum(axis=-1) / (m - 1) / m
    control_part = np.square(centred_control_placements).sum(axis=-1) / (n - 1) / n
    return np.sqrt(case_part + control_part)


def _auc_se(placements):
    """DeLong's standard error of the AUC, per study, from ``_placements``' output."""
    cases, controls, auc = placements
    return _delong_se(cases - auc[..., None], controls - auc[..., None])


def _difference_se(placements_a, placements_b):
    """DeLong's standard error of AUC a - AUC b on the same patients, per study: the variance
    L S L' of DeLong et al. with L = (1, -1) is that of the placement differences."""
    (cases_a, controls_a, auc_a), (cases_b, controls_b, auc_b) = placements_a, placements_b
    return _delong_se(
        (cases_a - auc_a[..., None]) - (cases_b - auc_b[..., None]),
        (controls_a - auc_a[..., None]) - (controls_b - auc_b[..., None]),
    )


def _check_conf_level(conf_level):
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be strictly between 0 and 1")


def _half_width(se, conf_level):
    return ndtri(0.5 + conf_level / 2) * se


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


def _zero_variance_reason(auc):
    if auc in (0.0, 1.0):
        return (
            f"perfect separation (AUC = {auc:g}): the DeLong variance is zero, so no interval "
            "is given (pROC prints the zero-width interval "
            f"{auc:g} to {auc:g}, which claims a certainty the data do not give)"
        )
    return "all scores tied: the DeLong variance is zero, so no interval is given"


def _counts(is_case):
    n_cases = int(np.count_nonzero(is_case))
    return {"n_cases": n_cases, "n_controls": int(is_case.size - n_cases)}


def roc_auc(scores, is_case, *, conf_level=0.95, min_per_group=DELONG_MIN_PER_GROUP):
    """AUC with DeLong's standard error and interval, as pROC's ``ci.auc(roc, method =
    "delong")``.

    AUC = P(case > control) + 0.5 P(tie); var = s2(V10) / n_cases + s2(V01) / n_controls (n - 1
    denominators, DeLong et al. 1988); interval AUC +/- z se clipped to [0, 1]. Not estimable
    (AUC still reported where it exists): no cases or no controls, infinite scores, fewer than
    ``min_per_group`` (at least 2) cases or controls (pROC: NA), and a zero variance (AUC 0 or
    1, ``perfect_separation`` True, or all scores tied; pROC prints a zero-width interval).

    Returns the AUC as ``estimate``, method "DeLong"; ``extra``: n_cases, n_controls,
    n_missing, auc_se, perfect_separation.
    """
    _check_conf_level(conf_level)
    scores, is_case, n_missing = _drop_missing(scores, is_case)
    counts = _counts(is_case)
    result = StatResult(
        conf_level=conf_level,
        method="DeLong",
        extra={**counts, "n_missing": n_missing, "auc_se": np.nan, "perfect_separation": False},
    )
    reason = _degenerate_reason(scores, is_case)
    if reason:
        return replace(result, estimable=False, reason=reason)
    placements = _placements(scores, is_case)
    auc = float(placements[2])
    result = replace(result, estimate=auc).with_extra(perfect_separation=auc in (0.0, 1.0))
    too_few = _too_few_reason(*counts.values(), min_per_group)
    if too_few:
        return replace(result, estimable=False, reason=f"{too_few}; only the AUC is reported")
    se = float(_auc_se(placements))
    result = result.with_extra(auc_se=se)
    if se == 0:
        return replace(result, estimable=False, reason=_zero_variance_reason(auc))
    half_width = _half_width(se, conf_level)
    return replace(
        result,
        ci_low=float(min(max(auc - half_width, 0.0), 1.0)),
        ci_high=float(min(max(auc + half_width, 0.0), 1.0)),
    )


def _batch_inputs(is_case, *scores):
    """Batched scores as float arrays, checked: complete, one boolean label per column, at
    least two cases and two controls (a simulated study has no missing values)."""
    is_case = np.asarray(is_case)
    scores = [np.asarray(values, dtype=float) for values in scores]
    if (
        is_case.dtype != bool
        or is_case.ndim != 1
        or any(s.shape[-1] != is_case.size for s in scores)
    ):
        raise ValueError("is_case must be a boolean vector, one entry per column of scores")
    if any(np.isnan(values).any() for values in scores):
        raise ValueError("batched ROC input must be complete (no NaN)")
    if _too_few_reason(*_counts(is_case).values(), DELONG_MIN_PER_GROUP):
        raise ValueError("DeLong's variance needs at least 2 cases and 2 controls")
    return is_case, scores


def _z_test(estimate, se, null, conf_level):
    """z, two-sided p and half-width per study; NaN where the variance is zero."""
    safe_se = np.where(se > 0, se, np.nan)
    z = (estimate - null) / safe_se
    return z, 2 * ndtr(-np.abs(z)), _half_width(safe_se, conf_level)


def roc_auc_batch(scores, is_case, *, conf_level=0.95) -> StatResult:
    """AUC, DeLong interval and the test of AUC = 0.5 (z = (AUC - 0.5) / se) of each study (row
    of ``scores``, the same cases in every column), as :func:`roc_auc`; a study with zero
    variance is not estimable. Fields are arrays over the studies; ``extra``: auc_se."""
    _check_conf_level(conf_level)
    is_case, (scores,) = _batch_inputs(is_case, scores)
    placements = _placements(scores, is_case)
    auc, se = placements[2], _auc_se(placements)
    z, p_value, half_width = _z_test(auc, se, 0.5, conf_level)
    return StatResult(
        statistic=z,
        p_value=p_value,
        estimate=auc,
        ci_low=np.clip(auc - half_width, 0.0, 1.0),
        ci_high=np.clip(auc + half_width, 0.0, 1.0),
        conf_level=conf_level,
        method="DeLong",
        estimable=se > 0,
        reason=np.where(se > 0, "", "the DeLong variance is zero"),
        extra={"auc_se": se},
    )


def delong_paired_test(
    scores_a, scores_b, is_case, *, conf_level=0.95, min_per_group=DELONG_MIN_PER_GROUP
):
    """DeLong's test comparing two correlated AUCs on the same patients, as pROC's
    ``roc.test(roc_a, roc_b, method = "delong", paired = TRUE)``: z = (AUC_a - AUC_b) / se,
    p = 2 Phi(-|z|), a normal interval of the difference truncated to [-1, 1] (``method`` says
    when). Patients missing either score are dropped (pROC needs the same patients).

    Not estimable: fewer than ``min_per_group`` (at least 2) cases or controls, or a zero
    variance of the difference (pROC gives z = 0, p = 1 for equal AUCs and z = Inf, p = 0 for
    different ones; neither is a valid test).

    Returns z as ``statistic``, the p-value, AUC a - AUC b as ``estimate`` with its interval;
    ``extra``: n_cases, n_controls, n_missing, auc_a, auc_b, se_difference.
    """
    _check_conf_level(conf_level)
    scores_a, scores_b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    if scores_a.shape != scores_b.shape:
        raise ValueError("scores_a and scores_b must have one value per patient")
    both_present = ~np.isnan(scores_a) & ~np.isnan(scores_b)
    scores_a, is_case, _ = _drop_missing(np.where(both_present, scores_a, np.nan), is_case)
    scores_b = scores_b[both_present]
    counts = _counts(is_case)
    result = StatResult(
        conf_level=conf_level,
        method=DELONG_TEST,
        extra={
            **counts,
            "n_missing": int(np.count_nonzero(~both_present)),
            "auc_a": np.nan,
            "auc_b": np.nan,
            "se_difference": np.nan,
        },
    )
    reason = _degenerate_reason(scores_a, is_case) or _degenerate_reason(scores_b, is_case)
    if reason:
        return replace(result, estimable=False, reason=reason)
    placements_a, placements_b = _placements(scores_a, is_case), _placements(scores_b, is_case)
    auc_a, auc_b = float(placements_a[2]), float(placements_b[2])
    difference = auc_a - auc_b
    result = replace(result, estimate=difference).with_extra(auc_a=auc_a, auc_b=auc_b)
    too_few = _too_few_reason(*counts.values(), min_per_group)
    if too_few:
        return replace(result, estimable=False, reason=too_few)
    se = float(_difference_se(placements_a, placements_b))
    result = result.with_extra(se_difference=se)
    if se == 0:
        reason = (
            "the DeLong variance of the difference is zero (each marker separates perfectly "
            "or ranks the patients alike): no valid test "
            + ("(pROC reports z = Inf, p = 0)" if difference != 0 else "(pROC sets z = 0, p = 1)")
        )
        return replace(result, estimable=False, reason=reason)
    z, p_value, half_width = (float(value) for value in _z_test(difference, se, 0.0, conf_level))
    truncated = abs(difference) + half_width > 1
    return replace(
        result,
        statistic=z,
        p_value=p_value,
        ci_low=max(difference - half_width, -1.0),
        ci_high=min(difference + half_width, 1.0),
        method=DELONG_TEST + ("; interval truncated to [-1, 1]" if truncated else ""),
    )


def delong_paired_test_batch(scores_a, scores_b, is_case, *, conf_level=0.95) -> StatResult:
    """DeLong's test of AUC(a) = AUC(b) in each study (row), as :func:`delong_paired_test`
    (interval truncated to [-1, 1]); a study with zero variance of the difference is not
    estimable. Fields are arrays over the studies; ``extra``: auc_a, auc_b, se_difference."""
    _check_conf_level(conf_level)
    is_case, (scores_a, scores_b) = _batch_inputs(is_case, scores_a, scores_b)
    placements_a, placements_b = _placements(scores_a, is_case), _placements(scores_b, is_case)
    auc_a, auc_b = placements_a[2], placements_b[2]
    se = _difference_se(placements_a, placements_b)
    difference = auc_a - auc_b
    z, p_value, half_width = _z_test(difference, se, 0.0, conf_level)
    return StatResult(
        statistic=z,
        p_value=p_value,
        estimate=difference,
        ci_low=np.maximum(difference - half_width, -1.0),
        ci_high=np.minimum(difference + half_width, 1.0),
        conf_level=conf_level,
        method=DELONG_TEST,
        estimable=se > 0,
        reason=np.where(se > 0, "", "the DeLong variance of the difference is zero"),
        extra={"auc_a": auc_a, "auc_b": auc_b, "se_difference": se},
    )


def _proc_thresholds(distinct):
    """pROC's roc.utils.thresholds for direction "<": -Inf, the midpoints of consecutive
    distinct scores, Inf (see :func:`proc_threshold_between`)."""
    lower = np.concatenate(([-np.inf], distinct))
    upper = np.concatenate((distinct, [np.inf]))
    return proc_threshold_between(lower, upper)


def proc_threshold_between(lower, upper):
    """pROC's threshold between consecutive distinct scores ``lower`` < ``upper`` (arrays):
    their midpoint, beyond 1e100 as a/2 + b/2 (no overflow); a midpoint that rounds onto the
    lower score moves to the upper one, so it still separates them under ">="."""
    with np.errstate(invalid="ignore", over="ignore"):
        direct = (lower + upper) / 2
        halved = lower / 2 + upper / 2
    thresholds = np.where(np.abs(direct) > PROC_HALVING_LIMIT, halved, direct)
    rounds_onto_lower = (thresholds == lower) & np.isfinite(lower)
    return np.where(rounds_onto_lower, upper, thresholds)


def _curve_arrays(scores, is_case):
    """Thresholds (increasing), sensitivities and specificities, with pROC's arithmetic."""
    n_cases = int(np.count_nonzero(is_case))
    order = np.argsort(scores)
    distinct, first_of_value = np.unique(scores[order], return_index=True)
    cases_below = np.concatenate(([0], np.cumsum(is_case[order])))[first_of_value]
    controls_below = first_of_value - cases_below
    cases_at_or_above = np.concatenate(([n_cases], n_cases - cases_below[1:], [0]))
    controls_below_threshold = np.concatenate(([0], controls_below[1:], [is_case.size - n_cases]))
    sensitivity = cases_at_or_above / n_cases
    specificity = controls_below_threshold / (is_case.size - n_cases)
    return _proc_thresholds(distinct), sensitivity, specificity


def roc_curve(scores, is_case):
    """Every threshold with its sensitivity and specificity, as pROC's ``coords(roc, "all",
    transpose = FALSE)``: thresholds -Inf, the midpoints of consecutive distinct scores, Inf.

    Returns columns threshold, sensitivity, specificity; ``attrs``: estimable, reason (zero rows
    for degenerate input), n_missing.
    """
    scores, is_case, n_missing = _drop_missing(scores, is_case)
    reason = _degenerate_reason(scores, is_case)
    if reason:
        curve = pd.DataFrame({"threshold": [], "sensitivity": [], "specificity": []}, dtype=float)
    else:
        thresholds, sensitivity, specificity = _curve_arrays(scores, is_case)
        curve = pd.DataFrame(
            {"threshold": thresholds, "sensitivity": sensitivity, "specificity": specificity}
        )
    curve.attrs.update(estimable=not reason, reason=reason, n_missing=n_missing)
    return curve


def youden_threshold(scores, is_case):
    """Cut-off maximising Youden's J = sensitivity + specificity - 1 (Youden 1950), as pROC's
    ``coords(roc, "best", best.method = "youden")`` with pROC's arithmetic; where pROC returns
    every tied optimum, this returns the LOWEST (highest sensitivity) and ``n_tied_optima``.
    Data-driven: optimistic for new patients. Not estimable when the best J is <= 0 (values
    still reported).

    Returns the threshold as ``estimate``; ``extra``: n_cases, n_controls, n_missing,
    sensitivity, specificity, youden_j, n_tied_optima.
    """
    scores, is_case, n_missing = _drop_missing(scores, is_case)
    n_cases = int(np.count_nonzero(is_case))
    result = StatResult(
        method="maximum Youden index over pROC thresholds; lowest threshold among ties",
        extra={
            "n_cases": n_cases,
            "n_controls": int(is_case.size - n_cases),
            "n_missing": n_missing,
            "sensitivity": np.nan,
            "specificity": np.nan,
            "youden_j": np.nan,
            "n_tied_optima": 0,
        },
    )
    reason = _degenerate_reason(scores, is_case)
    if reason:
        return replace(result, estimable=False, reason=reason)
    thresholds, sensitivity, specificity = _curve_arrays(scores, is_case)
    criterion = sensitivity + specificity
    is_optimum = criterion == criterion.max()
    best = int(np.flatnonzero(is_optimum)[0])
    youden_j = float(criterion[best] - 1)
    return replace(
        result,
        estimate=float(thresholds[best]),
        estimable=youden_j > 0,
        reason="" if youden_j > 0 else "no threshold has a positive Youden index",
    ).with_extra(
        sensitivity=float(sensitivity[best]),
        specificity=float(specificity[best]),
        youden_j=youden_j,
        n_tied_optima=int(np.count_nonzero(is_optimum)),
    )


def bootstrap_auc_ci(scores, is_case, *, n_boot=2000, seed, conf_level=0.95):
    """Stratified bootstrap percentile interval of the AUC, as pROC's ``ci.auc(roc, method =
    "bootstrap", boot.stratified = TRUE)`` (cases and controls resampled separately; R's
    quantile type 7; Carpenter and Bithell, Stat Med 2000;19:1141-1164). Reproducible for a
    ``seed`` (numpy PCG64), not equal to pROC's (R's random stream is not reproduced).

    Speed: one sort; a replicate's AUC needs, per resampled case, the resampled controls below
    and tied, read from a cumulative count over the sorted controls: O(n) per replicate.

    Returns the AUC as ``estimate`` with the interval; ``extra``: n_cases, n_controls,
    n_missing, n_boot, seed.
    """
    _check_conf_level(conf_level)
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    scores, is_case, n_missing = _drop_missing(scores, is_case)
    n_cases = int(np.count_nonzero(is_case))
    n_controls = int(is_case.size - n_cases)
    result = StatResult(
        conf_level=conf_level,
        method="stratified bootstrap, percentile interval",
        extra={
            "n_cases": n_cases,
            "n_controls": n_controls,
            "n_missing": n_missing,
            "n_boot": n_boot,
            "seed": seed,
        },
    )
    reason = _degenerate_reason(scores, is_case)
    if reason:
        return replace(result, estimable=False, reason=reason)
    sorted_controls = np.sort(scores[~is_case])
    case_scores = scores[is_case]
    controls_below = np.searchsorted(sorted_controls, case_scores, side="left")
    controls_below_or_tied = np.searchsorted(sorted_controls, case_scores, side="right")
    rng = np.random.default_rng(seed)
    batch = max(1, BOOTSTRAP_BATCH_ELEMENTS // (n_cases + n_controls))
    replicate_aucs = []
    for start in range(0, n_boot, batch):
        size = min(batch, n_boot - start)
        replicate_aucs.append(
            _bootstrap_batch(rng, size, n_controls, n_cases, controls_below, controls_below_or_tied)
        )
    alpha = 1 - conf_level
    ci_low, ci_high = np.quantile(np.concatenate(replicate_aucs), [alpha / 2, 1 - alpha / 2])
    return replace(
        result,
        estimate=float(_placements(scores, is_case)[2]),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
    )


def _bootstrap_batch(rng, size, n_controls, n_cases, controls_below, controls_below_or_tied):
    """AUCs of ``size`` stratified bootstrap replicates."""
    drawn_controls = rng.integers(0, n_controls, size=(size, n_controls))
    drawn_controls += (np.arange(size) * n_controls)[:, None]
    control_counts = np.bincount(drawn_controls.ravel(), minlength=size * n_controls)
    cumulative = np.zeros((size, n_controls + 1), dtype=np.int64)
    np.cumsum(control_counts.reshape(size, n_controls), axis=1, out=cumulative[:, 1:])
    # 2 * (controls below) + (controls tied) for every original case, in this replicate.
    twice_controls_under = cumulative[:, controls_below] + cumulative[:, controls_below_or_tied]
    drawn_cases = rng.integers(0, n_cases, size=(size, n_cases))
    total = np.take_along_axis(twice_controls_under, drawn_cases, axis=1).sum(axis=1)
    return total / (2.0 * n_cases * n_controls)
