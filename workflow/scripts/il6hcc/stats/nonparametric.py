"""Wilcoxon signed-rank and Mann-Whitney (Wilcoxon rank-sum) tests as R's ``wilcox.test``, over
``scipy.stats.wilcoxon`` and ``scipy.stats.mannwhitneyu``; the Hodges-Lehmann estimate.

SciPy computes the statistics and p-values; this module holds R's policy: which method R chooses
(exact below 50 observations without ties or zeros, else the normal approximation with tie
correction and optional continuity correction), zero differences dropped, incomplete pairs
dropped, the degenerate cases R refuses, and the method string the report prints. SciPy's own
defaults differ from R's (no continuity correction, another rule for "auto").

Batches: every test takes N-D input and tests along ``axis`` (a batch of resampled studies along
the other axes) in one vectorised SciPy call per method; batched input must be free of NaN.

Reference: R Core Team, ``stats::wilcox.test`` (R >= 4.0); Hollander M, Wolfe DA, Chicken E.
Nonparametric Statistical Methods, 3rd ed. Wiley 2014, chapters 3 and 4.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri
from scipy.stats import mannwhitneyu, rankdata, wilcoxon

from il6hcc.stats.result import NOT_ESTIMABLE, StatResult

# R's default: exact p-values below this sample size (per group for the rank-sum test).
EXACT_SAMPLE_SIZE_LIMIT = 50


def _signed_rank_counts(n: int) -> list[int]:
    """Number of subsets of {1..n} with each sum 0..n(n+1)/2: coefficients of prod (1 + q^i)."""
    counts = [1] + [0] * (n * (n + 1) // 2)
    top = 0
    for i in range(1, n + 1):
        top += i
        for total in range(top, i - 1, -1):
            counts[total] += counts[total - i]
    return counts


def _tie_sizes(values: np.ndarray) -> np.ndarray:
    _, sizes = np.unique(values, return_counts=True)
    return sizes.astype(float)


def _approximation_label(correct: bool) -> str:
    return "normal approximation, continuity correction" if correct else "normal approximation"


def _has_ties(sorted_rows: np.ndarray, ignore_zero: bool = False) -> np.ndarray:
    """Per row of a row-sorted 2-D array: whether two neighbours are equal (zeros ignored)."""
    equal = sorted_rows[:, 1:] == sorted_rows[:, :-1]
    if ignore_zero:
        equal &= sorted_rows[:, 1:] != 0
    return equal.any(axis=1)


def _as_rows(values, axis: int) -> np.ndarray:
    """``values`` as a 2-D float array with the tested axis last (one row per study)."""
    values = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    return values.reshape(math.prod(values.shape[:-1]), values.shape[-1])


def _require_complete(*arrays: np.ndarray) -> None:
    if any(np.isnan(array).any() for array in arrays):
        raise ValueError(
            "batched input must not contain NaN: drop incomplete observations per study first "
            "(only 1-D input drops them here, as R does)"
        )


def _batch_result(
    batch_shape: tuple,
    statistic: np.ndarray,
    p_value: np.ndarray,
    method: np.ndarray,
    reason: np.ndarray,
    extra: dict,
) -> StatResult:
    """One result over the batch (arrays shaped as the batch), or scalars for a single study."""
    scalar = batch_shape == ()

    def shaped(values: np.ndarray):
        values = values.reshape(batch_shape)
        return values[()] if scalar else values

    estimable = reason == ""
    if scalar:
        # A single study: plain Python scalars, as every table builder expects.
        return StatResult(
            statistic=float(statistic[0]),
            p_value=float(p_value[0]),
            method=str(method[0]),
            estimable=bool(estimable[0]),
            reason=str(reason[0]),
            extra={name: values[0].item() for name, values in extra.items()},
        )
    uniform = np.unique(method).size == 1
    return StatResult(
        statistic=shaped(statistic),
        p_value=shaped(p_value),
        method=str(method[0]) if uniform else shaped(method),
        estimable=shaped(estimable),
        reason=shaped(reason),
        extra={name: shaped(values) for name, values in extra.items()},
    )


def _choose_methods(
    use_exact: np.ndarray, obstacles: dict[str, np.ndarray], exact, correct: bool, large: str
) -> np.ndarray:
    """R's method per study: exact where asked or allowed and nothing stands in the way, else the
    normal approximation, saying why exact was not used."""
    blocked = np.zeros_like(use_exact)
    for present in obstacles.values():
        blocked |= present
    methods = np.full(use_exact.shape, _approximation_label(correct), dtype=object)
    methods[use_exact & ~blocked] = "exact"
    for row in np.flatnonzero(use_exact & blocked):
        names = [name for name, present in obstacles.items() if present[row]]
        methods[row] += "; exact test not possible with " + " and ".join(names)
    if exact is None:
        methods[~use_exact] += "; " + large
    return methods


def _scipy_by_method(methods: np.ndarray, usable: np.ndarray, call) -> tuple:
    """Statistic and p-value per study from one SciPy call per method ("exact" or
    "asymptotic"); NaN where ``usable`` is False (not estimable)."""
    statistic = np.full(methods.shape, math.nan)
    p_value = np.full(methods.shape, math.nan)
    is_exact = methods == "exact"
    for rows, scipy_method in ((usable & is_exact, "exact"), (usable & ~is_exact, "asymptotic")):
        if rows.any():
            outcome = call(rows, scipy_method)
            statistic[rows], p_value[rows] = outcome.statistic, outcome.pvalue
    return statistic, p_value


def _positive_rank_sums(differences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: R's V (the sum of the average-tie ranks of |d| over d > 0, zeros dropped) and
    the number of non-zero differences."""
    n_zero = (differences == 0).sum(axis=1)
    # Zeros take the lowest ranks 1..n_zero, so a non-zero difference's rank among the non-zero
    # ones is its rank among all minus n_zero.
    ranks = rankdata(np.abs(differences), axis=1) - n_zero[:, None]
    return np.where(differences > 0, ranks, 0.0).sum(axis=1), differences.shape[1] - n_zero


