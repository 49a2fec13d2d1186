"""Adjustment of p-values for multiple comparisons, reproducing R's ``stats::p.adjust``.

References: Holm S. Scand J Stat 1979;6:65-70; Benjamini Y, Hochberg Y. J R Stat Soc B
1995;57:289-300; R Core Team, ``stats::p.adjust``.
"""

from __future__ import annotations

import numpy as np

P_ADJUST_METHODS = ("holm", "BH", "bonferroni", "none")


def p_adjust(p_values, method: str = "holm") -> np.ndarray:
    """Adjusted p-values as R's ``p.adjust(p, method)``.

    Methods: "holm" (step-down, controls the family-wise error rate under any dependence),
    "BH" (Benjamini-Hochberg step-up, controls the false discovery rate for independent or
    positively dependent tests), "bonferroni", "none". Missing values (NaN/None) stay NaN and
    are not counted in the number of tests, as R does with NA. Ties keep R's stable ordering,
    so tied p-values receive identical adjusted values. Adjusted values are capped at 1.

    Returns a float array of the same length and order as ``p_values``.
    """
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"method must be one of {P_ADJUST_METHODS}, got {method!r}")
    p = np.array([np.nan if v is None else v for v in np.ravel(p_values)], dtype=float)
    present = ~np.isnan(p)
    if np.any((p[present] < 0) | (p[present] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    observed = p[present]
    n_tests = observed.size
    adjusted = np.full(p.shape, np.nan)
    if n_tests == 0 or method == "none":
        adjusted[present] = observed
        return adjusted
    if method == "bonferroni":
        adjusted[present] = np.minimum(1.0, n_tests * observed)
        return adjusted

    if method == "holm":
        order = np.argsort(observed, kind="stable")
        multipliers = n_tests - np.arange(n_tests)
        stepped = np.maximum.accumulate(multipliers * observed[order])
    else:
        order = np.argsort(-observed, kind="stable")
        multipliers = n_tests / np.arange(n_tests, 0, -1)
        stepped = np.minimum.accumulate(multipliers * observed[order])
    in_input_order = np.empty(n_tests)
    in_input_order[order] = np.minimum(1.0, stepped)
    adjusted[present] = in_input_order
    return adjusted
