"""Tests and intervals for counts as base R: Fisher's exact test (r x c), binomial intervals and
the exact McNemar test.

References: Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013 (sections 3.5, 11.1);
Clopper CJ, Pearson ES. Biometrika 1934;26:404-413; Wilson EB. J Am Stat Assoc 1927;22:209-212;
Newcombe RG. Stat Med 1998;17:857-872; R Core Team, ``stats::fisher.test``, ``binom.test``,
``prop.test``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.special import bdtr, gammaln
from scipy.stats import random_table

from il6hcc.stats.result import StatResult

# Tables enumerated at most (5-10 million a second here: a few seconds) before Monte Carlo, and
# R's fisher.test(simulate.p.value = TRUE) default number of simulated tables.
FISHER_MAX_TABLES = 20_000_000
FISHER_MONTE_CARLO_REPLICATES = 2000
# R's tolerances for "at most as probable" (equally probable tables must not be lost to
# rounding): 64 eps relative on -sum(log(x!)) when simulating, relative 1e-7 for 2 x 2 tables,
# 3.45254e-7 on the log scale otherwise (the `tol` of R's FEXACT).
FISHER_MONTE_CARLO_TOLERANCE = 64 * np.finfo(float).eps
FISHER_RELATIVE_TOLERANCE_2X2 = 1e-7
FISHER_LOG_TOLERANCE_RXC = 3.45254e-7
# Partial tables expanded at once (bounds memory at a few tens of MB).
_FISHER_BLOCK = 250_000
# The interval methods, and statsmodels' name of each.
CI_METHODS = {"clopper-pearson": "beta", "wilson": "wilson"}


def _fisher_tail_probability(
    table: np.ndarray, tolerance: float, max_tables: int
) -> tuple[float, int] | None:
    """Total null probability of the tables with ``table``'s margins whose log probability is
    at most ``table``'s plus ``tolerance``, and their number; None beyond ``max_tables``. Partial
    tables grow cell by cell, column by column, into every feasible value of the next cell (the
    last row and column follow from the margins), depth first in blocks of ``_FISHER_BLOCK``."""
    row_totals = table.sum(axis=1)
    column_totals = table.sum(axis=0)
    n_rows, n_columns = table.shape
    free_cells = (n_columns - 1) * (n_rows - 1)
    log_margins = gammaln(row_totals + 1).sum() + gammaln(column_totals + 1).sum()
    constant = log_margins - gammaln(table.sum() + 1)
    log_threshold = constant - gammaln(table + 1).sum() + tolerance
    tail_probability = 0.0
    n_tables = 0
    stack = [(0, row_totals[np.newaxis, :].copy(), column_totals[:1].copy(), np.zeros(1))]
    while stack:
        stage, remaining, left_in_column, log_weight = stack.pop()
        if stage == free_cells:
            log_probability = log_weight - gammaln(remaining + 1).sum(axis=1) + constant
            kept = log_probability[log_probability <= log_threshold]
            tail_probability += float(np.exp(kept).sum())
            n_tables += log_probability.size
            if n_tables > max_tables:
                return None
            continue
        column, row = divmod(stage, n_rows - 1)
        low = np.maximum(0, left_in_column - remaining[:, row + 1 :].sum(axis=1))
        high = np.minimum(remaining[:, row], left_in_column)
        choices = high - low + 1
        if choices.sum() > _FISHER_BLOCK and choices.size > 1:
            half = choices.size // 2
            for part in (slice(half, None), slice(None, half)):
                stack.append((stage, remaining[part], left_in_column[part], log_weight[part]))
            continue
        parent = np.repeat(np.arange(choices.size), choices)
        # Each parent's children take the values low, low + 1, ... of the next cell.
        cell = np.arange(parent.size) + np.repeat(low + choices - np.cumsum(choices), choices)
        remaining = remaining[parent]
        remaining[:, row] -= cell
        left_in_column = left_in_column[parent] - cell
        log_weight = log_weight[parent] - gammaln(cell + 1)
        if row == n_rows - 2:
            # The last row of this column takes what is left; the next column starts full.
            remaining[:, n_rows - 1] -= left_in_column
            log_weight -= gammaln(left_in_column + 1)
            left_in_column = np.full(parent.size, column_totals[min(column + 1, n_columns - 1)])
        stack.append((stage + 1, remaining, left_in_column, log_weight))
    return tail_probability, n_tables


def _tables_varying_two_rows(table: np.ndarray, cap: int) -> int:
    """Number of tables with ``table``'s margins differing from it only in its first two rows,
    capped at ``cap``: a cheap lower bound of what _fisher_tail_probability enumerates, the
    coefficient of z**r in prod over columns of (1 + z + ... + z**u) (r the first row's total,
    u the column's total over the two rows), exact in float64 because capped."""
    first_row_total = int(table[0].sum())
    ways = np.zeros(first_row_total + 1)
    ways[0] = 1.0
    for capacity in (table[0] + table[1]).tolist():
        # Sums of windows of capacity + 1 coefficients: running sums minus shifted ones.
        running = np.cumsum(ways)
        shifted = np.pad(running, (capacity + 1, 0))[: first_row_total + 1]
        ways = np.minimum(running - shifted, cap)
    return int(ways[first_row_total])


def fisher_monte_carlo(table, *, replicates: int, seed: int) -> float:
    """Monte Carlo p-value of Fisher's test, as R's ``fisher.test(simulate.p.value = TRUE, B =
    replicates)``: (1 + simulated tables at most as probable as the observed) / (replicates +
    1), the null tables drawn by ``scipy.stats.random_table`` (not R's random stream). ``table``
    has no empty row or column; standard error at most 0.5 / sqrt(replicates)."""
    counts = np.asarray(table, dtype=np.int64)
    observed = -float(gammaln(counts + 1).sum())
    null_tables = random_table(counts.sum(axis=1), counts.sum(axis=0), seed=seed)
    simulated = -gammaln(null_tables.rvs(replicates) + 1).sum(axis=(1, 2))
    # Both sides are <= 0: dividing by a little more than 1 moves the observed value up.
    at_most_as_probable = simulated <= observed / (1 + FISHER_MONTE_CARLO_TOLERANCE)
    return (1 + int(np.count_nonzero(at_most_as_probable))) / (replicates + 1)


def fisher_exact(
    table,
    *,
    max_tables: int = FISHER_MAX_TABLES,
    monte_carlo_replicates: int = FISHER_MONTE_CARLO_REPLICATES,
    seed: int = 0,
) -> StatResult:
    """Fisher's exact test of independence for an r x c table, as R's ``fisher.test``. Hand-written:
    ``scipy.stats.fisher_exact`` estimates an r x c p-value by Monte Carlo where R enumerates. The
    p-value sums the null probabilities of the tables with the observed margins at most as probable
    as the observed one, up to R's tolerances; beyond ``max_tables`` tables (never 2 x 2) it is
    ``fisher_monte_carlo``'s (seeded), as ``method`` says, and departs from R's by Monte Carlo
    error. ``extra``: n, n_rows, n_columns (empty rows and columns dropped). Not estimable with
    fewer than 2 non-empty rows or columns."""
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2:
        raise ValueError("table must be two-dimensional (rows x columns of counts)")
    # NaN fails both comparisons.
    if not np.all((counts >= 0) & (counts == np.round(counts))):
        raise ValueError("table must hold nonnegative whole counts")
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0].astype(np.int64)
    n_rows, n_columns = counts.shape
    shape = {"n": int(counts.sum()), "n_rows": n_rows, "n_columns": n_columns}
    if min(n_rows, n_columns) < 2:
        return StatResult.not_estimable("fewer than 2 non-empty rows or columns", **shape)
    # Fewer rows than columns keeps the per-column expansion short; the p-value is unchanged.
    oriented = counts if n_rows <= n_columns else counts.T
    tolerance = FISHER_LOG_TOLERANCE_RXC
    if counts.shape == (2, 2):
        tolerance = math.log1p(FISHER_RELATIVE_TOLERANCE_2X2)
    # Counting is cheap, enumerating is not: with certainly more than max_tables, go straight to
    # Monte Carlo (same outcome, seconds saved per variable at 100,000 patients).
    if _tables_varying_two_rows(oriented, max_tables + 1) <= max_tables:
        tail = _fisher_tail_probability(oriented, tolerance, max_tables)
        if tail is not None:
            method = f"exact (enumeration of {tail[1]} tables)"
            return StatResult(p_value=min(1.0, tail[0]), method=method, extra=shape)
    p_value = fisher_monte_carlo(counts, replicates=monte_carlo_replicates, seed=seed)
    method = (
        f"Monte Carlo (B = {monte_carlo_replicates}, seed {seed}): exact enumeration would "
        f"exceed {max_tables} tables"
    )
    return StatResult(p_value=p_value, method=method, extra=shape)


