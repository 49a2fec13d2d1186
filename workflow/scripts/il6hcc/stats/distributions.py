"""The few distribution functions the statistics need, from scipy.special, plus average ranks.

Every rule job is a fresh Python process, and importing ``scipy.stats`` costs about 0.6 s of CPU
there (``scipy.special`` about 0.15 s), several times what most rules compute. ``scipy.stats``
evaluates these same special functions (``norm.cdf`` is ``ndtr``, ``norm.ppf`` is ``ndtri``,
``chi2.sf`` is ``chdtrc``, ``beta.ppf`` is Boost's inverse incomplete beta, as ``betaincinv``);
the wrappers below add its handling of arguments outside the support, so each returns the same
float as ``scipy.stats``, bit for bit (tests/test_stats_distributions.py checks that).

Reference: SciPy 1.17 ``scipy.stats`` (``norm``, ``chi2``, ``beta``, ``rankdata``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv, chdtrc, ndtr, ndtri


def normal_cdf(x):
    """P(Z <= x) for a standard normal Z, as ``scipy.stats.norm.cdf``."""
    return ndtr(x)


def normal_sf(x):
    """P(Z > x) for a standard normal Z, as ``scipy.stats.norm.sf`` (accurate in the tail)."""
    return ndtr(-np.asarray(x, dtype=float))[()]


def normal_quantile(q):
    """The q quantile of the standard normal, as ``scipy.stats.norm.ppf`` (NaN outside [0, 1])."""
    return ndtri(q)


def chi2_sf(x, df):
    """P(X > x) for X chi-squared with ``df`` degrees of freedom, as ``scipy.stats.chi2.sf``.

    1 for x <= 0 (a quadratic form that rounding made slightly negative), NaN for df <= 0.
    """
    x = np.asarray(x, dtype=float)
    df = np.asarray(df, dtype=float)
    return np.where(df > 0, chdtrc(df, np.maximum(x, 0.0)), np.nan)[()]


def beta_quantile(q, a, b):
    """The q quantile of the Beta(a, b) distribution, as ``scipy.stats.beta.ppf`` (a, b > 0)."""
    return betaincinv(a, b, q)


def average_ranks(values) -> np.ndarray:
    """Ranks 1..n of ``values`` (1-D, no NaN), ties sharing their mean rank, as R's ``rank`` and
    ``scipy.stats.rankdata``: a tie group at sorted positions i+1..j gets (i + 1 + j) / 2.
    """
    values = np.asarray(values)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts_group = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    group = np.cumsum(starts_group) - 1
    bounds = np.concatenate([np.flatnonzero(starts_group), [values.size]])
    ranks = np.empty(values.size, dtype=float)
    ranks[order] = 0.5 * (bounds[group] + bounds[group + 1] + 1)
    return ranks
