"""Landmark survival analysis that reproduces R's ``survival`` package (version 3.5).

Functions:

- :func:`landmark` - start the clock at the landmark (week 3), excluding earlier events.
- :func:`kaplan_meier` - ``survfit(Surv(time, event) ~ 1)``: Greenwood variance, log CI.
- :func:`km_median` - median survival and its CI as in ``summary(fit)$table``.
- :func:`numbers_at_risk` - ``summary(fit, times = ..., extend = TRUE)$n.risk`` per group.
- :func:`logrank_test` - ``survdiff(Surv(time, event) ~ group)``.
- :func:`cox_regression` - ``coxph(..., ties = "efron")`` with Wald CIs and the LR test.
- :func:`cox_zph` - ``cox.zph(fit)`` (survival >= 3.0: score test, KM time transform).

Like R, every function first merges event/censoring times that differ only by floating-point
noise (R's ``aeqSurv``, on by default through ``timefix = TRUE``): times such as
``2.1 - 0.7`` and ``1.4`` are then the same time, so ties are counted as ties.

Degenerate input (no patients, no events, a single group, too few events per group,
non-convergence) gives a result with ``estimable=False`` and a ``reason``; it never raises.

Reference: Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model.
Springer, 2000.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

chi2_sf, normal_quantile, normal_sf = chi2.sf, norm.ppf, norm.sf

# R's aeqSurv tolerance: sqrt(.Machine$double.eps).
TIME_TIE_TOLERANCE = math.sqrt(np.finfo(float).eps)

# coxph.control() defaults in survival 3.5.
COX_EPS = 1e-9
COX_ITER_MAX = 20
COX_TOLER_CHOL = np.finfo(float).eps ** 0.75
COX_TOLER_INF = math.sqrt(COX_EPS)

# A Cox model is reported as not estimable when any two-valued design column (a 0/1
# indicator, a factor level, a 1/2 line-of-therapy code) has fewer than this many events
# at either of its values: with 0 events the partial likelihood has no finite maximum (R warns
# that a coefficient "may be infinite") and with 1 the estimate rests on a single patient.
MIN_EVENTS_PER_LEVEL = 2

NOT_REACHED_NOTE = "not reached: the {what} stays above 0.5 up to the last follow-up ({last})"


# ---------------------------------------------------------------------------------------
# Input handling shared by all functions
# ---------------------------------------------------------------------------------------


def _merge_near_ties(time: np.ndarray) -> np.ndarray:
    """Replace times that differ by less than R's tolerance by the smallest of the run.

    Same rule as R's ``aeqSurv``: sorted distinct times whose gap is <= tolerance, absolutely
    or relative to the mean absolute time, are merged onto the first time of the run.
    """
    finite = np.unique(time[np.isfinite(time)])
    if finite.size < 2:
        return time
    gaps = np.diff(finite)
    tied = (gaps <= TIME_TIE_TOLERANCE) | (gaps / np.mean(np.abs(finite)) <= TIME_TIE_TOLERANCE)
    if not tied.any():
        return time
    cuts = finite[np.concatenate(([True], ~tied))]
    merged = time.copy()
    ok = np.isfinite(time)
    merged[ok] = cuts[np.searchsorted(cuts, time[ok], side="right") - 1]
    return merged


def _as_time_event(time, event) -> tuple[np.ndarray, np.ndarray]:
    """Numeric arrays of time and 0/1 event, rows with a missing value dropped."""
    time_arr = pd.to_numeric(pd.Series(time), errors="coerce").to_numpy(dtype=float)
    event_arr = pd.to_numeric(pd.Series(event).astype("float64"), errors="coerce").to_numpy()
    keep = np.isfinite(time_arr) & np.isfinite(event_arr)
    time_arr, event_arr = time_arr[keep], event_arr[keep]
    if not np.isin(event_arr, (0.0, 1.0)).all():
        raise ValueError("event must be coded 0 (censored) / 1 (event) or False/True")
    return _merge_near_ties(time_arr), event_arr.astype(float)


def _z_value(conf_level: float) -> float:
    return float(normal_quantile(1 - (1 - conf_level) / 2))


# ---------------------------------------------------------------------------------------
# Landmark
# ---------------------------------------------------------------------------------------


def landmark(
    data: pd.DataFrame, *, time: str, event: str, landmark_time: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Restart the survival clock at a landmark and exclude patients without follow-up past it.

    Why: the IL-6 group (rise / no rise) is only known at the week-3 blood draw. Comparing
    groups from the start of treatment would credit the "known at week 3" group with the
    weeks every patient had to survive to be classified (immortal time bias). The landmark
    method (Anderson, Cain & Gelber, J Clin Oncol 1983;1:710-9) therefore keeps only patients
    still event-free and under follow-up after the landmark and measures time from it.

    A patient whose event or censoring time is at or before ``landmark_time`` is excluded with
    ``exclusion_reason`` "event before landmark" or "censored before landmark"; a row with a
    missing time or event is excluded as "missing time or event". Kept patients get
    ``time - landmark_time`` in the ``time`` column (the original is kept in
    ``<time>_from_start``). Times must be in the same unit as ``landmark_time``
    (0.7 months is about 3 weeks).

    Returns ``(kept, excluded)``; the row order of ``data`` is preserved in both.
    """
    times = pd.to_numeric(data[time], errors="coerce")
    events = pd.to_numeric(data[event].astype("float64"), errors="coerce")
    missing = times.isna() | events.isna()
    before = ~missing & (times <= landmark_time)

    excluded = data.loc[missing | before].copy()
    reason = np.where(
        missing[missing | before],
        "missing time or event",
        np.where(
            events[missing | before] == 1, "event before landmark", "censored before landmark"
        ),
    )
    excluded["exclusion_reason"] = reason

    kept = data.loc[~(missing | before)].copy()
    kept[f"{time}_from_start"] = kept[time]
    kept[time] = times[~(missing | before)] - landmark_time
    return kept, excluded


