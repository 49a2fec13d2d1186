"""Benchmark (not a test): the robustness stage's work on the bundled cohort, in one process.

Usage, from the repository root:  python3 bench/bench_robustness.py

Reads resources/simulated_cohort.csv as the ingest rule does, then times (process CPU time and
wall time, time.process_time / time.perf_counter) the default multiverse grid of config.yaml in
one batch and in the configured number of batches (each batch a fresh il6hcc.multiverse cache,
as each Snakemake job is), the leave-one-out influence, and the fragility search, also on a
cohort of 10,000 patients simulated by il6hcc.simulate (issue 15's Speed paragraph). Prints a
markdown table and writes it to bench/robustness_results.md. The CPU time is the cost the
stage adds to a cold run's CPU total; the machine is shared, so wall times vary with its load
(the 1-minute load average before and after the runs is printed with them).
"""

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

from il6hcc.cohort_io import read_cohort  # noqa: E402
from il6hcc.config import leave_one_out_settings, multiverse_settings  # noqa: E402
from il6hcc.fragility import claims_fragility  # noqa: E402
from il6hcc.influence import leave_one_out  # noqa: E402
from il6hcc.multiverse import run_batch  # noqa: E402
from il6hcc.simulate import simulate_cohort  # noqa: E402
from il6hcc.specifications import selected_specifications  # noqa: E402

RESULTS = REPO / "bench" / "robustness_results.md"
LARGE_COHORT = 10_000


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def ingested(path: Path, config: dict):
    """The cohort file as the ingest rule reads it."""
    return read_cohort(
        path,
        markers=[{f: m[f] for f in ("key", "kind", "unit")} for m in config["markers"]],
        column_map=config["cohort"]["column_map"],
        sheet=config["cohort"]["sheet"],
        encoding=config["cohort"]["encoding"],
        decimal=config["cohort"]["decimal"],
        max_problems=config["cohort"]["max_problems"],
    ).table


def simulated(n_patients: int, config: dict):
    """A simulated cohort of ``n_patients`` (the bundled cohort's generator and seed)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.csv"
        simulate_cohort(n_patients=n_patients).to_csv(path, index=False, lineterminator="\n")
        return ingested(path, config)


def main():
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    cohort = ingested(REPO / config["cohort"]["path"], config)
    large = simulated(LARGE_COHORT, config)
    max_flips = config["robustness"]["fragility"]["max_flips"]
    load_before = os.getloadavg()[0]
    settings = multiverse_settings(config)
    batches = settings["batches"]
    n_specifications = len(
        selected_specifications(
            settings["choices"],
            max_specifications=settings["max_specifications"],
            seed=settings["seed"],
        )
    )
    rows = [
        (
            f"multiverse, {n_specifications} specifications, 1 batch",
            *timed(lambda: run_batch(cohort, settings, batches=1, batch=0)),
        ),
        (
            f"multiverse, {n_specifications} specifications, {batches} batches in turn",
            *timed(
                lambda: [
                    run_batch(cohort, settings, batches=batches, batch=b) for b in range(batches)
                ]
            ),
        ),
        (
            f"leave-one-out, {len(cohort)} cohorts",
            *timed(lambda: leave_one_out(cohort, leave_one_out_settings(config))),
        ),
        *(
            (
                f"fragility index, {len(patients):,} patients, at most {max_flips} swaps a claim",
                *timed(
                    lambda patients=patients: claims_fragility(
                        patients, leave_one_out_settings(config), max_flips=max_flips
                    )
                ),
            )
            for patients in (cohort, large)
        ),
    ]
    lines = [
        f"Robustness stage on the bundled cohort ({len(cohort)} patients); "
        f"Python {platform.python_version()}, {platform.machine()}, shared machine "
        f"({os.cpu_count()} cores, load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after).",
        "",
        "| work | wall (s) | CPU (s) |",
        "| --- | --- | --- |",
        *(f"| {name} | {wall:.1f} | {cpu:.1f} |" for name, wall, cpu in rows),
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
