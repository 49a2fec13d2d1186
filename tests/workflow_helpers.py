"""Helpers for tests that run Snakemake for real on a temporary copy of the workflow."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import yaml
from snakemake_in_process import run as run_cli

from il6hcc import ruleparams
from il6hcc.cohort_io import read_cohort
from il6hcc.rulekit import perform_step
from il6hcc.steps.clean import clean

REPO = Path(__file__).resolve().parents[1]
# What a clean clone holds that the workflow needs (results/, logs/ and .snakemake/ are not copied).
WORKFLOW_FILES = ["Snakefile", "config.yaml", "profiles", "resources", "workflow", "envs"]
# Every test run writes this time stamp (the reproducible-builds convention), so that any two
# runs of the same inputs, local or through a cluster executor, give identical bytes.
SOURCE_DATE_EPOCH = "1700000000"
# Patient ids that are markup (the variant run's cohort has them): the report must show them as
# text and run nothing.
SCRIPT_ID = "<script>alert(1)</script>"
IMAGE_ID = '<img src="x" onerror="alert(2)">'


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


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def result_files(workdir: Path) -> dict[str, Path]:
    """Every file under ``workdir``'s results/, keyed by its path relative to ``workdir``."""
    results = workdir / "results"
    return {str(path.relative_to(workdir)): path for path in results.rglob("*") if path.is_file()}


def assert_same_results(reference: Path, candidate: Path) -> None:
    """Same result files, every one byte for byte (both runs had the same SOURCE_DATE_EPOCH)."""
    expected, found = result_files(reference), result_files(candidate)
    assert sorted(found) == sorted(expected)
    for kind in (".tsv", ".svg", ".pdf", ".json", ".html"):
        assert any(name.endswith(kind) for name in expected), kind
    different = [name for name in expected if sha256_of(expected[name]) != sha256_of(found[name])]
    assert different == []


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: int = 900):
    """Run the snakemake CLI in ``workdir`` (this Python's snakemake, forked from a process that
    has imported it: tests/snakemake_in_process.py) and return the result."""
    return _run(workdir, args, check, timeout, jobs_in_process=False)


def snakemake_in_process(workdir: Path, *args: str, check: bool = True, timeout: int = 900):
    """:func:`snakemake` with ``--cores 1`` and every rule script run in Snakemake's own process
    (tests/snakemake_in_process.py: the same jobs, params and results, each import paid once):
    for the runs that prove what the analyses give under a configuration, not how jobs run."""
    return _run(workdir, ("--cores", "1", *args), check, timeout, jobs_in_process=True)


def _run(workdir: Path, args: tuple[str, ...], check: bool, timeout: int, jobs_in_process: bool):
    env = run_environment()
    result = run_cli(workdir, list(args), env=env, timeout=timeout, jobs_in_process=jobs_in_process)
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


