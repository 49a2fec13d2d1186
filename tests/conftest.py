import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))
sys.path.insert(0, str(REPO / "tests"))

from workflow_helpers import copy_workflow, snakemake  # noqa: E402


@pytest.fixture(scope="session")
def completed_run(tmp_path_factory) -> Path:
    """A temporary copy of the workflow after one full `snakemake --cores 4` (shared, read-only).

    Tests that edit config or code must not touch it: take `completed_copy` instead.
    """
    workdir = copy_workflow(tmp_path_factory.mktemp("completed") / "workflow")
    snakemake(workdir, "--cores", "4")
    return workdir


@pytest.fixture
def completed_copy(completed_run, tmp_path) -> Path:
    """A private copy of the completed run (results, logs and Snakemake's metadata included)."""
    destination = tmp_path / "workflow"
    shutil.copytree(completed_run, destination, symlinks=True)
    return destination
