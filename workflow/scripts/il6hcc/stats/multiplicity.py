"""Adjustment of p-values for multiple comparisons as R's ``stats::p.adjust``, over
``statsmodels.stats.multitest.multipletests``; this module adds R's handling of missing values.

References: Holm S. Scand J Stat 1979;6:65-70; Benjamini Y, Hochberg Y. J R Stat Soc B
1995;57:289-300; R Core Team, ``stats::p.adjust``.
"""

from __future__ import annotations

import numpy as np

# R's method names, and statsmodels' name of each ("none" leaves the p-values as they are).
P_ADJUST_METHODS = {"holm": "holm", "BH": "fdr_bh", "bonferroni": "bonferroni", "none": None}


def p_adjust(p_values, method: str = "holm") -> np.ndarray:
    """Adjusted p-values as R's ``p.adjust(p, method)`` ("holm": family-wise error under any
    dependence; "BH": false discovery rate; "bonferroni"; "none"), same length and order.
    Missing values stay NaN and are not counted as tests, as R does with NA.
    """
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"method must be one of {tuple(P_ADJUST_METHODS)}, got {method!r}")
    p = np.array([np.nan if v is None else v for v in np.ravel(p_values)], dtype=float)
    present = ~np.isnan(p)
    if np.any((p[present] < 0) | (p[present] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = p.copy()
    if present.any() and P_ADJUST_METHODS[method] is not None:
        # Imported here: every job that reads a result table imports this module (through
        # il6hcc.tables), and statsmodels takes about 1.8 s to import.
        from statsmodels.stats.multitest import multipletests

        adjusted[present] = multipletests(p[present], method=P_ADJUST_METHODS[method])[1]
    return adjusted


def p_adjust_batch(p_values, method: str = "holm", axis: int = -1) -> np.ndarray:
    """:func:`p_adjust` within every family along ``axis`` of an array of many families (the
    markers of each of thousands of simulated studies), missing values as there.

    Written out rather than one ``multipletests`` call per family: statsmodels' Holm runs
    ``gc.collect()`` on every call (statsmodels 0.15.0), about 40 ms in a job holding pandas,
    which made one planning chunk of 500 studies spend 95 s of CPU on it. The formulas are R's
    ``p.adjust``: with the family's m present p-values sorted ascending, Holm takes the running
    maximum of (m - i + 1) p_(i), BH the running minimum from the largest of m / i p_(i),
    Bonferroni m p; each capped at 1. The tests check it family by family against p_adjust.
    """
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"method must be one of {tuple(P_ADJUST_METHODS)}, got {method!r}")
    p = np.moveaxis(np.asarray(p_values, dtype=float), axis, -1)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    missing = np.isnan(p)
    # Ascending, missing values last (argsort puts NaN at the end).
    order = np.argsort(p, axis=-1, kind="stable")
    ordered = np.take_along_axis(p, order, axis=-1)
    present = np.count_nonzero(~missing, axis=-1, keepdims=True)
    rank = np.arange(1, p.shape[-1] + 1)
    if method == "holm":
        scaled = np.fmax.accumulate((present - rank + 1) * ordered, axis=-1)
    elif method == "BH":
        scaled = np.fmin.accumulate((present / rank * ordered)[..., ::-1], axis=-1)[..., ::-1]
    elif method == "bonferroni":
        scaled = present * ordered
    else:
        scaled = ordered
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, np.minimum(scaled, 1.0), axis=-1)
    adjusted[missing] = np.nan
    return np.moveaxis(adjusted, -1, axis)
