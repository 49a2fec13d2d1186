"""Wilcoxon signed-rank and Mann-Whitney (Wilcoxon rank-sum) tests reproducing R's ``wilcox.test``.

The exact null distributions are computed here from integer counts (generating functions), so
exact p-values are exact rationals rounded once to float, and agreement with R is under our
control. Normal approximations follow R 4.x exactly: tie-corrected variance and, by default, a
continuity correction of 0.5 towards the mean.

Reference: R Core Team, ``stats::wilcox.test`` (R >= 4.0); Hollander M, Wolfe DA, Chicken E.
Nonparametric Statistical Methods, 3rd ed. Wiley 2014, chapters 3 and 4.
"""

from __future__ import annotations

import math

import numpy as np

from il6hcc.stats.distributions import average_ranks, normal_cdf, normal_quantile, normal_sf

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


def _rank_sum_counts(n_x: int, n_y: int) -> list[int]:
    """Null counts of the Mann-Whitney W = 0..n_x*n_y: the Gaussian binomial [n_x+n_y, n_x]_q.

    Built as prod_{i=1..n_x} (1 - q^(n_y+i)) / (1 - q^i) with exact integer arithmetic; each
    division by (1 - q^i) is exact because the partial products are themselves polynomials.
    """
    degree = n_x * n_y
    counts = [1] + [0] * degree
    for i in range(1, n_x + 1):
        shift = n_y + i
        for total in range(degree, shift - 1, -1):
            counts[total] -= counts[total - shift]
        for total in range(i, degree + 1):
            counts[total] += counts[total - i]
    return counts


def _exact_two_sided(statistic: float, counts: list[int], centre: float) -> float:
    """R's two-sided exact p: 2 * the smaller tail at the observed statistic, capped at 1."""
    total = sum(counts)
    observed = round(statistic)
    if statistic > centre:
        tail = sum(counts[observed:])
    else:
        tail = sum(counts[: observed + 1])
    return min(1.0, 2 * tail / total)


def _normal_two_sided(z_numerator: float, sigma: float, correct: bool) -> float:
    correction = 0.5 * math.copysign(1.0, z_numerator) if (correct and z_numerator != 0) else 0.0
    z = (z_numerator - correction) / sigma
    return float(2 * min(normal_cdf(z), normal_sf(z)))


def _tie_sizes(values: np.ndarray) -> np.ndarray:
    _, sizes = np.unique(values, return_counts=True)
    return sizes.astype(float)


def _approximation_label(correct: bool) -> str:
    return "normal approximation, continuity correction" if correct else "normal approximation"


def wilcoxon_signed_rank(post, pre, *, exact: bool | None = None, correct: bool = True) -> dict:
    """Paired Wilcoxon signed-rank test of post versus pre, as R's
    ``wilcox.test(post, pre, paired = TRUE, exact = exact, correct = correct)``.

    Method: pairs with a missing value on either side are dropped; d = post - pre; zero
    differences are dropped (Wilcoxon's convention, as R); V is the sum of the average-tie ranks
    of |d| over d > 0. ``exact=None`` means R's rule: exact when fewer than 50 non-zero
    differences. The exact p-value (2 * smaller tail, capped at 1) is used only when there are
    neither ties among |d| nor zero differences; otherwise the normal approximation with
    tie-corrected variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48 and, if ``correct``, a continuity
    correction of 0.5 towards the mean.

    Assumptions: paired observations, differences symmetric about their median under H0.

    Effect size: ``rank_biserial`` is Kerby's matched-pairs rank-biserial correlation
    (T+ - T-)/(T+ + T-) on the non-zero differences; positive when post tends to exceed pre.
    Kerby DS. The simple difference formula. Compr Psychol 2014;3:11.IT.3.1.

    Returns a dict with n_pairs, n_nonzero, n_zero, statistic (V), p_value, method,
    rank_biserial, median_difference (over all complete pairs), estimable, reason. Not
    estimable with fewer than 2 complete pairs or when every difference is zero (R errors or
    returns NA there).
    """
    post = np.asarray(post, dtype=float)
    pre = np.asarray(pre, dtype=float)
    if post.shape != pre.shape:
        raise ValueError("post and pre must have the same length (one value per patient)")
    complete = ~(np.isnan(post) | np.isnan(pre))
    differences = post[complete] - pre[complete]
    nonzero = differences[differences != 0]
    result = {
        "n_pairs": int(differences.size),
        "n_nonzero": int(nonzero.size),
        "n_zero": int(differences.size - nonzero.size),
        "statistic": math.nan,
        "p_value": math.nan,
        "method": "not estimable",
        "rank_biserial": math.nan,
        "median_difference": float(np.median(differences)) if differences.size else math.nan,
        "estimable": False,
        "reason": "",
    }
    if differences.size < 2:
        result["reason"] = "fewer than 2 complete pairs"
        return result
    if nonzero.size == 0:
        result["reason"] = "all differences are zero"
        return result

    n = nonzero.size
    ranks = average_ranks(np.abs(nonzero))
    statistic = float(ranks[nonzero > 0].sum())
    negative_rank_sum = float(ranks[nonzero < 0].sum())
    has_ties = np.unique(ranks).size != n
    has_zeros = result["n_zero"] > 0
    use_exact = (n < EXACT_SAMPLE_SIZE_LIMIT) if exact is None else bool(exact)

    if use_exact and not has_ties and not has_zeros:
        p_value = _exact_two_sided(statistic, _signed_rank_counts(n), n * (n + 1) / 4)
        method = "exact"
    else:
        sigma = math.sqrt(
            n * (n + 1) * (2 * n + 1) / 24
            - float(np.sum(_tie_sizes(ranks) ** 3 - _tie_sizes(ranks))) / 48
        )
        p_value = _normal_two_sided(statistic - n * (n + 1) / 4, sigma, correct)
        method = _approximation_label(correct)
        if use_exact:
            obstacles = [
                name
                for name, present in (("ties", has_ties), ("zero differences", has_zeros))
                if present
            ]
            method += "; exact test not possible with " + " and ".join(obstacles)
        elif exact is None:
            method += f"; n_nonzero >= {EXACT_SAMPLE_SIZE_LIMIT}"

    result.update(
        statistic=statistic,
        p_value=p_value,
        method=method,
        rank_biserial=(statistic - negative_rank_sum) / (statistic + negative_rank_sum),
        estimable=True,
    )
    return result


