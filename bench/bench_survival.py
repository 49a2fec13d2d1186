"""The survival job's work, old code versus new, on one simulated cohort.

Times ``il6hcc.prognosis.prognosis_tables`` (landmark KM, medians, numbers at risk, log-rank,
unadjusted and adjusted Cox, cox.zph, for PFS and OS) on a cohort made by ``il6hcc.simulate``,
with the survival settings of ``config.yaml``. The old code is the package as it was at
``BASELINE_REVISION`` (main before the survival adapters of issue 14), extracted with
``git archive`` into a temporary folder; each version runs in its own fresh Python process, so
neither shares imports or caches with the other. The same pickled cohort goes to both, and the
hazard ratios of both are compared by (endpoint, model, term) to show they computed the same.

    python3 bench/bench_survival.py [--patients 100000] [--seed 1] [--out bench/survival_results.md]

A benchmark, not a test. The machine is shared: the load average is printed with the times.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "workflow/scripts"
# main before issue 14's survival adapters: the hand-written Efron Cox fit (fitted twice).
BASELINE_REVISION = "927a3e020c5cd67cfdbe48aff3d9752332985090"
KEYS = ["endpoint", "model", "term"]


def survival_settings() -> dict:
    """The survival rule's settings as the workflow passes them, from config.yaml."""
    import yaml

    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    survival = config["survival"]
    grouping_marker = survival["grouping"]["marker"]
    (label,) = [m["label"] for m in config["markers"] if m["key"] == grouping_marker]
    names = ("landmark_months", "grouping", "endpoints", "adjust_for", "min_events_per_group")
    settings = {name: survival[name] for name in names}
    settings.update(
        at_risk_months=survival["at_risk_months"],
        marker_label=label,
        conf_level=config["statistics"]["conf_level"],
        alpha=config["statistics"]["alpha"],
    )
    return settings


def simulated_patients(n_patients: int, seed: int):
    """A simulated cohort with numeric markers (a value below the LLOQ, "<1.5", at the LLOQ)."""
    sys.path.insert(0, str(REPO / PACKAGE))
    from il6hcc.simulate import simulate_cohort

    cohort = simulate_cohort(n_patients, seed=seed)
    for column in ("il6_pre", "il6_post"):
        cohort[column] = cohort[column].str.lstrip("<").astype(float)
    return cohort


def extract_baseline(target: Path) -> Path:
    """The package at BASELINE_REVISION, unpacked under ``target``; returns its scripts folder."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", BASELINE_REVISION, f"{PACKAGE}/il6hcc"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / PACKAGE


def time_in_child(package_dir: Path, cohort_path: Path, result_path: Path) -> float:
    """Seconds the table builder took in a fresh process importing the package at package_dir."""
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(package_dir), str(cohort_path), str(result_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout)["seconds"]


def child(package_dir: str, cohort_path: str, result_path: str) -> None:
    sys.path.insert(0, package_dir)
    from il6hcc.prognosis import prognosis_tables

    with open(cohort_path, "rb") as handle:
        patients, settings = pickle.load(handle)
    start = time.perf_counter()
    tables = prognosis_tables(patients, subgroup="all", **settings)
    seconds = time.perf_counter() - start
    tables["cox"].to_pickle(result_path)
    print(json.dumps({"seconds": seconds}))


def largest_hazard_ratio_difference(old_path: Path, new_path: Path) -> float:
    import numpy as np
    import pandas as pd

    old, new = pd.read_pickle(old_path), pd.read_pickle(new_path)
    joined = old.merge(new, on=KEYS, suffixes=("_old", "_new"), validate="1:1")
    if len(joined) != len(old) or len(joined) != len(new):
        raise RuntimeError("old and new Cox tables do not have the same terms")
    ratio = joined["hazard_ratio_new"] / joined["hazard_ratio_old"]
    return float(np.nanmax(np.abs(ratio - 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the results as Markdown here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cohort_path = folder / "cohort.pkl"
        with open(cohort_path, "wb") as handle:
            pickle.dump((simulated_patients(arguments.patients, arguments.seed),
                         survival_settings()), handle)  # fmt: skip
        load_before = os.getloadavg()
        old = time_in_child(extract_baseline(folder / "old"), cohort_path, folder / "old.pkl")
        new = time_in_child(REPO / PACKAGE, cohort_path, folder / "new.pkl")
        load_after = os.getloadavg()
        difference = largest_hazard_ratio_difference(folder / "old.pkl", folder / "new.pkl")
    command = "python3 bench/bench_survival.py " + " ".join(sys.argv[1:])
    lines = [
        "# Survival job: prognosis_tables, old code versus new",
        "",
        f"Made by `{command.strip()}` (a benchmark, not a test) on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC.",
        f"Cohort: `il6hcc.simulate.simulate_cohort({arguments.patients}, seed={arguments.seed})`, "
        "survival settings of config.yaml (PFS and OS; unadjusted and adjusted Cox; cox.zph).",
        f"Old: the package at {BASELINE_REVISION[:10]} (main before the survival adapters); "
        "new: this checkout. Each timed once, in its own fresh process.",
        f"Load average (1 min) before and after: {load_before[0]:.2f}, {load_after[0]:.2f} "
        "(2 shared cores).",
        "",
        "| code | seconds |",
        "|---|---|",
        f"| old | {old:.2f} |",
        f"| new | {new:.2f} |",
        "",
        f"Old / new: **{old / new:.1f}x**. Largest relative difference of a hazard ratio, "
        f"old versus new, joined by (endpoint, model, term): {difference:.1e}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if arguments.out:
        arguments.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
