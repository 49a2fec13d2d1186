"""Shared fixtures. The real Snakemake runs of the suite, each proving what no cheaper test can.

Two kinds of run. A process per job, as users run it (``snakemake``): the default run, and the
runs that prove how jobs run (killed and resumed, two at once, a cluster executor, failing jobs).
Every job in Snakemake's own process (``snakemake_in_process``, tests/snakemake_in_process.py:
Snakemake's own DAG, params, scheduling and metadata, each import paid once): the runs that prove
what the analyses give under other configurations. test_cluster and test_reruns compare the two
kinds byte for byte.

- ``completed_run`` (session, a process per job): the default configuration, one full run; read
  by most workflow tests (claims, report, R fixtures of prognosis, provenance) and copied
  (``completed_copy``) for the dry-run plans of test_reruns and the failing runs of
  test_report_identity.
- ``one_subgroup_run`` (session, one process): the one-subgroup configuration; the reference
  that test_reruns' killed-and-resumed run and test_cluster's cluster-generic run (each a process
  per job) must equal byte for byte.
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
runs on two pytest-xdist workers; ``pytest_collection_modifyitems`` below keeps each run's
tests on one worker.
"""

import shutil
import sys
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

# The session runs and the tests reading them, by the run they share: under pytest-xdist
# (pytest.ini: -n 2 --dist loadgroup) each group is one worker's, so each run happens once; the
# default and variant runs share a group because test_report_identity compares them.
SHARED_RUNS = {
    "completed_run": "default_and_variant_runs",
    "variant_run": "default_and_variant_runs",
    "one_subgroup_run": "one_subgroup_run",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Each test joins the group of the session run it reads, or else its module's group, so that
    a module's own run (a module-scoped fixture) also happens once; groups spread over workers."""
    for item in items:
        groups = {SHARED_RUNS[name] for name in item.fixturenames if name in SHARED_RUNS}
        assert len(groups) <= 1, (item.nodeid, groups)
        group = groups.pop() if groups else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def completed_run(tmp_path_factory) -> Path:
    """A temporary copy of the workflow after one full `snakemake --cores 4` (shared, read-only).

    Tests that edit config or code must not touch it: take `completed_copy` instead.
    """
    workdir = copy_workflow(tmp_path_factory.mktemp("completed") / "workflow")
    snakemake(workdir, "--cores", "4")
    return workdir


@pytest.fixture(scope="session")
def one_subgroup_run(tmp_path_factory) -> Path:
    """A temporary copy of the workflow cut to one subgroup (workflow_helpers.one_subgroup), after
    one full run (shared, read-only): the reference of the tests that run the whole workflow
    again and compare every file (a killed and resumed run, two runs at once, a cluster run)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("one_subgroup") / "workflow")
    write_config(workdir, one_subgroup(load_config(workdir)))
    snakemake_in_process(workdir)
    return workdir


@pytest.fixture(scope="session")
def variant_run(tmp_path_factory) -> tuple[Path, dict]:
    """The workflow with every metamorphic edit (workflow_helpers.every_change) on the bundled
    cohort whose two excluded patients have markup for ids (workflow_helpers.hostile_cohort),
    after one full run (shared, read-only), and its configuration: the report must give each
    subgroup the default run's numbers under any name and order, and show the ids as text.
    Returns (workdir, config)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("variant") / "workflow")
    hostile_cohort(workdir)
    config = light_stages(every_change(load_config(workdir)))
    write_config(workdir, config)
    snakemake_in_process(workdir)
    return workdir, config


@pytest.fixture
def completed_copy(completed_run, tmp_path) -> Path:
    """A private copy of the completed run (results, logs and Snakemake's metadata included)."""
    destination = tmp_path / "workflow"
    shutil.copytree(completed_run, destination, symlinks=True)
    return destination