def _rank_biserial(positive_rank_sum: np.ndarray, n_nonzero: np.ndarray) -> np.ndarray:
    """(T+ - T-)/(T+ + T-) = 2V/(n(n+1)/2) - 1; 0 without a non-zero difference (no lean)."""
    rank_total = n_nonzero * (n_nonzero + 1) / 2
    share = np.divide(
        positive_rank_sum, rank_total, out=np.full(rank_total.shape, 0.5), where=rank_total > 0
    )
    return 2 * share - 1


def _batch_shape(values: np.ndarray, axis: int) -> tuple:
    return tuple(np.delete(np.asarray(values.shape), axis % values.ndim))


def paired_rank_biserial(post, pre, *, axis=-1):
    """Kerby's matched-pairs rank-biserial correlation of post versus pre along ``axis``, alone
    (no test): the statistic a bootstrap of many resampled studies needs. Input free of NaN;
    0 where every difference is zero."""
    post = np.asarray(post, dtype=float)
    differences = _as_rows(post, axis) - _as_rows(pre, axis)
    return _rank_biserial(*_positive_rank_sums(differences)).reshape(_batch_shape(post, axis))[()]


def rank_sum_share(x, y, *, axis=-1):
    """W / (n_x n_y) = P(X > Y) + P(X = Y)/2 along ``axis``, alone (no test): the common-language
    effect size a bootstrap needs. Input free of NaN."""
    x = np.asarray(x, dtype=float)
    x_rows, y_rows = _as_rows(x, axis), _as_rows(y, axis)
    n_x, n_y = x_rows.shape[1], y_rows.shape[1]
    ranks = rankdata(np.concatenate([x_rows, y_rows], axis=1), axis=1)[:, :n_x]
    share = (ranks.sum(axis=1) - n_x * (n_x + 1) / 2) / (n_x * n_y)
    return share.reshape(_batch_shape(x, axis))[()]


