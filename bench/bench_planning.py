"""Benchmark of the planning stage: simulated studies per second per core, growth with the number
of studies, memory per chunk, the cost of the default plan in the cold run, and the cost of
10^5 studies per size on a cluster.

- Throughput: one chunk (il6hcc.planning.run_chunk, the planning_chunk job's call) of
  ``--studies`` studies, vectorised over them, against a floor that calls the same function once
  per study in a loop in one process (the whole analysis of one study at a time), at sizes 40,
  160 and 320. One process, one core: CPU seconds per study are core-seconds.
- Growth: CPU time of one chunk of 250 to 4,000 studies of 160 patients (linear if the time per
  study stays flat).
- Memory: peak of numpy/pandas allocations (tracemalloc) of a chunk of 500 and of 2,000 studies
  of 320 patients, per simulated patient; rules/common.smk's planning_chunk_mem_mb uses it.
- Cold run (``--cold``): `snakemake --cores 2` in a fresh copy with planning enabled and disabled.

Run from the repository root:  python3 bench/bench_planning.py [--cold]
Writes bench/planning_results.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))
sys.path.insert(0, str(REPO / "tests"))

import yaml  # noqa: E402
from workflow_helpers import copy_workflow, load_config, write_config  # noqa: E402

from il6hcc.config import planning_plan  # noqa: E402
from il6hcc.planning import run_chunk  # noqa: E402
from il6hcc.tables import read_patients  # noqa: E402

SIZES = (40, 160, 320)
GROWTH_STUDIES = (250, 500, 1000, 2000, 4000)
CLUSTER_STUDIES = 100_000


def cpu_seconds(function, *arguments) -> float:
    """CPU seconds of one call."""
    started = time.process_time()
    function(*arguments)
    return time.process_time() - started


def chunk_loop(patients, plan, size: int, studies: int) -> None:
    """The floor: one call of the chunk function per study."""
    for study in range(studies):
        run_chunk(patients, plan, size, range(study, study + 1))


def throughput(patients, plan, studies: int, floor_studies: int) -> list[dict]:
    rows = []
    for size in SIZES:
        vectorised = cpu_seconds(run_chunk, patients, plan, size, range(studies))
        floor = cpu_seconds(chunk_loop, patients, plan, size, floor_studies)
        rows.append(
            {
                "size": size,
                "vectorised": studies / vectorised,
                "floor": floor_studies / floor,
                "cpu_per_study": vectorised / studies,
            }
        )
    return rows


def growth(patients, plan) -> list[dict]:
    rows = []
    for studies in GROWTH_STUDIES:
        cpu = cpu_seconds(run_chunk, patients, plan, 160, range(studies))
        rows.append({"studies": studies, "cpu": cpu, "per_study_ms": 1000 * cpu / studies})
    return rows


def memory(patients, plan) -> list[dict]:
    rows = []
    for studies in (500, 2000):
        tracemalloc.start()
        run_chunk(patients, plan, 320, range(studies))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            {"studies": studies, "peak_mb": peak / 1e6, "bytes_per_patient": peak / (studies * 320)}
        )
    return rows


def cold_run(enabled: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole process tree) of a cold `snakemake --cores 2`."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = copy_workflow(Path(tmp) / "workflow")
        config = load_config(workdir)
        config["planning"]["enabled"] = enabled
        write_config(workdir, config)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(["snakemake", "--cores", "2"], cwd=workdir, check=True, capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        return wall, cpu


def clean_patients(workdir: Path):
    subprocess.run(
        ["snakemake", "--cores", "2", "results/clean/patients.tsv"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    return read_patients(workdir / "results" / "clean" / "patients.tsv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also time two cold runs")
    parser.add_argument("--studies", type=int, default=500)
    parser.add_argument("--floor-studies", type=int, default=100)
    arguments = parser.parse_args()
    load_at_start = os.getloadavg()
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    plan = planning_plan(config)
    with tempfile.TemporaryDirectory() as tmp:
        patients = clean_patients(copy_workflow(Path(tmp) / "workflow"))
    speed = throughput(patients, plan, arguments.studies, arguments.floor_studies)
    lines = growth(patients, plan)
    peaks = memory(patients, plan)
    cold = {True: cold_run(True), False: cold_run(False)} if arguments.cold else None

    sizes = config["planning"]["sizes"]
    per_study = {row["size"]: row["cpu_per_study"] for row in speed}
    # CPU per study grows about linearly with the size (ranks and sorts of n values): the cost of
    # every configured size is interpolated between the sizes measured.
    core_seconds = sum(CLUSTER_STUDIES * _interpolate(size, per_study) for size in sizes)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Planning benchmark",
        "",
        f"Measured {now} by `python3 bench/bench_planning.py{' --cold' if cold else ''}`; "
        f"{os.cpu_count()} CPUs, load average at start {load_at_start[0]:.1f} / "
        f"{load_at_start[1]:.1f} / {load_at_start[2]:.1f} (the machine is shared); Python "
        f"{platform.python_version()}. Model `{plan['model']}` on the bundled cohort, the "
        "default analysis settings. CPU seconds of one process (one core).",
        "",
        "## Simulated studies per second per core",
        "",
        f"One chunk of {arguments.studies} studies vectorised (the planning_chunk job's call) "
        f"against the floor: the same function called once per study, {arguments.floor_studies} "
        "studies, in a loop in one process.",
        "",
        "| size | vectorised, studies/s | floor (loop), studies/s | speed-up | CPU ms per study |",
        "|---:|---:|---:|---:|---:|",
        *[
            f"| {r['size']} | {r['vectorised']:.0f} | {r['floor']:.1f} | "
            f"{r['vectorised'] / r['floor']:.0f} x | {1000 * r['cpu_per_study']:.2f} |"
            for r in speed
        ],
        "",
        "## Growth with the number of studies (size 160)",
        "",
        "| studies | CPU s | ms per study |",
        "|---:|---:|---:|",
        *[f"| {r['studies']} | {r['cpu']:.2f} | {r['per_study_ms']:.2f} |" for r in lines],
        "",
        "## Memory per chunk (size 320)",
        "",
        "| studies | peak of allocations, MB | bytes per simulated patient |",
        "|---:|---:|---:|",
        *[f"| {r['studies']} | {r['peak_mb']:.0f} | {r['bytes_per_patient']:.0f} |" for r in peaks],
        "",
        "## 10^5 studies per size on a cluster",
        "",
        f"Sizes {', '.join(map(str, sizes))}: {CLUSTER_STUDIES * len(sizes):,} studies, about "
        f"{core_seconds / 3600:.1f} core-hours of analysis (CPU per study interpolated between "
        "the sizes above), plus about 2 s of start-up per job.",
    ]
    if cold:
        out += [
            "",
            "## Default plan in the cold run",
            "",
            "`snakemake --cores 2` in a fresh copy, once each; CPU time of the whole process "
            "tree (less disturbed than wall time when the shared machine is loaded).",
            "",
            "| planning | wall s | CPU s |",
            "|---|---:|---:|",
            f"| enabled (500 studies x {len(sizes)} sizes) | {cold[True][0]:.1f} | "
            f"{cold[True][1]:.1f} |",
            f"| disabled | {cold[False][0]:.1f} | {cold[False][1]:.1f} |",
            f"| added by planning | {cold[True][0] - cold[False][0]:.1f} | "
            f"{cold[True][1] - cold[False][1]:.1f} |",
        ]
    (REPO / "bench" / "planning_results.md").write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))


def _interpolate(size: int, per_study: dict) -> float:
    known = sorted(per_study)
    below = max([k for k in known if k <= size], default=known[0])
    above = min([k for k in known if k >= size], default=known[-1])
    if above == below:
        return per_study[below] * size / below
    weight = (size - below) / (above - below)
    return per_study[below] + weight * (per_study[above] - per_study[below])


if __name__ == "__main__":
    main()
