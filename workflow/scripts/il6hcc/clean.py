"""Cleaning: censored values substituted, responders flagged, every exclusion recorded.

Nothing is dropped here. Every row of the ingested cohort stays in the patients table; a patient
who cannot enter an analysis gets one row per (analysis, reason) in the exclusions table, and the
flow table counts, for every analysis, rows read = rows analysed + rows excluded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

BELOW_LLOQ_FACTORS = {"lloq": 1.0, "half_lloq": 0.5, "lloq_sqrt2": 1.0 / math.sqrt(2.0)}
BELOW_LLOQ_RULES = {
    "lloq": "the limit itself (LLOQ)",
    "half_lloq": "half the limit (LLOQ/2)",
    "lloq_sqrt2": "the limit divided by the square root of 2 (LLOQ/sqrt(2))",
}
TIMEPOINTS = ("pre", "post")
RESPONSE_ANALYSIS = "response"


@dataclass(frozen=True)
class CleanCohort:
    patients: pd.DataFrame
    exclusions: pd.DataFrame
    censoring: pd.DataFrame
    flow: pd.DataFrame


def marker_analysis(key: str) -> str:
    """Name of the analysis that needs both the pre and the post value of a marker."""
    return f"{key} change"


def substitute_censored(
    values: pd.Series, censored: pd.Series, *, below_rule: str
) -> tuple[pd.Series, pd.Series]:
    """Values used for analysis, and a per-value note of the substitution ("" when none).

    A value written "<L" is replaced by L times the configured factor (L, L/2 or L/sqrt(2)); a
    value written ">U" is analysed as U. The limit written in the file is used, so a laboratory
    that changed its reporting limit during the study is handled row by row.
    """
    factor = BELOW_LLOQ_FACTORS[below_rule]
    below = censored == "below"
    above = censored == "above"
    used = values.where(~below, values * factor)
    note = pd.Series("", index=values.index, dtype=object)
    note[below] = f"below limit: {BELOW_LLOQ_RULES[below_rule]}"
    note[above] = "above limit: the upper limit (ULOQ)"
    return used.astype("float64"), note


def responder_flag(
    response: pd.Series, *, responder_codes: list[str], not_evaluable_codes: list[str]
) -> tuple[pd.Series, pd.Series]:
    """Responder flag (1/0, <NA> when not evaluable) and the exclusion reason per patient."""
    is_blank = response.isna()
    is_not_evaluable = response.isin(not_evaluable_codes) & ~is_blank
    flag = pd.Series(
        response.isin(responder_codes).astype("int64"), index=response.index, dtype="Int64"
    )
    flag[is_blank | is_not_evaluable] = pd.NA
    reason = pd.Series("", index=response.index, dtype=object)
    reason[is_not_evaluable] = "response not evaluable (" + response[is_not_evaluable] + ")"
    reason[is_blank] = "response not recorded"
    return flag, reason


def clean_cohort(
    cohort: pd.DataFrame,
    *,
    markers: list[dict],
    below_lloq: str,
    responder_codes: list[str],
    not_evaluable_codes: list[str],
) -> CleanCohort:
    """Clean an ingested cohort (the table made by il6hcc.cohort_io.read_cohort).

    ``markers`` are the configured marker dicts (only ``key`` is used). Returns the patients
    table (analysis values substituted, ``responder`` flag), the exclusions (source_row,
    patient_id, analysis, reason), the censoring audit and the flow counts.
    """
    patients = cohort.copy()
    exclusions = []
    censoring = []

    flag, reason = responder_flag(
        patients["response"],
        responder_codes=responder_codes,
        not_evaluable_codes=not_evaluable_codes,
    )
    patients["responder"] = flag
    exclusions.append(_exclusion_rows(patients, RESPONSE_ANALYSIS, reason))

    for marker in markers:
        key = marker["key"]
        missing = []
        for timepoint in TIMEPOINTS:
            column = f"{key}_{timepoint}"
            used, note = substitute_censored(
                patients[column], patients[f"{column}_censored"], below_rule=below_lloq
            )
            substituted = note != ""
            censoring.append(
                pd.DataFrame(
                    {
                        "source_row": patients.loc[substituted, "source_row"],
                        "patient_id": patients.loc[substituted, "patient_id"],
                        "marker": key,
                        "timepoint": timepoint,
                        "value_written": patients.loc[substituted, f"{column}_limit_written"],
                        "value_used": used[substituted],
                        "rule": note[substituted],
                    }
                )
            )
            patients[column] = used
            # How the file wrote a censored value is kept in the censoring audit only.
            patients = patients.drop(columns=f"{column}_limit_written")
            missing.append(used.isna())
        pre_missing, post_missing = missing
        reason = pd.Series("", index=patients.index, dtype=object)
        reason[pre_missing] = f"{key} pre value missing"
        reason[post_missing] = f"{key} post value missing"
        reason[pre_missing & post_missing] = f"{key} pre and post values missing"
        exclusions.append(_exclusion_rows(patients, marker_analysis(key), reason))

    exclusions = pd.concat(exclusions, ignore_index=True)
    censoring = pd.concat(censoring, ignore_index=True).sort_values(
        ["source_row", "marker", "timepoint"], kind="stable", ignore_index=True
    )
    analyses = [RESPONSE_ANALYSIS] + [marker_analysis(m["key"]) for m in markers]
    flow = pd.concat(
        [flow_counts(len(patients), exclusions, analyses), group_counts(patients)],
        ignore_index=True,
    )
    return CleanCohort(patients, exclusions, censoring, flow)


def group_counts(patients: pd.DataFrame) -> pd.DataFrame:
    """How the analysed patients split by response and by line of therapy (for the flow)."""
    line = patients["line_of_therapy"]
    counts = {
        (RESPONSE_ANALYSIS, "responders"): int((patients["responder"] == 1).sum()),
        (RESPONSE_ANALYSIS, "non-responders"): int((patients["responder"] == 0).sum()),
        ("line of therapy", "first-line"): int((line == 1).sum()),
        ("line of therapy", "later-line"): int((line >= 2).sum()),
    }
    return pd.DataFrame(
        [{"analysis": a, "step": "group", "reason": g, "n": n} for (a, g), n in counts.items()]
    )


def _exclusion_rows(patients: pd.DataFrame, analysis: str, reason: pd.Series) -> pd.DataFrame:
    excluded = reason != ""
    return pd.DataFrame(
        {
            "source_row": patients.loc[excluded, "source_row"],
            "patient_id": patients.loc[excluded, "patient_id"],
            "analysis": analysis,
            "reason": reason[excluded],
        }
    )


def flow_counts(rows_read: int, exclusions: pd.DataFrame, analyses: list[str]) -> pd.DataFrame:
    """Participant flow: for each analysis, rows read, each exclusion reason, rows analysed.

    Raises AssertionError if rows read != rows analysed + rows excluded for any analysis, or if
    a patient is excluded twice from one analysis (the invariant the report displays).
    """
    rows = []
    for analysis in analyses:
        excluded = exclusions[exclusions["analysis"] == analysis]
        if excluded["source_row"].duplicated().any():
            raise AssertionError(f"a patient is excluded twice from analysis '{analysis}'")
        rows.append({"analysis": analysis, "step": "read", "reason": "", "n": rows_read})
        for reason, count in excluded["reason"].value_counts(sort=False).sort_index().items():
            rows.append({"analysis": analysis, "step": "excluded", "reason": reason, "n": count})
        analysed = rows_read - len(excluded)
        rows.append({"analysis": analysis, "step": "analysed", "reason": "", "n": analysed})
        if analysed + len(excluded) != rows_read or analysed < 0:
            raise AssertionError(f"flow invariant broken for analysis '{analysis}'")
    return pd.DataFrame(rows, columns=["analysis", "step", "reason", "n"])