def wilcoxon_signed_rank(post, pre, *, exact=None, correct=True, axis=-1) -> StatResult:
    """Paired Wilcoxon signed-rank test of post versus pre, as R's
    ``wilcox.test(post, pre, paired = TRUE, exact = exact, correct = correct)``, over
    ``scipy.stats.wilcoxon(zero_method="wilcox")``.

    Method: pairs with a missing value on either side are dropped (1-D input); d = post - pre;
    zero differences are dropped (Wilcoxon's convention, as R); the statistic is R's V, the sum
    of the average-tie ranks of |d| over d > 0. ``exact=None`` means R's rule: exact when fewer
    than 50 non-zero differences. The exact p-value is used only when there are neither ties
    among |d| nor zero differences; otherwise the normal approximation with tie-corrected
    variance and, if ``correct``, a continuity correction of 0.5 towards the mean.

    Assumptions: paired observations, differences symmetric about their median under H0.

    ``extra``: n_pairs, n_nonzero, n_zero, median_difference (over all complete pairs) and
    rank_biserial, Kerby's matched-pairs rank-biserial correlation (T+ - T-)/(T+ + T-) on the
    non-zero differences, positive when post tends to exceed pre (Kerby DS. Compr Psychol
    2014;3:11.IT.3.1). Not estimable with fewer than 2 complete pairs or when every difference
    is zero (R errors or returns NA there).

    N-D input tests along ``axis``; every field is then an array over the other axes, except
    ``method``: one string when all studies used the same method, else an array of strings.
    """
    post = np.asarray(post, dtype=float)
    pre = np.asarray(pre, dtype=float)
    if post.shape != pre.shape:
        raise ValueError("post and pre must have the same shape (one value per patient)")
    if post.ndim == 1:
        complete = ~(np.isnan(post) | np.isnan(pre))
        post, pre = post[complete], pre[complete]
    else:
        _require_complete(post, pre)
    batch_shape = _batch_shape(post, axis)
    differences = _as_rows(post, axis) - _as_rows(pre, axis)
    n_pairs = differences.shape[1]
    positive_rank_sum, n_nonzero = _positive_rank_sums(differences)
    n_zero = n_pairs - n_nonzero
    absolute = np.sort(np.abs(differences), axis=1)
    rank_biserial = _rank_biserial(positive_rank_sum, n_nonzero)
    reason = np.full(differences.shape[0], "", dtype=object)
    reason[n_nonzero == 0] = "all differences are zero"
    if n_pairs < 2:
        reason[:] = "fewer than 2 complete pairs"
    usable = reason == ""
    use_exact = (
        (n_nonzero < EXACT_SAMPLE_SIZE_LIMIT)
        if exact is None
        else np.full_like(usable, bool(exact))
    )
    methods = _choose_methods(
        use_exact,
        {"ties": _has_ties(absolute, ignore_zero=True), "zero differences": n_zero > 0},
        exact,
        correct,
        f"n_nonzero >= {EXACT_SAMPLE_SIZE_LIMIT}",
    )
    _, p_value = _scipy_by_method(
        methods,
        usable,
        lambda rows, method: wilcoxon(
            differences[rows], zero_method="wilcox", correction=correct, method=method, axis=1
        ),
    )
    methods[~usable] = NOT_ESTIMABLE
    median_difference = (
        np.median(differences, axis=1) if n_pairs else np.full(differences.shape[0], math.nan)
    )
    return _batch_result(
        batch_shape,
        np.where(usable, positive_rank_sum, math.nan),
        p_value,
        methods,
        reason,
        {
            "n_pairs": np.full(differences.shape[0], n_pairs),
            "n_nonzero": n_nonzero,
            "n_zero": n_zero,
            "median_difference": median_difference,
            "rank_biserial": np.where(usable, rank_biserial, math.nan),
        },
    )


