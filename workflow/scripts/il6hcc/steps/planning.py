"""Rules planning_chunk and planning_gather: one chunk of simulated studies of one size; power,
sample size and the power figure from every chunk."""

from __future__ import annotations

from functools import partial

import pandas as pd

from il6hcc.config import planning_plan
from il6hcc.groups import PLANNING_FIGURE_IDENTITY
from il6hcc.planning import design_columns, power_table, run_chunk, sample_size_table
from il6hcc.rulekit import DATA_STATUS, FigureFiles, Patients, Tables, data_status


def planning_chunk(
    patients: Patients,
    *,
    size: str,
    chunk: str,
    studies: list[int],
    planning: dict,
    markers: list[dict],
    criteria: dict,
    reference_marker: str,
    change_metric: str,
    statistics: dict,
) -> dict:
    """Studies [first, end) of ``size`` patients (``chunk`` names the job only), under the plan
    that il6hcc.config.planning_plan makes of these configuration sections."""
    sections = {
        "planning": planning,
        "markers": markers,
        "criteria": criteria,
        "reference_marker": reference_marker,
        "change_metric": change_metric,
        "statistics": statistics,
    }
    table, _ = run_chunk(patients, planning_plan(sections), int(size), range(*studies))
    return {"chunk": table}


def planning_gather(
    chunks: Tables, patients: Patients, *, planning: dict, markers: list[dict]
) -> dict:
    """Chunks are summed by their keys (size, test, marker), whatever their order."""
    # Imported here, not at the top: matplotlib and seaborn (about 0.4 s of CPU a process) are
    # for this rule's figures only; the module's other rules run as fresh processes that draw
    # nothing.
    from il6hcc.figures import save
    from il6hcc.planning_figures import power_plot

    counts = pd.concat(chunks, ignore_index=True).drop(columns=DATA_STATUS)
    power = power_table(counts)
    keys = [marker["key"] for marker in markers]
    design = design_columns(patients, planning["allocation"], keys, power["n_patients"])
    power = power.merge(design.drop_duplicates("n_patients"), on="n_patients", validate="m:1")
    power.insert(0, "model", planning["model"])
    targets = planning["target_powers"]
    sample_size = sample_size_table(power, targets)
    sample_size.insert(0, "model", planning["model"])
    labels = {marker["key"]: marker["label"] for marker in markers}
    simulated = data_status(patients) == "simulated"
    return {
        "power": power,
        "sample_size": sample_size,
        "power_curves": FigureFiles(
            partial(power_plot, power, targets, labels, simulated=simulated),
            save,
            PLANNING_FIGURE_IDENTITY,
        ),
    }
