"""Wilcoxon signed-rank and Mann-Whitney tests as R's ``wilcox.test`` over SciPy's ``wilcoxon``
and ``mannwhitneyu``, and the Hodges-Lehmann estimate.

This module holds R's policy, which SciPy's defaults do not follow: with ``exact`` None, exact
below 50 observations (per group for the rank-sum test) and only without ties or zeros, else the
normal approximation with tie correction and, if ``correct``, continuity correction; zeros and
incomplete pairs dropped; degenerate cases R refuses; the method string the report prints.
N-D input (complete) is tested along ``axis``, one SciPy call per method; fields are then arrays
over the other axes, ``method`` one string when uniform.

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
# R's wilcox.test(tol.root = 1e-4), and uniroot's iteration limit, for the asymptotic
# Hodges-Lehmann estimate and interval.
ROOT_TOLERANCE = 1e-4
ROOT_MAX_ITERATIONS = 1000
EPSILON = np.finfo(float).eps


def _signed_rank_counts(n: int) -> list[int]:
    """Number of subsets of {1..n} with each sum 0..n(n+1)/2: coefficients of prod (1 + q^i)."""
    counts = [1] + [0] * (n * (n + 1) // 2)
    for i in range(1, n + 1):
        for total in range(i * (i + 1) // 2, i - 1, -1):
            counts[total] += counts[total - i]
    return counts


def _approximation_label(correct: bool) -> str:
    return "normal approximation, continuity correction" if correct else "normal approximation"


def _as_rows(values, axis: int) -> tuple[np.ndarray, tuple]:
    """``values`` as 2-D float rows (the tested axis last, one row per study), and the shape of
    the batch (the other axes)."""
    values = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    return values.reshape(math.prod(values.shape[:-1]), values.shape[-1]), values.shape[:-1]


def _require_complete(*arrays: np.ndarray) -> None:
    if any(np.isnan(array).any() for array in arrays):
        raise ValueError(
            "batched input must not contain NaN: drop incomplete observations per study first "
            "(only 1-D input drops them here, as R does)"
        )


def _methods(exact, correct: bool, obstacles: dict, small, large: str) -> np.ndarray:
    """R's method per study: exact where ``exact`` is true or, with ``exact`` None, where
    ``small`` (else the approximation notes ``large``), unless one of the named ``obstacles``
    (masks) is present, when the approximation says which."""
    blocked = np.logical_or.reduce(list(obstacles.values()))
    use_exact = np.broadcast_to(small if exact is None else bool(exact), blocked.shape)
    methods = np.full(blocked.shape, _approximation_label(correct), dtype=object)
    methods[use_exact & ~blocked] = "exact"
    for row in np.flatnonzero(use_exact & blocked):
        names = [name for name, present in obstacles.items() if present[row]]
        methods[row] += "; exact test not possible with " + " and ".join(names)
    if exact is None:
        methods[~use_exact] += "; " + large
    return methods


def _rank_test(test, batch_shape: tuple, methods: np.ndarray, reason: np.ndarray, extra: dict):
    """The statistic R prints and SciPy's p-value from one ``test(rows, scipy_method)`` per
    method, NaN where ``reason`` says not estimable; plain Python scalars for a single study."""
    usable = reason == ""
    statistic, p_value = np.full(reason.shape, math.nan), np.full(reason.shape, math.nan)
    is_exact = methods == "exact"
    for rows, scipy_method in ((usable & is_exact, "exact"), (usable & ~is_exact, "asymptotic")):
        if rows.any():
            statistic[rows], p_value[rows] = test(rows, scipy_method)
    methods[~usable] = NOT_ESTIMABLE

    def shaped(values: np.ndarray):
        values = np.asarray(values).reshape(batch_shape)
        return values.item() if batch_shape == () else values

    return StatResult(
        statistic=shaped(statistic),
        p_value=shaped(p_value),
        method=str(methods[0]) if np.unique(methods).size == 1 else shaped(methods),
        estimable=shaped(usable),
        reason=shaped(reason),
        extra={name: shaped(values) for name, values in extra.items()},
    )


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


def paired_rank_biserial(post, pre, *, axis=-1):
    """Kerby's matched-pairs rank-biserial correlation along ``axis``, without the test (for a
    bootstrap); complete input; 0 where every difference is zero."""
    (post, batch_shape), (pre, _) = _as_rows(post, axis), _as_rows(pre, axis)
    return _rank_biserial(*_positive_rank_sums(post - pre)).reshape(batch_shape)[()]


def rank_sum_share(x, y, *, axis=-1):
    """W / (n_x n_y) = P(X > Y) + P(X = Y)/2 along ``axis``, without the test (for a
    bootstrap); complete input."""
    (x_rows, batch_shape), (y_rows, _) = _as_rows(x, axis), _as_rows(y, axis)
    n_x, n_y = x_rows.shape[1], y_rows.shape[1]
    ranks = rankdata(np.concatenate([x_rows, y_rows], axis=1), axis=1)[:, :n_x]
    return ((ranks.sum(axis=1) - n_x * (n_x + 1) / 2) / (n_x * n_y)).reshape(batch_shape)[()]


def wilcoxon_signed_rank(post, pre, *, exact=None, correct=True, axis=-1) -> StatResult:
    """Paired Wilcoxon signed-rank test of post versus pre, as R's ``wilcox.test(post, pre, paired =
    TRUE, exact, correct)``, over ``scipy.stats.wilcoxon(zero_method="wilcox")``; the statistic is
    R's V, the rank sum of the positive differences. Assumes differences symmetric about their
    median under H0. ``extra``: n_pairs, n_nonzero, n_zero, median_difference and rank_biserial,
    Kerby's (T+ - T-)/(T+ + T-) (Compr Psychol 2014;3:11.IT.3.1), positive when post exceeds pre.
    Not estimable with fewer than 2 complete pairs or all differences zero (R errors or gives
    NA)."""
    post, pre = np.asarray(post, dtype=float), np.asarray(pre, dtype=float)
    if post.shape != pre.shape:
        raise ValueError("post and pre must have the same shape (one value per patient)")
    if post.ndim == 1:
        complete = ~(np.isnan(post) | np.isnan(pre))
        post, pre = post[complete], pre[complete]
    _require_complete(post, pre)
    (post, batch_shape), (pre, _) = _as_rows(post, axis), _as_rows(pre, axis)
    differences = post - pre
    n_pairs = differences.shape[1]
    positive_rank_sum, n_nonzero = _positive_rank_sums(differences)
    reason = np.where(n_nonzero == 0, "all differences are zero", "").astype(object)
    if n_pairs < 2:
        reason[:] = "fewer than 2 complete pairs"
    usable = reason == ""
    absolute = np.sort(np.abs(differences), axis=1)
    ties = ((absolute[:, 1:] == absolute[:, :-1]) & (absolute[:, 1:] != 0)).any(axis=1)
    obstacles = {"ties": ties, "zero differences": n_pairs > n_nonzero}
    extra = {
        "n_pairs": np.full(reason.shape, n_pairs),
        "n_nonzero": n_nonzero,
        "n_zero": n_pairs - n_nonzero,
        "median_difference": (
            np.median(differences, axis=1) if n_pairs else np.full(reason.shape, math.nan)
        ),
        "rank_biserial": np.where(usable, _rank_biserial(positive_rank_sum, n_nonzero), math.nan),
    }

    def test(rows, method):
        p_value = wilcoxon(
            differences[rows], zero_method="wilcox", correction=correct, method=method, axis=1
        ).pvalue
        return positive_rank_sum[rows], p_value

    small = n_nonzero < EXACT_SAMPLE_SIZE_LIMIT
    methods = _methods(exact, correct, obstacles, small, f"n_nonzero >= {EXACT_SAMPLE_SIZE_LIMIT}")
    return _rank_test(test, batch_shape, methods, reason, extra)


def mann_whitney_u(x, y, *, exact=None, correct=True, axis=-1) -> StatResult:
    """Mann-Whitney U / Wilcoxon rank-sum test of x versus y, as R's ``wilcox.test(x, y, exact,
    correct)``, over ``scipy.stats.mannwhitneyu``; missing values dropped (1-D input); the statistic
    is R's W (SciPy's U of x). Assumes independent groups, identically distributed under H0.
    ``extra``: n_x, n_y and rank_biserial = 2W/(n_x n_y) - 1 = P(X > Y) - P(X < Y), positive when x
    exceeds y. Not estimable when a group is empty (R stops) or all values are identical (R: p =
    NA)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim == 1 and y.ndim == 1:
        x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    _require_complete(x, y)
    (x_rows, batch_shape), (y_rows, _) = _as_rows(x, axis), _as_rows(y, axis)
    if x_rows.shape[0] != y_rows.shape[0]:
        raise ValueError("x and y must have the same shape apart from the tested axis")
    (batch, n_x), n_y = x_rows.shape, y_rows.shape[1]
    pooled = np.sort(np.concatenate([x_rows, y_rows], axis=1), axis=1)
    reason = np.full(batch, "", dtype=object)
    if n_x < 1 or n_y < 1:
        reason[:] = "a group has no non-missing values"
    else:
        reason[pooled[:, 0] == pooled[:, -1]] = "all values are identical in both groups"
    obstacles = {"ties": (pooled[:, 1:] == pooled[:, :-1]).any(axis=1)}
    small = n_x < EXACT_SAMPLE_SIZE_LIMIT and n_y < EXACT_SAMPLE_SIZE_LIMIT
    large = f"a group has >= {EXACT_SAMPLE_SIZE_LIMIT} values"
    methods = _methods(exact, correct, obstacles, small, large)

    def test(rows, method):
        return mannwhitneyu(
            x_rows[rows], y_rows[rows], use_continuity=correct, method=method, axis=1
        )

    extra = {"n_x": np.full(batch, n_x), "n_y": np.full(batch, n_y)}
    result = _rank_test(test, batch_shape, methods, reason, extra)
    # NaN where not estimable, since the statistic is NaN there.
    return result.with_extra(rank_biserial=2 * result.statistic / max(n_x * n_y, 1) - 1)


