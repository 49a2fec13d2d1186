"""How fast the workflow runs, reruns and scales; prints a markdown table and writes it to a file.

    python3 bench/bench_workflow.py            # everything, about 10 minutes on 2 cores
    python3 bench/bench_workflow.py --quick    # fewer repeats and sizes, about 3 minutes

Every run happens in a temporary copy of the workflow (nothing in the repository is touched).
The machine may be shared and busy, so each figure that decides a goal is a ratio of two things
measured in the same run, interleaved, with the median of the repeats:

1. cold run: ``snakemake --cores 4`` on the bundled cohort, against the floor (bench/floor.py:
   the same analyses as package calls in one Python process, imports paid once);
2. no-op rerun (everything up to date), against Snakemake's own start-up on a one-rule workflow;
3. rerun after editing one subgroup's filter, against the cold run;
4. scale: simulated cohorts (il6hcc.simulate) end to end on 2 cores, with wall time, CPU time,
   peak memory and output sizes;
5. many subgroups: ``snakemake -n`` (planning) and a cold run with 10 and 50 subgroups.

Peak memory: the largest single process (``ru_maxrss`` of the run's process tree, from wait4)
and the sum over the whole tree at its highest, sampled every 0.1 s with psutil (a Snakemake
dependency).
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from workflow_helpers import copy_workflow  # noqa: E402

GOAL_COLD_RATIO = 2.0
GOAL_NOOP_RATIO = 1.3
GOAL_SCALE_SECONDS = 60.0
GOAL_SCALE_MEMORY_MIB = 2048.0
SEED = 5
MIB = 1024 * 1024
ONE_RULE_SNAKEFILE = (
    'rule all:\n    output:\n        "done.txt",\n    shell:\n        "touch {output}"\n'
)
# The same rule in an include:d file with one params value, and a target rule: what Snakemake
# itself adds for any workflow with params (it imports pandas to compare them) and includes.
ONE_RULE_WITH_PARAMS = (
    'rule make:\n    output:\n        "done.txt",\n    params:\n        value="1",\n'
    '    shell:\n        "touch {output}"\n'
)
INCLUDING_SNAKEFILE = 'include: "rules/one.smk"\n\n\nrule all:\n    input:\n        "done.txt",\n'


@dataclass
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds of the whole process tree
    max_process_mib: float  # largest single process (ru_maxrss)
    tree_peak_mib: float  # highest sum of RSS over the process tree (sampled)
    returncode: int


def measure(command: list[str], cwd: Path, log: Path) -> Measured:
    """Run ``command`` in ``cwd``; wall and CPU time and peak memory of its whole process tree."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with open(log, "w", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=output, env=env)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            root = psutil.Process(process.pid)
            while not done.is_set():
                total = 0
                try:
                    for member in [root, *root.children(recursive=True)]:
                        try:
                            total += member.memory_info().rss
                        except psutil.Error:
                            continue
                except psutil.Error:
                    break
                peak[0] = max(peak[0], total)
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4 gives the rusage of this child and of every descendant it waited for: CPU time
        # of the whole tree, and as ru_maxrss (KiB on Linux) the largest process in it.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_process_mib=usage.ru_maxrss / 1024,
        tree_peak_mib=peak[0] / MIB,
        returncode=process.returncode,
    )


def snakemake(workdir: Path, *args: str, log_name: str) -> Measured:
    result = measure([sys.executable, "-m", "snakemake", *args], workdir, workdir / log_name)
    if result.returncode != 0:
        tail = (workdir / log_name).read_text(encoding="utf-8")[-3000:]
        raise RuntimeError(f"snakemake {' '.join(args)} failed in {workdir}:\n{tail}")
    return result


def fresh_copy(scratch: Path, name: str) -> Path:
    destination = scratch / name
    if destination.exists():
        shutil.rmtree(destination)
    return copy_workflow(destination)


def set_config(workdir: Path, edit) -> None:
    path = workdir / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(config)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def median(values) -> float:
    return statistics.median(values)


