"""Benchmark (not a test): il6hcc.stats.roc.delong_paired_test against pROC.

Usage, from the repository root:  python3 bench/bench_delong.py

For 10^4, 10^5 and 10^6 patients (two correlated markers, ~30% cases, seeded), times
delong_paired_test (best of several runs, time.perf_counter) and the same work in R
(bench/bench_delong.R: pROC roc() twice and roc.test(method = "delong", paired = TRUE), timed
inside R with system.time, best of several runs) on identical data written to a temporary
directory. Prints a markdown table and writes it to bench/delong_results.md. Without Rscript or
pROC it says so and reports only our timings.
"""

import math
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

from il6hcc.stats.roc import delong_paired_test  # noqa: E402 (needs the path above)

SIZES = (10_000, 100_000, 1_000_000)
SEED = 20240611
CASE_SHARE = 0.3
R_REPEATS = 3
# Our runs repeat until this many seconds have passed (at least OUR_MIN_REPEATS runs): the
# machine is shared, and the minimum of several runs is the least disturbed timing.
OUR_TIME_BUDGET = 2.0
OUR_MIN_REPEATS = 5
RESULTS = REPO / "bench" / "delong_results.md"


def simulate(n, rng):
    """Two markers sharing a patient effect (correlated), both higher in cases."""
    is_case = rng.random(n) < CASE_SHARE
    shared = rng.normal(size=n)
    marker_a = 0.8 * is_case + shared + rng.normal(0, 0.7, size=n)
    marker_b = 0.5 * is_case + shared + rng.normal(0, 0.9, size=n)
    return marker_a, marker_b, is_case


def best_time(work):
    """Minimum wall time of repeated calls of work(), and its last result."""
    timings = []
    started = time.perf_counter()
    while len(timings) < OUR_MIN_REPEATS or time.perf_counter() - started < OUR_TIME_BUDGET:
        run_started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - run_started)
    return min(timings), result


def time_ours(marker_a, marker_b, is_case):
    """Seconds for delong_paired_test, its z, and seconds for one plain O(n) numpy pass.

    The O(n) pass (an element-wise select writing a new array) shows how this machine's memory
    hierarchy alone scales between sizes, to read our growth against.
    """
    seconds, result = best_time(lambda: delong_paired_test(marker_a, marker_b, is_case))
    linear_seconds, _ = best_time(lambda: np.where(is_case, marker_a, marker_b))
    return seconds, result["z"], linear_seconds


def r_unavailable_reason():
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    check = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('pROC', quietly = TRUE))"],
        capture_output=True,
        check=False,
    )
    return "" if check.returncode == 0 else "R package pROC not installed"


def time_proc(data_dir):
    completed = subprocess.run(
        ["Rscript", str(REPO / "bench" / "bench_delong.R"), str(data_dir), str(R_REPEATS)]
        + [str(n) for n in SIZES],
        capture_output=True,
        text=True,
        check=True,
    )
    timings = {}
    for line in completed.stdout.strip().splitlines():
        n, seconds, z = line.split("\t")
        timings[int(n)] = (float(seconds), float(z))
    return timings


def n_log_n(n):
    return n * math.log(n)


def table(rows, proc):
    header = (
        "| n | ours (s) | pROC (s) | pROC / ours | ours growth | n log n growth "
        "| O(n) numpy pass growth | z ours | z pROC |"
    )
    lines = [header, "|" + "---|" * 9]
    previous = None
    for n, (seconds, z, linear_seconds) in rows.items():
        if proc:
            proc_seconds, proc_z = proc[n]
            proc_cells = f"{proc_seconds:.3f} | {proc_seconds / seconds:.1f}"
            proc_z_cell = f"{proc_z:.10g}"
        else:
            proc_cells, proc_z_cell = "n/a | n/a", "n/a"
        if previous is None:
            growth = "", "", ""
        else:
            previous_n, previous_seconds, previous_linear_seconds = previous
            growth = (
                f"{seconds / previous_seconds:.1f}",
                f"{n_log_n(n) / n_log_n(previous_n):.1f}",
                f"{linear_seconds / previous_linear_seconds:.1f}",
            )
        lines.append(
            f"| {n:,} | {seconds:.4f} | {proc_cells} | {' | '.join(growth)} "
            f"| {z:.10g} | {proc_z_cell} |"
        )
        previous = n, seconds, linear_seconds
    return "\n".join(lines)


def r_versions():
    completed = subprocess.run(
        [
            "Rscript",
            "-e",
            "cat(R.version.string, '; pROC', as.character(packageVersion('pROC')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def main():
    rng = np.random.default_rng(SEED)
    unavailable = r_unavailable_reason()
    ours = {}
    proc = {}
    with tempfile.TemporaryDirectory() as data_dir:
        for n in SIZES:
            marker_a, marker_b, is_case = simulate(n, rng)
            prefix = Path(data_dir) / f"delong_{n}"
            marker_a.astype("<f8").tofile(f"{prefix}_a.f64")
            marker_b.astype("<f8").tofile(f"{prefix}_b.f64")
            is_case.astype("<i4").tofile(f"{prefix}_case.i32")
            ours[n] = time_ours(marker_a, marker_b, is_case)
        if not unavailable:
            proc = time_proc(data_dir)
    r_version = "" if unavailable else r_versions()
    notes = [
        "# DeLong paired test: il6hcc.stats.roc vs pROC",
        "",
        "Made by `python3 bench/bench_delong.py` (a benchmark, not a test).",
        f"Identical data for both (seed {SEED}, ~{CASE_SHARE:.0%} cases, two correlated markers).",
        f"Ours: best of repeated `delong_paired_test` runs (at least {OUR_MIN_REPEATS},",
        f"{OUR_TIME_BUDGET:g} s budget). pROC: best of {R_REPEATS} runs of `roc()` x2 +",
        '`roc.test(method = "delong", paired = TRUE)`, timed inside R with `system.time`.',
        "Growth columns: time at this size over time at the previous size, for our test, for",
        "n log n, and for one plain O(n) numpy pass (`np.where` over the same arrays) that shows",
        "how the machine's caches alone scale. The machine is shared (2 cores): timings vary.",
        "",
        f"- Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}",
        f"- {r_version}" if r_version else f"- pROC not timed: {unavailable}",
        "",
        table(ours, proc),
        "",
    ]
    text = "\n".join(notes)
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