def mann_whitney_u(x, y, *, exact: bool | None = None, correct: bool = True) -> dict:
    """Mann-Whitney U / Wilcoxon rank-sum test of x versus y, as R's
    ``wilcox.test(x, y, exact = exact, correct = correct)``.

    Method: missing values are dropped from each group; W = (rank sum of x in the pooled sample,
    average ranks for ties) - n_x(n_x + 1)/2, i.e. the number of pairs with x > y plus half the
    tied pairs. ``exact=None`` means R's rule: exact when both groups have fewer than 50 values;
    the exact p-value is used only without ties in the pooled sample, otherwise the normal
    approximation with tie-corrected variance and, if ``correct``, a continuity correction.

    Assumptions: independent groups; under H0 both come from the same distribution.

    Effect size: ``rank_biserial`` = 2W/(n_x n_y) - 1 = P(X > Y) - P(X < Y) (ties count half);
    positive when x tends to exceed y (Glass's / Kerby's rank-biserial correlation).

    Returns a dict with n_x, n_y, statistic (W), p_value, method, rank_biserial, estimable,
    reason. Not estimable when a group has no non-missing value (R stops with "not enough
    observations") or when all values are identical (R returns p = NA: the variance is zero).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    n_x, n_y = x.size, y.size
    result = {
        "n_x": int(n_x),
        "n_y": int(n_y),
        "statistic": math.nan,
        "p_value": math.nan,
        "method": "not estimable",
        "rank_biserial": math.nan,
        "estimable": False,
        "reason": "",
    }
    if n_x < 1 or n_y < 1:
        result["reason"] = "a group has no non-missing values"
        return result
    pooled = np.concatenate([x, y])
    if np.all(pooled == pooled[0]):
        result["reason"] = "all values are identical in both groups"
        return result

    ranks = average_ranks(pooled)
    statistic = float(ranks[:n_x].sum() - n_x * (n_x + 1) / 2)
    has_ties = np.unique(ranks).size != ranks.size
    use_exact = (
        (n_x < EXACT_SAMPLE_SIZE_LIMIT and n_y < EXACT_SAMPLE_SIZE_LIMIT)
        if exact is None
        else bool(exact)
    )
    if use_exact and not has_ties:
        p_value = _exact_two_sided(statistic, _rank_sum_counts(n_x, n_y), n_x * n_y / 2)
        method = "exact"
    else:
        n_total = n_x + n_y
        tie_sizes = _tie_sizes(ranks)
        sigma = math.sqrt(
            (n_x * n_y / 12)
            * ((n_total + 1) - float(np.sum(tie_sizes**3 - tie_sizes)) / (n_total * (n_total - 1)))
        )
        p_value = _normal_two_sided(statistic - n_x * n_y / 2, sigma, correct)
        method = _approximation_label(correct)
        if use_exact:
            method += "; exact test not possible with ties"
        elif exact is None:
            method += f"; a group has >= {EXACT_SAMPLE_SIZE_LIMIT} values"

    result.update(
        statistic=statistic,
        p_value=p_value,
        method=method,
        rank_biserial=2 * statistic / (n_x * n_y) - 1,
        estimable=True,
    )
    return result


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
    ranks = average_ranks(np.abs(shifted))
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
    while z_low_end < -normal_quantile(alpha / 2) or z_high_end > normal_quantile(alpha / 2):
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
        ci_low = bound(-float(normal_quantile(alpha / 2)))
        ci_high = bound(float(normal_quantile(alpha / 2)))
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
) -> dict:
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

    Returns a dict with n_nonzero, estimate, ci_low, ci_high, conf_level (achieved), method
    ("exact" or "normal approximation[, continuity correction]"), estimable, reason. Not
    estimable without a non-zero difference; the interval alone is missing (with the reason)
    when every non-zero difference is the same value.
    """
    differences = np.asarray(differences, dtype=float)
    differences = differences[~np.isnan(differences)]
    nonzero = differences[differences != 0]
    result = {
        "n_nonzero": int(nonzero.size),
        "estimate": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "conf_level": math.nan,
        "method": "not estimable",
        "estimable": False,
        "reason": "",
    }
    if nonzero.size == 0:
        result["reason"] = "no non-zero difference"
        return result
    n = nonzero.size
    has_ties = np.unique(np.abs(nonzero)).size != n
    has_zeros = nonzero.size != differences.size
    use_exact = (n < EXACT_SAMPLE_SIZE_LIMIT) if exact is None else bool(exact)
    if use_exact and not has_ties and not has_zeros:
        result.update(_exact_hodges_lehmann(nonzero, conf_level), method="exact")
    else:
        result.update(
            _asymptotic_hodges_lehmann(nonzero, conf_level, correct),
            method=_approximation_label(correct),
        )
    result["estimable"] = True
    return result