def job_count(workdir: Path, *args: str) -> int:
    """Jobs a dry run plans (0 when everything is up to date)."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--quiet", "rules", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in (result.stdout + result.stderr).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "total" and parts[1].isdigit():
            return int(parts[1])
    return 0


def compare_outputs(floor_dir: Path, results: Path) -> tuple[int, int, list[str]]:
    """Floor outputs byte-identical to the workflow's: (identical, compared, differing paths)."""
    compared, differing = 0, []
    for path in sorted(p for p in floor_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(floor_dir)
        compared += 1
        twin = results / relative
        if not twin.is_file() or twin.read_bytes() != path.read_bytes():
            differing.append(str(relative))
    return compared - len(differing), compared, differing


# --- 1. cold run against the floor --------------------------------------------------------------


def bench_cold(scratch: Path, repeats: int) -> dict:
    runs, floors = [], []
    identical = None
    for index in range(repeats):
        workdir = fresh_copy(scratch, f"cold{index}")
        runs.append(snakemake(workdir, "--cores", "4", log_name="cold.log"))
        floor_dir = scratch / f"floor{index}"
        if floor_dir.exists():
            shutil.rmtree(floor_dir)
        command = [sys.executable, str(REPO / "bench" / "floor.py"), str(workdir), str(floor_dir)]
        floors.append(measure(command, workdir, scratch / f"floor{index}.log"))
        if floors[-1].returncode != 0:
            raise RuntimeError((scratch / f"floor{index}.log").read_text(encoding="utf-8"))
        identical = compare_outputs(floor_dir, workdir / "results")
    return {
        "runs": runs,
        "floors": floors,
        "identical": identical,
        "jobs": job_count(fresh_copy(scratch, "count"), "--forceall"),
        "completed": workdir,
    }


# --- 2. no-op rerun against Snakemake's start-up -----------------------------------------------


def one_rule_workflow(folder: Path, snakefile: str, included: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "Snakefile").write_text(snakefile, encoding="utf-8")
    if included is not None:
        (folder / "rules").mkdir(exist_ok=True)
        (folder / "rules" / "one.smk").write_text(included, encoding="utf-8")
    snakemake(folder, "--cores", "4", log_name="first.log")
    return folder


def bench_noop(scratch: Path, completed: Path, repeats: int) -> dict:
    one_rule = one_rule_workflow(scratch / "one_rule", ONE_RULE_SNAKEFILE)
    with_params = one_rule_workflow(
        scratch / "one_rule_params", INCLUDING_SNAKEFILE, ONE_RULE_WITH_PARAMS
    )
    noop, startup, startup_params = [], [], []
    for _ in range(repeats):
        noop.append(snakemake(completed, "--cores", "4", log_name="noop.log"))
        startup.append(snakemake(one_rule, "--cores", "4", log_name="noop.log"))
        startup_params.append(snakemake(with_params, "--cores", "4", log_name="noop.log"))
    return {"noop": noop, "startup": startup, "startup_params": startup_params}


# --- 3. one subgroup edited ---------------------------------------------------------------------


def bench_edit(scratch: Path, completed: Path) -> dict:
    workdir = scratch / "edited"
    if workdir.exists():
        shutil.rmtree(workdir)
    shutil.copytree(completed, workdir, symlinks=True)
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    edited = list(config["subgroups"])[-1]
    set_config(
        workdir,
        lambda c: c["subgroups"][edited].append({"column": "age", "op": "ge", "value": 60}),
    )
    jobs = job_count(workdir)
    return {"subgroup": edited, "jobs": jobs, "run": snakemake(workdir, "--cores", "4",
                                                                log_name="edit.log")}  # fmt: skip


# --- 4. scale ----------------------------------------------------------------------------------


def simulated_copy(scratch: Path, n_patients: int) -> Path:
    workdir = fresh_copy(scratch, f"scale{n_patients}")
    cohort = workdir / "resources" / f"simulated_{n_patients}.csv"
    subprocess.run(
        [sys.executable, str(workdir / "workflow" / "scripts" / "simulate_cohort.py"),
         "--n", str(n_patients), "--seed", str(SEED), "--out", str(cohort)],
        check=True,
    )  # fmt: skip
    set_config(workdir, lambda c: c["cohort"].update(path=str(cohort.relative_to(workdir))))
    return workdir


def output_sizes(workdir: Path) -> dict:
    results = workdir / "results"
    files = [p for p in results.rglob("*") if p.is_file()]
    largest = max(files, key=lambda p: p.stat().st_size)
    svgs = [p for p in files if p.suffix == ".svg"]
    return {
        "report_mib": (results / "report.html").stat().st_size / MIB,
        "largest": (str(largest.relative_to(results)), largest.stat().st_size / MIB),
        "largest_svg_kib": max(p.stat().st_size for p in svgs) / 1024,
        "total_mib": sum(p.stat().st_size for p in files) / MIB,
    }


def slowest_jobs(workdir: Path, count: int = 3) -> list[tuple[str, float]]:
    """The longest jobs by Snakemake's own benchmark records (benchmarks/<rule>/<job>.tsv)."""
    timings = []
    for path in (workdir / "benchmarks").rglob("*.tsv"):
        seconds = float(path.read_text(encoding="utf-8").splitlines()[1].split("\t")[0])
        timings.append((f"{path.parent.name}/{path.stem}", seconds))
    return sorted(timings, key=lambda item: -item[1])[:count]


def job_usage(workdir: Path) -> dict[str, tuple[float, float]]:
    """Per rule, the largest peak RSS (MiB) and the longest time (s) of its jobs, as recorded in
    Snakemake's benchmark files."""
    usage: dict[str, tuple[float, float]] = {}
    for path in (workdir / "benchmarks").rglob("*.tsv"):
        fields = path.read_text(encoding="utf-8").splitlines()[1].split("\t")
        seconds, rss = float(fields[0]), float(fields[2])
        previous = usage.get(path.parent.name, (0.0, 0.0))
        usage[path.parent.name] = (max(previous[0], rss), max(previous[1], seconds))
    return usage


def requested_resources(workdir: Path) -> dict[str, tuple[int, int]]:
    """Per rule, the largest mem_mb and runtime (minutes) its jobs request (from a dry run)."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--forceall"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    requested: dict[str, tuple[int, int]] = {}
    rule = None
    for line in result.stdout.splitlines():
        stripped = line.strip()
        if stripped.startswith(("rule ", "localrule ")) and stripped.endswith(":"):
            rule = stripped.split()[1].rstrip(":")
        elif stripped.startswith("resources:") and rule:
            values = dict(
                item.split("=", 1)
                for item in stripped[len("resources:") :].split(", ")
                if "=" in item
            )
            previous = requested.get(rule, (0, 0))
            requested[rule] = (
                max(previous[0], int(values.get("mem_mb", 0))),
                max(previous[1], int(values.get("runtime", 0))),
            )
    return requested


def bench_scale(scratch: Path, sizes: list[int]) -> list[dict]:
    rows = []
    for n_patients in sizes:
        workdir = simulated_copy(scratch, n_patients)
        run = snakemake(workdir, "--cores", "2", log_name="scale.log")
        rows.append(
            {
                "n": n_patients,
                "run": run,
                "sizes": output_sizes(workdir),
                "slowest": slowest_jobs(workdir),
                "usage": job_usage(workdir),
                "requested": requested_resources(workdir),
            }
        )
        shutil.rmtree(workdir)
    return rows


# --- 5. many subgroups --------------------------------------------------------------------------


def many_subgroups(config: dict, count: int, patient_ids: list[str]) -> None:
    """Keep the configured subgroups and add random halves of the cohort up to ``count``."""
    chooser = random.Random(count)
    index = 0
    while len(config["subgroups"]) < count:
        index += 1
        members = sorted(chooser.sample(patient_ids, k=max(2, len(patient_ids) // 2)))
        config["subgroups"][f"random_half_{index:03d}"] = [
            {"column": "patient_id", "op": "in", "value": members}
        ]


def bench_subgroups(scratch: Path, counts: list[int], repeats: int) -> list[dict]:
    rows = []
    for count in counts:
        workdir = fresh_copy(scratch, f"subgroups{count}")
        config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
        cohort = workdir / config["cohort"]["path"]
        header, *lines = cohort.read_text(encoding="utf-8").splitlines()
        id_column = header.split(",").index("patient_id")
        patient_ids = [line.split(",")[id_column] for line in lines if line]
        set_config(workdir, lambda c, n=count, ids=patient_ids: many_subgroups(c, n, ids))
        planning = [snakemake(workdir, "-n", log_name="plan.log") for _ in range(repeats)]
        jobs = job_count(workdir)
        run = snakemake(workdir, "--cores", "4", log_name="many.log")
        rows.append({"count": count, "planning": planning, "jobs": jobs, "run": run})
        shutil.rmtree(workdir)
    return rows


# --- the table ----------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def growth_exponent(t_small: float, t_large: float, n_small: int, n_large: int) -> float:
    return math.log(t_large / t_small) / math.log(n_large / n_small)


def n_log_n_ratio(n_small: int, n_large: int) -> float:
    return (n_large * math.log(n_large)) / (n_small * math.log(n_small))


def noop_section(noop: dict) -> list[str]:
    noop_wall = median(r.wall for r in noop["noop"])
    startup = median(r.wall for r in noop["startup"])
    noop_cpu = median(r.cpu for r in noop["noop"])
    startup_cpu = median(r.cpu for r in noop["startup"])
    startup_params = median(r.wall for r in noop["startup_params"])
    ratio = noop_wall / startup
    return [
        "## 2. No-op rerun",
        "",
        "| measure | seconds | ratio | goal |",
        "|---|---:|---:|---|",
        f"| no-op rerun, everything up to date ({len(noop['noop'])} runs) | {noop_wall:.2f} | "
        f"{ratio:.2f} | <= {GOAL_NOOP_RATIO} {verdict(ratio <= GOAL_NOOP_RATIO)} |",
        f"| Snakemake start-up, one-rule workflow, up to date | {startup:.2f} | 1 | |",
        f"| the same rule in an `include:`d file with one `params:` value | {startup_params:.2f} | "
        f"{startup_params / startup:.2f} | (information) |",
        f"| no-op rerun against that one-rule workflow with params | {noop_wall:.2f} | "
        f"{noop_wall / startup_params:.2f} | (information) |",
        f"| CPU time of the no-op rerun against the one-rule start-up | {noop_cpu:.2f} | "
        f"{noop_cpu / startup_cpu:.2f} | (information) |",
        "",
        "What the no-op run adds to Snakemake's bare start-up (found with cProfile and "
        "`python -X importtime`): as soon as one rule has a `params:` value, Snakemake imports "
        "pandas to compare params (it looks for DataFrame values), and it parses every "
        "`include:`d file; the one-rule workflow with params measures that part, which is "
        "Snakemake's own. Beyond it, Snakemake parses the Snakefile and one rule file per stage, "
        "takes its directory lock (a file listing every input and output) and checks every "
        "job's outputs, params and code; the workflow checks the run lock (il6hcc/runlock.py). "
        "The validation of the configuration against its JSON schema and the list of package "
        "modules each script imports (declared as inputs, so editing one reruns its rules) are "
        "kept in `.snakemake/` and redone only when the configuration, the schema or a module "
        "changes (by content for the configuration and the schema, by modification time and "
        "size for the modules).",
        "",
    ]


def render(results: dict, started: str, load: tuple[float, float, float]) -> str:
    lines = [
        "# Workflow benchmark",
        "",
        f"Measured {started} by `python3 bench/bench_workflow.py"
        f"{' --quick' if results['quick'] else ''}`; "
        f"{os.cpu_count()} CPUs, load average at start {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} (1 / 5 / 15 min; the machine is shared); Python "
        f"{platform.python_version()}, Snakemake {metadata.version('snakemake')}. "
        "Times are wall-clock seconds, medians of the repeats; CPU is user + system time of the "
        "whole process tree.",
        "",
    ]
    cold = results["cold"]
    wall = median(r.wall for r in cold["runs"])
    floor_wall = median(r.wall for r in cold["floors"])
    cpu = median(r.cpu for r in cold["runs"])
    floor_cpu = median(r.cpu for r in cold["floors"])
    identical, compared, differing = cold["identical"]
    ratio = wall / floor_wall
    lines += [
        "## 1. Cold run against the floor",
        "",
        "| measure | workflow | floor | ratio | goal |",
        "|---|---:|---:|---:|---|",
        f"| wall time, s ({len(cold['runs'])} runs each) | {wall:.1f} | {floor_wall:.1f} | "
        f"{ratio:.2f} | <= {GOAL_COLD_RATIO} {verdict(ratio <= GOAL_COLD_RATIO)} |",
        f"| CPU time, s | {cpu:.1f} | {floor_cpu:.1f} | {cpu / floor_cpu:.2f} | (information) |",
        "",
        f"Workflow: `snakemake --cores 4`, {cold['jobs']} jobs, in a fresh copy each time. "
        "Floor: bench/floor.py, the same package functions in one process (not the report, the "
        f"rule graph or the provenance table); {identical} of its {compared} outputs (every "
        "result table and figure it writes) are byte-identical to the workflow's"
        + (f" (differing: {', '.join(differing)})" if differing else "")
        + ".",
        "",
    ]
    lines += noop_section(results["noop"])
    edit = results["edit"]
    lines += [
        "## 3. One subgroup edited",
        "",
        "| measure | seconds | jobs | ratio to cold run |",
        "|---|---:|---:|---:|",
        f"| rerun after adding a filter to subgroup `{edit['subgroup']}` | {edit['run'].wall:.1f} "
        f"| {edit['jobs']} | {edit['run'].wall / wall:.2f} |",
        f"| cold run | {wall:.1f} | {cold['jobs']} | 1 |",
        "",
    ]
    scale = results["scale"]
    lines += [
        "## 4. Scale (simulated cohorts, `snakemake --cores 2`)",
        "",
        "| patients | wall, s | CPU, s | largest process, MiB | whole tree at peak, MiB | "
        "report, MiB | largest output | largest SVG, KiB | slowest jobs, s |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for row in scale:
        run, sizes = row["run"], row["sizes"]
        slowest = ", ".join(f"{name} {seconds:.1f}" for name, seconds in row["slowest"])
        lines.append(
            f"| {row['n']:,} | {run.wall:.1f} | {run.cpu:.1f} | {run.max_process_mib:.0f} | "
            f"{run.tree_peak_mib:.0f} | {sizes['report_mib']:.2f} | {sizes['largest'][0]} "
            f"({sizes['largest'][1]:.1f} MiB) | {sizes['largest_svg_kib']:.0f} | {slowest} |"
        )
    largest = scale[-1]
    lines.append("")
    if largest["n"] >= 100_000:
        run = largest["run"]
        within = run.wall <= GOAL_SCALE_SECONDS and run.tree_peak_mib < GOAL_SCALE_MEMORY_MIB
        lines.append(
            f"Goal: {largest['n']:,} patients in <= {GOAL_SCALE_SECONDS:.0f} s on 2 cores with "
            f"peak memory < 2 GiB: {run.wall:.1f} s, {run.tree_peak_mib:.0f} MiB for the whole "
            f"process tree: {verdict(within)}."
        )
    for small, large in zip(scale, scale[1:], strict=False):
        exponent = growth_exponent(small["run"].wall, large["run"].wall, small["n"], large["n"])
        cpu_ratio = large["run"].cpu / small["run"].cpu
        allowed = n_log_n_ratio(small["n"], large["n"])
        wall_ratio = large["run"].wall / small["run"].wall
        lines.append(
            f"Growth {small['n']:,} -> {large['n']:,}: wall x{wall_ratio:.2f}"
            f" (exponent {exponent:.2f}), CPU x{cpu_ratio:.2f}; n log n allows x{allowed:.1f}: "
            f"{verdict(cpu_ratio <= allowed)}."
        )
    lines += [
        "",
        f"Each rule's jobs at {largest['n']:,} patients against the resources they declare "
        "(what a cluster scheduler reserves; `mem_mb` grows with the input size):",
        "",
        "| rule | peak RSS, MiB | mem_mb requested | longest job, s | runtime requested, min |",
        "|---|---:|---:|---:|---:|",
    ]
    for rule, (rss, seconds) in sorted(largest["usage"].items()):
        mem_mb, runtime = largest["requested"].get(rule, (0, 0))
        lines.append(f"| {rule} | {rss:.0f} | {mem_mb} | {seconds:.1f} | {runtime} |")
    lines += [
        "",
        "## 5. Many subgroups (bundled cohort)",
        "",
        "| subgroups | jobs | planning `snakemake -n`, s | cold run, s | cold run CPU, s |",
        "|---:|---:|---:|---:|---:|",
    ]
    many = results["subgroups"]
    for row in many:
        planning = median(r.wall for r in row["planning"])
        lines.append(
            f"| {row['count']} | {row['jobs']} | {planning:.2f} | {row['run'].wall:.1f} | "
            f"{row['run'].cpu:.1f} |"
        )
    if len(many) >= 2:
        first, last = many[0], many[-1]
        growth = last["count"] / first["count"]
        plan_ratio = median(r.wall for r in last["planning"]) / median(
            r.wall for r in first["planning"]
        )
        run_ratio = last["run"].wall / first["run"].wall
        cpu_ratio = last["run"].cpu / first["run"].cpu
        lines += [
            "",
            f"{first['count']} -> {last['count']} subgroups (x{growth:g}): planning "
            f"x{plan_ratio:.2f}, cold run x{run_ratio:.2f} in wall time and x{cpu_ratio:.2f} in "
            f"CPU time; at most linear means <= x{growth:g}: "
            f"{verdict(plan_ratio <= growth and cpu_ratio <= growth)} (judged on CPU time: the "
            "two cold runs are minutes apart on a shared machine, so their wall times also "
            "measure how busy it was).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    parser.add_argument("--sizes", type=int, nargs="+", help="cohort sizes for the scale runs")
    parser.add_argument("--subgroups", type=int, nargs="+", help="subgroup counts to compare")
    parser.add_argument(
        "--output", type=Path, default=REPO / "bench" / "workflow_results.md", help="table file"
    )
    parser.add_argument(
        "--noop-only",
        action="store_true",
        help="only the no-op rerun (one cold run to set it up); prints it, writes no file",
    )
    args = parser.parse_args(argv)
    if args.noop_only:
        with tempfile.TemporaryDirectory(prefix="il6hcc-bench-") as scratch_name:
            scratch = Path(scratch_name)
            print("cold run and no-op reruns ...", flush=True)
            completed = fresh_copy(scratch, "cold")
            snakemake(completed, "--cores", "4", log_name="cold.log")
            print("\n".join(noop_section(bench_noop(scratch, completed, 7))))
        return
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    counts = args.subgroups or ([5, 10] if args.quick else [10, 50])
    repeats = 1 if args.quick else 3
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="il6hcc-bench-") as scratch_name:
        scratch = Path(scratch_name)
        results = {"quick": args.quick}
        print("cold runs and floor ...", flush=True)
        results["cold"] = bench_cold(scratch, repeats)
        print("no-op reruns ...", flush=True)
        results["noop"] = bench_noop(scratch, results["cold"]["completed"], max(3, repeats + 2))
        print("one-subgroup edit ...", flush=True)
        results["edit"] = bench_edit(scratch, results["cold"]["completed"])
        print(f"scale {sizes} ...", flush=True)
        results["scale"] = bench_scale(scratch, sizes)
        print(f"subgroups {counts} ...", flush=True)
        results["subgroups"] = bench_subgroups(scratch, counts, repeats)
        table = render(results, started, load)
    args.output.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
