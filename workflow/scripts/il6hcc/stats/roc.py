"""ROC analysis of oriented scores: AUC with DeLong intervals, DeLong's paired test, ROC
coordinates, the Youden cut-off and a stratified bootstrap interval for the AUC.

Orientation is never guessed. Every function takes ``scores`` already oriented so that a
higher score means "more likely a case (responder)", and a boolean ``is_case``. This is
pROC's ``roc(is_case, score, levels = c(FALSE, TRUE), direction = "<")`` (controls < cases),
the reference implementation these functions reproduce (Robin et al. 2011, BMC
Bioinformatics 12:77; pROC 1.18.0). A case is called positive at threshold ``t`` when its
score is ``>= t``.

Missing scores (NaN) are dropped and counted. Every statistic returns a StatResult;
degenerate input gives ``estimable=False`` with a human ``reason`` (the AUC itself is still
reported where it exists).

Hand-written, because no Python library reproduces pROC: DeLong's variance and paired test
(O(n log n) as Sun and Xu, about 9x faster than pROC's own; scikit-learn and scipy have no
DeLong), pROC's thresholds and its Youden rule, and a stratified bootstrap that reuses one sort.

Where this module departs from pROC, on purpose: a DeLong variance of zero (an AUC of exactly 1
or 0, or all scores tied) gives no interval and no test instead of pROC's zero-width interval
("1 to 1") and p = 1; the interval of an AUC difference is truncated to [-1, 1] (pROC truncates
an AUC's interval to [0, 1], not a difference's); and the callers may ask for more than two
cases and two controls before a DeLong interval or test is given (``min_per_group``), since both
rest on a normal approximation.
"""

from dataclasses import replace
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from il6hcc.stats.result import StatResult

DELONG_MIN_PER_GROUP = 2
# pROC's roc.utils.thresholds halves before adding beyond this magnitude to avoid overflow.
PROC_HALVING_LIMIT = 1e100
# Elements per bootstrap batch: bounds memory while keeping numpy calls few.
BOOTSTRAP_BATCH_ELEMENTS = 4_000_000


def _as_inputs(scores, is_case):
    scores = np.asarray(scores, dtype=float)
    is_case = np.asarray(is_case)
    if is_case.dtype != bool:
        raise TypeError("is_case must be a boolean array (True = case / responder)")
    if scores.shape != is_case.shape or scores.ndim != 1:
        raise ValueError("scores and is_case must be one-dimensional and of equal length")
    return scores, is_case


def _drop_missing(scores, is_case):
    """Keep patients with a score; return kept scores, kept labels, number dropped."""
    scores, is_case = _as_inputs(scores, is_case)
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


class _TieGroups(NamedTuple):
    """The pooled scores sorted once, with case and control counts per distinct value."""

    order: np.ndarray
    sorted_is_case: np.ndarray
    distinct: np.ndarray
    group_size: np.ndarray
    cases_below: np.ndarray
    cases_in: np.ndarray
    controls_below: np.ndarray
    controls_in: np.ndarray


def _tie_groups(scores, is_case):
    order = np.argsort(scores)
    sorted_scores = scores[order]
    sorted_is_case = is_case[order]
    starts_group = np.empty(sorted_scores.size, dtype=bool)
    starts_group[0] = True
    np.not_equal(sorted_scores[1:], sorted_scores[:-1], out=starts_group[1:])
    bounds = np.append(np.flatnonzero(starts_group), sorted_scores.size)
    group_size = np.diff(bounds)
    cases_through = np.concatenate(([0], np.cumsum(sorted_is_case, dtype=np.int64)))
    cases_below = cases_through[bounds[:-1]]
    cases_in = cases_through[bounds[1:]] - cases_below
    return _TieGroups(
        order=order,
        sorted_is_case=sorted_is_case,
        distinct=sorted_scores[bounds[:-1]],
        group_size=group_size,
        cases_below=cases_below,
        cases_in=cases_in,
        controls_below=bounds[:-1] - cases_below,
        controls_in=group_size - cases_in,
    )


