"""Helpers for tests that run Snakemake for real on a temporary copy of the workflow."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# What a clean clone holds that the workflow needs (results/, logs/ and .snakemake/ are not copied).
WORKFLOW_FILES = ["Snakefile", "config.yaml", "profiles", "resources", "workflow", "envs"]
# Every test run writes this time stamp (the reproducible-builds convention), so that any two
# runs of the same inputs, local or through a cluster executor, give identical bytes.
SOURCE_DATE_EPOCH = "1700000000"


def run_environment() -> dict[str, str]:
    """The environment of a test's Snakemake: no stray .pyc files, a fixed SOURCE_DATE_EPOCH."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}


def copy_workflow(destination: Path, source: Path = REPO) -> Path:
    """Copy the workflow (code, config, bundled cohort, profiles) into ``destination``.

    ``source`` may be another copy (for example ``completed_run``), so that two runs compared
    byte for byte use the same code even while the repository is being edited.
    """
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in WORKFLOW_FILES:
        origin = source / name
        if origin.is_dir():
            shutil.copytree(origin, destination / name, ignore=ignore)
        else:
            shutil.copy2(origin, destination / name)
    return destination


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: int = 900):
    """Run the snakemake CLI in ``workdir`` (this Python's snakemake) and return the result."""
    command = [sys.executable, "-m", "snakemake", *args]
    result = subprocess.run(
        command,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=run_environment(),
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
        )
    return result


def planned_jobs(workdir: Path, *args: str) -> dict[str, int]:
    """Jobs a dry run plans, as {rule: count} (empty when there is nothing to do)."""
    result = snakemake(workdir, "-n", "--quiet", "rules", *args)
    jobs = {}
    lines = (result.stdout + result.stderr).splitlines()
    in_table = False
    for line in lines:
        parts = line.split()
        if parts[:2] == ["job", "count"]:
            in_table = True
            continue
        if in_table and len(parts) == 2 and parts[1].isdigit():
            if parts[0] == "total":
                break
            jobs[parts[0]] = int(parts[1])
    return jobs


def planned_job_names(workdir: Path, *args: str) -> set[str]:
    """Jobs a dry run plans, each as "rule[wildcard=value, ...]" or "rule" without wildcards.

    Finer than planned_jobs: it says which subgroup's jobs would run, not only how many.
    """
    result = snakemake(workdir, "-n", *args)
    jobs = []
    for line in (result.stdout + result.stderr).splitlines():
        started = re.fullmatch(r"(?:local)?(?:rule|checkpoint) (\w+):", line)
        if started:
            jobs.append(started.group(1))
        elif jobs and line.startswith("    wildcards: "):
            jobs[-1] += f"[{line.removeprefix('    wildcards: ')}]"
    return set(jobs)


def load_config(workdir: Path) -> dict:
    return yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))


def write_config(workdir: Path, config: dict) -> None:
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def one_subgroup(config: dict) -> dict:
    """The configuration cut to one subgroup, everyone (no comparison, no claims check): every
    rule but compare_subgroups and claims still runs, with about a third of the default's jobs.
    Planning is cut to two sizes of 21 simulated studies in chunks of 7 (six scattered jobs)."""
    config["subgroups"] = {"all": []}
    config["subgroup_comparisons"] = []
    config["claims"] = None
    config["report"]["main_subgroup"] = "all"
    labels = config["report"]["subgroup_labels"]
    config["report"]["subgroup_labels"] = {"all": labels["all"]} if "all" in labels else {}
    config["survival"]["claim_subgroup"] = "all"
    config["planning"].update(sizes=[40, 80], replicates=21, chunk_replicates=7)
    return config
