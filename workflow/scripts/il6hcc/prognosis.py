"""Prognosis by IL-6 change: landmark survival analysis of PFS and OS in one subgroup.

The paper's claim 6 is that a rise in IL-6 after treatment may mean a better prognosis. The
group (rise versus no rise, or a configured cut-off on the change) is only known at the week-3
blood draw, so survival is counted from that landmark: patients whose event or censoring came
at or before it are excluded and counted, and every analysed time is measured from it
(Anderson, Cain & Gelber, J Clin Oncol 1983;1:710-9). Without the landmark the "rise" group
would be credited with the weeks every patient had to survive to be classified (immortal-time
bias).

Per endpoint the module gives Kaplan-Meier tables per group with 95% CIs, medians with CIs,
numbers at risk, the log-rank test, Cox hazard ratios (unadjusted and adjusted for configured
covariates) and the proportional-hazards check, all from :mod:`il6hcc.stats.survival` (which
matches R's survival package). Too few events, an empty group or a cohort without survival
columns give rows with ``estimable`` False and a ``reason``, never an exception.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from il6hcc.change import marker_change
from il6hcc.claims import COLUMNS as CLAIM_COLUMNS
from il6hcc.claims import (
    CONSISTENT,
    NOT_REPRODUCED,
    REPRODUCED,
    interval_text,
    p_text,
    unchecked_row,
)
from il6hcc.groups import group_labels, indicator_name
from il6hcc.stats.result import StatResult
from il6hcc.stats.survival import (
    cox_fit,
    cox_regression,
    cox_zph,
    kaplan_meier,
    km_median,
    logrank_test,
    numbers_at_risk,
)

ENDPOINT_COLUMNS = {"pfs": ("pfs_months", "pfs_event"), "os": ("os_months", "os_event")}
# Claim 6 is about prognosis, i.e. survival: overall survival decides it, PFS is shown beside.
CLAIM_ENDPOINT = "os"
NO_GROUP_REASON = "{marker} change not available (pre or post value missing)"

FLOW_COLUMNS = ["subgroup", "endpoint", "step", "reason", "n"]
EXCLUDED_COLUMNS = ["subgroup", "endpoint", "source_row", "patient_id", "reason"]
KM_COLUMNS = [
    "subgroup",
    "endpoint",
    "group",
    "time",
    "n_risk",
    "n_event",
    "n_censor",
    "survival",
    "std_err",
    "ci_low",
    "ci_high",
    "conf_level",
    "method",
    "estimable",
    "reason",
]
MEDIAN_COLUMNS = [
    "subgroup",
    "endpoint",
    "group",
    "n",
    "n_events",
    "median",
    "ci_low",
    "ci_high",
    "conf_level",
    "median_reached",
    "ci_low_reached",
    "ci_high_reached",
    "last_follow_up",
    "note",
    "method",
    "estimable",
    "reason",
]
AT_RISK_COLUMNS = ["subgroup", "endpoint", "group", "time", "n_risk", "estimable", "reason"]
LOGRANK_COLUMNS = [
    "subgroup",
    "endpoint",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "events_a",
    "events_b",
    "expected_a",
    "expected_b",
    "chisq",
    "df",
    "p_value",
    "method",
    "estimable",
    "reason",
]
COX_COLUMNS = [
    "subgroup",
    "endpoint",
    "model",
    "comparison",
    "adjusted_for",
    "term",
    "coef",
    "hazard_ratio",
    "se",
    "z",
    "p_value",
    "ci_low",
    "ci_high",
    "conf_level",
    "n",
    "n_events",
    "loglik_null",
    "loglik",
    "lr_chisq",
    "lr_df",
    "lr_p_value",
    "iterations",
    "method",
    "estimable",
    "reason",
]
ZPH_COLUMNS = [
    "subgroup",
    "endpoint",
    "model",
    "adjusted_for",
    "term",
    "chisq",
    "df",
    "p_value",
    "method",
    "estimable",
    "reason",
]
TABLES = ("flow", "excluded", "km", "medians", "at_risk", "logrank", "cox", "zph", "claim")
COLUMNS = {
    "km": KM_COLUMNS,
    "medians": MEDIAN_COLUMNS,
    "at_risk": AT_RISK_COLUMNS,
    "logrank": LOGRANK_COLUMNS,
    "cox": COX_COLUMNS,
    "zph": ZPH_COLUMNS,
}


# ---------------------------------------------------------------------------------------
# Grouping by the change of the marker
# ---------------------------------------------------------------------------------------


def change_groups(patients: pd.DataFrame, grouping: dict) -> pd.DataFrame:
    """Each patient's change of the grouping marker and group, aligned with ``patients``.

    Columns ``change`` (post - pre for the rise rule, else the configured metric),
    ``group`` (label, <NA> when the change cannot be computed) and ``indicator`` (1 for the
    index group, 0 for the reference group, <NA> when not computable). Censored values were
    substituted in cleaning: two values both below the LLOQ are equal, so "no rise".
    """
    key = grouping["marker"]
    pre, post = patients[f"{key}_pre"], patients[f"{key}_post"]
    if grouping["rule"] == "rise":
        change = marker_change(pre, post, "absolute")
        threshold = 0.0
    else:
        change = marker_change(pre, post, grouping["metric"])
        threshold = float(grouping["cutoff"])
    known = change.notna()
    indicator = pd.Series(pd.NA, index=patients.index, dtype="Int64")
    indicator[known] = (change[known] > threshold).astype("int64")
    index_label, reference_label = group_labels(grouping)
    group = pd.Series(pd.NA, index=patients.index, dtype="string")
    group[known] = np.where(indicator[known] == 1, index_label, reference_label)
    return pd.DataFrame({"change": change, "group": group, "indicator": indicator})


# ---------------------------------------------------------------------------------------
# Landmark cohort of one endpoint
# ---------------------------------------------------------------------------------------


def absent_columns(patients: pd.DataFrame, endpoint: str) -> list[str]:
    """The endpoint's time/event columns that the cohort does not have."""
    return [column for column in ENDPOINT_COLUMNS[endpoint] if column not in patients.columns]


