"""Rule clean: censored values substituted, responders flagged, exclusions and flow recorded."""

from __future__ import annotations

from il6hcc.clean import clean_cohort
from il6hcc.rulekit import Patients


def clean(cohort: Patients, *, markers: list[dict], censoring: dict, response: dict) -> dict:
    cleaned = clean_cohort(
        cohort,
        markers=markers,
        below_lloq=censoring["below_lloq"],
        responder_codes=response["responder_codes"],
        not_evaluable_codes=response["not_evaluable_codes"],
    )
    return {
        "patients": cleaned.patients,
        "exclusions": cleaned.exclusions,
        "censoring": cleaned.censoring,
        "flow": cleaned.flow,
    }