def _zeroin(function, a: float, b: float, fa: float, fb: float) -> float:
    """A root of ``function`` in [a, b] by Brent's method, step for step as R's ``uniroot``
    (zeroin.c, whose names this keeps: b the estimate, a the previous one, c the point that keeps
    the root bracketed; tolerance 2 eps |b| + tol / 2). Not scipy.optimize.brentq: the signed-rank
    statistic is a step function of the location, so its "root" is wherever the iteration stops near
    a jump, and only R's sequence of steps lands on R's value (brentq misses 20 R fixtures at
    1e-10). Brent RP. Algorithms for Minimization without Derivatives. Prentice-Hall 1973, chapter
    4."""
    if fa == 0 or fb == 0:
        return a if fa == 0 else b
    c, fc = a, fa
    for _ in range(ROOT_MAX_ITERATIONS + 1):
        previous_step = b - a
        if abs(fc) < abs(fb):
            a, b, c, fa, fb, fc = b, c, b, fb, fc, fb
        tolerance = 2 * EPSILON * abs(b) + ROOT_TOLERANCE / 2
        step = (c - b) / 2
        if abs(step) <= tolerance or fb == 0:
            return b
        if abs(previous_step) >= tolerance and abs(fa) > abs(fb):
            if a == c:
                # Two distinct points only: the secant step.
                t1 = fb / fa
                p, q = (c - b) * t1, 1.0 - t1
            else:
                # Inverse quadratic interpolation through the three points.
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * ((c - b) * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            p, q = (p, -q) if p > 0 else (-p, q)
            if p < 0.75 * (c - b) * q - abs(tolerance * q) / 2 and p < abs(previous_step * q / 2):
                step = p / q
        if abs(step) < tolerance:
            step = tolerance if step > 0 else -tolerance
        a, fa = b, fb
        b += step
        fb = function(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def _signed_rank_z(differences: np.ndarray, location: float, correct: bool) -> float:
    """Standardised signed-rank statistic of ``differences - location`` (zeros dropped), with
    tie-corrected variance and optional continuity correction: R's function W in wilcox.test.
    NaN when no difference is left (the variance is then 0)."""
    shifted = differences - location
    shifted = shifted[shifted != 0]
    n = shifted.size
    ranks = rankdata(np.abs(shifted))
    centred = float(ranks[shifted > 0].sum()) - n * (n + 1) / 4
    tie_sizes = np.unique(ranks, return_counts=True)[1].astype(float)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(tie_sizes**3 - tie_sizes)) / 48)
    if sigma == 0:
        return math.nan
    correction = 0.5 * float(np.sign(centred)) if correct else 0.0
    return (centred - correction) / sigma


