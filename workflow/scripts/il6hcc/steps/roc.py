"""Rule roc: AUC with DeLong CI per marker, DeLong comparisons, ROC curve points."""

from __future__ import annotations

from il6hcc.rocanalysis import auc_table, curve_table, delong_table
from il6hcc.rulekit import Patients, Record
from il6hcc.subgroups import mark_empty_subgroup


def roc(
    patients: Patients,
    selection: Record,
    *,
    subgroup: str,
    markers: list[dict],
    change_metric: str,
    statistics: dict,
) -> dict:
    common = {"subgroup": subgroup, "markers": markers, "metric": change_metric}
    auc = auc_table(
        patients,
        **common,
        conf_level=statistics["conf_level"],
        bootstrap=statistics["bootstrap"],
        seed=statistics["seed"],
        min_per_group=statistics["delong_min_per_group"],
    )
    delong = delong_table(
        patients,
        **common,
        pairs=statistics["roc_pairs"],
        conf_level=statistics["conf_level"],
        adjust_method=statistics["multiple_testing"]["method"],
        min_per_group=statistics["delong_min_per_group"],
    )
    empty = selection["empty_reason"]
    return {
        "auc": mark_empty_subgroup(auc, empty),
        "delong": mark_empty_subgroup(delong, empty),
        "curves": curve_table(patients, **common),
    }
