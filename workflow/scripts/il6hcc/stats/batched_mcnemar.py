"""The exact McNemar test over a batch of studies, as ``il6hcc.stats.proportions.mcnemar_exact``.

Planning a study tests thousands of simulated studies at once. Conditional on the d discordant
pairs, the count of pairs where only test A is positive is Binomial(d, 1/2) under H0; the
two-sided p-value is min(1, 2 P(X <= min(b, c))), R's ``binom.test(b, b + c)$p.value``. The
one-study function sums exact integer binomial coefficients; here the binomial CDF of
``scipy.special.bdtr`` evaluates the same tail for every study in one call (the tests check
that both agree study by study).
"""

from __future__ import annotations

import numpy as np
from scipy.special import bdtr

from il6hcc.stats.result import StatResult


def mcnemar_exact_batch(test_a_positive, test_b_positive) -> StatResult:
    """Exact McNemar test of each study (row): A-only against B-only discordant pairs.

    Input: boolean arrays of equal shape, patients along the last axis, complete (no missing
    result). A study without discordant pairs is not estimable (R's binom.test stops).

    Returns a StatResult with arrays over the studies: p_value, estimable, reason; extra
    ``a_only`` and ``b_only`` (the discordant counts).
    """
    a = np.asarray(test_a_positive)
    b = np.asarray(test_b_positive)
    if a.dtype != bool or b.dtype != bool or a.shape != b.shape:
        raise ValueError("McNemar input must be two boolean arrays of the same shape")
    a_only = np.count_nonzero(a & ~b, axis=-1)
    b_only = np.count_nonzero(~a & b, axis=-1)
    discordant = a_only + b_only
    estimable = discordant > 0
    tail = bdtr(np.minimum(a_only, b_only), np.maximum(discordant, 1), 0.5)
    return StatResult(
        p_value=np.where(estimable, np.minimum(1.0, 2 * tail), np.nan),
        method="exact (binomial test on discordant pairs)",
        estimable=estimable,
        reason=np.where(estimable, "", "no discordant pairs"),
        extra={"a_only": a_only, "b_only": b_only},
    )