def landmark(
    data: pd.DataFrame, *, time: str, event: str, landmark_time: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(kept, excluded)`` rows with the clock restarted at ``landmark_time`` (the IL-6 group
    is known at week 3: no immortal time; Anderson et al., J Clin Oncol 1983;1:710-9): a time at
    or before it, or a missing time or event, is excluded with an ``exclusion_reason``; kept rows
    get ``time - landmark_time`` (the original in ``<time>_from_start``)."""
    times = pd.to_numeric(data[time], errors="coerce")
    events = pd.to_numeric(data[event].astype("float64"), errors="coerce")
    missing = times.isna() | events.isna()
    out = missing | (times <= landmark_time)
    excluded = data.loc[out].copy()
    excluded["exclusion_reason"] = np.where(
        missing[out],
        "missing time or event",
        np.where(events[out] == 1, "event before landmark", "censored before landmark"),
    )
    kept = data.loc[~out].copy()
    kept[f"{time}_from_start"] = kept[time]
    kept[time] = times[~out] - landmark_time
    return kept, excluded


def landmark_cohort(
    patients: pd.DataFrame,
    *,
    endpoint: str,
    grouping: dict,
    landmark_months: float,
    marker_label: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients analysed for one endpoint, and those excluded with the reason.

    Patients without a group (the change cannot be computed) are excluded first, then the
    landmark excludes those with an event, a censoring or a missing time/event at or before
    ``landmark_months``. ``analysed`` keeps every column of ``patients`` plus ``group``,
    ``indicator``, ``change``, ``time`` (months from the landmark), ``time_from_start`` and
    ``event``; ``excluded`` has ``source_row, patient_id, reason``. If the cohort has no
    such survival columns every patient is excluded with that reason.
    """
    time_column, event_column = ENDPOINT_COLUMNS[endpoint]
    absent = absent_columns(patients, endpoint)
    identity = [c for c in ("source_row", "patient_id") if c in patients.columns]
    if absent:
        excluded = patients[identity].copy()
        excluded["reason"] = f"column(s) {', '.join(absent)} absent from the cohort"
        return patients.iloc[0:0].copy(), excluded
    groups = change_groups(patients, grouping)
    with_groups = patients.assign(
        group=groups["group"], indicator=groups["indicator"], change=groups["change"]
    )
    no_group = with_groups["group"].isna()
    ungrouped = with_groups.loc[no_group, identity].copy()
    ungrouped["reason"] = NO_GROUP_REASON.format(marker=marker_label)
    grouped = with_groups.loc[~no_group]
    kept, before = landmark(
        grouped, time=time_column, event=event_column, landmark_time=landmark_months
    )
    before = before[identity].assign(reason=before["exclusion_reason"])
    analysed = kept.assign(
        time=kept[time_column].astype("float64"),
        time_from_start=kept[f"{time_column}_from_start"].astype("float64"),
        event=kept[event_column].astype("float64"),
    )
    excluded = pd.concat([ungrouped, before]).sort_index()
    return analysed, excluded.reset_index(drop=True)


def _flow(subgroup, endpoint, n_read, analysed, excluded, labels) -> list[dict]:
    rows = [{"step": "read", "reason": "", "n": n_read}]
    for reason in pd.unique(excluded["reason"]):
        n = int((excluded["reason"] == reason).sum())
        rows.append({"step": "excluded", "reason": reason, "n": n})
    rows.append({"step": "analysed", "reason": "", "n": len(analysed)})
    for label in labels:
        n = int((analysed["group"] == label).sum()) if len(analysed) else 0
        rows.append({"step": "group", "reason": label, "n": n})
    return [{"subgroup": subgroup, "endpoint": endpoint, **row} for row in rows]


# ---------------------------------------------------------------------------------------
# Tables of one endpoint
# ---------------------------------------------------------------------------------------

# Result fields under the names the tables have always used.
RENAMES = {
    "medians": {"estimate": "median"},
    "logrank": {"statistic": "chisq"},
    "cox": {"statistic": "z", "estimate": "hazard_ratio"},
    "zph": {"statistic": "chisq"},
}


def _members(analysed: pd.DataFrame, label: str) -> pd.DataFrame:
    return analysed[analysed["group"] == label]


def _km_rows(analysed, labels, conf_level) -> list[dict]:
    rows = []
    for label in labels:
        members = _members(analysed, label)
        if members.empty:
            why = "no patient of this group is analysed after the landmark"
            rows.append({"group": label, **StatResult.not_estimable(why).columns()})
            continue
        table = kaplan_meier(members["time"], members["event"], conf_level=conf_level)
        rows.extend(table.assign(group=label, estimable=True, reason="").to_dict(orient="records"))
    return rows


def _at_risk_rows(analysed, labels, at_times) -> list[dict]:
    rows = []
    for label in labels:
        members = _members(analysed, label)
        table = numbers_at_risk(
            members["time"], members["event"], pd.Series(label, index=members.index), at_times
        )
        if table.empty:
            table = pd.DataFrame(
                {"group": label, "time": sorted(float(t) for t in at_times), "n_risk": 0}
            )
        rows.extend(table.assign(estimable=True, reason="").to_dict(orient="records"))
    return rows


def _events_reason(analysed, labels, min_events) -> str:
    """Why a comparison of the groups is not estimable ('' when it is)."""
    too_few = []
    for label in labels:
        members = _members(analysed, label)
        events = int(members["event"].sum()) if len(members) else 0
        if events < min_events:
            too_few.append(f"{label}: {events} events in {len(members)} patients")
    if too_few:
        return f"fewer than {min_events} events in a group ({'; '.join(too_few)})"
    return ""


def _logrank_row(result: StatResult, labels) -> dict:
    """The log-rank result with its per-group counts as the a (index) and b (reference) sides."""
    row = {"group_a": labels[0], "group_b": labels[1], **result.columns()}
    for name, source in (("n", "n"), ("events", "observed"), ("expected", "expected")):
        if source in result.extra:
            for side, label in zip("ab", labels, strict=True):
                row[f"{name}_{side}"] = result.extra[source].get(label, 0)
    return row


def _adjustment(analysed, adjust_for) -> tuple[list[str], str]:
    """Adjustment columns usable here, or ('', reason) why the adjusted model is not fitted.

    A column constant among the analysed patients (line of therapy within first-line
    patients) carries no information: the adjusted model would repeat the unadjusted one.
    """
    if not adjust_for:
        return [], "no adjustment configured (survival.adjust_for is empty)"
    absent = [column for column in adjust_for if column not in analysed.columns]
    if absent:
        return [], f"adjustment column(s) {', '.join(absent)} absent from the cohort"
    used = [column for column in adjust_for if analysed[column].dropna().nunique() > 1]
    if not used:
        return [], (
            f"{', '.join(adjust_for)} constant in this subgroup: the adjusted model would "
            "repeat the unadjusted one"
        )
    return used, ""


def _model_data(analysed, indicator, covariates) -> pd.DataFrame:
    data = pd.DataFrame(
        {"time": analysed["time"], "event": analysed["event"]}, index=analysed.index
    )
    data[indicator] = analysed["indicator"].astype("float64")
    for column in covariates:
        values = analysed[column]
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        )
        data[column] = values.astype("float64") if numeric else values.astype(object)
    return data


