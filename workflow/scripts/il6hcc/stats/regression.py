"""Logistic regression with Wald inference as R's ``glm(family = binomial)``, fitted by
statsmodels' GLM; the check for separation before the fit is hand-written (see _is_separated).

References: Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, chapters 4-5 (fitting,
Wald inference, separation); Albert A, Anderson JA. Biometrika 1984;71:1-10 (existence of the
maximum likelihood estimate); Konis K. Linear programming algorithms for detecting separated
data in binary logistic regression models. DPhil thesis, Oxford 2007.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from il6hcc.stats.result import StatResult

INTERCEPT = "(Intercept)"
LOGISTIC_METHOD = "logistic regression (binomial GLM, logit link, IRLS); Wald z test and Wald CI"
# IRLS stops when the deviance changes by less than this (R's default is 1e-8; a tighter value
# makes the estimates match a fully converged R fit to many more digits).
IRLS_TOLERANCE = 1e-12
# A separating direction must improve the LP objective by more than this, relative to n.
SEPARATION_TOLERANCE = 1e-7


def _is_separated(design: np.ndarray, outcome: np.ndarray) -> bool:
    """True if a linear predictor separates the outcome completely or quasi-completely, by
    Konis's linear program: with s = 2y - 1, maximise sum s_i x_i'b subject to s_i x_i'b >= 0
    and -1 <= b_j <= 1 (columns at unit spread, so the tolerance ignores units); a positive
    optimum is a direction along which the likelihood keeps increasing. Hand-written:
    statsmodels (as R) only warns or fails to converge, and no library checks before the fit."""
    spread = design.std(axis=0)
    scaled = design / np.where(spread > 0, spread, 1.0)
    signed = scaled * (2 * outcome - 1)[:, np.newaxis]
    # Imported where used (statsmodels too): ~0.6 s of CPU that jobs fitting no model should not
    # pay (compare_subgroups, a fresh process each).
    from scipy.optimize import linprog

    solution = linprog(
        c=-signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        bounds=[(-1, 1)] * signed.shape[1],
        method="highs",
    )
    return bool(solution.status == 0 and -solution.fun > SEPARATION_TOLERANCE * signed.shape[0])


def logistic_regression(
    data: pd.DataFrame, outcome: str, predictors: list[str], *, conf_level: float = 0.95
) -> StatResult:
    """Logistic regression of a 0/1 outcome on numeric predictors, complete cases (the rest
    counted), with R's ``summary()`` and ``exp(confint.default())``: Wald z and interval. Fields
    are arrays over the terms (``(Intercept)``, then ``predictors``): Wald z, p_value, log-odds
    estimate, odds-ratio interval; ``extra``: term, std_error, odds_ratio, n, n_events,
    n_excluded. Not estimable (term "(model)"): no events or non-events, too few observations,
    collinear predictors, separation (no MLE; R only warns) or IRLS not converging."""
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    columns = [outcome, *predictors]
    missing = [name for name in columns if name not in data.columns]
    if missing:
        raise KeyError(f"columns not in data: {missing}")
    for name in columns:
        # Boolean columns (also pandas' nullable "boolean") count as numeric.
        if not pd.api.types.is_numeric_dtype(data[name]):
            raise TypeError(f"column {name!r} must be numeric or boolean")
    complete = data[columns].dropna()
    y = complete[outcome].astype(float).to_numpy()
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean")
    n, n_events = int(y.size), int(y.sum())
    design = np.column_stack([np.ones(n), *(complete[name].astype(float) for name in predictors)])
    n_parameters = design.shape[1]
    reason = ""
    if n_events in (0, n):
        reason = "no non-events" if n_events else "no events"
    elif n < n_parameters + 1:
        reason = f"fewer observations ({n}) than parameters + 1 ({n_parameters + 1})"
    elif np.linalg.matrix_rank(design) < n_parameters:
        reason = "predictors are collinear (design matrix is rank deficient)"
    elif _is_separated(design, y):
        reason = (
            "perfect or quasi-perfect separation: the maximum likelihood estimate does not exist"
        )
    else:
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = GLM(y, design, family=families.Binomial()).fit(tol=IRLS_TOLERANCE)
        if not fit.converged:
            messages = "; ".join(str(w.message) for w in caught)
            reason = "IRLS did not converge" + (f" ({messages})" if messages else "")
    counts = {"n": n, "n_events": n_events, "n_excluded": len(data) - len(complete)}
    if reason:
        # The level asked for is kept: the table states it on every row, estimable or not.
        result = StatResult.not_estimable(reason, term="(model)", **counts)
        return replace(result, conf_level=conf_level)
    # Wald intervals on the log-odds scale (R's confint.default), then as odds ratios.
    interval = np.exp(fit.conf_int(alpha=1 - conf_level))
    extra = {"term": [INTERCEPT, *predictors], "std_error": fit.bse}
    return StatResult(
        statistic=fit.tvalues,
        p_value=fit.pvalues,
        estimate=fit.params,
        ci_low=interval[:, 0],
        ci_high=interval[:, 1],
        conf_level=conf_level,
        method=LOGISTIC_METHOD,
        extra={**extra, "odds_ratio": np.exp(fit.params), **counts},
    )


def separates_outcome(data: pd.DataFrame, outcome: str, predictor: str) -> bool:
    """True if ``predictor`` alone separates the binary ``outcome`` (completely or
    quasi-completely, where both are known): in any model containing it, its coefficient has
    no maximum likelihood estimate (Albert and Anderson 1984)."""
    complete = data[[outcome, predictor]].dropna()
    y = complete[outcome].astype(float).to_numpy()
    if y.size == 0 or y.min() == y.max():
        return False
    design = np.column_stack([np.ones(y.size), complete[predictor].astype(float).to_numpy()])
    return _is_separated(design, y)
