"""Rules paired_stats and compare_subgroups: pre/post tests, responders versus non-responders,
logistic regression; the change in one subgroup versus another."""

from __future__ import annotations

import pandas as pd

from il6hcc.paired import (
    logistic_table,
    prepost_table,
    responder_comparison_table,
    subgroup_comparison_table,
)
from il6hcc.rulekit import Patients, Record, Records
from il6hcc.subgroups import mark_empty_subgroup


def paired_stats(
    patients: Patients,
    selection: Record,
    *,
    subgroup: str,
    markers: list[dict],
    change_metric: str,
    statistics: dict,
) -> dict:
    adjustment = statistics["multiple_testing"]
    options = {
        "subgroup": subgroup,
        "markers": markers,
        "metric": change_metric,
        "correct": statistics["continuity_correction"],
        "adjust_method": adjustment["method"],
        "adjust_family": adjustment["family"],
    }
    prepost = prepost_table(
        patients,
        **options,
        scale=statistics["signed_rank_scale"],
        conf_level=statistics["conf_level"],
    )
    logistic = statistics["logistic"]
    if logistic["enabled"]:
        regression = logistic_table(
            patients,
            subgroup=subgroup,
            markers=markers,
            metric=change_metric,
            adjust_for=logistic["adjust_for"],
            conf_level=statistics["conf_level"],
        )
    else:
        regression = pd.DataFrame(
            {
                "subgroup": [subgroup],
                "estimable": [False],
                "reason": ["logistic regression disabled in config (statistics.logistic)"],
            }
        )
    tables = {
        "prepost": prepost,
        "responders": responder_comparison_table(
            patients, **options, conf_level=statistics["conf_level"]
        ),
        "logistic": regression,
    }
    return {name: mark_empty_subgroup(t, selection["empty_reason"]) for name, t in tables.items()}


def compare_subgroups(
    a: Patients,
    b: Patients,
    selections: Records,
    *,
    comparison: str,
    subgroup_comparisons: list[dict],
    markers: list[dict],
    change_metric: str,
    statistics: dict,
) -> dict:
    """Subgroup a versus b; each stratify record names its subgroup, and an empty side makes
    the comparison not estimable."""
    (spec,) = [spec for spec in subgroup_comparisons if spec["name"] == comparison]
    table = subgroup_comparison_table(
        a,
        b,
        comparison=spec,
        markers=markers,
        metric=change_metric,
        correct=statistics["continuity_correction"],
        adjust_method=statistics["multiple_testing"]["method"],
        conf_level=statistics["conf_level"],
    )
    empty = "; ".join(
        f"subgroup {selection['subgroup']}: {selection['empty_reason']}"
        for selection in selections
        if selection["empty_reason"]
    )
    return {"table": mark_empty_subgroup(table, empty)}