def _cox_results(analysed, indicator, covariates, reason, settings):
    """One Cox model's coefficient and cox.zph results, each keyed by term.

    A model that is not fitted lists the terms it would have had, each not estimable.
    """
    if reason:
        terms = [indicator, *covariates]
        return (
            {term: StatResult.not_estimable(reason) for term in terms},
            {term: StatResult.not_estimable(reason) for term in [*terms, "GLOBAL"]},
        )
    fit = cox_fit(
        _model_data(analysed, indicator, covariates),
        time="time",
        event="event",
        covariates=[indicator, *covariates],
        min_events_per_level=settings["min_events_per_group"],
    )
    return cox_regression(fit, conf_level=settings["conf_level"]), cox_zph(fit)


def _cox_rows(analysed, indicator, comparison, reason, settings):
    """Rows of the cox and zph tables: the unadjusted and the adjusted model."""
    adjust_for = settings["adjust_for"]
    used, adjust_reason = _adjustment(analysed, adjust_for)
    cox_rows, zph_rows = [], []
    for model, covariates, planned, model_reason in (
        ("unadjusted", [], [], reason),
        ("adjusted", used, used or adjust_for, reason or adjust_reason),
    ):
        cox, zph = _cox_results(analysed, indicator, planned, model_reason, settings)
        keys = {"model": model, "adjusted_for": ", ".join(covariates) if covariates else "none"}
        cox_rows.extend(
            {**keys, "comparison": comparison, "term": term, **result.columns()}
            for term, result in cox.items()
        )
        zph_rows.extend({**keys, "term": term, **result.columns()} for term, result in zph.items())
    return cox_rows, zph_rows


