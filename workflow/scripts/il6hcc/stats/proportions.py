"""Tests and intervals for counts, each as base R: Fisher's exact test (r x c, hand-written),
binomial confidence intervals (``statsmodels.stats.proportion.proportion_confint``), diagnostic
accuracy with intervals, and the exact McNemar test
(``statsmodels.stats.contingency_tables.mcnemar``).

References: Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013 (sections 3.5, 11.1);
Clopper CJ, Pearson ES. Biometrika 1934;26:404-413; Wilson EB. J Am Stat Assoc 1927;22:209-212;
Newcombe RG. Stat Med 1998;17:857-872; R Core Team, ``stats::fisher.test``, ``binom.test``,
``prop.test``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import gammaln

from il6hcc.stats.result import StatResult

# Largest number of tables with the observed margins that fisher_exact enumerates before it
# estimates the p-value by Monte Carlo instead; enumeration runs at roughly 5-10 million tables
# a second here, so the limit bounds the time at a few seconds.
FISHER_MAX_TABLES = 20_000_000
# R's fisher.test(simulate.p.value = TRUE) default number of simulated tables.
FISHER_MONTE_CARLO_REPLICATES = 2000
# A simulated table counts as at most as probable as the observed one up to this relative
# tolerance on -sum(log(x!)), R's 64 machine epsilons, so that equally probable tables are not
# lost to rounding.
FISHER_MONTE_CARLO_TOLERANCE = 64 * np.finfo(float).eps
# Partial tables expanded at once (bounds memory at a few tens of MB).
_FISHER_BLOCK = 250_000
# R's fisher.test counts tables whose probability is at most the observed one up to a small
# tolerance, so that tables equally probable up to floating-point error are not lost: a
# relative 1e-7 for 2 x 2 tables (R's own code) and 3.45254e-7 on the log scale for larger
# tables (the `tol` of R's FEXACT network algorithm).
FISHER_RELATIVE_TOLERANCE_2X2 = 1e-7
FISHER_LOG_TOLERANCE_RXC = 3.45254e-7
# The fields of a proportion's result in the accuracy table, and the table's columns in order.
PROPORTION_FIELDS = ("estimate", "ci_low", "ci_high", "estimable", "reason")
ACCURACY_COLUMNS = (
    "measure",
    "numerator",
    "denominator",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "conf_level",
    "estimable",
    "reason",
    "tp",
    "fp",
    "fn",
    "tn",
    "n_evaluable",
    "n_not_evaluable",
)
# The interval methods, and statsmodels' name of each.
CI_METHODS = {"clopper-pearson": "beta", "wilson": "wilson"}


def _fisher_tail_probability(
    table: np.ndarray, log_threshold: float, max_tables: int
) -> tuple[float, int] | None:
    """Total null probability of the tables (same margins as ``table``) whose log probability
    is at most ``log_threshold``, and the number of tables; None if there are more than
    ``max_tables``.

    Tables are built column by column and, within a column, cell by cell: each partial table
    is expanded into every feasible value of the next cell (at most the remaining row total,
    at least what the rows below cannot absorb); the last row of a column and the last column
    follow from the margins. The work is done depth first on blocks of at most
    ``_FISHER_BLOCK`` partial tables so that memory stays bounded however many tables exist.
    """
    row_totals = table.sum(axis=1)
    column_totals = table.sum(axis=0)
    n_rows, n_columns = table.shape
    free_cells = (n_columns - 1) * (n_rows - 1)
    constant = (
        gammaln(row_totals + 1).sum() + gammaln(column_totals + 1).sum() - gammaln(table.sum() + 1)
    )
    tail_probability = 0.0
    n_tables = 0
    stack = [(0, row_totals[np.newaxis, :].copy(), column_totals[:1].copy(), np.zeros(1))]
    while stack:
        stage, remaining, left_in_column, log_weight = stack.pop()
        if stage == free_cells:
            log_probability = log_weight - gammaln(remaining + 1).sum(axis=1) + constant
            tail_probability += float(
                np.exp(log_probability[log_probability <= log_threshold]).sum()
            )
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
        offset = np.arange(parent.size) - np.repeat(np.cumsum(choices) - choices, choices)
        cell = low[parent] + offset
        remaining = remaining[parent]
        remaining[:, row] -= cell
        left_in_column = left_in_column[parent] - cell
        log_weight = log_weight[parent] - gammaln(cell + 1)
        if row == n_rows - 2:
            # The last row of this column takes what is left; the next column starts full.
            remaining[:, n_rows - 1] -= left_in_column
            log_weight = log_weight - gammaln(left_in_column + 1)
            left_in_column = np.full(parent.size, column_totals[min(column + 1, n_columns - 1)])
        stack.append((stage + 1, remaining, left_in_column, log_weight))
    return tail_probability, n_tables


def _tables_varying_two_rows(table: np.ndarray, cap: int) -> int:
    """Number of tables with the margins of ``table`` that differ from it only in its first two
    rows, or ``cap`` if there are at least that many.

    These are a subset of all tables with the same margins, so the count is a lower bound of
    the number that _fisher_tail_probability would enumerate (exact for two rows). It is the
    coefficient of z**r in the product over columns of (1 + z + ... + z**u), r being the first
    row's total and u the column's total over the two rows: one pass per column with running
    sums, in float64, which is exact here because every value is capped at ``cap``.
    """
    first_row_total = int(table[0].sum())
    ways = np.zeros(first_row_total + 1)
    ways[0] = 1.0
    for capacity in (table[0] + table[1]).tolist():
        running = np.cumsum(ways)
        window = running.copy()
        if capacity + 1 <= first_row_total:
            window[capacity + 1 :] -= running[: first_row_total - capacity]
        ways = np.minimum(window, cap)
    return int(ways[first_row_total])


def _simulated_log_factorial_sums(
    row_totals: np.ndarray, column_totals: np.ndarray, replicates: int, seed: int
) -> np.ndarray:
    """-sum(log(x!)) over the cells of ``replicates`` random tables with the given margins.

    Tables are drawn from their null distribution given the margins (as R's r2dtable, Patefield
    1981, but not its random stream): column by column, the column's patients are a sample
    without replacement from those not yet placed, so each row's count is hypergeometric given
    the rows above it. All replicates advance together, one call per cell, so the time depends
    on the table's shape and ``replicates``, not on the number of patients.
    """
    rng = np.random.default_rng(seed)
    remaining = np.tile(row_totals.astype(np.int64), (replicates, 1))
    statistic = np.zeros(replicates)
    for column_total in column_totals[:-1].tolist():
        left_in_column = np.full(replicates, column_total, dtype=np.int64)
        below = remaining.sum(axis=1)
        for row in range(row_totals.size - 1):
            below -= remaining[:, row]
            cell = rng.hypergeometric(remaining[:, row], below, left_in_column)
            remaining[:, row] -= cell
            left_in_column -= cell
            statistic -= gammaln(cell + 1)
        remaining[:, -1] -= left_in_column
        statistic -= gammaln(left_in_column + 1)
    # The last column takes every patient not yet placed.
    statistic -= gammaln(remaining + 1).sum(axis=1)
    return statistic


def fisher_monte_carlo(table, *, replicates: int, seed: int) -> float:
    """Monte Carlo p-value of Fisher's exact test, as R's ``fisher.test(simulate.p.value =
    TRUE, B = replicates)``: (1 + the number of simulated tables at most as probable as the
    observed one) / (replicates + 1), tables simulated with the observed margins. ``table``
    must have no empty row or column. The estimate differs from R's by Monte Carlo error only
    (R's random stream is not reproduced); its standard error is at most 0.5 / sqrt(replicates).
    """
    counts = np.asarray(table, dtype=np.int64)
    observed = -float(gammaln(counts + 1).sum())
    simulated = _simulated_log_factorial_sums(
        counts.sum(axis=1), counts.sum(axis=0), replicates, seed
    )
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
    """Fisher's exact test of independence for an r x c table of counts, as R's ``fisher.test``.

    Hand-written because no Python library does it R-exactly: ``scipy.stats.fisher_exact``
    estimates the p-value of an r x c table by Monte Carlo (R enumerates).

    Method: rows and columns with a zero total are dropped; they change no table probability,
    so the p-value is R's. Under independence with fixed margins the table is multivariate
    hypergeometric; the two-sided p-value is the total probability of the tables whose
    probability is at most the observed one, up to R's tolerance (relative 1e-7 for 2 x 2,
    3.45254e-7 on the log scale otherwise, as in R's FEXACT). All tables with the observed
    margins are enumerated; if there are more than ``max_tables`` of them, the p-value is
    estimated from ``monte_carlo_replicates`` tables simulated with the observed margins
    (``fisher_monte_carlo``, seeded by ``seed``, so a rerun gives the same value) and ``method``
    says "Monte Carlo (B = ..., seed ...)". R's fisher.test is exact for any size given enough
    workspace, so only the Monte Carlo p-value departs from R's, by Monte Carlo error. A 2 x 2
    table has at most n + 1 tables, so it is always exact.

    Returns p_value and method, with n, n_rows, n_columns (after dropping empty margins) in
    ``extra``. Not estimable with fewer than 2 non-empty rows or columns: only one
    table is then possible (R errors on a single row or column, and returns p = 1 for a
    2 x 2 table with an empty row or column).
    """
    counts = np.asarray(table, dtype=float)
    if counts.ndim != 2:
        raise ValueError("table must be two-dimensional (rows x columns of counts)")
    if np.any(np.isnan(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError("table must hold nonnegative whole counts")
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0].astype(np.int64)
    shape = {
        "n": int(counts.sum()),
        "n_rows": int(counts.shape[0]),
        "n_columns": int(counts.shape[1]) if counts.shape[0] else 0,
    }
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return StatResult.not_estimable("fewer than 2 non-empty rows or columns", **shape)

    # Fewer rows than columns keeps the per-column expansion short; the p-value is unchanged.
    oriented = counts if counts.shape[0] <= counts.shape[1] else counts.T
    observed = float(
        gammaln(counts.sum(axis=1) + 1).sum()
        + gammaln(counts.sum(axis=0) + 1).sum()
        - gammaln(counts.sum() + 1)
        - gammaln(counts + 1).sum()
    )
    if counts.shape == (2, 2):
        tolerance = math.log1p(FISHER_RELATIVE_TOLERANCE_2X2)
    else:
        tolerance = FISHER_LOG_TOLERANCE_RXC
    # Counting the tables is cheap, enumerating them is not: when there are certainly more than
    # max_tables, go straight to the fallback instead of enumerating max_tables of them first
    # (seconds per variable in a cohort of 100,000). The outcome is the same either way.
    if _tables_varying_two_rows(oriented, max_tables + 1) > max_tables:
        tail = None
    else:
        tail = _fisher_tail_probability(oriented, observed + tolerance, max_tables)
    if tail is None:
        return StatResult(
            p_value=fisher_monte_carlo(counts, replicates=monte_carlo_replicates, seed=seed),
            method=(
                f"Monte Carlo (B = {monte_carlo_replicates}, seed {seed}): exact enumeration "
                f"would exceed {max_tables} tables"
            ),
            extra=shape,
        )
    p_value, n_tables = tail
    return StatResult(
        p_value=min(1.0, p_value), method=f"exact (enumeration of {n_tables} tables)", extra=shape
    )


def binomial_ci(
    successes: int, trials: int, *, method: str = "clopper-pearson", conf_level: float = 0.95
) -> StatResult:
    """A binomial proportion (``estimate``) with its two-sided confidence interval, over
    ``statsmodels.stats.proportion.proportion_confint``.

    ``method="clopper-pearson"``: the exact interval of R's ``binom.test(x, n)$conf.int``
    (statsmodels' "beta"). ``method="wilson"``: the Wilson score interval, which is what R's
    ``prop.test(x, n, correct = FALSE)$conf.int`` returns (checked in tests/r/). As R, the
    lower limit is 0 at x = 0 and the upper limit 1 at x = n exactly.

    ``trials`` must be at least 1: a proportion of nothing has no interval. Callers that may
    meet an empty denominator should use :func:`diagnostic_accuracy`, which reports it as not
    estimable.
    """
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {tuple(CI_METHODS)}, got {method!r}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError("need trials >= 1 and 0 <= successes <= trials")
    # statsmodels imported where used (here and in mcnemar_exact): about 1.8 s to import, which
    # the Table 1 job (Fisher's test only) should not pay.
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


def _as_optional_booleans(values, name: str) -> np.ndarray:
    """Object array of True/False/None from booleans or 0/1 with NaN/None/pd.NA for missing."""
    if isinstance(values, np.ndarray) and values.dtype == bool:
        return values.astype(object)
    series = pd.Series(list(values), dtype=object)
    missing = series.isna().to_numpy()
    present = series[~missing].to_numpy()
    # Element-wise ``v == True`` / ``v == False`` is what ``v in (True, False)`` tests, done in
    # one vectorised pass (a Python call per patient took seconds at registry scale).
    is_true = np.equal(present, True)
    if not (is_true | np.equal(present, False)).all():
        raise ValueError(f"{name} must hold booleans (or 0/1), with NaN/None for missing")
    out = np.full(series.size, None, dtype=object)
    out[~missing] = is_true
    return out


def _paired_booleans(first, second, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, int]:
    a = _as_optional_booleans(first, names[0])
    b = _as_optional_booleans(second, names[1])
    if a.size != b.size:
        raise ValueError(f"{names[0]} and {names[1]} must have one value per patient")
    complete = np.not_equal(a, None) & np.not_equal(b, None)
    return a[complete].astype(bool), b[complete].astype(bool), int((~complete).sum())


def diagnostic_accuracy(
    test_positive, is_case, *, ci_method: str = "clopper-pearson", conf_level: float = 0.95
) -> pd.DataFrame:
    """Sensitivity, specificity, PPV, NPV and accuracy of a binary test with confidence intervals.

    Method: patients with a missing test result or reference status are not evaluable; they are
    dropped and counted (STARD 2015 item 19). From the 2 x 2 table of the rest, each measure is
    a binomial proportion with a Clopper-Pearson (exact, R's ``binom.test``) or Wilson
    (R's ``prop.test(correct = FALSE)``) interval; the intervals ignore the sampling of the
    other margin, as usual in diagnostic studies.

    Returns one row per measure (sensitivity, specificity, ppv, npv, accuracy) with columns
    measure, numerator, denominator, estimate, ci_low, ci_high, ci_method, conf_level,
    estimable, reason, and the 2 x 2 counts repeated on every row so that each row stands
    alone in a TSV: tp, fp, fn, tn, n_evaluable, n_not_evaluable. A measure with a zero
    denominator (e.g. sensitivity when no case is evaluable) is not estimable, with a reason.
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {tuple(CI_METHODS)}, got {ci_method!r}")
    positive, case, n_not_evaluable = _paired_booleans(
        test_positive, is_case, ("test_positive", "is_case")
    )
    counts = {
        "tp": int(np.sum(positive & case)),
        "fp": int(np.sum(positive & ~case)),
        "fn": int(np.sum(~positive & case)),
        "tn": int(np.sum(~positive & ~case)),
    }
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    definitions = [
        ("sensitivity", tp, tp + fn, "no evaluable cases"),
        ("specificity", tn, tn + fp, "no evaluable non-cases"),
        ("ppv", tp, tp + fp, "no positive test results"),
        ("npv", tn, tn + fn, "no negative test results"),
        ("accuracy", tp + tn, tp + fp + fn + tn, "no evaluable patients"),
    ]
    rows = []
    for measure, numerator, denominator, empty_reason in definitions:
        if denominator == 0:
            proportion = StatResult.not_estimable(empty_reason)
        else:
            proportion = binomial_ci(
                numerator, denominator, method=ci_method, conf_level=conf_level
            )
        rows.append(
            {
                "measure": measure,
                "numerator": numerator,
                "denominator": denominator,
                **proportion.columns(keep=PROPORTION_FIELDS),
                # Stated on every row, estimable or not: the interval the analysis asked for.
                "ci_method": ci_method,
                "conf_level": conf_level,
                **counts,
                "n_evaluable": tp + fp + fn + tn,
                "n_not_evaluable": n_not_evaluable,
            }
        )
    return pd.DataFrame(rows).reindex(columns=ACCURACY_COLUMNS)


def mcnemar_exact(test_a_positive, test_b_positive) -> StatResult:
    """Exact McNemar test comparing two binary tests on the same patients, over
    ``statsmodels.stats.contingency_tables.mcnemar(exact=True)``.

    Method: patients missing either result are dropped. Conditional on the b + c discordant
    pairs (a_only = A positive and B negative, b_only = the reverse), a_only is
    Binomial(b + c, 1/2) under H0 (equal positive rates); the two-sided p-value is
    min(1, 2 P(X <= min(b, c))). This equals R's ``binom.test(b, b + c, 0.5)$p.value`` (R's
    ``mcnemar.test`` is the asymptotic chi-squared version). Restrict the input to cases to
    compare sensitivities, or to non-cases to compare specificities.

    Returns p_value and method, with the counts n, a_only, b_only, both, neither in ``extra``.
    Not estimable without discordant pairs (R's binom.test stops when n = 0).
    """
    a, b, _ = _paired_booleans(
        test_a_positive, test_b_positive, ("test_a_positive", "test_b_positive")
    )
    counts = {
        "n": int(a.size),
        "a_only": int(np.sum(a & ~b)),
        "b_only": int(np.sum(~a & b)),
        "both": int(np.sum(a & b)),
        "neither": int(np.sum(~a & ~b)),
    }
    if counts["a_only"] + counts["b_only"] == 0:
        return StatResult.not_estimable("no discordant pairs", **counts)
    from statsmodels.stats.contingency_tables import mcnemar

    table = [[counts["both"], counts["a_only"]], [counts["b_only"], counts["neither"]]]
    return StatResult(
        p_value=float(mcnemar(table, exact=True).pvalue),
        method="exact (binomial test on discordant pairs)",
        extra=counts,
    )
