"""Rule survival: landmark prognosis analysis by IL-6 change (tables and KM figures)."""

from __future__ import annotations

from functools import partial

from il6hcc.figures import save
from il6hcc.prognosis import group_labels, prognosis_tables
from il6hcc.rulekit import FigureFiles, Patients, Record, data_status
from il6hcc.subgroups import mark_empty_subgroup
from il6hcc.survival_figures import km_plot


def survival(
    patients: Patients,
    selection: Record,
    *,
    subgroup: str,
    survival: dict,
    markers: list[dict],
    statistics: dict,
) -> dict:
    """``markers`` holds the grouping marker only (its label names the groups)."""
    (marker,) = markers
    tables = {
        name: mark_empty_subgroup(table, selection["empty_reason"])
        for name, table in prognosis_tables(
            patients,
            subgroup=subgroup,
            marker_label=marker["label"],
            conf_level=statistics["conf_level"],
            alpha=statistics["alpha"],
            **survival,
        ).items()
    }
    simulated = data_status(patients) == "simulated"
    for endpoint in survival["endpoints"]:
        tables[f"km_{endpoint}"] = FigureFiles(
            partial(
                km_plot,
                tables["km"],
                tables["at_risk"],
                endpoint=endpoint,
                labels=group_labels(survival["grouping"]),
                subgroup=subgroup,
                legend_title=f"{marker['label']} pre to week 3",
                landmark_months=survival["landmark_months"],
                conf_level=statistics["conf_level"],
                simulated=simulated,
            ),
            save,
            {"figure": "km", "subgroup": subgroup, "endpoint": endpoint},
        )
    return tables
