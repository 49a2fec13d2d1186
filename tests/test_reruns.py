"""Reruns redo only what changed, a killed run resumes, one run at a time, identical bytes.

Every test runs Snakemake on a temporary copy. The plans are compared job by job (rule and
wildcards, from `snakemake -n`), so "only the first-line subgroup's jobs" is checked exactly.

What legitimately reruns besides the jobs that read a changed value:
- every job downstream of a job in the plan: Snakemake plans it because its input will be
  rewritten, even when the new bytes turn out to be the same;
- `report`, whose input is the whole canonical configuration (.snakemake/il6hcc-config.json,
  rewritten only when its content changes, so reordering keys changes nothing): the report
  prints the configuration. The rule graph reruns only when the rules change (test_rulegraph);
- `provenance`, which gathers the record every job writes, and the target rule `all`.

Cost: one run of the one-subgroup configuration from scratch, killed and resumed by two runs
started at once of which one refuses after a few seconds (each a process per job, each job a
fresh interpreter), compared with the session's `one_subgroup_run` (every job in one process):
the local half of "two clean runs give the same bytes", whose cluster half is test_cluster's.
And a dozen dry runs of about 0.7 s on copies of the session's `completed_run`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from workflow_helpers import (
    assert_same_results,
    copy_workflow,
    load_config,
    planned_job_names,
    planned_jobs,
    result_files,
    reversed_keys,
    run_environment,
    sha256_of,
    write_config,
)

from il6hcc.depends import package_dependencies

# Jobs every change of config.yaml's values reruns, whatever the value (see the module docstring).
CONFIG_READERS = {"report"}
GATHERING = {"provenance", "all"}
# The stages every subgroup goes through (one job each); survival and later stages may add more.
CORE_SUBGROUP_RULES = {"stratify", "table1", "paired_stats", "roc", "criteria", "figures"}


@pytest.fixture(scope="module")
def full_plan(completed_run, tmp_path_factory) -> set[str]:
    """Every job of the workflow: the dry-run plan of a copy without results."""
    workdir = copy_workflow(tmp_path_factory.mktemp("fresh") / "workflow", source=completed_run)
    return planned_job_names(workdir)


def subgroup_jobs(plan: set[str], subgroup: str) -> set[str]:
    """The jobs of one subgroup (those whose only wildcard is that subgroup)."""
    jobs = {job for job in plan if job.endswith(f"[subgroup={subgroup}]")}
    assert {job.split("[")[0] for job in jobs} >= CORE_SUBGROUP_RULES
    return jobs


def robustness_jobs(plan: set[str]) -> set[str]:
    """The multiverse's jobs (its batches and their summary): they rerun the claims check."""
    return {job for job in plan if job.startswith("robustness_")}


def optimism_jobs(plan: set[str], subgroup: str) -> set[str]:
    """A subgroup's optimism batches, and the summary that gathers every subgroup's."""
    batches = {job for job in plan if job.startswith(f"optimism_batch[subgroup={subgroup},")}
    assert batches
    return batches | {"optimism_summary"}


def section_jobs(plan: set[str]) -> set[str]:
    """The report-section jobs (one per subgroup): they gather every per-subgroup result."""
    return {job for job in plan if job.startswith("report_section[")}


# --- Reruns after edits ----------------------------------------------------------------------


def test_second_run_plans_no_job(completed_copy):
    assert planned_jobs(completed_copy) == {}
    assert planned_job_names(completed_copy) == set()


def test_editing_a_subgroup_outside_comparisons_reruns_that_subgroup_and_report(
    completed_copy, full_plan
):
    config = load_config(completed_copy)
    config["subgroups"]["all"] = [{"column": "ecog_ps", "op": "le", "value": 1}]
    write_config(completed_copy, config)

    expected = subgroup_jobs(full_plan, "all") | optimism_jobs(full_plan, "all")
    assert planned_job_names(completed_copy) == expected | CONFIG_READERS | GATHERING


def test_editing_a_compared_subgroup_also_reruns_its_comparison_and_claims(
    completed_copy, full_plan
):
    # first_line is side "a" of first_vs_later_line and plays the claims' first-line role, so
    # the comparison and the claims check read its tables and must follow.
    config = load_config(completed_copy)
    config["subgroups"]["first_line"].append({"column": "ecog_ps", "op": "le", "value": 1})
    write_config(completed_copy, config)

    expected = (
        subgroup_jobs(full_plan, "first_line")
        | optimism_jobs(full_plan, "first_line")
        | {"compare_subgroups[comparison=first_vs_later_line]", "claims"}
        | robustness_jobs(full_plan)
        | CONFIG_READERS
        | GATHERING
    )
    assert planned_job_names(completed_copy) == expected


