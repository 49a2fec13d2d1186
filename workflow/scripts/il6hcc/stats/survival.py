"""Landmark survival analysis with the policy of R's ``survival`` package (3.5) around
statsmodels' arithmetic (``SurvfuncRight``, ``survdiff``, ``PHReg``); ``cox.zph`` by hand. As R
(``timefix = TRUE``), times that differ only by floating-point noise (``2.1 - 0.7`` and ``1.4``)
are merged first. Degenerate input is not estimable, with a reason.

Reference: Therneau TM, Grambsch PM. Modeling Survival Data. Springer, 2000.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from il6hcc.stats.result import StatResult

# sqrt(.Machine$double.eps): R's tolerance for equal times (aeqSurv) and a curve at 0.5 (survmean).
SQRT_EPS = math.sqrt(np.finfo(float).eps)

# coxph.control() defaults in survival 3.5: R's iteration limit, and the thresholds of its
# singular-information and infinite-coefficient checks (applied here to statsmodels' fit).
COX_EPS = 1e-9
COX_ITER_MAX = 20
COX_TOLER_CHOL = np.finfo(float).eps ** 0.75
COX_TOLER_INF = math.sqrt(COX_EPS)

# Fewer events than this at either value of a two-valued design column make a Cox model not
# estimable: with 0 the partial likelihood has no finite maximum (R: coefficient "may be
# infinite"), with 1 the estimate rests on a single patient.
MIN_EVENTS_PER_LEVEL = 2

COX_METHOD = "Cox PH, Efron ties, Wald CI, likelihood-ratio test"
ZPH_METHOD = "score test for time-varying coefficients, KM time transform (cox.zph, survival 3)"


def _merge_near_ties(time: np.ndarray) -> np.ndarray:
    """R's ``aeqSurv``: sorted distinct times whose gap is <= the tolerance, absolutely or
    relative to the mean absolute time, merged onto the first time of their run."""
    ok = np.isfinite(time)
    finite = np.unique(time[ok])
    if finite.size < 2:
        return time
    gaps = np.diff(finite)
    tied = (gaps <= SQRT_EPS) | (gaps / np.mean(np.abs(finite)) <= SQRT_EPS)
    if not tied.any():
        return time
    cuts = finite[np.concatenate(([True], ~tied))]
    merged = time.copy()
    merged[ok] = cuts[np.searchsorted(cuts, time[ok], side="right") - 1]
    return merged


def _as_time_event(time, event, *aligned) -> tuple[np.ndarray, ...]:
    """Numeric arrays of time and 0/1 event, rows without a finite time or an event dropped,
    then the same rows of each ``aligned`` array."""
    time_arr = pd.to_numeric(pd.Series(time), errors="coerce").to_numpy(dtype=float)
    event_arr = pd.Series(event).astype("float64").to_numpy()
    keep = np.isfinite(time_arr) & np.isfinite(event_arr)
    time_arr, event_arr = time_arr[keep], event_arr[keep]
    if not np.isin(event_arr, (0.0, 1.0)).all():
        raise ValueError("event must be coded 0 (censored) / 1 (event) or False/True")
    return _merge_near_ties(time_arr), event_arr, *(np.asarray(a)[keep] for a in aligned)


def _z_value(conf_level: float) -> float:
    return float(scipy.stats.norm.ppf(1 - (1 - conf_level) / 2))


def kaplan_meier(time, event, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate as R's ``survfit(Surv(time, event) ~ 1)``: one row per distinct
    time, censoring times included (statsmodels lists event times only), Greenwood standard
    error of S, log-scale limits capped at 1; NaN (R: NA) where S = 0, as ``method`` says."""
    t, e = _as_time_event(time, event)
    times, position = np.unique(t, return_inverse=True)
    n_event = np.bincount(position, weights=e, minlength=times.size).astype(int)
    n_here = np.bincount(position, minlength=times.size)
    fit = SurvfuncRight(t, e)
    # A step function: each time takes the value at the last event time at or before it
    # (S = 1, standard error 0 before the first event).
    step = np.searchsorted(fit.surv_times, times, side="right")
    survival = np.concatenate(([1.0], fit.surv_prob))[step]
    std_err = np.concatenate(([0.0], fit.surv_prob_se))[step]
    z = _z_value(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = np.where(survival > 0, std_err / survival, np.nan)
    method = f"Kaplan-Meier, Greenwood variance, {conf_level:.0%} CI log scale"
    if (survival == 0).any():
        method += "; std_err and CI undefined (NaN) where survival = 0"
    curve = {"time": times, "n_risk": np.cumsum(n_here[::-1])[::-1], "n_event": n_event}
    curve.update(n_censor=n_here - n_event, survival=survival, std_err=survival * se_log)
    curve.update(ci_low=survival * np.exp(-z * se_log))
    curve.update(ci_high=np.minimum(survival * np.exp(z * se_log), 1.0), method=method)
    return pd.DataFrame(curve)


def _first_crossing(curve: np.ndarray, times: np.ndarray) -> float:
    """R's survmean ``minmin``: the first time the curve (NaN never counts) is <= 0.5 (NaN if
    never); where it sits at 0.5 (within sqrt(eps)) and drops later, the flat part's midpoint."""
    keep = curve < 0.5 + SQRT_EPS
    if not keep.any():
        return math.nan
    kept_times, kept_curve = times[keep], curve[keep]
    lower = np.nonzero(kept_curve < kept_curve[0])[0]
    if abs(kept_curve[0] - 0.5) < SQRT_EPS and lower.size:
        return float((kept_times[0] + kept_times[lower[0]]) / 2)
    return float(kept_times[0])


def km_median(time, event, *, conf_level: float = 0.95) -> StatResult:
    """Median survival with CI as R's ``summary(survfit(...))$table``: the first times the
    curve and its pointwise limits are <= 0.5 (Brookmeyer & Crowley, Biometrics 1982;38:29-41;
    statsmodels' ``quantile_ci`` differs: strict inequality, no midpoint rule, inf for NA).
    ``extra``: n, n_events, last_follow_up, median_reached, ci_low_reached, ci_high_reached,
    note (which value is not reached, NaN here, NA in R, and why)."""
    curve = kaplan_meier(time, event, conf_level=conf_level)
    if curve.empty:
        return StatResult.not_estimable("no observations", n=0, n_events=0, note="no observations")
    # Everybody is at risk at the first time.
    counts = {"n": int(curve["n_risk"].iloc[0]), "n_events": int(curve["n_event"].sum())}
    last = float(curve["time"].iloc[-1])
    # R's survfit0() first prepends S = 1 at min(0, times): never <= 0.5, so not needed here.
    found, notes, reached = {}, [], {}
    for key, column, not_reached in (
        ("estimate", "survival", "median not reached: the survival curve"),
        ("ci_low", "ci_low", "CI lower limit not reached: the lower confidence limit"),
        ("ci_high", "ci_high", "CI upper limit not reached: the upper confidence limit"),
    ):
        found[key] = _first_crossing(curve[column].to_numpy(), curve["time"].to_numpy())
        reached[f"{'median' if key == 'estimate' else key}_reached"] = not math.isnan(found[key])
        if math.isnan(found[key]):
            notes.append(f"{not_reached} stays above 0.5 up to the last follow-up ({last:g})")
    return StatResult(
        **found,
        conf_level=conf_level,
        method="KM median, CI from log-scale pointwise limits (Brookmeyer-Crowley, as R)",
        extra={**counts, "last_follow_up": last, **reached, "note": "; ".join(notes)},
    )


def _time_event_group(time, event, group) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """:func:`_as_time_event` with the group of each row, and the sorted groups."""
    frame = pd.DataFrame({"time": time, "event": event, "group": group}).dropna()
    t, e, groups = _as_time_event(frame["time"], frame["event"], frame["group"])
    return t, e, groups, sorted(pd.unique(groups))


def numbers_at_risk(time, event, group, at_times) -> pd.DataFrame:
    """Rows ``group, time, n_risk`` (both sorted) as R's ``summary(survfit(Surv(time, event)
    ~ group), times = at_times, extend = TRUE)$n.risk``: patients with time >= t; rows with a
    missing value dropped."""
    t, _, groups, levels = _time_event_group(time, event, group)
    at = np.sort(np.asarray(at_times, dtype=float))
    rows = [
        (level, moment, int(n_risk))
        for level in levels
        for moment, n_risk in zip(at, (t[groups == level, None] >= at).sum(axis=0), strict=True)
    ]
    return pd.DataFrame(rows, columns=["group", "time", "n_risk"])


def logrank_test(time, event, group) -> StatResult:
    """Log-rank test as R's ``survdiff(Surv(time, event) ~ group)``: statsmodels' chi-square
    over the groups with expected events (as R), p from the upper tail (statsmodels' 1 - cdf
    loses small p-values). ``extra``: df and, per group, n, observed and expected events. Not
    estimable with fewer than two groups (expecting events) or no events."""
    t, e, g, levels = _time_event_group(time, event, group)
    times, position = np.unique(t, return_inverse=True)
    deaths = np.bincount(position, weights=e, minlength=times.size)
    at_risk = {
        level: np.cumsum(np.bincount(position[g == level], minlength=times.size)[::-1])[::-1]
        for level in levels
    }
    # Each event time's deaths are expected in proportion to the numbers at risk.
    share = deaths / sum(at_risk.values(), np.zeros(times.size))
    extra = {
        "n": {level: int((g == level).sum()) for level in levels},
        "observed": {level: float(e[g == level].sum()) for level in levels},
        "expected": {level: float(share @ n) for level, n in at_risk.items()},
    }
    used = [level for level in levels if extra["expected"][level] > 0]
    for failed, reason in (
        (len(levels) < 2, "fewer than two groups"),
        (e.sum() == 0, "no events"),
        (len(used) < 2, "fewer than two groups with expected events"),
    ):
        if failed:
            return StatResult.not_estimable(reason, df=math.nan, **extra)
    rows = np.isin(g, used)
    chisq = float(survdiff(t[rows], e[rows], g[rows])[0])
    return StatResult(
        statistic=chisq,
        p_value=float(scipy.stats.chi2.sf(chisq, len(used) - 1)),
        method="log-rank (survdiff, rho = 0), chi-square approximation",
        extra={"df": len(used) - 1, **extra},
    )


def _design(data: pd.DataFrame, covariates: list[str]) -> tuple[np.ndarray, list[str], dict]:
    """R's model matrix: numbers and bools as they are, text and categories as treatment
    dummies named ``<column><level>`` (reference = first level); with its column names and
    each covariate's columns (R's ``assign``: a factor is one term)."""
    blocks, names, terms = [], [], {}
    for cov in covariates:
        column, start = data[cov], len(names)
        # Booleans count as numeric; a categorical (even of numbers) is not numeric: a factor.
        if pd.api.types.is_numeric_dtype(column):
            blocks.append(column.to_numpy(dtype=float))
            names.append(cov)
        else:
            levels = column.astype("category").cat.remove_unused_categories().cat.categories
            blocks.extend((column == level).to_numpy(dtype=float) for level in levels[1:])
            names.extend(f"{cov}{level}" for level in levels[1:])
        terms[cov] = list(range(start, len(names)))
    return (np.column_stack(blocks) if blocks else np.empty((len(data), 0))), names, terms


@dataclass(frozen=True)
class CoxFit:
    """A Cox model fitted once, for :func:`cox_regression` and :func:`cox_zph`: ``names`` (R's
    coefficient names), ``terms`` (each covariate's columns), and unless ``reason`` says why
    not, statsmodels' PHReg ``model`` on the centred design, ``coef`` and ``se``."""

    covariates: list[str]
    names: list[str]
    terms: dict[str, list[int]]
    n: int
    n_events: int
    reason: str = ""
    model: PHReg | None = None
    coef: np.ndarray | None = None
    se: np.ndarray | None = None
    iterations: int = 0


def _is_singular(info: np.ndarray) -> bool:
    eigen = np.linalg.eigvalsh(info)
    return bool(eigen.min() <= COX_TOLER_CHOL * max(eigen.max(), 1.0))


def _precondition(design, names, terms, event, min_events_per_level) -> str:
    """Why these data give no usable Cox fit ('' when they do)."""
    if not terms:
        return "no covariates"
    if event.size == 0:
        return "no complete observations"
    if event.sum() == 0:
        return "no events"
    for cov, columns in terms.items():
        if not columns:
            return f"{cov} has a single level"
    for j, name in enumerate(names):
        values = np.unique(design[:, j])
        if values.size == 1:
            return f"{name} does not vary"
        if values.size != 2:
            continue
        events_at = [int(event[design[:, j] == v].sum()) for v in values]
        if min(events_at) < min_events_per_level:
            return (
                f"fewer than {min_events_per_level} events at {name} = {values[1]:g} "
                f"({events_at[1]}) or {name} = {values[0]:g} ({events_at[0]})"
            )
    return ""


def cox_fit(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: list[str],
    min_events_per_level: int = MIN_EVENTS_PER_LEVEL,
) -> CoxFit:
    """``coxph(Surv(time, event) ~ covariates, ties = "efron")`` fitted once: statsmodels'
    ``PHReg(ties="efron")`` on complete cases, with coxph's checks (singular information, a
    coefficient drifting to infinity) and its 20 iterations; R stops at a relative change of 1e-9,
    so coefficients agree to about 1e-8. Not estimable without events or covariates, with a
    constant covariate, a two-valued column with fewer than ``min_events_per_level`` events at a
    value, collinear covariates or no convergence."""
    frame = data[[time, event, *covariates]].dropna()
    t, e, rows = _as_time_event(frame[time], frame[event], np.arange(len(frame)))
    frame = frame.iloc[rows]
    x, names, terms = _design(frame, list(covariates))
    known = {"covariates": list(covariates), "names": names, "terms": terms, "n": int(t.size)}
    known["n_events"] = int(e.sum())
    if reason := _precondition(x, names, terms, e, min_events_per_level):
        return CoxFit(**known, reason=reason)
    # Centring does not change the fit (the partial likelihood is shift-invariant) and keeps
    # exp(x beta) well scaled, as R's coxph does internally.
    model = PHReg(t, x - x.mean(axis=0), e, ties="efron")
    collinear = CoxFit(**known, reason="covariates are collinear (singular information matrix)")
    if _is_singular(-model.hessian(np.zeros(len(names)))):
        return collinear
    iterates = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fitted = model.fit(maxiter=COX_ITER_MAX, callback=iterates.append)
    info = -model.hessian(fitted.params)
    if _is_singular(info):
        return collinear
    next_step = np.abs(model.score(fitted.params) @ np.linalg.inv(info))
    infinite = (next_step > COX_EPS) & (next_step > COX_TOLER_INF * np.abs(fitted.params))
    if infinite.any():
        drifting = ", ".join(np.asarray(names)[infinite])
        reason = f"did not converge: coefficient of {drifting} may be infinite"
        return CoxFit(**known, reason=reason)
    if any(issubclass(warning.category, ConvergenceWarning) for warning in caught):
        return CoxFit(**known, reason=f"did not converge in {COX_ITER_MAX} iterations")
    return CoxFit(**known, model=model, coef=fitted.params, se=fitted.bse, iterations=len(iterates))


def cox_regression(fit: CoxFit, *, conf_level: float = 0.95) -> dict[str, StatResult]:
    """A :func:`cox_fit`'s coefficients as R's ``summary(coxph(...))``, keyed by term: Wald z,
    hazard ratio with Wald CI; ``extra``: coef, se, n, n_events, loglik_null, loglik and the
    likelihood-ratio test (lr_chisq, lr_df, lr_p_value), iterations."""
    if fit.reason:
        planned = fit.names or fit.covariates or ["(no covariates)"]
        counts = {"n": fit.n, "n_events": fit.n_events, "iterations": 0}
        return {term: StatResult.not_estimable(fit.reason, **counts) for term in planned}
    z_crit = _z_value(conf_level)
    loglik = float(fit.model.loglike(fit.coef))
    loglik_null = float(fit.model.loglike(np.zeros(len(fit.coef))))
    lr_chisq = 2 * (loglik - loglik_null)
    model = {"n": fit.n, "n_events": fit.n_events, "loglik_null": loglik_null, "loglik": loglik}
    model.update(lr_chisq=lr_chisq, lr_df=len(fit.coef), iterations=fit.iterations)
    model["lr_p_value"] = float(scipy.stats.chi2.sf(lr_chisq, len(fit.coef)))
    return {
        name: StatResult(
            statistic=float(coef / se),
            p_value=float(2 * scipy.stats.norm.sf(abs(coef / se))),
            estimate=math.exp(coef),
            ci_low=math.exp(coef - z_crit * se),
            ci_high=math.exp(coef + z_crit * se),
            conf_level=conf_level,
            method=COX_METHOD,
            extra={"coef": float(coef), "se": float(se), **model},
        )
        for name, coef, se in zip(fit.names, fit.coef, fit.se, strict=True)
    }


def _efron_by_event_time(time, event, x, beta):
    """Per event time, Efron's score (T x p) and information (T x p x p) at ``beta`` (JASA
    1977;72:557-65: the k-th of d tied deaths sees the risk set less k/d of their weight),
    from reverse cumulative sums, all tied steps in one pass. Returns (deaths, score, info)."""
    eta = x @ beta
    times, position = np.unique(time, return_inverse=True)
    p = x.shape[1]
    # Per patient: w, w x, w x x' (flattened), summed per distinct time.
    moments = np.column_stack(
        (np.ones(len(x)), x, np.einsum("ni,nj->nij", x, x).reshape(-1, p * p))
    )
    moments *= np.exp(eta - eta.max())[:, None]

    def per_time(values: np.ndarray) -> np.ndarray:
        return np.stack(
            [np.bincount(position, weights=v, minlength=times.size) for v in values.T], axis=1
        )

    risk = np.cumsum(per_time(moments)[::-1], axis=0)[::-1]
    dying = per_time(moments * event[:, None])
    x_dying = per_time(x * event[:, None])
    deaths = np.bincount(position, weights=event, minlength=times.size).astype(int)
    has = deaths > 0
    risk, dying, x_dying, deaths = risk[has], dying[has], x_dying[has], deaths[has]
    starts = np.cumsum(deaths) - deaths
    owner = np.repeat(np.arange(deaths.size), deaths)
    fraction = (np.arange(owner.size) - starts[owner]) / deaths[owner]
    sums = risk[owner] - fraction[:, None] * dying[owner]
    mean = sums[:, 1 : 1 + p] / sums[:, :1]
    second = sums[:, 1 + p :].reshape(-1, p, p) / sums[:, 0, None, None]
    info = np.add.reduceat(second - np.einsum("ki,kj->kij", mean, mean), starts, axis=0)
    return deaths, x_dying - np.add.reduceat(mean, starts, axis=0), info


def cox_zph(fit: CoxFit) -> dict[str, StatResult]:
    """Proportional-hazards test as R's ``cox.zph(fit)`` in survival >= 3.0 (transform "km"), keyed
    by term then ``GLOBAL``. Hand-written: statsmodels has none, and lifelines has the test of
    survival < 3.0 (other numbers). Grambsch & Therneau (Biometrika 1994;81:515-26): score test of
    theta = 0 in beta + theta g(t), g = 1 - KM(t-) centred over the deaths, with Efron's risk-set
    moments weighted by 1, g, g^2; a term uses its theta columns (``extra`` df), GLOBAL all."""
    if fit.reason:
        return {term: StatResult.not_estimable(fit.reason) for term in [*fit.covariates, "GLOBAL"]}
    time, event = fit.model.endog, fit.model.status
    deaths, score, info = _efron_by_event_time(time, event, fit.model.exog, fit.coef)
    # 1 - KM just before each event time, centred on its mean over the deaths.
    transformed = 1 - np.concatenate(([1.0], SurvfuncRight(time, event).surv_prob[:-1]))
    g = transformed - np.average(transformed, weights=deaths)
    p = len(fit.coef)
    blocks = [np.einsum("t,tij->ij", g**power, info) for power in (0, 1, 2)]
    full_info = np.block([[blocks[0], blocks[1]], [blocks[1], blocks[2]]])
    time_score = g @ score
    results = {}
    for term, columns in [*fit.terms.items(), ("GLOBAL", list(range(p)))]:
        keep = list(range(p)) + [p + j for j in columns]
        u = np.concatenate((np.zeros(p), time_score[columns]))
        chisq = float(u @ np.linalg.solve(full_info[np.ix_(keep, keep)], u))
        results[term] = StatResult(
            statistic=chisq,
            p_value=float(scipy.stats.chi2.sf(chisq, len(columns))),
            method=ZPH_METHOD,
            extra={"df": len(columns)},
        )
    return results
