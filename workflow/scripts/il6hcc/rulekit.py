"""What every rule script shares: logging to the rule's log file, clean failure, labelled output.

A rule script is a thin adapter::

    from il6hcc.rulekit import run_rule
    def main(snakemake, log): ...
    run_rule(snakemake, main)

Expected failures (invalid cohort file, invalid configuration) end the job with the message in
the log and exit status 1, without a Python traceback; anything else is a bug and keeps its
traceback (in the log and on stderr). The message is not printed by the job itself: when the run
stops, the Snakefile's ``onerror`` handler prints every failed job's error records from its log
(il6hcc.joblog), so the message is said once, and last.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from il6hcc.config import ConfigError
from il6hcc.joblog import LOG_FORMAT
from il6hcc.tables import write_tsv

EXPECTED_ERRORS = (ConfigError,)
DATA_STATUS = "data_status"


def _expected_errors() -> tuple[type[BaseException], ...]:
    from il6hcc.cohort_io import CohortError

    return (*EXPECTED_ERRORS, CohortError)


def run_rule(snakemake, main) -> None:
    """Run ``main(snakemake, log)`` with logging to the rule's log file."""
    log_path = Path(snakemake.log[0])
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(f"il6hcc.{snakemake.rule}")
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    log.addHandler(handler)
    started = time.perf_counter()
    log.info("rule %s, wildcards %s", snakemake.rule, dict(snakemake.wildcards))
    try:
        main(snakemake, log)
        if "provenance" in snakemake.output.keys():
            write_provenance(snakemake)
    except _expected_errors() as error:
        log.error("%s", error)
        sys.exit(1)
    except Exception:
        log.exception("unexpected failure")
        raise
    log.info("done in %.2f s", time.perf_counter() - started)


def warn_on_screen(log, message: str) -> None:
    """A warning the user must see although the job succeeds: in the log and on stderr (which
    Snakemake shows for a local job; a cluster job's stderr goes to the scheduler's log)."""
    log.warning("%s", message)
    print(f"Warning: {message}", file=sys.stderr)


# The packages the workflow's jobs import (pingouin is test-only and not listed).
PROVENANCE_PACKAGES = (
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "seaborn",
    "matplotlib",
    "jinja2",
    "openpyxl",
    "PyYAML",
)


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict:
    versions = {}
    for name in PROVENANCE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_provenance(snakemake) -> None:
    """Record what made this job's outputs: rule, inputs' and outputs' sha256, params, versions.

    Written as the job's declared ``provenance`` output (results/provenance/<rule>/...json), so
    it is exactly as current as the outputs it describes; the provenance rule gathers them.
    """
    record_path = Path(snakemake.output.provenance)
    outputs = [path for path in snakemake.output if Path(path) != record_path]
    record = {
        "rule": snakemake.rule,
        "wildcards": dict(snakemake.wildcards.items()),
        "params": {name: value for name, value in snakemake.params.items()},
        "inputs": {path: sha256_of(path) for path in sorted(set(snakemake.input))},
        "outputs": {path: sha256_of(path) for path in outputs},
        "packages": package_versions(),
        "python": platform.python_version(),
    }
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def data_status(patients: pd.DataFrame) -> str:
    """'simulated' or 'observed', as recorded by the ingest step for the whole cohort."""
    values = patients[DATA_STATUS].dropna().unique()
    return str(values[0]) if len(values) else "observed"


def write_result(table: pd.DataFrame, path, status: str) -> None:
    """Write a result table with a leading data_status column (simulated data say so)."""
    labelled = table.copy()
    if DATA_STATUS in labelled.columns:
        labelled = labelled.drop(columns=DATA_STATUS)
    labelled.insert(0, DATA_STATUS, status)
    write_tsv(labelled, path)


def load_json_param(value: str):
    """Decode a params value passed as canonical JSON (see il6hcc.config.canonical_json)."""
    return json.loads(value)