def test_adding_a_subgroup_runs_only_its_jobs_and_report(completed_copy, full_plan):
    config = load_config(completed_copy)
    config["subgroups"]["ecog_0"] = [{"column": "ecog_ps", "op": "eq", "value": 0}]
    write_config(completed_copy, config)

    new_jobs = {
        job.replace("[subgroup=all", "[subgroup=ecog_0")
        for job in subgroup_jobs(full_plan, "all") | optimism_jobs(full_plan, "all")
    }
    assert planned_job_names(completed_copy) == new_jobs | CONFIG_READERS | GATHERING


def test_removing_a_subgroup_reruns_only_what_gathers_the_subgroups(completed_copy):
    config = load_config(completed_copy)
    del config["subgroups"]["all"]
    # The survival claim must name an existing subgroup; only the report reads that key.
    if config.get("survival", {}).get("claim_subgroup") == "all":
        config["survival"]["claim_subgroup"] = "first_line"
    # Likewise the report's main subgroup and its label.
    config["report"]["main_subgroup"] = "first_line"
    del config["report"]["subgroup_labels"]["all"]
    write_config(completed_copy, config)

    # The optimism summary gathers every subgroup's resamples (and the report's sections).
    expected = {"optimism_summary"} | CONFIG_READERS | GATHERING
    assert planned_job_names(completed_copy) == expected


def test_changing_a_marker_lloq_reruns_cleaning_and_downstream_not_ingest(
    completed_copy, full_plan
):
    config = load_config(completed_copy)
    (afp,) = [marker for marker in config["markers"] if marker["key"] == "afp"]
    afp["lloq"] = 2.0
    write_config(completed_copy, config)

    planned = planned_job_names(completed_copy)
    assert "ingest" not in planned
    # Every other job depends on the cleaned table; the rule graph is the same.
    assert planned == full_plan - {"ingest", "rulegraph"}


def test_changing_a_response_criterion_reruns_criteria_claims_and_report(completed_copy, full_plan):
    config = load_config(completed_copy)
    config["criteria"]["afp"]["value"] = -30
    write_config(completed_copy, config)

    criteria_jobs = {job for job in full_plan if job.startswith("criteria[")}
    assert len(criteria_jobs) == len(load_config(completed_copy)["subgroups"])
    # claims reads the accuracy and McNemar tables of its accuracy subgroup; each subgroup's
    # report section gathers its criteria tables; planning's McNemar test and the multiverse's
    # reruns of claim 5 use the criteria.
    planning_jobs = {job for job in full_plan if job.split("[")[0].startswith("planning_")}
    assert len(planning_jobs) == len(load_config(completed_copy)["planning"]["sizes"]) + 1
    expected = criteria_jobs | section_jobs(full_plan) | {"claims"} | CONFIG_READERS | GATHERING
    expected |= planning_jobs | robustness_jobs(full_plan)
    assert robustness_jobs(full_plan) >= {"robustness_batch[batch=0]", "robustness_summary"}
    assert planned_job_names(completed_copy) == expected


def test_editing_a_package_module_reruns_the_rules_importing_it(completed_copy, full_plan):
    scripts = completed_copy / "workflow" / "scripts"
    module = scripts / "il6hcc" / "stats" / "roc.py"
    importers = {
        script.stem
        for script in scripts.glob("*.py")
        if str(module) in package_dependencies(script, scripts)
    }
    # planning's simulated studies run the batched DeLong tests of stats/roc.py; the optimism
    # stage its AUC and Youden cut-off.
    assert importers == {
        "roc", "planning_chunk", "planning_gather", "optimism_batch", "optimism_summary"
    }  # fmt: skip
    with module.open("a", encoding="utf-8") as handle:
        handle.write("\n# An edit that changes the file's bytes (its checksum).\n")

    # The importers rerun; figures draws the ROC curves from roc's outputs; the report
    # sections, the report and provenance gather.
    expected = {job for job in full_plan if job.split("[")[0] in {*importers, "figures"}}
    expected |= section_jobs(full_plan)
    assert planned_job_names(completed_copy) == expected | {"report"} | GATHERING


def test_reordering_config_keys_reruns_nothing(completed_copy):
    config = load_config(completed_copy)
    before = (completed_copy / "config.yaml").read_text(encoding="utf-8")
    reordered = reversed_keys(config)
    # The order of the subgroups is the order of the report's sections (next test).
    reordered["subgroups"] = config["subgroups"]
    write_config(completed_copy, reordered)
    after = (completed_copy / "config.yaml").read_text(encoding="utf-8")
    assert after != before
    assert load_config(completed_copy) == config

    assert planned_job_names(completed_copy) == set()


