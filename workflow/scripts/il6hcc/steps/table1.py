"""Rule table1: baseline characteristics of one subgroup by line of therapy and by response."""

from __future__ import annotations

from il6hcc.rulekit import WARNINGS, Patients, Record
from il6hcc.subgroups import mark_empty_subgroup
from il6hcc.table1 import table1 as baseline_characteristics


def table1(
    patients: Patients,
    selection: Record,
    *,
    subgroup: str,
    table1: dict,
    markers: list[dict],
    statistics: dict,
) -> dict:
    """Table 1 of the configured variables and every marker's baseline value; variables the
    cohort lacks are skipped with a warning."""
    baseline_markers = [f"{m['key']}_pre" for m in markers]
    requested = table1["categorical"] + table1["continuous"]
    absent = [variable for variable in requested if variable not in patients.columns]
    summary, tests = baseline_characteristics(
        patients,
        subgroup=subgroup,
        categorical=table1["categorical"],
        continuous=table1["continuous"] + baseline_markers,
        lloq={f"{m['key']}_pre": m["lloq"] for m in markers},
        correct=statistics["continuity_correction"],
        fisher_monte_carlo_replicates=statistics["fisher_monte_carlo_replicates"],
        seed=statistics["seed"],
    )
    warnings = (
        [f"Table 1 variables absent from the cohort, skipped: {', '.join(absent)}"]
        if absent
        else []
    )
    return {
        "summary": summary,
        "tests": mark_empty_subgroup(tests, selection["empty_reason"]),
        WARNINGS: warnings,
    }
