"""Rule stratify: the patients of one configured subgroup, and how many of the cohort they are."""

from __future__ import annotations

from il6hcc.rulekit import WARNINGS, Patients
from il6hcc.subgroups import select_subgroup, selection_record, unmatched_values


def stratify(patients: Patients, *, subgroup: str, subgroups: dict) -> dict:
    """``subgroups`` holds this subgroup's filters under its name (il6hcc.ruleparams.stratify).

    An empty subgroup, or a filter value that occurs in no patient, is said on screen: the job's
    stderr reaches Snakemake's console on a local run, and the Snakefile's onsuccess handler
    repeats an empty subgroup in Snakemake's own log, which a cluster run also keeps.
    """
    filters = subgroups[subgroup]
    selected = select_subgroup(patients, filters, subgroup=subgroup)
    notes = unmatched_values(patients, filters)
    selection = selection_record(
        len(selected), len(patients), filters, subgroup=subgroup, notes=notes
    )
    if selection["empty_reason"]:
        warnings = [
            f"subgroup {subgroup}: {selection['empty_reason']}; its analyses are not estimable"
        ]
    else:
        warnings = [f"subgroup {subgroup}: {note}" for note in notes]
    return {"patients": selected, "selection": selection, WARNINGS: warnings}