def _placements(scores, is_case):
    """DeLong placements and the AUC, from one sort of the pooled scores.

    A case's placement is the share of controls scoring below it (ties count one half); a
    control's placement is the share of cases scoring above it (ties count one half). These are
    the structural components V10 / V01 of DeLong et al. (1988) and pROC's ``X`` / ``Y``. Sun and
    Xu (2014) obtain them from midranks; counting cases and controls per tie group of the one
    sorted pooled sample is the same computation, O(n log n) for the sort and O(n) after it.

    Returns (case placements, control placements) in input order and the AUC, computed exactly
    from integer counts before one division.
    """
    n_cases = int(np.count_nonzero(is_case))
    n_controls = is_case.size - n_cases
    groups = _tie_groups(scores, is_case)
    twice_controls_under = 2 * groups.controls_below + groups.controls_in
    twice_cases_over = 2 * (n_cases - groups.cases_below) - groups.cases_in
    # Expanding per-group values with repeat reads memory in order (no random gathers).
    case_value = np.repeat(twice_controls_under / (2.0 * n_controls), groups.group_size)
    control_value = np.repeat(twice_cases_over / (2.0 * n_cases), groups.group_size)
    placement = np.empty(scores.size)
    placement[groups.order] = np.where(groups.sorted_is_case, case_value, control_value)
    auc = float((groups.cases_in * twice_controls_under).sum()) / (2.0 * n_cases * n_controls)
    return placement[is_case], placement[~is_case], auc


def _check_conf_level(conf_level):
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be strictly between 0 and 1")


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


def roc_auc(scores, is_case, *, conf_level=0.95, min_per_group=DELONG_MIN_PER_GROUP):
    """Area under the ROC curve with DeLong's standard error and confidence interval.

    Method: AUC = P(case score > control score) + 0.5 P(tie) (the Mann-Whitney statistic divided
    by n_cases * n_controls). Variance by DeLong, DeLong and Clarke-Pearson (1988): with
    placements V10 (cases) and V01 (controls), var = s2(V10) / n_cases + s2(V01) / n_controls,
    sample variances with n - 1 denominators, computed in O(n log n) as in Sun and Xu (2014).
    Interval: normal, AUC +/- z * se, then clipped to [0, 1], exactly as pROC's
    ``ci.auc(roc, method = "delong")``.

    Assumptions: patients independent; scores oriented (higher = more likely a case).

    Not estimable: no cases or no controls (pROC's ``roc()`` stops), infinite scores, and fewer
    than ``min_per_group`` (at least two) cases or controls (the sample variance needs two;
    pROC's ``var()`` and ``ci.auc()`` return NA there; the AUC itself is still reported). A
    variance of zero is not estimable either, with the AUC reported: an AUC of exactly 1 or 0
    (perfect separation, ``perfect_separation`` True) or all scores tied. pROC prints a
    zero-width interval there ("1 to 1", with a warning that it "can be misleading"); no
    interval is given here, since none with a stated coverage follows from DeLong's variance.

    References: DeLong ER et al. Biometrics 1988;44:837-845. Sun X, Xu W. IEEE Signal Process
    Lett 2014;21:1389-1393. Robin X et al. BMC Bioinformatics 2011;12:77 (pROC).

    Returns the AUC as ``estimate`` with its interval and method "DeLong"; ``extra``:
    n_cases, n_controls, n_missing, auc_se, perfect_separation.
    """
    _check_conf_level(conf_level)
    scores, is_case, n_missing = _drop_missing(scores, is_case)
    n_cases = int(np.count_nonzero(is_case))
    counts = {"n_cases": n_cases, "n_controls": int(is_case.size - n_cases)}
    result = StatResult(
        conf_level=conf_level,
        method="DeLong",
        extra={**counts, "n_missing": n_missing, "auc_se": np.nan, "perfect_separation": False},
    )
    reason = _degenerate_reason(scores, is_case)
    if reason:
        return replace(result, estimable=False, reason=reason)
    case_placements, control_placements, auc = _placements(scores, is_case)
    result = replace(result, estimate=auc).with_extra(perfect_separation=auc in (0.0, 1.0))
    too_few = _too_few_reason(*counts.values(), min_per_group)
    if too_few:
        return replace(result, estimable=False, reason=f"{too_few}; only the AUC is reported")
    se = float(np.sqrt(_delong_variance(case_placements - auc, control_placements - auc)))
    result = result.with_extra(auc_se=se)
    if se == 0:
        return replace(result, estimable=False, reason=_zero_variance_reason(auc))
    half_width = ndtri(0.5 + conf_level / 2) * se
    return replace(
        result,
        ci_low=float(min(max(auc - half_width, 0.0), 1.0)),
        ci_high=float(min(max(auc + half_width, 0.0), 1.0)),
    )