def _asymptotic_hodges_lehmann(nonzero: np.ndarray, conf_level: float, correct: bool):
    """Where the standardised statistic crosses 0 (estimate, no continuity correction, as R)
    and the normal quantiles (limits), by R's root search; as R, alpha doubles until the
    statistic at both ends brackets its quantile, and the level achieved is reported."""
    low_end, high_end = float(nonzero.min()), float(nonzero.max())

    def root(quantile: float, correction: bool) -> float:
        def shifted(location: float) -> float:
            return _signed_rank_z(nonzero, location, correction) - quantile

        return _zeroin(shifted, low_end, high_end, shifted(low_end), shifted(high_end))

    z_low_end = _signed_rank_z(nonzero, low_end, correct)
    z_high_end = _signed_rank_z(nonzero, high_end, correct)
    method = _approximation_label(correct)
    if math.isnan(z_low_end) or math.isnan(z_high_end):
        # Every non-zero difference is the same value: R gives that value and no interval.
        reason = "every non-zero difference is the same: no interval"
        return StatResult(estimate=(low_end + high_end) / 2, method=method, reason=reason)
    alpha = 1 - conf_level
    while z_low_end < -ndtri(alpha / 2) or z_high_end > ndtri(alpha / 2):
        alpha *= 2
    if alpha >= 1 or 1 - conf_level < alpha * 0.75:
        conf_level = 1 - min(1.0, alpha)
    if alpha < 1:
        quantile = float(ndtri(alpha / 2))
        ci_low, ci_high = root(-quantile, correct), root(quantile, correct)
    else:
        ci_low = ci_high = float(np.median(nonzero))
    return StatResult(
        estimate=root(0.0, False),
        ci_low=ci_low,
        ci_high=ci_high,
        conf_level=conf_level,
        method=method,
    )


