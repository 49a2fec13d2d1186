"""The report's optimism table, from results/robustness/optimism.tsv (pandas only: the report
job imports no statistics library). Rows are looked up by subgroup and marker, in the
configured order of each."""

from __future__ import annotations

import pandas as pd

from il6hcc.report import records


def optimism_context(table: pd.DataFrame, config: dict) -> dict:
    """Each configured subgroup's and marker's row (with the marker's label and the subgroup's
    report label), and the resamples, seed and interval level they were made with."""
    by_key = {(str(row["subgroup"]), str(row["marker"])): row for row in records(table)}
    subgroup_labels = config["report"]["subgroup_labels"]
    rows = [
        {
            **by_key[(subgroup, marker["key"])],
            "marker_label": marker["label"],
            "subgroup_label": subgroup_labels.get(subgroup),
        }
        for subgroup in config["subgroups"]
        for marker in config["markers"]
        if (subgroup, marker["key"]) in by_key
    ]
    section = config["robustness"]["optimism"]
    return {
        "rows": rows,
        "resamples": section["resamples"],
        "seed": section["seed"],
        "conf_level": config["statistics"]["conf_level"],
    }
