"""Rule figures: paired plot per marker and ROC curves, as SVG and PDF, for one subgroup."""

from __future__ import annotations

from functools import partial

from il6hcc.figures import paired_plot, roc_plot, save
from il6hcc.rulekit import FigureFiles, Patients, Table, data_status


def figures(
    patients: Patients,
    auc: Table,
    curves: Table,
    *,
    subgroup: str,
    markers: list[dict],
    figures: dict,
) -> dict:
    """Keyed by file stem (``paired_<marker>``, ``roc``): each figure goes to its own files
    whatever order the rule lists its outputs in."""
    simulated = data_status(patients) == "simulated"
    drawn = {
        f"paired_{marker['key']}": FigureFiles(
            partial(
                paired_plot,
                patients,
                marker,
                subgroup=subgroup,
                max_lines=figures["max_patients_per_line_plot"],
                simulated=simulated,
            ),
            save,
            {"figure": "paired", "subgroup": subgroup, "marker": marker["key"]},
        )
        for marker in markers
    }
    drawn["roc"] = FigureFiles(
        partial(roc_plot, curves, auc, markers, subgroup=subgroup, simulated=simulated),
        save,
        {"figure": "roc", "subgroup": subgroup},
    )
    return drawn