def _endpoint_reason(patients, analysed, endpoint) -> str:
    absent = absent_columns(patients, endpoint)
    if absent:
        return f"column(s) {', '.join(absent)} absent from the cohort"
    if analysed.empty:
        return "no patient is analysed after the landmark"
    return ""


def _endpoint_rows(analysed, *, labels, indicator, comparison, reason, settings) -> dict:
    """Every table's rows of one endpoint; ``reason`` (no survival data) makes all of them
    not estimable, each row as it would have been planned."""
    conf_level = settings["conf_level"]
    min_events = settings["min_events_per_group"]
    compare_reason = reason or _events_reason(analysed, labels, min_events)
    logrank = (
        StatResult.not_estimable(compare_reason)
        if compare_reason
        else logrank_test(analysed["time"], analysed["event"], analysed["group"])
    )
    cox, zph = _cox_rows(analysed, indicator, comparison, compare_reason, settings)
    rows = {"logrank": [_logrank_row(logrank, labels)], "cox": cox, "zph": zph}
    if reason:
        unknown = StatResult.not_estimable(reason).columns()
        at_times = sorted(float(t) for t in settings["at_risk_months"])
        rows["km"] = [{"group": label, **unknown} for label in labels]
        rows["medians"] = [{"group": label, **unknown, "n": 0, "n_events": 0} for label in labels]
        rows["at_risk"] = [
            {"group": label, "time": t, **unknown} for label in labels for t in at_times
        ]
        return rows
    rows["km"] = _km_rows(analysed, labels, conf_level)
    rows["at_risk"] = _at_risk_rows(analysed, labels, settings["at_risk_months"])
    rows["medians"] = [
        {
            "group": label,
            **km_median(
                _members(analysed, label)["time"],
                _members(analysed, label)["event"],
                conf_level=conf_level,
            ).columns(),
        }
        for label in labels
    ]
    return rows


