"""Rules optimism_batch and optimism_summary: each marker's AUC and Youden cut-off in bootstrap
resamples of a subgroup, batch by batch (one job per subgroup and batch), then every batch
gathered into the optimism-corrected table and the file of the resamples' index sets
(il6hcc.optimism)."""

from __future__ import annotations

import pandas as pd

from il6hcc.optimism import batch_range, index_sets, optimism_table, resampled_batch
from il6hcc.rulekit import Patients, Tables

# The summary's input of each subgroup's stratify table is named after the subgroup, behind
# this prefix (a subgroup's name alone could clash with Snakemake's own attributes of its input
# list).
SUBGROUP_INPUT = "patients_"


def subgroup_tables(inputs: dict) -> dict:
    """The stratify tables by subgroup key, from the inputs' names."""
    return {name.removeprefix(SUBGROUP_INPUT): table for name, table in inputs.items()}


def optimism_batch(
    patients: Patients,
    *,
    subgroup: str,
    batch: str,
    markers: list[dict],
    change_metric: str,
    optimism: dict,
) -> dict:
    start, stop = batch_range(optimism["resamples"], optimism["batches"], int(batch))
    resampled = resampled_batch(
        {subgroup: patients},
        markers=markers,
        metric=change_metric,
        seed=optimism["seed"],
        start=start,
        stop=stop,
    )
    return {"resamples": resampled}


def optimism_summary(
    batches: Tables,
    *,
    markers: list[dict],
    change_metric: str,
    optimism: dict,
    statistics: dict,
    **subgroups: Patients,
) -> dict:
    tables = subgroup_tables(subgroups)
    table = optimism_table(
        pd.concat(batches, ignore_index=True),
        tables,
        markers=markers,
        metric=change_metric,
        conf_level=statistics["conf_level"],
        resamples=optimism["resamples"],
        seed=optimism["seed"],
    )
    sets = index_sets(tables, seed=optimism["seed"], resamples=optimism["resamples"])
    return {"optimism": table, "index_sets": sets}