def reversed_keys(value):
    """``value`` with the keys of every dict in it in reverse order (same meaning)."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def one_subgroup(config: dict) -> dict:
    """The configuration cut to one subgroup, everyone (no comparison, no claims check): every
    rule but compare_subgroups and claims still runs, with about a third of the default's jobs.
    Planning is cut to two sizes of 14 simulated studies in chunks of 7 (four scattered jobs)."""
    config["subgroups"] = {"all": []}
    config["subgroup_comparisons"] = []
    config["claims"] = None
    config["report"]["main_subgroup"] = "all"
    labels = config["report"]["subgroup_labels"]
    config["report"]["subgroup_labels"] = {"all": labels["all"]} if "all" in labels else {}
    config["survival"]["claim_subgroup"] = "all"
    config["planning"].update(sizes=[40, 80], replicates=14, chunk_replicates=7)
    return config


def light_stages(config: dict) -> dict:
    """Planning and robustness cut to seconds, for the runs that prove other things (only the
    default run, ``completed_run``, pays their full defaults): planning two sizes of 21 studies in
    one chunk each, and a robustness grid of 4 specifications in one batch (each choice keeps its
    first alternative; the substitution rule and the adjustment keep two), 100 optimism resamples
    and a fragility search of at most 2 swaps."""
    config["planning"].update(sizes=[40, 80], replicates=21, chunk_replicates=21)
    robustness = config["robustness"]
    for name, alternatives in robustness["choices"].items():
        keep = 2 if name in ("below_lloq", "multiple_testing") else 1
        if isinstance(alternatives, dict):
            robustness["choices"][name] = dict(list(alternatives.items())[:keep])
        else:
            robustness["choices"][name] = alternatives[:keep]
    robustness["batches"] = 1
    robustness["optimism"].update(resamples=100, batches=1)
    robustness["fragility"]["max_flips"] = 2
    return config


def run_step(step, settings: dict, inputs: dict, outputs: dict, figures=()) -> dict:
    """One rule's step without Snakemake (il6hcc.rulekit.perform_step, as its job would run it):
    ``settings`` are its params and wildcards, ``outputs`` its named outputs and ``figures`` its
    figure files (paths); returns the step's result."""
    files = [Path(path) for path in [*outputs.values(), *figures]]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    return perform_step(step, inputs, settings, outputs, [str(path) for path in files])


# --- The variant run: same analysis, other names and orders, hostile patient ids ----------------


def reorder(config: dict) -> None:
    """Subgroups, markers and endpoints listed in other orders (same analysis)."""
    config["subgroups"] = dict(reversed(list(config["subgroups"].items())))
    config["markers"] = list(reversed(config["markers"]))
    config["survival"]["endpoints"] = list(reversed(config["survival"]["endpoints"]))


def rename_and_add(config: dict) -> None:
    """later_line renamed so that it sorts first; a fourth subgroup added as the README shows."""
    subgroups = {("a_later" if k == "later_line" else k): v for k, v in config["subgroups"].items()}
    subgroups["bclc_c_first_line"] = [
        {"column": "line_of_therapy", "op": "eq", "value": 1},
        {"column": "bclc", "op": "eq", "value": "C"},
    ]
    config["subgroups"] = subgroups
    config["subgroup_comparisons"] = [
        {**c, "b": "a_later" if c["b"] == "later_line" else c["b"]}
        for c in config["subgroup_comparisons"]
    ]
    config["claims"]["later_line"] = "a_later"
    labels = config["report"]["subgroup_labels"]
    labels["a_later"] = labels.pop("later_line")
    labels["bclc_c_first_line"] = "first-line, BCLC C"


def every_change(config: dict) -> dict:
    """All the metamorphic edits at once (one workflow run): a subgroup renamed to sort first,
    a fourth subgroup added, then subgroups, markers and endpoints listed in reverse order."""
    rename_and_add(config)
    reorder(config)
    return config


def excluded_patient_ids(workdir: Path) -> list[str]:
    """The ids of the patients the clean rule excludes from ``workdir``'s cohort, found by its
    own steps in this process (no Snakemake run)."""
    config = load_config(workdir)
    reading = ruleparams.ingest(config)
    cohort = read_cohort(
        workdir / config["cohort"]["path"], markers=reading["markers"], **reading["cohort"]
    ).table
    settings = ruleparams.clean(config)
    return list(clean(cohort, **settings)["exclusions"]["patient_id"])


def hostile_cohort(workdir: Path) -> None:
    """Give two excluded patients ids that are markup: a script, and an image with a handler.
    Excluded patients, so that no statistic changes (the variant run's sections must equal the
    default run's)."""
    cohort = workdir / "resources" / "simulated_cohort.csv"
    first, second = sorted(set(excluded_patient_ids(workdir)))[:2]
    text = cohort.read_text(encoding="utf-8")
    text = text.replace(f"{first},", f"{first}{SCRIPT_ID},", 1)
    text = text.replace(f"{second},", f'"{second}{IMAGE_ID.replace(chr(34), chr(34) * 2)}",', 1)
    cohort.write_text(text, encoding="utf-8")
