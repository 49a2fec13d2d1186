"""Provenance of every output: which rule made it, from which inputs (sha256), with which params.

Each job writes a JSON record (il6hcc.rulekit.write_provenance); this module flattens them into
one tidy table, one row per output file (the records included), with the workflow's git commit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd

from il6hcc.rulekit import sha256_of

COLUMNS = [
    "output",
    "sha256",
    "rule",
    "wildcards",
    "inputs",
    "params",
    "packages",
    "python",
    "git_commit",
    "git_dirty",
]


def git_state(folder) -> tuple[str, bool]:
    """Commit of the repository holding ``folder`` and whether tracked files had changes."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )

    commit = git("rev-parse", "HEAD")
    if commit.returncode != 0:
        return "not a git checkout", False
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip() != ""
    return commit.stdout.strip(), dirty


def provenance_table(record_paths, *, git_commit: str, git_dirty: bool) -> pd.DataFrame:
    """One row per output file described by the job records (sorted by output path)."""
    rows = []
    for path in record_paths:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        shared = {
            "rule": record["rule"],
            "wildcards": json.dumps(record["wildcards"], sort_keys=True),
            "inputs": json.dumps(record["inputs"], sort_keys=True),
            "params": json.dumps(record["params"], sort_keys=True),
            "packages": json.dumps(record["packages"], sort_keys=True),
            "python": record["python"],
            "git_commit": git_commit,
            "git_dirty": git_dirty,
        }
        for output, digest in record["outputs"].items():
            rows.append({"output": output, "sha256": digest, **shared})
        # The record is an output of the same job too; it cannot hold its own digest.
        rows.append({"output": str(path), "sha256": sha256_of(path), **shared})
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("output", ignore_index=True)
