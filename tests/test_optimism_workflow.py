"""The optimism stage run for real, once, on its own outputs: the default seeded resamples give
identical files with one batch per subgroup on one core (every job in one process) and with two
on four cores (a process per job), an edit of the batch count reruns only the optimism jobs, and
the apparent values are the roc table's."""

import shutil

import pandas as pd
import pytest
from workflow_helpers import (
    copy_workflow,
    load_config,
    planned_jobs,
    snakemake,
    snakemake_in_process,
    write_config,
)

from il6hcc.tables import read_tsv

TABLE = "results/robustness/optimism.tsv"
INDEX_SETS = "results/robustness/optimism_index_sets.tsv.gz"
ROC = "results/roc/first_line/auc.tsv"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The default optimism settings, one batch per subgroup in one process, then the same run
    copied with two batches per subgroup at --cores 4; returns both folders and the second
    one's job plan."""
    first = copy_workflow(tmp_path_factory.mktemp("optimism_one") / "workflow")
    config = load_config(first)
    config["planning"]["enabled"] = False
    config["robustness"]["optimism"]["batches"] = 1
    write_config(first, config)
    snakemake_in_process(first, TABLE, INDEX_SETS, ROC)
    second = tmp_path_factory.mktemp("optimism_two") / "workflow"
    shutil.copytree(first, second, symlinks=True)
    config["robustness"]["optimism"]["batches"] = 2
    write_config(second, config)
    plan = planned_jobs(second, "--cores", "4", TABLE, INDEX_SETS)
    snakemake(second, "--cores", "4", TABLE, INDEX_SETS)
    return first, second, plan


def test_the_batch_count_and_cores_change_no_byte(two_runs):
    first, second, plan = two_runs
    subgroups = load_config(second)["subgroups"]
    assert plan == {"optimism_batch": 2 * len(subgroups), "optimism_summary": 1}
    for path in (TABLE, INDEX_SETS):
        assert (first / path).read_bytes() == (second / path).read_bytes(), path
    for subgroup in subgroups:
        batches = second / "results/robustness/optimism_batches" / subgroup
        assert sorted(path.name for path in batches.iterdir()) == ["0.tsv", "1.tsv"]


def test_the_default_run_resamples_every_subgroup_and_marker(two_runs):
    first, _, _ = two_runs
    config = load_config(first)
    table = read_tsv(first / TABLE)
    assert (table["data_status"] == "simulated").all()
    assert sorted(zip(table["subgroup"], table["marker"], strict=True)) == sorted(
        (s, m["key"]) for s in config["subgroups"] for m in config["markers"]
    )
    assert (table["resamples"] == config["robustness"]["optimism"]["resamples"]).all()
    index_sets = pd.read_csv(first / INDEX_SETS, sep="\t", dtype={"counts": str})
    assert index_sets.groupby("subgroup")["resample"].nunique().to_dict() == dict.fromkeys(
        config["subgroups"], 2000
    )


def test_the_apparent_values_are_the_roc_tables(two_runs):
    first, _, _ = two_runs
    roc = read_tsv(first / ROC).set_index("marker")
    table = read_tsv(first / TABLE)
    table = table[table["subgroup"] == "first_line"].set_index("marker")
    assert set(table.index) == set(roc.index)
    for marker in roc.index:
        assert table.loc[marker, "auc_apparent"] == roc.loc[marker, "auc"], marker
        assert table.loc[marker, "cutoff_apparent"] == roc.loc[marker, "youden_threshold_change"]
        assert table.loc[marker, "youden_j_apparent"] == roc.loc[marker, "youden_j"], marker
