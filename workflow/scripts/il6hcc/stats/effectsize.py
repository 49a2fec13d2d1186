"""Effect sizes beside the rank tests, from pingouin (no R fixture at stake): the matched-pairs
rank-biserial correlation (T+ - T-)/(T+ + T-) beside a signed-rank test and the common-language
effect size P(X > Y) + P(X = Y)/2 beside a Mann-Whitney test, each with a seeded percentile
bootstrap interval (``pingouin.compute_bootci``; its closed-form ``compute_esci`` covers r and d,
not rank statistics) over the vectorised statistics of :mod:`il6hcc.stats.nonparametric`.
pingouin takes about 2.4 s to import, so only the functions import it.

References: Kerby DS. Compr Psychol 2014;3:11.IT.3.1. McGraw KO, Wong SP. Psychol Bull
1992;111:361-365. Vargha A, Delaney HD. J Educ Behav Stat 2000;25:101-132. Vallat R. J Open
Source Softw 2018;3:1026 (pingouin).
"""

from __future__ import annotations

import numpy as np

from il6hcc.stats.nonparametric import (
    mann_whitney_u,
    paired_rank_biserial,
    rank_sum_share,
    wilcoxon_signed_rank,
)
from il6hcc.stats.result import StatResult

BOOTSTRAP_REPLICATES = 2000
# Fixed, so that the printed intervals are reproducible run to run.
BOOTSTRAP_SEED = 14
MATCHED_PAIRS_RBC = "matched-pairs rank-biserial correlation"
CLES = "common-language effect size"


def _with_interval(name, estimate, samples, statistic, conf_level, *, paired) -> StatResult:
    """The effect size with pingouin's percentile bootstrap interval of ``statistic``."""
    import pingouin

    # decimals=17: pingouin rounds the limits to 2 decimals by default.
    options = {"method": "per", "n_boot": BOOTSTRAP_REPLICATES, "seed": BOOTSTRAP_SEED}
    low, high = pingouin.compute_bootci(
        *samples, func=statistic, paired=paired, confidence=conf_level, decimals=17, **options
    )
    method = (
        f"pingouin; percentile bootstrap CI (B = {BOOTSTRAP_REPLICATES}, seed {BOOTSTRAP_SEED})"
    )
    interval = {"ci_low": float(low), "ci_high": float(high), "conf_level": conf_level}
    return StatResult(estimate=estimate, **interval, method=method, extra={"name": name})


def matched_pairs_rank_biserial(post, pre, *, conf_level: float = 0.95) -> StatResult:
    """Matched-pairs rank-biserial correlation of post versus pre with its bootstrap CI;
    incomplete pairs dropped, zero differences in no rank sum (as the signed-rank test); not
    estimable where that test is not (fewer than 2 pairs, all zero)."""
    import pingouin

    post, pre = np.asarray(post, dtype=float), np.asarray(pre, dtype=float)
    complete = ~(np.isnan(post) | np.isnan(pre))
    post, pre = post[complete], pre[complete]
    test = wilcoxon_signed_rank(post, pre)
    if not test.estimable:
        return StatResult.not_estimable(test.reason, name=MATCHED_PAIRS_RBC)
    # Only pingouin's RBC is used (the p-value is R's, from wilcoxon_signed_rank); asymptotic,
    # because SciPy's default would run a permutation test for small samples with ties.
    estimate = float(pingouin.wilcoxon(post, pre, method="asymptotic")["RBC"].iloc[0])
    samples, statistic = (post, pre), paired_rank_biserial
    return _with_interval(MATCHED_PAIRS_RBC, estimate, samples, statistic, conf_level, paired=True)


def common_language_effect_size(x, y, *, conf_level: float = 0.95) -> StatResult:
    """P(X > Y) + P(X = Y)/2 for independent groups with its bootstrap CI (each group resampled
    on its own); missing values dropped; not estimable where the Mann-Whitney test is not (an
    empty group, all values identical) or a group has a single value (nothing to resample)."""
    import pingouin

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    reason = mann_whitney_u(x, y).reason
    reason = reason or ("" if min(x.size, y.size) > 1 else "a group has a single value")
    if reason:
        return StatResult.not_estimable(reason, name=CLES)
    estimate = float(pingouin.compute_effsize(x, y, eftype="CLES"))
    return _with_interval(CLES, estimate, (x, y), rank_sum_share, conf_level, paired=False)
