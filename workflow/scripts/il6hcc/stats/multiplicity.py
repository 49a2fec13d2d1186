"""Adjustment of p-values for multiple comparisons as R's ``stats::p.adjust``, over
``statsmodels.stats.multitest.multipletests``; this module adds R's handling of missing values.

References: Holm S. Scand J Stat 1979;6:65-70; Benjamini Y, Hochberg Y. J R Stat Soc B
1995;57:289-300; R Core Team, ``stats::p.adjust``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

# R's method names, and statsmodels' name of each ("none" leaves the p-values as they are).
P_ADJUST_METHODS = {"holm": "holm", "BH": "fdr_bh", "bonferroni": "bonferroni", "none": None}


def p_adjust(p_values, method: str = "holm") -> np.ndarray:
    """Adjusted p-values as R's ``p.adjust(p, method)`` ("holm", "BH", "bonferroni", "none"),
    same order; missing values stay NaN and are not counted as tests, as R's NA."""
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"method must be one of {tuple(P_ADJUST_METHODS)}, got {method!r}")
    p = np.array([np.nan if v is None else v for v in np.ravel(p_values)], dtype=float)
    present = ~np.isnan(p)
    if np.any((p[present] < 0) | (p[present] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = p.copy()
    if present.any() and P_ADJUST_METHODS[method] is not None:
        # Imported here: every job reading a result table imports this module (il6hcc.tables),
        # and statsmodels takes about 1.8 s to import.
        from statsmodels.stats.multitest import multipletests

        with frozen_heap():
            adjusted[present] = multipletests(p[present], method=P_ADJUST_METHODS[method])[1]
    return adjusted


def p_adjust_batch(p_values, method: str = "holm", axis: int = -1) -> np.ndarray:
    """:func:`p_adjust` within every family along ``axis`` (the markers of each of thousands of
    simulated studies)."""
    p = np.moveaxis(np.asarray(p_values, dtype=float), axis, -1)
    adjusted = np.empty_like(p)
    for family in np.ndindex(p.shape[:-1]):
        adjusted[family] = p_adjust(p[family], method)
    return np.moveaxis(adjusted, -1, axis)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Every object alive now kept out of the garbage collector's collections while the block
    runs (``gc.freeze``, then ``gc.unfreeze``; nested, nothing more). statsmodels' Holm adjustment
    ends with ``gc.collect()``, which walks every tracked object: about 0.1 s per call in a job
    with pandas, scipy and statsmodels loaded, more in a long-lived process. Inside the block it
    walks only what the call creates; results are unchanged, cycles are collected later."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
