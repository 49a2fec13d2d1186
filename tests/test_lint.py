"""The workflow's static checks, run by CI through pytest: Snakemake's linter, snakefmt, ruff."""

from __future__ import annotations

import subprocess
import sys

from workflow_helpers import REPO, copy_workflow, snakemake


def run_tool(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_snakemake_lint_reports_nothing(tmp_path):
    # On a copy: linting parses the workflow, which must not leave files in the repository.
    workdir = copy_workflow(tmp_path / "workflow")
    result = snakemake(workdir, "--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr


def test_snakefmt_leaves_the_snakefiles_unchanged():
    result = run_tool("snakefmt", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_the_python_files_unchanged():
    result = run_tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
