"""Benchmark (not a test): the robustness stage's work on the bundled cohort and on 10,000
simulated patients, in one process.

Usage, from the repository root:  python3 bench/bench_robustness.py

Reads resources/simulated_cohort.csv as the ingest rule does, then times (process CPU time and wall
time, time.process_time / time.perf_counter) the default multiverse grid of config.yaml in one
batch and in the configured number of batches (each batch a fresh il6hcc.multiverse cache, as each
Snakemake job is), the leave-one-out influence and the fragility search. Then the same grid (one
batch), leave-one-out and fragility search on a cohort of LARGE_COHORT patients drawn by
il6hcc.simulate (seed LARGE_COHORT_SEED, written to a CSV file and read back as the ingest rule
reads the bundled one), with each time's ratio to the bundled cohort's, the number of leave-one-out
cohorts the screen certified (il6hcc.influence_screen; the others are rerun), and the functions
that took most of a profiled second run (cProfile, cumulative time). Prints a markdown report and
writes it to bench/robustness_results.md. The CPU time is the cost the stage adds to a cold run's
CPU total; the machine is shared, so wall times vary with its load (the 1-minute load average
before and after the runs is printed with them).
"""

import cProfile
import io
import os
import platform
import pstats
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
from il6hcc.influence_screen import certified_cohorts  # noqa: E402
from il6hcc.multiverse import Multiverse, main_specification, run_batch  # noqa: E402
from il6hcc.simulate import simulate_cohort  # noqa: E402
from il6hcc.specifications import selected_specifications  # noqa: E402

RESULTS = REPO / "bench" / "robustness_results.md"
LARGE_COHORT = 10_000
LARGE_COHORT_SEED = 1
# Functions listed from each profiled run at scale.
PROFILE_LINES = 8


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def read(config: dict, path: Path):
    return read_cohort(
        path,
        markers=[{f: m[f] for f in ("key", "kind", "unit")} for m in config["markers"]],
        column_map=config["cohort"]["column_map"],
        sheet=config["cohort"]["sheet"],
        encoding=config["cohort"]["encoding"],
        decimal=config["cohort"]["decimal"],
        max_problems=config["cohort"]["max_problems"],
    ).table


def simulated(config: dict, n_patients: int):
    """A simulated cohort as the ingest rule would read it from a hospital export."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.csv"
        simulate_cohort(n_patients, seed=LARGE_COHORT_SEED).to_csv(path, index=False)
        return read(config, path)


def profiled(work) -> list[str]:
    """The functions of ``work`` with the largest cumulative time, as cProfile prints them."""
    profile = cProfile.Profile()
    profile.runcall(work)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(PROFILE_LINES)
    lines = text.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return [line.replace(str(REPO) + "/", "") for line in lines[start:] if line.strip()]


def main():
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    cohort = read(config, REPO / config["cohort"]["path"])
    large = simulated(config, LARGE_COHORT)
    load_before = os.getloadavg()[0]
    settings = multiverse_settings(config)
    influence_settings = leave_one_out_settings(config)
    batches = settings["batches"]
    n_specifications = len(
        selected_specifications(
            settings["choices"],
            max_specifications=settings["max_specifications"],
            seed=settings["seed"],
        )
    )
    grid = {
        size: timed(lambda data=data: run_batch(data, settings, batches=1, batch=0))
        for size, data in ((len(cohort), cohort), (len(large), large))
    }
    influence = {
        size: timed(lambda data=data: leave_one_out(data, influence_settings))
        for size, data in ((len(cohort), cohort), (len(large), large))
    }
    max_flips = config["robustness"]["fragility"]["max_flips"]
    fragility = {
        size: timed(
            lambda data=data: claims_fragility(data, influence_settings, max_flips=max_flips)
        )
        for size, data in ((len(cohort), cohort), (len(large), large))
    }
    rows = [
        (f"multiverse, {n_specifications} specifications, 1 batch", *grid[len(cohort)]),
        (
            f"multiverse, {n_specifications} specifications, {batches} batches in turn",
            *timed(
                lambda: [
                    run_batch(cohort, settings, batches=batches, batch=b) for b in range(batches)
                ]
            ),
        ),
        (f"leave-one-out, {len(cohort)} cohorts", *influence[len(cohort)]),
        (f"fragility index, at most {max_flips} swaps a claim", *fragility[len(cohort)]),
    ]
    certified = {}
    for data in (cohort, large):
        multiverse = Multiverse(data, influence_settings)
        specification = main_specification(influence_settings)
        main_claims = multiverse.claims(specification)
        certified[len(data)] = int(certified_cohorts(multiverse, specification, main_claims).sum())
    load_after = os.getloadavg()[0]
    profiles = {
        "multiverse": profiled(lambda: run_batch(large, settings, batches=1, batch=0)),
        "leave-one-out": profiled(lambda: leave_one_out(large, influence_settings)),
    }
    lines = [
        f"Robustness stage on the bundled cohort ({len(cohort)} patients); "
        f"Python {platform.python_version()}, {platform.machine()}, shared machine "
        f"({os.cpu_count()} cores, load average {load_before:.1f} before, "
        f"{load_after:.1f} after).",
        "",
        "| work | wall (s) | CPU (s) |",
        "| --- | --- | --- |",
        *(f"| {name} | {wall:.1f} | {cpu:.1f} |" for name, wall, cpu in rows),
        "",
        f"At scale: {len(large)} patients simulated by il6hcc.simulate (seed "
        f"{LARGE_COHORT_SEED}); ratio = time at {len(large)} / time at {len(cohort)}.",
        "",
        "| work | wall (s) | CPU (s) | wall ratio | CPU ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, times in (
        (f"multiverse, {n_specifications} specifications, 1 batch", grid),
        ("leave-one-out, one cohort per patient", influence),
        (f"fragility index, at most {max_flips} swaps a claim", fragility),
    ):
        (wall, cpu), (small_wall, small_cpu) = times[len(large)], times[len(cohort)]
        lines.append(
            f"| {name} | {wall:.1f} | {cpu:.1f} | {wall / small_wall:.1f} | {cpu / small_cpu:.1f} |"
        )
    lines += [
        "",
        "Leave-one-out cohorts certified by the screen (il6hcc.influence_screen), the others "
        "rerun: " + ", ".join(f"{certified[n]} of {n}" for n in (len(cohort), len(large))) + ".",
    ]
    for name, table in profiles.items():
        lines += ["", f"Profile of the {name} at {len(large)} patients (cProfile):", "", "```"]
        lines += [*table, "```"]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