def prognosis_tables(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    marker_label: str,
    landmark_months: float,
    grouping: dict,
    endpoints: list[str],
    adjust_for: list[str],
    min_events_per_group: int,
    at_risk_months: list[float],
    conf_level: float,
    alpha: float,
) -> dict[str, pd.DataFrame]:
    """Every prognosis table of one subgroup, keyed ``flow, excluded, km, medians, at_risk,
    logrank, cox, zph, claim`` (columns in the module's ``*_COLUMNS`` lists and
    :data:`il6hcc.claims.COLUMNS`).

    Times are months from the landmark. Log-rank and Cox need at least
    ``min_events_per_group`` events in each group (Cox also at each value of a two-valued
    covariate); KM tables and medians are descriptive and given whenever a group has patients.
    """
    labels = group_labels(grouping)
    settings = {
        "conf_level": conf_level,
        "min_events_per_group": min_events_per_group,
        "adjust_for": adjust_for,
        "at_risk_months": at_risk_months,
    }
    rows = {name: [] for name in TABLES if name not in ("flow", "excluded", "claim")}
    flows, excluded_parts = [], []
    for endpoint in endpoints:
        analysed, excluded = landmark_cohort(
            patients,
            endpoint=endpoint,
            grouping=grouping,
            landmark_months=landmark_months,
            marker_label=marker_label,
        )
        flows.extend(_flow(subgroup, endpoint, len(patients), analysed, excluded, labels))
        excluded_parts.append(excluded.assign(subgroup=subgroup, endpoint=endpoint))
        endpoint_rows = _endpoint_rows(
            analysed,
            labels=labels,
            indicator=indicator_name(grouping),
            comparison=f"{labels[0]} vs {labels[1]}",
            reason=_endpoint_reason(patients, analysed, endpoint),
            settings=settings,
        )
        for name, table_rows in endpoint_rows.items():
            keys = {"subgroup": subgroup, "endpoint": endpoint}
            rows[name].extend({**row, **keys} for row in table_rows)
    tables = {
        "flow": pd.DataFrame(flows, columns=FLOW_COLUMNS),
        "excluded": _table(excluded_parts, EXCLUDED_COLUMNS),
    }
    for name, table_rows in rows.items():
        tables[name] = _table([pd.DataFrame(table_rows)], COLUMNS[name], RENAMES.get(name, {}))
    for name in ("km", "cox"):
        tables[name]["conf_level"] = conf_level
    tables["claim"] = claim_row(
        tables,
        subgroup=subgroup,
        grouping=grouping,
        marker_label=marker_label,
        landmark_months=landmark_months,
        alpha=alpha,
        conf_level=conf_level,
    )
    return tables


def _table(frames, columns, renames=None) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True).rename(columns=renames or {})
    for column in columns:
        if column not in table.columns:
            table[column] = math.nan
    table = table[columns]
    if "estimable" in columns:
        table["estimable"] = table["estimable"].astype(bool)
        table["reason"] = table["reason"].fillna("")
    return table


# ---------------------------------------------------------------------------------------
# Claim 6
# ---------------------------------------------------------------------------------------


def _hr_text(row) -> str:
    if not bool(row["estimable"]):
        return f"not estimable ({row['reason']})"
    return f"{row['hazard_ratio']:.2f} ({row['ci_low']:.2f}-{row['ci_high']:.2f})"


