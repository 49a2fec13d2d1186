"""Logistic regression with Wald inference, reproducing R's ``glm(family = binomial)``.

References: Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, chapters 4-5 (fitting,
Wald inference, separation); Albert A, Anderson JA. Biometrika 1984;71:1-10 (existence of the
maximum likelihood estimate); Konis K. Linear programming algorithms for detecting separated
data in binary logistic regression models. DPhil thesis, Oxford 2007.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from il6hcc.stats.distributions import normal_quantile, normal_sf

INTERCEPT = "(Intercept)"
LOGISTIC_METHOD = "logistic regression (binomial GLM, logit link, IRLS); Wald z test and Wald CI"
# IRLS stops when the deviance changes by less than this (R's default is 1e-8; a tighter value
# makes the estimates match a fully converged R fit to many more digits).
IRLS_TOLERANCE = 1e-12
# A separating direction must improve the LP objective by more than this, relative to n.
SEPARATION_TOLERANCE = 1e-7
RESULT_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "z",
    "p_value",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "conf_level",
    "n",
    "n_events",
    "n_excluded",
    "method",
    "estimable",
    "reason",
]


def _is_separated(design: np.ndarray, outcome: np.ndarray) -> bool:
    """True if the outcome is completely or quasi-completely separated by a linear predictor.

    Konis's linear program: with s = 2y - 1, maximise sum_i s_i x_i'b subject to s_i x_i'b >= 0
    for every i and -1 <= b_j <= 1. Only b with x_i'b = 0 for all i is feasible when the maximum
    likelihood estimate exists; a positive optimum is a direction along which the likelihood
    keeps increasing, i.e. separation. Columns are scaled to unit spread so the tolerance does
    not depend on the units of the predictors.
    """
    spread = design.std(axis=0)
    scaled = design / np.where(spread > 0, spread, 1.0)
    signed = scaled * (2 * outcome - 1)[:, np.newaxis]
    # Imported where used (also statsmodels below): together ~0.6 s of CPU to import, which rule
    # jobs that never fit a model (compare_subgroups, a fresh process each) should not pay.
    from scipy.optimize import linprog

    solution = linprog(
        c=-signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        bounds=[(-1, 1)] * signed.shape[1],
        method="highs",
    )
    return bool(solution.status == 0 and -solution.fun > SEPARATION_TOLERANCE * signed.shape[0])


def _not_estimable(reason: str, n: int, n_events: int, n_excluded: int, conf_level: float):
    row = dict.fromkeys(RESULT_COLUMNS, math.nan)
    row.update(
        term="(model)",
        conf_level=conf_level,
        n=n,
        n_events=n_events,
        n_excluded=n_excluded,
        method="not estimable",
        estimable=False,
        reason=reason,
    )
    return pd.DataFrame([row], columns=RESULT_COLUMNS)


def logistic_regression(
    data: pd.DataFrame, outcome: str, predictors: list[str], *, conf_level: float = 0.95
) -> pd.DataFrame:
    """Logistic regression of a binary outcome on numeric predictors, as R's
    ``glm(outcome ~ predictors, family = binomial)`` with ``summary()`` and
    ``exp(confint.default())``.

    Method: complete cases only (rows with a missing outcome or predictor are dropped and
    counted); maximum likelihood by iteratively reweighted least squares (statsmodels GLM,
    Binomial family, logit link); Wald standard errors from the inverse Fisher information,
    z = estimate / SE with a two-sided normal p-value; odds ratio exp(estimate) and Wald
    interval exp(estimate +/- z_(1-alpha/2) SE).

    Assumptions: independent observations, linearity on the log-odds scale. The outcome must be
    0/1 or boolean and predictors numeric or boolean (code categories as indicators first).

    Returns one row per term (``(Intercept)`` first, then ``predictors`` in order) with columns
    term, estimate (log-odds), std_error, z, p_value, odds_ratio, ci_low, ci_high (odds-ratio
    scale), conf_level, n, n_events, n_excluded, method, estimable, reason. When the model
    cannot be estimated (no events, no non-events, fewer observations than parameters + 1,
    collinear predictors, or complete / quasi-complete separation, where the maximum
    likelihood estimate does not exist and R only warns) a single row with term "(model)",
    estimable False and the reason is returned instead.
    """
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    columns = [outcome, *predictors]
    missing = [name for name in columns if name not in data.columns]
    if missing:
        raise KeyError(f"columns not in data: {missing}")
    for name in columns:
        if not (
            pd.api.types.is_numeric_dtype(data[name]) or pd.api.types.is_bool_dtype(data[name])
        ):
            raise TypeError(f"column {name!r} must be numeric or boolean")
    complete = data[columns].dropna()
    n_excluded = int(len(data) - len(complete))
    y = complete[outcome].astype(float).to_numpy()
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome {outcome!r} must be 0/1 or boolean")
    n = int(y.size)
    n_events = int(y.sum())

    design = np.column_stack(
        [np.ones(n), *(complete[name].astype(float).to_numpy() for name in predictors)]
    )
    n_parameters = design.shape[1]
    if n_events == 0:
        return _not_estimable("no events", n, n_events, n_excluded, conf_level)
    if n_events == n:
        return _not_estimable("no non-events", n, n_events, n_excluded, conf_level)
    if n < n_parameters + 1:
        return _not_estimable(
            f"fewer observations ({n}) than parameters + 1 ({n_parameters + 1})",
            n,
            n_events,
            n_excluded,
            conf_level,
        )
    if np.linalg.matrix_rank(design) < n_parameters:
        return _not_estimable(
            "predictors are collinear (design matrix is rank deficient)",
            n,
            n_events,
            n_excluded,
            conf_level,
        )
    if _is_separated(design, y):
        return _not_estimable(
            "perfect or quasi-perfect separation: the maximum likelihood estimate does not exist",
            n,
            n_events,
            n_excluded,
            conf_level,
        )

    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = GLM(y, design, family=families.Binomial()).fit(tol=IRLS_TOLERANCE)
    if not fit.converged:
        messages = "; ".join(str(w.message) for w in caught)
        return _not_estimable(
            f"IRLS did not converge ({messages})" if messages else "IRLS did not converge",
            n,
            n_events,
            n_excluded,
            conf_level,
        )

    estimate = np.asarray(fit.params)
    std_error = np.asarray(fit.bse)
    z = estimate / std_error
    critical = normal_quantile(1 - (1 - conf_level) / 2)
    return pd.DataFrame(
        {
            "term": [INTERCEPT, *predictors],
            "estimate": estimate,
            "std_error": std_error,
            "z": z,
            "p_value": 2 * normal_sf(np.abs(z)),
            "odds_ratio": np.exp(estimate),
            "ci_low": np.exp(estimate - critical * std_error),
            "ci_high": np.exp(estimate + critical * std_error),
            "conf_level": conf_level,
            "n": n,
            "n_events": n_events,
            "n_excluded": n_excluded,
            "method": LOGISTIC_METHOD,
            "estimable": True,
            "reason": "",
        },
        columns=RESULT_COLUMNS,
    )


def separates_outcome(data: pd.DataFrame, outcome: str, predictor: str) -> bool:
    """True if ``predictor`` alone separates the binary ``outcome`` completely or
    quasi-completely among the rows where both are known (for example every responder at one
    line of therapy): in any model containing it, the maximum likelihood estimate of its
    coefficient does not exist (Albert and Anderson 1984).
    """
    complete = data[[outcome, predictor]].dropna()
    y = complete[outcome].astype(float).to_numpy()
    if y.size == 0 or y.min() == y.max():
        return False
    design = np.column_stack([np.ones(y.size), complete[predictor].astype(float).to_numpy()])
    return _is_separated(design, y)