# ---------------------------------------------------------------------------------------
# Kaplan-Meier
# ---------------------------------------------------------------------------------------


def _km_arrays(time: np.ndarray, event: np.ndarray) -> dict[str, np.ndarray]:
    """KM estimate at every distinct time (events and censorings), Greenwood var of log S."""
    distinct = np.unique(time)
    n_risk = np.array([(time >= t).sum() for t in distinct], dtype=float)
    n_event = np.array([event[time == t].sum() for t in distinct], dtype=float)
    n_censor = np.array([(time == t).sum() for t in distinct], dtype=float) - n_event
    survival = np.cumprod(1 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # d / (n (n - d)) is infinite when everyone at risk dies (R: std.err Inf).
        increment = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
    se_log = np.sqrt(np.cumsum(increment))
    return {
        "time": distinct,
        "n_risk": n_risk,
        "n_event": n_event,
        "n_censor": n_censor,
        "survival": survival,
        "se_log": se_log,
    }


def _log_ci(survival: np.ndarray, se_log: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """R's conf.type = "log": S exp(-/+ z se(log S)), upper capped at 1, NaN where S = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.where(survival > 0, np.log(np.where(survival > 0, survival, 1.0)), np.nan)
        low = np.exp(log_s - z * se_log)
        high = np.minimum(np.exp(log_s + z * se_log), 1.0)
    return low, high


def kaplan_meier(time, event, *, conf_level: float = 0.95, conf_type: str = "log") -> pd.DataFrame:
    """Kaplan-Meier estimate as R's ``survfit(Surv(time, event) ~ 1)`` with default options.

    One row per distinct time (event or censoring): ``time, n_risk, n_event, n_censor,
    survival, std_err, ci_low, ci_high`` plus ``method``. ``std_err`` is the standard error of
    S(t) as ``summary(fit)`` reports it: S(t) times the Greenwood standard error of log S(t)
    (Greenwood 1926). The CI is R's default ``conf.type = "log"``: S exp(-/+ z se(log S)),
    upper limit capped at 1. Where S(t) = 0 (everyone at risk died) R reports std_err and
    both limits as NA: they are NaN here too, and ``method`` says so.

    Assumes independent censoring. Missing times or events are dropped. Only
    ``conf_type="log"`` (R's default) is implemented. Returns an empty table (with the
    columns) when there are no observations.
    """
    if conf_type != "log":
        raise ValueError('only conf_type="log" (R\'s default) is implemented')
    t, e = _as_time_event(time, event)
    columns = [
        "time",
        "n_risk",
        "n_event",
        "n_censor",
        "survival",
        "std_err",
        "ci_low",
        "ci_high",
        "method",
    ]
    if t.size == 0:
        return pd.DataFrame(columns=columns)
    km = _km_arrays(t, e)
    low, high = _log_ci(km["survival"], km["se_log"], _z_value(conf_level))
    with np.errstate(invalid="ignore"):
        std_err = km["se_log"] * km["survival"]
    method = f"Kaplan-Meier, Greenwood variance, {conf_level:.0%} CI log scale"
    if (km["survival"] == 0).any():
        method += "; std_err and CI undefined (NaN) where survival = 0"
    return pd.DataFrame(
        {
            "time": km["time"],
            "n_risk": km["n_risk"].astype(int),
            "n_event": km["n_event"].astype(int),
            "n_censor": km["n_censor"].astype(int),
            "survival": km["survival"],
            "std_err": std_err,
            "ci_low": low,
            "ci_high": high,
            "method": method,
        },
        columns=columns,
    )


def _first_crossing(curve: np.ndarray, times: np.ndarray) -> float:
    """R's survmean ``minmin``: first time the curve is <= 0.5 (NaN if never).

    If the curve sits exactly at 0.5 (within sqrt(machine eps)) and later drops further,
    the result is the midpoint between the start of the flat part and the next drop.
    """
    tolerance = math.sqrt(np.finfo(float).eps)
    keep = ~np.isnan(curve) & (curve < 0.5 + tolerance)
    if not keep.any():
        return math.nan
    kept_times, kept_curve = times[keep], curve[keep]
    lower = np.nonzero(kept_curve < kept_curve[0])[0]
    if abs(kept_curve[0] - 0.5) < tolerance and lower.size:
        return float((kept_times[0] + kept_times[lower[0]]) / 2)
    return float(kept_times[0])


def km_median(time, event, conf_level: float = 0.95) -> dict:
    """Median survival with CI exactly as R's ``summary(survfit(Surv(time, event) ~ 1))$table``.

    The median is the first time the KM curve is <= 0.5 (midpoint rule when the curve is
    flat at exactly 0.5); the CI limits are the first times the lower and upper log-scale
    pointwise limits are <= 0.5 (Brookmeyer & Crowley, Biometrics 1982;38:29-41).

    Returns ``median, ci_low, ci_high, conf_level, median_reached, ci_low_reached,
    ci_high_reached, n, n_events, last_follow_up, note, method, estimable, reason``. A value
    R prints as NA (never reached because the curve or limit stays above 0.5) is NaN here,
    with its ``*_reached`` flag False and the ``note`` saying which and why.
    """
    t, e = _as_time_event(time, event)
    result = {
        "median": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "conf_level": conf_level,
        "median_reached": False,
        "ci_low_reached": False,
        "ci_high_reached": False,
        "n": int(t.size),
        "n_events": int(e.sum()),
        "last_follow_up": float(t.max()) if t.size else math.nan,
        "note": "",
        "method": "KM median, CI from log-scale pointwise limits (Brookmeyer-Crowley, as R)",
        "estimable": True,
        "reason": "",
    }
    if t.size == 0:
        result.update(estimable=False, reason="no observations", note="no observations")
        return result
    km = _km_arrays(t, e)
    low, high = _log_ci(km["survival"], km["se_log"], _z_value(conf_level))
    # survfit0(): R prepends the start time (min(0, times)) with S = 1 before searching.
    start = min(0.0, float(t.min()))
    prepend = km["time"][0] != start
    times = np.concatenate(([start], km["time"])) if prepend else km["time"]

    def with_start(curve: np.ndarray) -> np.ndarray:
        return np.concatenate(([1.0], curve)) if prepend else curve

    notes = []
    for key, curve, what in (
        ("median", km["survival"], "survival curve"),
        ("ci_low", low, "lower confidence limit"),
        ("ci_high", high, "upper confidence limit"),
    ):
        value = _first_crossing(with_start(curve), times)
        reached = not math.isnan(value)
        result[key] = value
        result[f"{key}_reached"] = reached
        if not reached:
            label = {"median": "median", "ci_low": "CI lower limit", "ci_high": "CI upper limit"}
            notes.append(
                f"{label[key]} "
                + NOT_REACHED_NOTE.format(what=what, last=f"{result['last_follow_up']:g}")
            )
    result["note"] = "; ".join(notes)
    return result


def numbers_at_risk(time, event, group, at_times) -> pd.DataFrame:
    """Numbers at risk per group, as R's ``summary(survfit(Surv(time, event) ~ group),
    times = at_times, extend = TRUE)$n.risk``.

    The number at risk at time t is the number of patients whose event or censoring time is
    >= t (still under observation just before t); it is 0 past a group's last follow-up.
    Rows with a missing time, event or group are dropped. Returns one row per group (sorted)
    and time (sorted): ``group, time, n_risk``.
    """
    frame = pd.DataFrame({"time": time, "event": event, "group": group}).dropna()
    t, _ = _as_time_event(frame["time"], frame["event"])
    groups = frame["group"].to_numpy()
    rows = []
    for level in sorted(pd.unique(groups)):
        in_group = t[groups == level]
        for at in sorted(float(x) for x in at_times):
            rows.append({"group": level, "time": at, "n_risk": int((in_group >= at).sum())})
    return pd.DataFrame(rows, columns=["group", "time", "n_risk"])


# ---------------------------------------------------------------------------------------
# Log-rank test
# ---------------------------------------------------------------------------------------


def logrank_test(time, event, group) -> dict:
    """Log-rank test as R's ``survdiff(Surv(time, event) ~ group)`` (rho = 0).

    At each distinct event time, observed deaths per group are compared with those expected
    if all groups shared one hazard; the variance is hypergeometric. The statistic is
    (O - E)' V^- (O - E) over groups with E > 0 (the first dropped), df = (groups with E > 0)
    - 1 (Mantel 1966; Peto & Peto 1972).

    Returns ``chisq, df, p_value, groups, n, observed, expected`` (the last three are dicts
    keyed by group), ``method, estimable, reason``. Not estimable (NaN statistic) when there
    are no events, or fewer than two groups with expected events.
    """
    frame = pd.DataFrame({"time": time, "event": event, "group": group}).dropna()
    t, e = _as_time_event(frame["time"], frame["event"])
    g = frame["group"].to_numpy()
    levels = sorted(pd.unique(g))
    result = {
        "chisq": math.nan,
        "df": math.nan,
        "p_value": math.nan,
        "groups": levels,
        "n": {lv: int((g == lv).sum()) for lv in levels},
        "observed": {lv: float(e[g == lv].sum()) for lv in levels},
        "expected": {lv: 0.0 for lv in levels},
        "method": "log-rank (survdiff, rho = 0), chi-square approximation",
        "estimable": True,
        "reason": "",
    }
    if len(levels) < 2:
        result.update(estimable=False, reason="fewer than two groups")
        return result
    if e.sum() == 0:
        result.update(estimable=False, reason="no events")
        return result
    membership = np.array([[gi == lv for lv in levels] for gi in g], dtype=float)
    expected = np.zeros(len(levels))
    variance = np.zeros((len(levels), len(levels)))
    for event_time in np.unique(t[e == 1]):
        at_risk = t >= event_time
        n_total = at_risk.sum()
        d_total = e[t == event_time].sum()
        n_by_group = membership[at_risk].sum(axis=0)
        share = n_by_group / n_total
        expected += d_total * share
        if n_total > 1:
            factor = d_total * (n_total - d_total) / (n_total - 1)
            variance += factor * (np.diag(share) - np.outer(share, share))
    result["expected"] = {lv: float(x) for lv, x in zip(levels, expected, strict=True)}
    observed = np.array([result["observed"][lv] for lv in levels])
    used = expected > 0
    df = int(used.sum()) - 1
    if df < 1:
        result.update(estimable=False, reason="fewer than two groups with expected events")
        return result
    diff = (observed - expected)[used][1:]
    sub_var = variance[np.ix_(used, used)][1:, 1:]
    chisq = float(diff @ np.linalg.solve(sub_var, diff))
    result.update(chisq=chisq, df=df, p_value=float(chi2_sf(chisq, df)))
    return result


# ---------------------------------------------------------------------------------------
# Cox proportional hazards (Efron ties)
# ---------------------------------------------------------------------------------------


def _design(data: pd.DataFrame, covariates: list[str]) -> tuple[np.ndarray, list[str], list]:
    """Model matrix like R's: numeric/bool columns as is, categorical columns as treatment
    dummies (reference = first level; named ``<column><level>``).

    Returns the matrix, column names and, per covariate, the indices of its columns (R's
    ``assign``, used to group a factor's columns into one term).
    """
    blocks, names, assign = [], [], []
    for cov in covariates:
        col = data[cov]
        is_categorical = isinstance(col.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
        )
        start = len(names)
        if is_categorical:
            cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
            cat = cat.cat.remove_unused_categories()
            for level in cat.cat.categories[1:]:
                blocks.append((cat == level).to_numpy(dtype=float))
                names.append(f"{cov}{level}")
        else:
            blocks.append(col.to_numpy(dtype=float))
            names.append(cov)
        assign.append((cov, list(range(start, len(names)))))
    matrix = np.column_stack(blocks) if blocks else np.empty((len(data), 0))
    return matrix, names, assign


def _efron_pieces(time, event, x, beta):
    """Per distinct event time: Efron's log-lik term, score and information contributions.

    Yields ``(event_time, loglik_term, score_term, info_term)`` with risk weights exp(x beta).
    Efron (JASA 1977;72:557-65): the d tied deaths at a time remove, step by step, k/d of
    their own weight from the risk-set sums (k = 0..d-1).
    """
    eta = x @ beta
    weight = np.exp(eta - eta.max())
    for event_time in np.unique(time[event == 1]):
        at_risk = time >= event_time
        dies = (time == event_time) & (event == 1)
        d = int(dies.sum())
        w_r, x_r = weight[at_risk], x[at_risk]
        risk_sum = w_r.sum()
        risk_x = w_r @ x_r
        risk_xx = (x_r * w_r[:, None]).T @ x_r
        w_d, x_d = weight[dies], x[dies]
        death_sum = w_d.sum()
        death_x = w_d @ x_d
        death_xx = (x_d * w_d[:, None]).T @ x_d
        loglik = float((eta[dies] - eta.max()).sum())
        score = x_d.sum(axis=0)
        info = np.zeros((x.shape[1], x.shape[1]))
        for k in range(d):
            frac = k / d
            denom = risk_sum - frac * death_sum
            mean = (risk_x - frac * death_x) / denom
            loglik -= math.log(denom)
            score = score - mean
            info += (risk_xx - frac * death_xx) / denom - np.outer(mean, mean)
        yield event_time, loglik, score, info


def _cox_derivatives(time, event, x, beta):
    loglik, score, info = 0.0, np.zeros(x.shape[1]), np.zeros((x.shape[1], x.shape[1]))
    for _, ll, sc, inf in _efron_pieces(time, event, x, beta):
        loglik += ll
        score += sc
        info += inf
    return loglik, score, info


def _is_singular(info: np.ndarray) -> bool:
    eigen = np.linalg.eigvalsh(info)
    return bool(eigen.min() <= COX_TOLER_CHOL * max(eigen.max(), 1.0))


def _newton_cox(time, event, x) -> dict:
    """Newton-Raphson with step halving, the iteration and stopping rule of R's coxfit6.

    Start at beta = 0; stop when |1 - loglik_old / loglik_new| <= 1e-9 after a full step;
    halve the step when the log-likelihood decreases; at most 20 iterations. Matching R's
    sequence of iterates (not just the optimum) makes the estimates agree to rounding.
    """
    p = x.shape[1]
    beta = np.zeros(p)
    loglik_null, score, info = _cox_derivatives(time, event, x, beta)
    if _is_singular(info):
        return {"status": "singular", "loglik_null": loglik_null}
    loglik = loglik_null
    new_beta = beta + np.linalg.solve(info, score)
    halving = False
    converged = False
    iterations = 0
    for iterations in range(1, COX_ITER_MAX + 1):
        new_loglik, score, info = _cox_derivatives(time, event, x, new_beta)
        if abs(1 - loglik / new_loglik) <= COX_EPS and not halving:
            converged = True
            break
        if iterations == COX_ITER_MAX:
            break
        if new_loglik < loglik:
            halving = True
            new_beta = (new_beta + beta) / 2
        else:
            halving = False
            loglik = new_loglik
            if _is_singular(info):
                return {"status": "singular", "loglik_null": loglik_null}
            beta = new_beta
            new_beta = new_beta + np.linalg.solve(info, score)
    if _is_singular(info):
        return {"status": "singular", "loglik_null": loglik_null}
    variance = np.linalg.inv(info)
    next_step = np.abs(score @ variance)
    # coxph.fit's check: a converged log-likelihood with a still-large Newton step means the
    # coefficient is drifting to infinity (monotone likelihood).
    infinite = ~np.isfinite(score) | (
        (next_step > COX_EPS) & (next_step > COX_TOLER_INF * np.abs(new_beta))
    )
    return {
        "status": "ok" if converged and not infinite.any() else "not converged",
        "infinite": infinite,
        "coef": new_beta,
        "variance": variance,
        "loglik_null": loglik_null,
        "loglik": new_loglik,
        "iterations": iterations,
    }


def _prepare_cox(data, time, event, covariates, min_events_per_level):
    """Shared set-up for cox_regression and cox_zph: complete cases, design, checks, fit."""
    covariates = list(covariates)
    frame = data[[time, event, *covariates]].dropna()
    t, e = _as_time_event(frame[time], frame[event])
    x, names, assign = _design(frame, covariates)
    prep = {"n": int(t.size), "n_events": int(e.sum()), "names": names, "assign": assign}
    single_level = [cov for cov, columns in assign if not columns]
    reason = ""
    if not covariates:
        reason = "no covariates"
    elif t.size == 0:
        reason = "no complete observations"
    elif e.sum() == 0:
        reason = "no events"
    elif single_level:
        reason = f"{single_level[0]} has a single level"
    else:
        for j, name in enumerate(names):
            column = x[:, j]
            values = np.unique(column)
            if values.size == 1:
                reason = f"{name} does not vary"
                break
            if values.size == 2:
                events_at = [int(e[column == v].sum()) for v in values]
                if min(events_at) < min_events_per_level:
                    reason = (
                        f"fewer than {min_events_per_level} events at {name} = {values[1]:g} "
                        f"({events_at[1]}) or {name} = {values[0]:g} ({events_at[0]})"
                    )
                    break
    if not reason:
        # Centring does not change the Cox fit (shift-invariance of the partial likelihood)
        # and keeps exp(x beta) well scaled, as R's coxph does internally.
        centred = x - x.mean(axis=0)
        fit = _newton_cox(t, e, centred)
        if fit["status"] == "singular":
            reason = "covariates are collinear (singular information matrix)"
        elif fit["status"] != "ok":
            infinite = [n for n, flag in zip(names, fit.get("infinite", []), strict=True) if flag]
            reason = (
                f"did not converge: coefficient of {', '.join(infinite)} may be infinite"
                if infinite
                else f"did not converge in {COX_ITER_MAX} iterations"
            )
        else:
            prep.update(fit=fit, time=t, event=e, x=centred)
    prep["reason"] = reason
    return prep


def cox_regression(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: list[str],
    conf_level: float = 0.95,
    min_events_per_level: int = MIN_EVENTS_PER_LEVEL,
) -> pd.DataFrame:
    """Cox proportional hazards model as R's ``coxph(Surv(time, event) ~ ..., ties = "efron")``.

    Maximum partial likelihood with Efron's handling of tied event times, fitted by R's
    Newton-Raphson scheme. Numeric (and bool) covariates enter linearly, e.g. a 0/1 IL-6 rise
    indicator or line of therapy as an integer; categorical (category/string) covariates are
    treatment-coded against their first level, like an R factor. Rows with a missing value
    in any used column are dropped (complete cases, as R's na.omit).

    One row per model coefficient: ``term, coef, hazard_ratio, se, z, p_value, ci_low,
    ci_high`` (Wald; HR CI = exp(coef -/+ z se)), then ``n, n_events, loglik_null, loglik,
    lr_chisq, lr_df, lr_p_value`` (likelihood-ratio test against the null model, repeated on
    every row), ``iterations, method, estimable, reason``.

    Not estimable (one row per term, NaN numbers, the reason given) when there are no events
    or no covariates, a covariate does not vary or has one level, a two-valued column has fewer
    than ``min_events_per_level`` events at either value (default 2; also a two-valued code such
    as line 1/2), the covariates are collinear, or the fit does not converge
    (including R's "coefficient may be infinite" condition).
    """
    prep = _prepare_cox(data, time, event, covariates, min_events_per_level)
    names = prep["names"] or list(covariates) or ["(no covariates)"]
    method = "Cox PH, Efron ties, Wald CI, likelihood-ratio test"
    if prep["reason"]:
        return pd.DataFrame(
            {
                "term": names,
                **{
                    col: math.nan
                    for col in (
                        "coef",
                        "hazard_ratio",
                        "se",
                        "z",
                        "p_value",
                        "ci_low",
                        "ci_high",
                    )
                },
                "n": prep["n"],
                "n_events": prep["n_events"],
                **{
                    col: math.nan
                    for col in ("loglik_null", "loglik", "lr_chisq", "lr_df", "lr_p_value")
                },
                "iterations": 0,
                "method": method,
                "estimable": False,
                "reason": prep["reason"],
            }
        )
    fit = prep["fit"]
    coef = fit["coef"]
    se = np.sqrt(np.diag(fit["variance"]))
    z = coef / se
    z_crit = _z_value(conf_level)
    lr_chisq = 2 * (fit["loglik"] - fit["loglik_null"])
    lr_df = len(coef)
    return pd.DataFrame(
        {
            "term": names,
            "coef": coef,
            "hazard_ratio": np.exp(coef),
            "se": se,
            "z": z,
            "p_value": 2 * normal_sf(np.abs(z)),
            "ci_low": np.exp(coef - z_crit * se),
            "ci_high": np.exp(coef + z_crit * se),
            "n": prep["n"],
            "n_events": prep["n_events"],
            "loglik_null": fit["loglik_null"],
            "loglik": fit["loglik"],
            "lr_chisq": lr_chisq,
            "lr_df": lr_df,
            "lr_p_value": chi2_sf(lr_chisq, lr_df),
            "iterations": fit["iterations"],
            "method": method,
            "estimable": True,
            "reason": "",
        }
    )


def cox_zph(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: list[str],
    min_events_per_level: int = MIN_EVENTS_PER_LEVEL,
) -> pd.DataFrame:
    """Proportional-hazards test as R's ``cox.zph(fit)`` in survival >= 3.0 (transform = "km",
    terms = TRUE, global = TRUE), for the model :func:`cox_regression` fits.

    Method (Grambsch & Therneau, Biometrika 1994;81:515-26, as implemented since survival
    3.0): each coefficient is allowed to drift as beta + theta g(t), where g(t) = 1 - KM(t-)
    of all patients, centred on its mean over the event times. The test of theta = 0 is a
    score test at (beta_hat, 0) in the model with covariates (x, g(t) x): score U = sum over
    event times of g(t) (x_deaths - Efron mean), information the full (2p x 2p) matrix
    [[I, I_g], [I_g, I_gg]] built from Efron's risk-set variances weighted by 1, g, g^2.
    A term's statistic uses the beta block plus that term's theta columns (a factor is one
    term with df = its number of columns); GLOBAL uses all.

    One row per term plus ``GLOBAL``: ``term, chisq, df, p_value, method, estimable,
    reason``. Not estimable exactly when :func:`cox_regression` is not.
    """
    prep = _prepare_cox(data, time, event, covariates, min_events_per_level)
    term_names = [name for name, _ in prep["assign"]] or list(covariates)
    method = "score test for time-varying coefficients, KM time transform (cox.zph, survival 3)"
    if prep["reason"]:
        return pd.DataFrame(
            {
                "term": [*term_names, "GLOBAL"],
                "chisq": math.nan,
                "df": math.nan,
                "p_value": math.nan,
                "method": method,
                "estimable": False,
                "reason": prep["reason"],
            }
        )
    t, e, x, fit = prep["time"], prep["event"], prep["x"], prep["fit"]
    km = _km_arrays(t, e)
    # 1 - KM just before each time: the survival at the last distinct time strictly earlier.
    earlier = np.searchsorted(km["time"], t, side="left")
    transformed = 1 - np.concatenate(([1.0], km["survival"]))[earlier]
    centred_g = transformed - transformed[e == 1].mean()
    g_at = dict(zip(t[e == 1], centred_g[e == 1], strict=True))

    p = x.shape[1]
    info = np.zeros((2 * p, 2 * p))
    time_score = np.zeros(p)
    for event_time, _, score, block in _efron_pieces(t, e, x, fit["coef"]):
        g = g_at[event_time]
        info[:p, :p] += block
        info[:p, p:] += g * block
        info[p:, :p] += g * block
        info[p:, p:] += g * g * block
        time_score += g * score

    rows = []
    for name, columns in prep["assign"]:
        keep = list(range(p)) + [p + j for j in columns]
        u = np.concatenate((np.zeros(p), time_score[columns]))
        chisq = float(u @ np.linalg.solve(info[np.ix_(keep, keep)], u))
        rows.append((name, chisq, len(columns)))
    u_all = np.concatenate((np.zeros(p), time_score))
    rows.append(("GLOBAL", float(u_all @ np.linalg.solve(info, u_all)), p))
    return pd.DataFrame(
        {
            "term": [r[0] for r in rows],
            "chisq": [r[1] for r in rows],
            "df": [r[2] for r in rows],
            "p_value": [float(chi2_sf(r[1], r[2])) for r in rows],
            "method": method,
            "estimable": True,
            "reason": "",
        }
    )