def mann_whitney_u(x, y, *, exact=None, correct=True, axis=-1) -> StatResult:
    """Mann-Whitney U / Wilcoxon rank-sum test of x versus y, as R's
    ``wilcox.test(x, y, exact = exact, correct = correct)``, over ``scipy.stats.mannwhitneyu``.

    Method: missing values are dropped from each group (1-D input); the statistic is R's W, the
    number of pairs with x > y plus half the tied pairs (SciPy's U of x). ``exact=None`` means
    R's rule: exact when both groups have fewer than 50 values; the exact p-value is used only
    without ties in the pooled sample, otherwise the normal approximation with tie-corrected
    variance and, if ``correct``, a continuity correction.

    Assumptions: independent groups; under H0 both come from the same distribution.

    ``extra``: n_x, n_y and rank_biserial = 2W/(n_x n_y) - 1 = P(X > Y) - P(X < Y) (ties count
    half), positive when x tends to exceed y. Not estimable when a group has no non-missing
    value (R stops with "not enough observations") or when all values are identical (R returns
    p = NA: the variance is zero).

    N-D input tests along ``axis`` (the other axes of x and y must agree); fields are then
    arrays over the batch, ``method`` one string when uniform, else an array of strings.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 1 and y.ndim == 1:
        x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    else:
        _require_complete(x, y)
    batch_shape = _batch_shape(x, axis)
    x_rows, y_rows = _as_rows(x, axis), _as_rows(y, axis)
    if x_rows.shape[0] != y_rows.shape[0]:
        raise ValueError("x and y must have the same shape apart from the tested axis")
    n_x, n_y = x_rows.shape[1], y_rows.shape[1]
    batch = x_rows.shape[0]
    pooled = np.sort(np.concatenate([x_rows, y_rows], axis=1), axis=1)
    reason = np.full(batch, "", dtype=object)
    if n_x < 1 or n_y < 1:
        reason[:] = "a group has no non-missing values"
    else:
        reason[pooled[:, 0] == pooled[:, -1]] = "all values are identical in both groups"
    usable = reason == ""
    allowed = n_x < EXACT_SAMPLE_SIZE_LIMIT and n_y < EXACT_SAMPLE_SIZE_LIMIT
    methods = _choose_methods(
        np.full(batch, allowed if exact is None else bool(exact)),
        {"ties": _has_ties(pooled) if n_x + n_y > 1 else np.zeros(batch, bool)},
        exact,
        correct,
        f"a group has >= {EXACT_SAMPLE_SIZE_LIMIT} values",
    )
    statistic, p_value = _scipy_by_method(
        methods,
        usable,
        lambda rows, method: mannwhitneyu(
            x_rows[rows], y_rows[rows], use_continuity=correct, method=method, axis=1
        ),
    )
    methods[~usable] = NOT_ESTIMABLE
    return _batch_result(
        batch_shape,
        statistic,
        p_value,
        methods,
        reason,
        {
            "n_x": np.full(batch, n_x),
            "n_y": np.full(batch, n_y),
            # NaN where not estimable, since the statistic is NaN there.
            "rank_biserial": 2 * statistic / max(n_x * n_y, 1) - 1,
        },
    )


# R's wilcox.test(tol.root = 1e-4): the tolerance of the root-finding behind the asymptotic
# Hodges-Lehmann estimate and interval.
ROOT_TOLERANCE = 1e-4
ROOT_MAX_ITERATIONS = 1000


def _brent_root(function, lower, upper, f_lower, f_upper, tolerance):
    """A root of ``function`` in [lower, upper] by Brent's method, as R's ``uniroot``.

    Written here, not taken from scipy.optimize.brentq: the signed-rank statistic is a step
    function of the location, so its "root" is wherever the iteration stops near a jump, and only
    the same sequence of steps as R's (Brent 1973 with R's stopping rule, tolerance
    2 eps |b| + tol / 2) lands on R's value. Reference: Brent RP. Algorithms for Minimization
    without Derivatives. Prentice-Hall 1973, chapter 4.
    """
    if f_lower == 0:
        return lower
    if f_upper == 0:
        return upper
    # best: the current estimate; previous: the one before; opposite: a point whose value has
    # the sign opposite to best's, so the root stays bracketed between best and opposite.
    previous, f_previous = lower, f_lower
    best, f_best = upper, f_upper
    opposite, f_opposite = previous, f_previous
    epsilon = np.finfo(float).eps
    for _ in range(ROOT_MAX_ITERATIONS + 1):
        previous_step = best - previous
        if abs(f_opposite) < abs(f_best):
            previous, best, opposite = best, opposite, best
            f_previous, f_best, f_opposite = f_best, f_opposite, f_best
        tolerance_now = 2 * epsilon * abs(best) + tolerance / 2
        step = (opposite - best) / 2
        if abs(step) <= tolerance_now or f_best == 0:
            return best
        if abs(previous_step) >= tolerance_now and abs(f_previous) > abs(f_best):
            to_opposite = opposite - best
            if previous == opposite:
                # Two distinct points only: the secant step.
                ratio = f_best / f_previous
                numerator = to_opposite * ratio
                denominator = 1.0 - ratio
            else:
                # Inverse quadratic interpolation through the three points.
                q = f_previous / f_opposite
                r = f_best / f_opposite
                s = f_best / f_previous
                numerator = s * (to_opposite * q * (q - r) - (best - previous) * (r - 1.0))
                denominator = (q - 1.0) * (r - 1.0) * (s - 1.0)
            if numerator > 0:
                denominator = -denominator
            else:
                numerator = -numerator
            if numerator < (
                0.75 * to_opposite * denominator - abs(tolerance_now * denominator) / 2
            ) and numerator < abs(previous_step * denominator / 2):
                step = numerator / denominator
        if abs(step) < tolerance_now:
            step = tolerance_now if step > 0 else -tolerance_now
        previous, f_previous = best, f_best
        best += step
        f_best = function(best)
        if (f_best > 0 and f_opposite > 0) or (f_best < 0 and f_opposite < 0):
            opposite, f_opposite = previous, f_previous
    return best


def _signed_rank_z(differences: np.ndarray, location: float, correct: bool) -> float:
    """Standardised signed-rank statistic of ``differences - location`` (zeros dropped), with
    tie-corrected variance and optional continuity correction: R's function W in wilcox.test.
    NaN when no difference is left (the variance is then 0)."""
    shifted = differences - location
    shifted = shifted[shifted != 0]
    n = shifted.size
    if n == 0:
        return math.nan
    ranks = rankdata(np.abs(shifted))
    centred = float(ranks[shifted > 0].sum()) - n * (n + 1) / 4
    tie_sizes = _tie_sizes(ranks)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(tie_sizes**3 - tie_sizes)) / 48)
    if sigma == 0:
        return math.nan
    correction = 0.5 * float(np.sign(centred)) if correct else 0.0
    return (centred - correction) / sigma


def _exact_hodges_lehmann(nonzero: np.ndarray, conf_level: float) -> dict:
    n = nonzero.size
    walsh = np.sort(np.add.outer(nonzero, nonzero)[np.triu_indices(n)]) / 2
    counts = _signed_rank_counts(n)
    total = 2**n
    alpha = 1 - conf_level
    # R's qsignrank(alpha / 2, n): the smallest q with P(V <= q) >= alpha / 2 (up to 10 eps).
    cumulative = np.cumsum(counts) / total
    lower_rank = int(np.searchsorted(cumulative, alpha / 2 - 10 * np.finfo(float).eps))
    lower_rank = max(lower_rank, 1)
    upper_rank = n * (n + 1) // 2 - lower_rank
    achieved_alpha = 2 * sum(counts[:lower_rank]) / total
    achieved_level = conf_level
    if achieved_alpha - alpha > alpha / 2:
        achieved_level = 1 - float(f"{achieved_alpha:.2g}")
    return {
        "estimate": float(np.median(walsh)),
        "ci_low": float(walsh[lower_rank - 1]),
        "ci_high": float(walsh[upper_rank]),
        "conf_level": achieved_level,
    }


def _asymptotic_hodges_lehmann(nonzero: np.ndarray, conf_level: float, correct: bool) -> dict:
    low_end, high_end = float(nonzero.min()), float(nonzero.max())
    z_low_end = _signed_rank_z(nonzero, low_end, correct)
    z_high_end = _signed_rank_z(nonzero, high_end, correct)
    if math.isnan(z_low_end) or math.isnan(z_high_end):
        # Every non-zero difference is the same value: R gives that value and no interval.
        return {
            "estimate": (low_end + high_end) / 2,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "conf_level": math.nan,
            "reason": "every non-zero difference is the same: no interval",
        }
    alpha = 1 - conf_level
    # As R: double alpha until the statistic at both ends brackets its normal quantile.
    while z_low_end < -ndtri(alpha / 2) or z_high_end > ndtri(alpha / 2):
        alpha *= 2
    achieved_level = conf_level
    if alpha >= 1 or 1 - conf_level < alpha * 0.75:
        achieved_level = 1 - min(1.0, alpha)

    def bound(quantile: float) -> float:
        return _brent_root(
            lambda location: _signed_rank_z(nonzero, location, correct) - quantile,
            low_end,
            high_end,
            z_low_end - quantile,
            z_high_end - quantile,
            ROOT_TOLERANCE,
        )

    if alpha < 1:
        ci_low = bound(-float(ndtri(alpha / 2)))
        ci_high = bound(float(ndtri(alpha / 2)))
    else:
        ci_low = ci_high = float(np.median(nonzero))
    # R computes the estimate without the continuity correction.
    estimate = _brent_root(
        lambda location: _signed_rank_z(nonzero, location, False),
        low_end,
        high_end,
        _signed_rank_z(nonzero, low_end, False),
        _signed_rank_z(nonzero, high_end, False),
        ROOT_TOLERANCE,
    )
    return {
        "estimate": estimate,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "conf_level": achieved_level,
    }


def hodges_lehmann_signed_rank(
    differences, *, conf_level: float = 0.95, exact: bool | None = None, correct: bool = True
) -> StatResult:
    """Hodges-Lehmann estimate of the location of paired differences (the pseudo-median) with
    its confidence interval, as R's ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)``
    (``differences`` = post - pre, or any other paired difference such as a log ratio).

    Method: missing and zero differences are dropped (as the test). When R's exact test applies
    (``exact`` None: fewer than 50 differences; and no ties, no zeros) the estimate is the median
    of the Walsh averages (d_i + d_j)/2, i <= j, and the interval runs between the Walsh averages
    at the ranks given by the exact signed-rank distribution. Otherwise the estimate and the
    limits are the locations where the standardised signed-rank statistic (tie-corrected
    variance; continuity correction for the limits if ``correct``, never for the estimate)
    crosses 0 and the normal quantiles, found by Brent's root-finding with R's tolerance 1e-4,
    so they lie within about 1e-4 of a Walsh average. When the requested level cannot be reached
    (few differences) the interval is at the level achieved, which ``conf_level`` reports, as R.

    Assumptions: the differences are independent and symmetric about their location.

    Reference: Hollander M, Wolfe DA, Chicken E. Nonparametric Statistical Methods, 3rd ed.
    Wiley 2014, section 3.2; Bauer DF. J Am Stat Assoc 1972;67:687-690.

    Returns estimate, ci_low, ci_high, conf_level (achieved) and method ("exact" or "normal
    approximation[, continuity correction]"), with n_nonzero in ``extra``. Not estimable
    without a non-zero difference; the interval alone is missing (with the reason) when every
    non-zero difference is the same value.
    """
    differences = np.asarray(differences, dtype=float)
    differences = differences[~np.isnan(differences)]
    nonzero = differences[differences != 0]
    if nonzero.size == 0:
        return StatResult.not_estimable("no non-zero difference", n_nonzero=0)
    n = nonzero.size
    has_ties = np.unique(np.abs(nonzero)).size != n
    has_zeros = nonzero.size != differences.size
    use_exact = (n < EXACT_SAMPLE_SIZE_LIMIT) if exact is None else bool(exact)
    if use_exact and not has_ties and not has_zeros:
        location, method = _exact_hodges_lehmann(nonzero, conf_level), "exact"
    else:
        location = _asymptotic_hodges_lehmann(nonzero, conf_level, correct)
        method = _approximation_label(correct)
    return StatResult(method=method, extra={"n_nonzero": n}, **location)