def _delong_variance(centred_case_placements, centred_control_placements):
    """s2(V10) / m + s2(V01) / n from placements already centred on the AUC.

    Sums of squares rather than np.dot: a BLAS call may start threads, which only slows this
    memory-bound sum on a shared machine.
    """
    m = centred_case_placements.size
    n = centred_control_placements.size
    case_part = np.square(centred_case_placements).sum() / (m - 1) / m
    control_part = np.square(centred_control_placements).sum() / (n - 1) / n
    return float(case_part + control_part)


def delong_paired_test(
    scores_a, scores_b, is_case, *, conf_level=0.95, min_per_group=DELONG_MIN_PER_GROUP
):
    """DeLong's test comparing two correlated AUCs measured on the same patients.

    Method: DeLong et al. (1988). With placements of both markers on the same cases and
    controls, the difference of AUCs has variance L S L' (L = (1, -1), S the sum of the
    placement covariance matrices of cases / n_cases and of controls / n_controls, n - 1
    denominators); it is computed here as the sample variance of the placement differences,
    which is the same quantity. z = (AUC_a - AUC_b) / se, two-sided p = 2 Phi(-|z|), and a
    normal interval for the difference, as pROC's ``roc.test(roc_a, roc_b, method = "delong",
    paired = TRUE)`` (statistic Z, p.value, conf.int). O(n log n) as in Sun and Xu (2014).

    Patients missing either score are dropped (and counted in n_missing), since pROC requires
    identical patients in both curves.

    The interval is truncated to [-1, 1], the range of a difference of AUCs (pROC does not
    truncate it); ``method`` says when it was.

    Zero variance of the difference: not estimable. pROC sets z = 0, p = 1 and the interval
    [0, 0] when the AUCs are equal (e.g. two perfect markers), and z = Inf, p = 0 when they
    differ (e.g. a perfect marker against a constant one); neither is a valid test. Fewer than
    ``min_per_group`` (at least two) cases or controls: not estimable (pROC returns NaN, or
    stops with an error when the AUCs are equal, below two).

    Assumptions: patients independent; both scores oriented (higher = more likely a case).

    References: DeLong ER et al. Biometrics 1988;44:837-845. Sun X, Xu W. IEEE Signal Process
    Lett 2014;21:1389-1393. Robin X et al. BMC Bioinformatics 2011;12:77 (pROC).

    Returns z as ``statistic``, the p-value, the AUC difference (a - b) as ``estimate`` with its
    interval; ``extra``: n_cases, n_controls, n_missing, auc_a, auc_b, se_difference.
    """
    _check_conf_level(conf_level)
    scores_a, is_case = _as_inputs(scores_a, is_case)
    scores_b, _ = _as_inputs(scores_b, is_case)
    both_present = ~np.isnan(scores_a) & ~np.isnan(scores_b)
    scores_a, scores_b = scores_a[both_present], scores_b[both_present]
    is_case = is_case[both_present]
    n_cases = int(np.count_nonzero(is_case))
    counts = {"n_cases": n_cases, "n_controls": int(is_case.size - n_cases)}
    result = StatResult(
        conf_level=conf_level,
        method="DeLong's test for two correlated ROC curves",
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
    cases_a, controls_a, auc_a = _placements(scores_a, is_case)
    cases_b, controls_b, auc_b = _placements(scores_b, is_case)
    difference = auc_a - auc_b
    result = replace(result, estimate=difference).with_extra(auc_a=auc_a, auc_b=auc_b)
    too_few = _too_few_reason(*counts.values(), min_per_group)
    if too_few:
        return replace(result, estimable=False, reason=too_few)
    se = float(
        np.sqrt(
            _delong_variance(
                (cases_a - auc_a) - (cases_b - auc_b),
                (controls_a - auc_a) - (controls_b - auc_b),
            )
        )
    )
    result = result.with_extra(se_difference=se)
    if se == 0:
        reason = (
            "the DeLong variance of the difference is zero (each marker separates perfectly "
            "or ranks the patients alike): no valid test "
            + ("(pROC reports z = Inf, p = 0)" if difference != 0 else "(pROC sets z = 0, p = 1)")
        )
        return replace(result, estimable=False, reason=reason)
    z = difference / se
    half_width = ndtri(0.5 + conf_level / 2) * se
    ci_low, ci_high = difference - half_width, difference + half_width
    truncated = ci_low < -1 or ci_high > 1
    return replace(
        result,
        statistic=float(z),
        p_value=float(2 * ndtr(-abs(z))),
        ci_low=float(max(ci_low, -1.0)),
        ci_high=float(min(ci_high, 1.0)),
        method=result.method + ("; interval truncated to [-1, 1]" if truncated else ""),
    )


def _proc_thresholds(distinct):
    """pROC's thresholds for direction "<": -Inf, midpoints of consecutive distinct scores, Inf.

    As pROC's roc.utils.thresholds: midpoints beyond 1e100 are computed as a/2 + b/2 (no
    overflow), and a midpoint that rounds onto the lower score is moved to the upper one so the
    threshold still separates them under the ">=" rule.
    """
    lower = np.concatenate(([-np.inf], distinct))
    upper = np.concatenate((distinct, [np.inf]))
    with np.errstate(invalid="ignore", over="ignore"):
        direct = (lower + upper) / 2
        halved = lower / 2 + upper / 2
    thresholds = np.where(np.abs(direct) > PROC_HALVING_LIMIT, halved, direct)
    rounds_onto_lower = (thresholds == lower) & np.isfinite(lower)
    return np.where(rounds_onto_lower, upper, thresholds)


def _curve_arrays(scores, is_case):
    """Thresholds (increasing), sensitivities and specificities, with pROC's arithmetic."""
    n_cases = int(np.count_nonzero(is_case))
    n_controls = is_case.size - n_cases
    groups = _tie_groups(scores, is_case)
    cases_at_or_above = np.concatenate(([n_cases], n_cases - groups.cases_below[1:], [0]))
    controls_below_threshold = np.concatenate(([0], groups.controls_below[1:], [n_controls]))
    sensitivity = cases_at_or_above / n_cases
    specificity = controls_below_threshold / n_controls
    return _proc_thresholds(groups.distinct), sensitivity, specificity


def roc_curve(scores, is_case):
    """Empirical ROC curve: every threshold with its sensitivity and specificity.

    Method: as pROC's ``coords(roc, "all", transpose = FALSE)`` for direction "<": thresholds
    are -Inf, the midpoints of consecutive distinct scores (pooled cases and controls) and Inf,
    in increasing order; a patient is called positive when score >= threshold.
    Sensitivity = positives among cases / n_cases, specificity = negatives among controls /
    n_controls. Missing scores are dropped.

    Reference: Robin X et al. BMC Bioinformatics 2011;12:77 (pROC).

    Returns a DataFrame with columns threshold, sensitivity, specificity (one row per
    threshold). Degenerate input (no cases, no controls, infinite scores) gives zero rows, with
    ``attrs["estimable"] = False`` and ``attrs["reason"]``; otherwise attrs estimable is True.
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
    """Cut-off maximising Youden's J = sensitivity + specificity - 1 over pROC's thresholds.

    Method: as pROC's ``coords(roc, "best", best.method = "youden")`` (equal weights): among the
    thresholds of ``roc_curve``, keep those where sensitivity + specificity (same floating-point
    arithmetic as pROC) equals its maximum. pROC returns every tied threshold; this function
    returns the LOWEST tied threshold (the one with the highest sensitivity) and the number of
    tied optima in ``n_tied_optima``. The cut-off is data-driven: its sensitivity and
    specificity are optimistic for new patients.

    Not estimable: no cases, no controls, infinite scores, or a best J of zero or less (no
    threshold beats calling everyone positive; pROC then returns -Inf and Inf, whose values are
    still reported).

    Reference: Youden WJ. Cancer 1950;3:32-35. Robin X et al. BMC Bioinformatics 2011;12:77.

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
    """Stratified bootstrap percentile confidence interval for the AUC.

    Method: as pROC's ``ci.auc(roc, method = "bootstrap", boot.stratified = TRUE)``: each
    replicate resamples the cases and the controls separately with replacement (keeping their
    numbers), its AUC is computed, and the interval is the conf_level percentile interval of the
    replicate AUCs (linear interpolation, R's quantile type 7). R's random numbers cannot be
    reproduced: the interval is reproducible for a given ``seed`` (numpy Generator, PCG64), not
    equal to pROC's.

    Speed: the scores are sorted once. A replicate's AUC only needs, for each resampled case, how
    many resampled controls lie below it and tie with it; these come from a cumulative count of
    the resampled controls over the sorted controls, so a replicate costs O(n) without sorting.
    Replicates are processed in batches of arrays.

    Not estimable: no cases, no controls, or infinite scores.

    Reference: Carpenter J, Bithell J. Stat Med 2000;19:1141-1164. Robin X et al. BMC
    Bioinformatics 2011;12:77 (pROC).

    Returns the AUC as ``estimate`` with the percentile interval; ``extra``: n_cases,
    n_controls, n_missing, n_boot, seed.
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
        estimate=_placements(scores, is_case)[2],
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