def test_reordering_subgroups_reruns_only_the_report(completed_copy):
    config = load_config(completed_copy)
    config["subgroups"] = reversed_keys(config["subgroups"])
    write_config(completed_copy, config)

    assert planned_job_names(completed_copy) == {"report"} | GATHERING


# --- One subgroup alone ------------------------------------------------------------------------


def test_one_subgroup_can_be_run_alone(completed_run, full_plan, tmp_path):
    workdir = copy_workflow(tmp_path / "workflow", source=completed_run)
    upstream = {"ingest", "clean"}

    planned = planned_job_names(workdir, "subgroup_first_line")
    # Its tables and figures, not its report section (a part of the report).
    tables_and_figures = subgroup_jobs(full_plan, "first_line") - section_jobs(full_plan)
    assert planned == upstream | tables_and_figures | {"subgroup_first_line"}

    one_table = planned_job_names(workdir, "results/paired_stats/first_line/prepost.tsv")
    assert one_table == upstream | {
        "stratify[subgroup=first_line]",
        "paired_stats[subgroup=first_line]",
    }


# --- Interruption and determinism ------------------------------------------------------------


def processes_in(workdir: Path) -> list[int]:
    """Process ids of this user's processes whose working directory is inside ``workdir``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if cwd == workdir or workdir in cwd.parents:
            found.append(int(entry.name))
    return found


def start_runs(workdir: Path, count: int) -> list[subprocess.Popen]:
    """``count`` runs of the README's command started at once in ``workdir``."""
    return [
        subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", "4"],
            cwd=workdir,
            env=run_environment(),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(count)
    ]


def test_killed_run_resumes_and_a_second_run_at_once_refuses(one_subgroup_run, tmp_path):
    """A run killed with SIGKILL resumes with the same command, to identical results; a second
    run started at the same moment in the same folder refuses with a message (one run at a
    time), and the run that works is not disturbed by it."""
    workdir = copy_workflow(tmp_path / "workflow", source=one_subgroup_run)
    log_path = tmp_path / "killed_run.log"
    with log_path.open("w", encoding="utf-8") as log:
        # Its own session, so one killpg reaches Snakemake and every job it started.
        run = subprocess.Popen(
            [sys.executable, "-m", "snakemake", "--cores", "4"],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=run_environment(),
            start_new_session=True,
        )
        deadline = time.monotonic() + 600
        try:
            # Wait until the first subgroup table exists: the per-subgroup jobs are then running.
            while not list((workdir / "results" / "stratify").glob("*/patients.tsv")):
                assert run.poll() is None, log_path.read_text(encoding="utf-8")
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()

    assert run.returncode == -signal.SIGKILL
    time.sleep(0.5)
    assert processes_in(workdir) == []
    assert (workdir / "results" / "clean" / "patients.tsv").is_file()
    assert not (workdir / "results" / "report.html").exists()
    # Jobs were cut off mid-way: Snakemake left markers of their incomplete outputs, and the
    # lock files it could not remove.
    assert any((workdir / ".snakemake" / "incomplete").iterdir())
    assert list((workdir / ".snakemake" / "locks").glob("*.lock"))

    # The README's command, unchanged, twice at once: one run removes the stale lock (the killed
    # run's record shows its process is gone) and the default profile's rerun-incomplete redoes
    # the cut-off jobs; the other finds that run working and refuses.
    runs = start_runs(workdir, 2)
    outputs = [run.communicate(timeout=900) for run in runs]
    codes = [run.returncode for run in runs]
    assert sorted(codes) == [0, 1], outputs
    resumed, refused = outputs[codes.index(0)][1], outputs[codes.index(1)][1]
    assert "Removed the lock left by an interrupted run in this folder" in resumed
    assert "Another Snakemake run is working in this folder" in refused
    assert "Do not use `snakemake --unlock` while it runs" in refused
    assert "Directory cannot be locked" in refused

    assert planned_job_names(workdir) == set()
    assert_same_results(one_subgroup_run, workdir)


# --- Provenance ------------------------------------------------------------------------------


def test_provenance_lists_every_output_with_its_sha256(completed_run):
    table = pd.read_csv(completed_run / "results" / "provenance.tsv", sep="\t", dtype=str)
    files = result_files(completed_run)
    del files["results/provenance.tsv"]

    assert table["output"].is_unique
    assert sorted(table["output"]) == sorted(files)
    for row in table.itertuples():
        assert row.sha256 == sha256_of(files[row.output]), row.output
        assert row.rule and row.git_commit and row.python
        packages = json.loads(row.packages)
        assert {"snakemake", "pandas", "numpy", "scipy"} <= set(packages)
        assert isinstance(json.loads(row.params), dict)
        # The recorded inputs are the files as they are now: no record is stale.
        for path, digest in json.loads(row.inputs).items():
            assert digest == sha256_of(completed_run / path), (row.output, path)
