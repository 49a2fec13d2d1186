"""How the tests start Snakemake (tests/snakemake_in_process.py): a run forked from the server
reads its own copy of the workflow, and stops when its time is up."""

import subprocess

import pytest
from snakemake_in_process import run
from workflow_helpers import copy_workflow, run_environment, snakemake


def test_a_forked_run_imports_the_package_of_its_own_copy(tmp_path):
    # The Snakefile imports il6hcc.timestamps; only the copy's raises. A run that imported the
    # repository's package (on the test process's sys.path) would plan its jobs instead.
    workdir = copy_workflow(tmp_path / "workflow")
    module = workdir / "workflow" / "scripts" / "il6hcc" / "timestamps.py"
    module.write_text(
        module.read_text(encoding="utf-8") + "\nraise RuntimeError('the copy was read')\n",
        encoding="utf-8",
    )
    result = snakemake(workdir, "-n", check=False)
    assert result.returncode == 1
    assert "the copy was read" in result.stdout + result.stderr


def test_a_run_past_its_time_is_stopped(tmp_path):
    workdir = copy_workflow(tmp_path / "workflow")
    with pytest.raises(subprocess.TimeoutExpired):
        run(workdir, ["-n"], env=run_environment(), timeout=0.01)


def test_jobs_in_snakemakes_process_run_one_at_a_time(tmp_path):
    with pytest.raises(ValueError, match="pass --cores 1"):
        run(tmp_path, ["--cores", "2"], env=run_environment(), timeout=60, jobs_in_process=True)
