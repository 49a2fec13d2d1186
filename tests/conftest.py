"""Shared fixtures. The real Snakemake runs of the suite, each proving what no cheaper test can.

Two kinds of run. A process per job, as users run it (``snakemake``): the default run, and the
runs that prove how jobs run (killed and resumed, two at once, a cluster executor, failing jobs).
Every job in Snakemake's own process (``snakemake_in_process``): the runs that prove what the
analyses give under other configurations. test_cluster and test_reruns compare the two kinds
byte for byte. Both start Snakemake's command line from a process that has imported it already
(tests/snakemake_in_process.py); the killed run and the two runs at once are
`python -m snakemake` processes of their own.

- ``completed_run`` (session, a process per job): the default configuration, one full run; read
  by most workflow tests (claims, report, R fixtures of prognosis, provenance) and copied
  (``completed_copy``) for the dry-run plans of test_reruns and the failing runs of
  test_report_identity.
- ``one_subgroup_run`` (session, one process): the one-subgroup configuration; the reference
  that test_reruns' killed-and-resumed run (its code and configuration, run from scratch) and
  ``cluster_run`` (each a process per job) must equal byte for byte.
- ``cluster_run`` (session, the cluster-generic executor, every job a background process): the
  one-subgroup configuration again, compared with ``one_subgroup_run`` by test_cluster.
- ``variant_run`` (session, one process): every metamorphic edit at once, on a cohort with markup
  patient ids (test_report_identity, test_report_browser, test_planning_workflow), planning and
  robustness cut to seconds (workflow_helpers.light_stages).
- Module runs: test_settings_workflow (every statistics setting, against R; only the tables it
  checks; one process), test_degenerate_workflow (a cohort of degenerate cases, light stages; one
  process), test_bad_input_workflow (failing runs that stop early), test_rulegraph (three
  `snakemake --rulegraph` readings), test_robustness_workflow (a smaller grid edited into a copy
  of the default run; one process), test_optimism_workflow (the optimism outputs twice: one
  process on one core, then a process per job on four).
A new stage is covered by these runs as soon as its rules are in the target ``all``; a check that
needs no Snakemake process runs the rule's step (workflow_helpers.run_step) instead. The suite
runs on two pytest-xdist workers: each module's tests on one worker, the session runs built once
and shared by both (``shared_run``), each started in the background at the start of the session
by one of them (``prefetch_shared_runs``), so that the cores stay busy while they run.
"""

import contextlib
import fcntl
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))
sys.path.insert(0, str(REPO / "tests"))