def binomial_ci(
    successes: int, trials: int, *, method: str = "clopper-pearson", conf_level: float = 0.95
) -> StatResult:
    """A binomial proportion with its interval, over statsmodels' ``proportion_confint``:
    "clopper-pearson" as R's ``binom.test(x, n)$conf.int``, "wilson" as R's ``prop.test(x, n,
    correct = FALSE)$conf.int``; as R, exactly 0 at x = 0 and 1 at x = n."""
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {tuple(CI_METHODS)}, got {method!r}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError("need trials >= 1 and 0 <= successes <= trials")
    # Imported here: statsmodels takes about 1.8 s, which the Table 1 job should not pay.
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(
        successes, trials, alpha=1 - conf_level, method=CI_METHODS[method]
    )
    return StatResult(
        estimate=successes / trials,
        ci_low=0.0 if successes == 0 else float(low),
        ci_high=1.0 if successes == trials else float(high),
        conf_level=conf_level,
        method=method,
    )


def _as_optional_booleans(values, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Booleans or 0/1 (NaN/None/pd.NA for missing) as a bool array, and which are missing."""
    if isinstance(values, np.ndarray) and values.dtype == bool:
        return values, np.zeros(values.shape, dtype=bool)
    series = pd.Series(list(values), dtype=object)
    missing = series.isna().to_numpy()
    present = series[~missing].to_numpy()
    # Element-wise ``v == True`` / ``v == False`` is what ``v in (True, False)`` tests, done in
    # one vectorised pass (a Python call per patient took seconds at registry scale).
    is_true = np.equal(present, True)
    if not (is_true | np.equal(present, False)).all():
        raise ValueError(f"{name} must hold booleans (or 0/1), with NaN/None for missing")
    out = np.zeros(series.size, dtype=bool)
    out[~missing] = is_true
    return out, missing


def paired_booleans(first, second, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Two patients' boolean results (booleans or 0/1), the patients missing either dropped:
    both as bool arrays, and the number dropped."""
    a, a_missing = _as_optional_booleans(first, names[0])
    b, b_missing = _as_optional_booleans(second, names[1])
    if a.size != b.size:
        raise ValueError(f"{names[0]} and {names[1]} must have one value per patient")
    complete = ~(a_missing | b_missing)
    return a[complete], b[complete], int((~complete).sum())


def mcnemar_exact(test_a_positive, test_b_positive) -> StatResult:
    """:func:`mcnemar_exact_batch` of one study: two binary tests on the same patients (cases
    only to compare sensitivities, non-cases for specificities), patients missing either result
    dropped. ``extra``: n, a_only, b_only, both, neither."""
    names = ("test_a_positive", "test_b_positive")
    a, b, _ = paired_booleans(test_a_positive, test_b_positive, names)
    result = mcnemar_exact_batch(a, b)
    counts = {"n": a.size, **result.extra, "both": np.sum(a & b), "neither": np.sum(~a & ~b)}
    # The batch's 0-d arrays as Python scalars.
    scalars = {name: getattr(result, name).item() for name in ("p_value", "estimable", "reason")}
    return replace(result, **scalars, extra={name: int(count) for name, count in counts.items()})


def mcnemar_exact_batch(test_a_positive, test_b_positive) -> StatResult:
    """Exact McNemar test of each study, patients along the last axis of two complete boolean
    arrays: given d discordant pairs, the A-only count is Binomial(d, 1/2) under H0, p = min(1,
    2 P(X <= min(b, c))), R's ``binom.test(b, b + c)$p.value`` (``mcnemar.test`` is the
    chi-squared version), from ``scipy.special.bdtr`` as statsmodels' ``mcnemar(exact=True)``,
    one call for every study. Fields are arrays over the studies (0-d for one); ``extra``:
    a_only, b_only. Not estimable without discordant pairs (R's binom.test stops)."""
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
