"""Benchmark (not a test): the optimism stage (rules optimism_batch and optimism_summary) on the
bundled cohort and on enlarged cohorts, through the steps the rule scripts call.

Usage, from the repository root:  python3 bench/bench_optimism.py

The bundled cohort is ingested, cleaned and split into the configured subgroups by the
workflow's own steps (il6hcc.steps, through il6hcc.rulekit.perform_step, writing the same files
as the rules). The enlarged cohorts draw that cohort's patients with replacement (new ids; each
post value times exp(N(0, 0.05)) so that the changes are not copies) and split them by line of
therapy as the default subgroups do. Each setting runs every subgroup's batches as separate
processes, two at a time (two cores, as two Snakemake jobs), then the summary: wall time of
the whole and CPU time summed over the jobs (time.process_time in each, imports excluded).
Prints a markdown table, the ratios of CPU time to the bundled cohort's and to patients x
resamples, and writes bench/optimism_results.md. The machine is shared: the 1-minute load
average before and after is printed with the times.
"""

from __future__ import annotations

import copy
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

from il6hcc import ruleparams  # noqa: E402
from il6hcc.rulekit import perform_step  # noqa: E402
from il6hcc.steps.clean import clean  # noqa: E402
from il6hcc.steps.ingest import ingest  # noqa: E402
from il6hcc.steps.optimism import SUBGROUP_INPUT, optimism_batch, optimism_summary  # noqa: E402
from il6hcc.steps.stratify import stratify  # noqa: E402
from il6hcc.tables import read_patients, write_tsv  # noqa: E402

RESULTS = REPO / "bench" / "optimism_results.md"
GOAL_SECONDS = 60
LARGE = (5_000, 10_000)


def stratified_tables(config: dict, out: Path) -> dict[str, Path]:
    """The bundled cohort through ingest, clean and stratify; each subgroup's patients file."""
    sidecar = (REPO / config["cohort"]["path"]).with_suffix(".json")
    perform_step(
        ingest,
        {"raw": str(REPO / config["cohort"]["path"]), "sidecar": [str(sidecar)]},
        ruleparams.ingest(config),
        {"cohort": out / "cohort.tsv", "normalisations": out / "normalisations.tsv",
         "manifest": out / "input.json"},
        [],
    )  # fmt: skip
    cleaned = {
        name: out / f"{name}.tsv" for name in ("patients", "exclusions", "censoring", "flow")
    }
    perform_step(clean, {"cohort": out / "cohort.tsv"}, ruleparams.clean(config), cleaned, [])
    paths = {}
    for name in config["subgroups"]:
        paths[name] = out / f"stratify_{name}.tsv"
        perform_step(
            stratify,
            {"patients": cleaned["patients"]},
            {**ruleparams.stratify(config, name), "subgroup": name},
            {"patients": paths[name], "selection": out / f"selection_{name}.json"},
            [],
        )
    return paths


def enlarged_tables(config: dict, patients_file: Path, n: int, out: Path) -> dict[str, Path]:
    """``n`` patients drawn from the cleaned cohort, split by line of therapy (the default
    subgroups all, first_line, later_line)."""
    patients = read_patients(patients_file)
    rng = np.random.default_rng(n)
    drawn = patients.iloc[rng.integers(0, len(patients), n)].reset_index(drop=True)
    drawn["patient_id"] = [f"S{index:06d}" for index in range(n)]
    for marker in config["markers"]:
        drawn[f"{marker['key']}_post"] *= np.exp(rng.normal(0, 0.05, n))
    line = drawn["line_of_therapy"]
    subsets = {"all": drawn, "first_line": drawn[line == 1], "later_line": drawn[line >= 2]}
    paths = {}
    for name, subset in subsets.items():
        paths[name] = out / f"large_{n}_{name}.tsv"
        write_tsv(subset, paths[name])
    return paths


def run_batch(config: dict, subgroup: str, patients: Path, batch: int, out: Path) -> float:
    started = time.process_time()
    perform_step(
        optimism_batch,
        {"patients": str(patients)},
        {**ruleparams.optimism_batch(config), "subgroup": subgroup, "batch": str(batch)},
        {"resamples": out / f"batch_{subgroup}_{batch}.tsv"},
        [],
    )
    return time.process_time() - started


def run_summary(config: dict, inputs: dict, batches: list[Path], out: Path) -> float:
    started = time.process_time()
    perform_step(
        optimism_summary,
        {**inputs, "batches": [str(path) for path in batches]},
        ruleparams.optimism_summary(config),
        {"optimism": out / "optimism.tsv", "index_sets": out / "index_sets.tsv.gz"},
        [],
    )
    return time.process_time() - started


def timed_stage(config: dict, paths: dict[str, Path], out: Path) -> dict:
    """Every subgroup's batches two at a time in separate processes, then the summary (in a
    process too)."""
    inputs = {f"{SUBGROUP_INPUT}{name}": str(path) for name, path in paths.items()}
    jobs = [
        (name, path, batch)
        for name, path in paths.items()
        for batch in range(config["robustness"]["optimism"]["batches"])
    ]
    wall = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        running = [pool.submit(run_batch, config, *job, out) for job in jobs]
        cpu = sum(job.result() for job in running)
        files = [out / f"batch_{name}_{batch}.tsv" for name, _, batch in jobs]
        cpu += pool.submit(run_summary, config, inputs, files, out).result()
    index_sets = out / "index_sets.tsv.gz"
    return {"wall": time.perf_counter() - wall, "cpu": cpu, "mb": index_sets.stat().st_size / 1e6}


def with_resamples(config: dict, resamples: int) -> dict:
    edited = copy.deepcopy(config)
    edited["robustness"]["optimism"]["resamples"] = resamples
    return edited


def main():
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    resamples = config["robustness"]["optimism"]["resamples"]
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        paths = stratified_tables(config, out)
        n_bundled = len(read_patients(paths["all"]))
        settings = [
            ("bundled", n_bundled, paths, resamples),
            ("bundled", n_bundled, paths, resamples // 2),
        ]
        for n in LARGE:
            large = enlarged_tables(config, out / "patients.tsv", n, out)
            settings.append(("enlarged", n, large, resamples))
        for cohort, n, tables, count in settings:
            result = timed_stage(with_resamples(config, count), tables, out)
            rows.append({"cohort": cohort, "patients": n, "resamples": count, **result})
    load_after = os.getloadavg()[0]
    bundled = rows[0]
    lines = [
        f"Optimism stage ({config['robustness']['optimism']['batches']} batch(es) per subgroup, "
        f"two jobs at a time, then the summary); Python {platform.python_version()}, "
        f"{platform.machine()}, shared machine ({os.cpu_count()} cores, load average "
        f"{load_before:.1f} before, {load_after:.1f} after). Goal at 10,000 patients x 2,000 "
        f"resamples: under {GOAL_SECONDS} s.",
        "",
        "| cohort | patients | resamples | wall (s) | CPU (s) | CPU / bundled | CPU per 10^6 "
        "patient-resamples (s) | index sets (MB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        per_million = row["cpu"] / (row["patients"] * row["resamples"]) * 1e6
        lines.append(
            f"| {row['cohort']} | {row['patients']:,} | {row['resamples']:,} | {row['wall']:.1f} "
            f"| {row['cpu']:.1f} | {row['cpu'] / bundled['cpu']:.1f} | {per_million:.2f} "
            f"| {row['mb']:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