from workflow_helpers import (  # noqa: E402
    copy_workflow,
    every_change,
    hostile_cohort,
    light_stages,
    load_config,
    one_subgroup,
    snakemake,
    snakemake_in_process,
    write_config,
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Each module's tests on one worker (pytest.ini: -n 2 --dist loadgroup), so that a module's
    own run (a module-scoped fixture) happens once; the session runs are shared across workers
    (``shared_run``), so the modules reading them may go to either."""
    for item in items:
        item.add_marker(pytest.mark.xdist_group(item.path.name))


def build_completed(workdir: Path) -> None:
    snakemake(workdir, "--cores", "4")


def build_one_subgroup(workdir: Path) -> None:
    write_config(workdir, one_subgroup(load_config(workdir)))
    snakemake_in_process(workdir)


def build_variant(workdir: Path) -> None:
    hostile_cohort(workdir)
    write_config(workdir, light_stages(every_change(load_config(workdir))))
    snakemake_in_process(workdir)


# `$0` is the job script the plugin appends to the command; `$!` the background process's id,
# which the plugin records as the external job id.
SUBMIT_IN_BACKGROUND = "bash -c 'bash \"$0\" >/dev/null 2>&1 & echo $!'"


def build_cluster(workdir: Path) -> None:
    """The one-subgroup configuration (copied with the code from ``one_subgroup_run``) through
    the cluster-generic executor, every job a background process; Snakemake's output is kept
    beside the folder (``cluster_run``)."""
    run = snakemake(
        workdir,
        "--executor",
        "cluster-generic",
        "--cluster-generic-submit-cmd",
        SUBMIT_IN_BACKGROUND,
        "--jobs",
        "4",
        "--seconds-between-status-checks",
        "1",
    )
    (workdir.parent / "output.txt").write_text(run.stdout + run.stderr, encoding="utf-8")


# The session runs: the fixture that reads each, its folder's name, how it is built and the run
# whose folder it copies (code and configuration; None: the repository). Under pytest-xdist each
# is started in the background by one worker at the start of the session (``PREFETCH``), while
# both workers run other tests.
SHARED_RUNS = {
    "completed_run": ("completed", build_completed, None),
    "one_subgroup_run": ("one_subgroup", build_one_subgroup, None),
    "cluster_run": ("cluster", build_cluster, "one_subgroup_run"),
    "variant_run": ("variant", build_variant, None),
}
PREFETCH = {"gw0": ["completed_run", "variant_run"], "gw1": ["one_subgroup_run", "cluster_run"]}


def shared_run(tmp_path_factory, fixture: str) -> Path:
    """The folder of a session run (``SHARED_RUNS``), built once per test session: under
    pytest-xdist whichever worker comes first builds it while holding a lock, and every other
    test waits for the lock and then reads the same folder (the workers' temporary directories
    share a parent). A build that fails is retried by the next test that needs it."""
    name, build, source = SHARED_RUNS[fixture]
    origin = shared_run(tmp_path_factory, source) if source else REPO
    root = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        root = root.parent
    workdir = root / name / "workflow"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = root / f"{name}.done"
        if not done.exists():
            shutil.rmtree(workdir.parent, ignore_errors=True)
            build(copy_workflow(workdir, source=origin))
            done.touch()
    return workdir


@pytest.fixture(scope="session", autouse=True)
def prefetch_shared_runs(request, tmp_path_factory):
    """Under pytest-xdist, this worker's share of the session runs the collected tests read,
    built in a background thread (Snakemake's processes do the work) while the worker runs
    other tests; a test that reads one before it is ready waits for its lock. A failed build
    is left to the fixture, which retries it and reports the error in the test."""
    needed = {name for item in request.session.items for name in item.fixturenames}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    mine = [name for name in PREFETCH.get(worker, []) if name in needed]

    def build_all() -> None:
        for fixture in mine:
            with contextlib.suppress(Exception):
                shared_run(tmp_path_factory, fixture)

    if mine:
        threading.Thread(target=build_all, daemon=True).start()


@pytest.fixture(scope="session")
def completed_run(tmp_path_factory) -> Path:
    """A temporary copy of the workflow after one full `snakemake --cores 4` (shared, read-only).

    Tests that edit config or code, or run Snakemake in it, must not touch it: take
    `completed_copy` instead.
    """
    return shared_run(tmp_path_factory, "completed_run")


@pytest.fixture(scope="session")
def one_subgroup_run(tmp_path_factory) -> Path:
    """A temporary copy of the workflow cut to one subgroup (workflow_helpers.one_subgroup), after
    one full run in one process (shared, read-only): the reference of the tests that run the
    whole workflow again and compare every file (a killed and resumed run, two runs at once, a
    cluster run)."""
    return shared_run(tmp_path_factory, "one_subgroup_run")


@pytest.fixture(scope="session")
def cluster_run(tmp_path_factory) -> tuple[Path, str]:
    """A copy of ``one_subgroup_run``'s workflow after one full run through the cluster-generic
    executor (shared, read-only), and Snakemake's output."""
    workdir = shared_run(tmp_path_factory, "cluster_run")
    return workdir, (workdir.parent / "output.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def variant_run(tmp_path_factory) -> tuple[Path, dict]:
    """The workflow with every metamorphic edit (workflow_helpers.every_change) on the bundled
    cohort whose two excluded patients have markup for ids (workflow_helpers.hostile_cohort),
    after one full run in one process (shared, read-only), and its configuration: the report
    must give each subgroup the default run's numbers under any name and order, and show the ids
    as text. Returns (workdir, config)."""
    workdir = shared_run(tmp_path_factory, "variant_run")
    return workdir, load_config(workdir)


@pytest.fixture
def completed_copy(completed_run, tmp_path) -> Path:
    """A private copy of the completed run (results, logs and Snakemake's metadata included)."""
    destination = tmp_path / "workflow"
    shutil.copytree(completed_run, destination, symlinks=True)
    return destination
