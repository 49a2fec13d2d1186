"""Rule criteria: pre-specified response criteria, accuracy with CIs, McNemar comparisons."""

from __future__ import annotations

from il6hcc.criteria import accuracy_table, mcnemar_table
from il6hcc.rulekit import Patients, Record
from il6hcc.subgroups import mark_empty_subgroup


def criteria(
    patients: Patients,
    selection: Record,
    *,
    subgroup: str,
    markers: list[dict],
    criteria: dict,
    reference_marker: str,
    statistics: dict,
) -> dict:
    adjustment = statistics["multiple_testing"]
    accuracy = accuracy_table(
        patients,
        subgroup=subgroup,
        markers=markers,
        criteria=criteria,
        ci_method=statistics["proportion_ci"],
        conf_level=statistics["conf_level"],
    )
    mcnemar = mcnemar_table(
        patients,
        subgroup=subgroup,
        markers=markers,
        criteria=criteria,
        reference=reference_marker,
        adjust_method=adjustment["method"],
        adjust_family=adjustment["family"],
    )
    empty = selection["empty_reason"]
    return {
        "accuracy": mark_empty_subgroup(accuracy, empty),
        "mcnemar": mark_empty_subgroup(mcnemar, empty),
    }