def hodges_lehmann_signed_rank(
    differences, *, conf_level: float = 0.95, exact: bool | None = None, correct: bool = True
) -> StatResult:
    """Hodges-Lehmann estimate (pseudo-median) of paired differences with its interval, as R's
    ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)`` (Hollander, Wolfe & Chicken
    2014, section 3.2; Bauer, JASA 1972;67:687-690), with R's rule for exact and R's root search
    otherwise. An unreachable level gives the achieved one in ``conf_level``. ``extra``:
    n_nonzero. Not estimable without a non-zero difference; no interval, with the reason, when
    every non-zero difference is the same."""
    differences = np.asarray(differences, dtype=float)
    differences = differences[~np.isnan(differences)]
    nonzero = differences[differences != 0]
    n = nonzero.size
    if n == 0:
        return StatResult.not_estimable("no non-zero difference", n_nonzero=0)
    use_exact = (n < EXACT_SAMPLE_SIZE_LIMIT) if exact is None else bool(exact)
    has_ties = np.unique(np.abs(nonzero)).size != n
    if not use_exact or has_ties or n < differences.size:
        return _asymptotic_hodges_lehmann(nonzero, conf_level, correct).with_extra(n_nonzero=n)
    # Exact: the median of the Walsh averages, the interval between those at R's exact signed-rank
    # quantile qsignrank(alpha / 2, n), the smallest q with P(V <= q) >= alpha / 2 (up to 10 eps).
    walsh = np.sort(np.add.outer(nonzero, nonzero)[np.triu_indices(n)]) / 2
    counts = _signed_rank_counts(n)
    alpha = 1 - conf_level
    cumulative = np.cumsum(counts) / 2**n
    lower_rank = max(int(np.searchsorted(cumulative, alpha / 2 - 10 * EPSILON)), 1)
    achieved_alpha = 2 * sum(counts[:lower_rank]) / 2**n
    if achieved_alpha - alpha > alpha / 2:
        conf_level = 1 - float(f"{achieved_alpha:.2g}")
    return StatResult(
        estimate=float(np.median(walsh)),
        ci_low=float(walsh[lower_rank - 1]),
        ci_high=float(walsh[n * (n + 1) // 2 - lower_rank]),
        conf_level=conf_level,
        method="exact",
        extra={"n_nonzero": n},
    )