def claim_row(
    tables: dict[str, pd.DataFrame],
    *,
    subgroup: str,
    grouping: dict,
    marker_label: str,
    landmark_months: float,
    alpha: float,
    conf_level: float,
) -> pd.DataFrame:
    """Claim 6 checked on the subgroup's OS results, one row in the claims-table columns.

    Graded as claims 1-5 (il6hcc.claims): "reproduced" when the index group (a rise) has an
    unadjusted Cox hazard ratio below 1 and the log-rank p-value is below ``alpha`` (one
    pre-specified test: no multiplicity adjustment); "consistent, not significant" when the
    hazard ratio is below 1 but the log-rank test is not significant; "not reproduced" when the
    hazard ratio is 1 or more (significantly or not); "not checkable" when OS was not analysed
    or the comparison is not estimable. The effect is the hazard ratio with its CI; PFS and the
    adjusted HR are in ``detail``.
    """
    index_label, reference_label = group_labels(grouping)
    statement = (
        f"a rise in {marker_label} after treatment goes with a better prognosis "
        "(the abstract gives no survival figures)"
    )
    analysis = (
        f"OS from the {landmark_months:g}-month landmark, {index_label} vs {reference_label}: "
        "log-rank test and Cox HR"
    )
    row = dict.fromkeys(CLAIM_COLUMNS, math.nan)
    row.update(claim="6", statement=statement, subgroup=subgroup, analysis=analysis)

    def unchecked(why: str) -> pd.DataFrame:
        checked = unchecked_row("6", statement, subgroup, analysis, why)
        return pd.DataFrame([checked], columns=CLAIM_COLUMNS)

    logrank = tables["logrank"]
    os_logrank = logrank[logrank["endpoint"] == CLAIM_ENDPOINT]
    if os_logrank.empty:
        return unchecked("OS not analysed (survival.endpoints)")
    test = os_logrank.iloc[0]
    cox = tables["cox"]
    term = indicator_name(grouping)
    hazard = {
        (endpoint, model): rows.iloc[0]
        for (endpoint, model), rows in cox[cox["term"] == term].groupby(["endpoint", "model"])
    }
    unadjusted = hazard[(CLAIM_ENDPOINT, "unadjusted")]
    if not bool(test["estimable"]) or not bool(unadjusted["estimable"]):
        why = test["reason"] if not bool(test["estimable"]) else unadjusted["reason"]
        return unchecked(f"not estimable: {why}")
    significant = test["p_value"] < alpha
    ratio = unadjusted["hazard_ratio"]
    longer = ratio < 1
    details = [
        f"n = {int(test['n_a'])} {index_label} ({int(test['events_a'])} deaths) vs "
        f"{int(test['n_b'])} {reference_label} ({int(test['events_b'])} deaths)",
        f"OS HR {_hr_text(unadjusted)}",
        f"adjusted HR {_hr_text(hazard[(CLAIM_ENDPOINT, 'adjusted')])}",
        f"{'p < ' if significant else 'p >= '}{alpha:g}",
    ]
    if ("pfs", "unadjusted") in hazard:
        details.append(f"PFS HR {_hr_text(hazard[('pfs', 'unadjusted')])}")
    interval = interval_text(unadjusted["ci_low"], unadjusted["ci_high"], conf_level)
    who = (
        f"Patients with {index_label} had a hazard ratio for death of {ratio:.2f} ({interval}; "
        f"log-rank {p_text(test['p_value'])}) against {reference_label}"
    )
    if longer and significant:
        verdict = REPRODUCED
        reason = f"hazard ratio below 1 and log-rank p < {alpha:g} (one test, not adjusted)"
        sentence = f"{who}: significantly longer overall survival."
    elif longer:
        verdict = CONSISTENT
        reason = f"hazard ratio below 1 but log-rank p = {test['p_value']:.2g} >= {alpha:g}"
        sentence = f"{who}: longer survival is suggested but not shown."
    else:
        verdict = NOT_REPRODUCED
        reason = (
            f"hazard ratio {ratio:.2f} >= 1"
            + (f", significant (p < {alpha:g}) the other way" if significant else "")
            + ": the claimed benefit is absent"
        )
        sentence = (
            f"{who}: significantly shorter overall survival."
            if significant and ratio > 1
            else f"{who}: a survival benefit with a rise is not seen."
        )
    row.update(
        statistic=test["chisq"],
        p_value=test["p_value"],
        method=f"{test['method']}; {unadjusted['method']}",
        effect=ratio,
        effect_label=f"hazard ratio for death (OS), {index_label} vs {reference_label}, "
        "Cox, unadjusted",
        effect_ci_low=unadjusted["ci_low"],
        effect_ci_high=unadjusted["ci_high"],
        conf_level=conf_level,
        verdict=verdict,
        reason=reason,
        sentence=sentence,
        detail="; ".join(details),
    )
    return pd.DataFrame([row], columns=CLAIM_COLUMNS)
