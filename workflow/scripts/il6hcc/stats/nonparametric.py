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

from il6hcc.stats.distributions import average_ranks, normal_cdf, normal_sf

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
