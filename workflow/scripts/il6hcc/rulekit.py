"""The one rule adapter: typed inputs in, a pure step function called, labelled outputs written.

A rule script is two lines::

    from il6hcc.rulekit import run_step
    from il6hcc.steps.clean import clean
    run_step(snakemake, clean)

The step (``il6hcc.steps``) declares what it needs by name: each input it names is read by the
reader its annotation carries (``Patients``, ``Table``, ``Tables``, ``Record``, ``File`` ...),
each params value and wildcard is passed under its own name (the config names: ``ruleparams``).
It returns its outputs by name: a DataFrame is written as a tidy TSV led by the cohort's
data_status, a dict as JSON, a ``FigureFiles`` to the SVG and PDF outputs named after it; the
key ``warnings`` holds messages the user must see. bench/floor.py calls the same steps through
``perform_step``.

Expected failures (invalid cohort file, invalid configuration) end the job with the message in
the log and exit status 1, without a Python traceback; anything else is a bug and keeps its
traceback (in the log and on stderr). The message is not printed by the job itself: when the run
stops, the Snakefile's ``onerror`` handler prints every failed job's error records from its log
(il6hcc.joblog), so the message is said once, and last.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import platform
import sys
import time
import typing
from importlib import metadata
from pathlib import Path
from typing import Annotated

import pandas as pd

from il6hcc.config import ConfigError
from il6hcc.joblog import LOG_FORMAT
from il6hcc.tables import read_patients, read_tsv, write_tsv

EXPECTED_ERRORS = (ConfigError,)
DATA_STATUS = "data_status"
# The output key of the messages a step wants on screen; the input key of the package modules
# a rule depends on (tracked by Snakemake, never read by a step).
WARNINGS = "warnings"
CODE = "code"


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
    else:
        log.info("done in %.2f s", time.perf_counter() - started)
    finally:
        # Closed and detached, so that a later job of the rule in the same interpreter
        # (tests/snakemake_in_process.py) logs to its own file only.
        log.removeHandler(handler)
        handler.close()


def read_json(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(value, path) -> None:
    """Sorted keys, one item a line, and no NaN (JSON has none: a NaN here is a bug)."""
    text = json.dumps(value, indent=1, sort_keys=True, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


# The input types a step can declare; each carries its reader. A list type reads every file of
# a named list of inputs.
Patients = Annotated[pd.DataFrame, read_patients]
Table = Annotated[pd.DataFrame, read_tsv]
Tables = Annotated[list[pd.DataFrame], read_tsv]
Record = Annotated[dict, read_json]
Records = Annotated[list[dict], read_json]
File = Annotated[Path, Path]
Files = Annotated[list[Path], Path]


def read_inputs(step, paths: dict) -> dict:
    """The inputs ``step`` declares, read by their annotated types; a ``**`` parameter annotated
    with an input type (Table, Patients, File, ...) takes every other input but the package
    modules (CODE). A ``**`` parameter without one takes params only (the step's settings)."""
    hints = typing.get_type_hints(step, include_extras=True)
    parameters = inspect.signature(step).parameters.values()
    catch_all = [
        p.name
        for p in parameters
        if p.kind is inspect.Parameter.VAR_KEYWORD
        and typing.get_origin(hints.get(p.name)) is typing.Annotated
    ]
    values = {}
    for name, path in paths.items():
        declared = name if name in hints else (catch_all[0] if catch_all else None)
        if name == CODE or declared is None or declared == "return":
            continue
        kind, reader = typing.get_args(hints[declared])[:2]
        if typing.get_origin(kind) is list:
            values[name] = [reader(item) for item in ([path] if isinstance(path, str) else path)]
        else:
            values[name] = reader(path)
    return values


def cohort_status(tables) -> str:
    """data_status of the first table that carries one (inputs first; ingest's own output)."""
    for table in tables:
        if isinstance(table, pd.DataFrame) and DATA_STATUS in table.columns:
            return data_status(table)
    return "observed"


class FigureFiles:
    """A figure to draw and save as SVG and PDF (the outputs whose stem is its result key).

    Drawn only when written, so a step with many figures never holds them all open.
    """

    def __init__(self, draw, save, identity: dict):
        self.draw, self.save, self.identity = draw, save, identity

    def write(self, files: dict[str, str]) -> None:
        self.save(self.draw(), files[".svg"], files[".pdf"], self.identity)


def write_outputs(result: dict, named: dict, files: list[str], status: str) -> list[str]:
    """Write each output of a step's ``result`` (see the module docstring); return the paths."""
    written = []
    for name, value in result.items():
        if isinstance(value, FigureFiles):
            by_suffix = {Path(path).suffix: str(path) for path in files if Path(path).stem == name}
            value.write(by_suffix)
            written += by_suffix.values()
        elif isinstance(value, pd.DataFrame):
            write_result(value, named[name], status)
            written.append(str(named[name]))
        else:
            write_json(value, named[name])
            written.append(str(named[name]))
    return written


def perform_step(step, inputs: dict, settings: dict, named: dict, files: list[str]) -> dict:
    """Read ``inputs`` (name: path or paths), call ``step`` with them and ``settings`` (params
    and wildcards, by name), write its outputs; return the result (its warnings included)."""
    values = read_inputs(step, inputs)
    result = step(**values, **settings)
    outputs = {name: value for name, value in result.items() if name != WARNINGS}
    status = cohort_status([*values.values(), *outputs.values()])
    written = write_outputs(outputs, named, files, status)
    missing = sorted(set(map(str, files)) - set(written))
    if missing:
        raise RuntimeError(f"step {step.__name__} wrote no {', '.join(missing)}")
    return result


def run_step(snakemake, step) -> None:
    """The rule script of every analysis rule: ``step`` on the job's inputs, params, wildcards."""

    def main(snakemake, log):
        named = dict(snakemake.output.items())
        provenance = named.pop("provenance", None)
        files = [path for path in snakemake.output if path != provenance]
        result = perform_step(
            step,
            dict(snakemake.input.items()),
            {**dict(snakemake.params.items()), **dict(snakemake.wildcards.items())},
            named,
            files,
        )
        for name, value in result.items():
            if isinstance(value, pd.DataFrame):
                log.info("%s: %d rows", name, len(value))
        for warning in result.get(WARNINGS, []):
            warn_on_screen(log, f"Warning in rule {snakemake.rule}: {warning}")

    run_rule(snakemake, main)


def warn_on_screen(log, message: str) -> None:
    """A warning the user must see although the job succeeds: in the log and on stderr (which
    Snakemake shows for a local job; a cluster job's stderr goes to the scheduler's log)."""
    log.warning("%s", message)
    print(message, file=sys.stderr)


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
