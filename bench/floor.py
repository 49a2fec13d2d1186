"""The floor of the cold-run benchmark: the workflow's analyses as one Python process.

``run_floor`` calls the steps that the rule scripts call (il6hcc.steps, through
il6hcc.rulekit.perform_step), in the order the workflow runs them, with the same params
(il6hcc.ruleparams), and writes the same result tables and figures under ``out_dir`` (same
relative paths as ``results/``). Imports are paid once and nothing is
scheduled, so its wall time is what the analyses themselves cost; the workflow's extra time is
the price of running them as separate, restartable, tracked jobs. bench_workflow.py checks that
the floor's tables are byte-identical to the workflow's, which keeps this file honest when the
workflow changes.

Not included: the HTML report, the rule graph and the provenance table (presentation and audit,
no analysis), so the floor is a lower bound and the ratio an upper bound.

Run alone (a fresh process, as bench_workflow.py does):
    python3 bench/floor.py WORKDIR OUT_DIR
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

import yaml  # noqa: E402

from il6hcc import ruleparams  # noqa: E402
from il6hcc.config import CLAIM_FILE_NAMES, planning_chunks  # noqa: E402
from il6hcc.rulekit import perform_step  # noqa: E402
from il6hcc.steps.claims import claims  # noqa: E402
from il6hcc.steps.clean import clean  # noqa: E402
from il6hcc.steps.criteria import criteria  # noqa: E402
from il6hcc.steps.figures import figures  # noqa: E402
from il6hcc.steps.ingest import ingest  # noqa: E402
from il6hcc.steps.optimism import SUBGROUP_INPUT, optimism_batch, optimism_summary  # noqa: E402
from il6hcc.steps.paired_stats import compare_subgroups, paired_stats  # noqa: E402
from il6hcc.steps.planning import planning_chunk, planning_gather  # noqa: E402
from il6hcc.steps.robustness import (  # noqa: E402
    FIGURE_PREFIX,
    robustness_batch,
    robustness_figures,
    robustness_influence,
    robustness_summary,
)
from il6hcc.steps.roc import roc  # noqa: E402
from il6hcc.steps.stratify import stratify  # noqa: E402
from il6hcc.steps.survival import survival  # noqa: E402
from il6hcc.steps.table1 import table1  # noqa: E402


def _step(step, out: Path, inputs: dict, settings: dict, outputs: dict, files=()) -> None:
    """One job: ``outputs`` (name: path relative to ``out``) and figure ``files`` written."""
    named = {name: out / path for name, path in outputs.items()}
    every = [*named.values(), *(out / path for path in files)]
    for path in every:
        path.parent.mkdir(parents=True, exist_ok=True)
    perform_step(step, inputs, settings, named, [str(path) for path in every])


def _subgroup(config: dict, out: Path, name: str) -> None:
    """Every per-subgroup job (as workflow/rules/*.smk lists their outputs)."""
    own = {
        "patients": out / f"stratify/{name}/patients.tsv",
        "selection": out / f"stratify/{name}/selection.json",
    }
    _step(
        stratify,
        out,
        {"patients": out / "clean/patients.tsv"},
        {**ruleparams.stratify(config, name), "subgroup": name},
        {key: path.relative_to(out) for key, path in own.items()},
    )
    settings = {"subgroup": name}
    _step(
        table1,
        out,
        own,
        {**ruleparams.table1(config), **settings},
        {"summary": f"table1/{name}/summary.tsv", "tests": f"table1/{name}/tests.tsv"},
    )
    _step(
        paired_stats,
        out,
        own,
        {**ruleparams.paired_stats(config), **settings},
        {
            "prepost": f"paired_stats/{name}/prepost.tsv",
            "responders": f"paired_stats/{name}/responders_vs_nonresponders.tsv",
            "logistic": f"paired_stats/{name}/logistic.tsv",
        },
    )
    roc_outputs = {table: f"roc/{name}/{table}.tsv" for table in ("auc", "delong", "curves")}
    _step(roc, out, own, {**ruleparams.roc(config), **settings}, roc_outputs)
    _step(
        criteria,
        out,
        own,
        {**ruleparams.criteria(config), **settings},
        {table: f"criteria/{name}/{table}.tsv" for table in ("accuracy", "mcnemar")},
    )
    stems = [f"paired_{marker['key']}" for marker in config["markers"]] + ["roc"]
    _step(
        figures,
        out,
        {
            "patients": own["patients"],
            "auc": out / roc_outputs["auc"],
            "curves": out / roc_outputs["curves"],
        },
        {**ruleparams.figures(config), **settings},
        {},
        [f"figures/{name}/{stem}.{ext}" for stem in stems for ext in ("svg", "pdf")],
    )
    survival_config = config["survival"]
    if survival_config["enabled"]:
        tables = ("flow", "excluded", "km", "medians", "at_risk", "logrank", "cox", "zph", "claim")
        _step(
            survival,
            out,
            own,
            {**ruleparams.survival(config), **settings},
            {table: f"survival/{name}/{table}.tsv" for table in tables},
            [
                f"survival/{name}/km_{endpoint}.{ext}"
                for endpoint in survival_config["endpoints"]
                for ext in ("svg", "pdf")
            ],
        )


def run_floor(workdir: Path, out_dir: Path) -> None:
    """Compute every analysis of the workflow in ``workdir`` into ``out_dir`` (must not exist).

    Run from ``workdir``, as the workflow is, so that the paths it records are the same.
    """
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    out = out_dir.resolve()
    out.mkdir(parents=True)
    os.chdir(workdir)
    sidecar = Path(config["cohort"]["path"]).with_suffix(".json")
    _step(
        ingest,
        out,
        {"raw": config["cohort"]["path"], "sidecar": [str(sidecar)] if sidecar.is_file() else []},
        ruleparams.ingest(config),
        {
            "cohort": "ingest/cohort.tsv",
            "normalisations": "ingest/normalisations.tsv",
            "manifest": "ingest/input.json",
        },
    )
    _step(
        clean,
        out,
        {"cohort": out / "ingest/cohort.tsv"},
        ruleparams.clean(config),
        {table: f"clean/{table}.tsv" for table in ("patients", "exclusions", "censoring", "flow")},
    )
    for name in config["subgroups"]:
        _subgroup(config, out, name)
    for spec in config["subgroup_comparisons"]:
        sides = {side: out / f"stratify/{spec[side]}/patients.tsv" for side in ("a", "b")}
        selections = [out / f"stratify/{spec[side]}/selection.json" for side in ("a", "b")]
        _step(
            compare_subgroups,
            out,
            {**sides, "selections": selections},
            {**ruleparams.compare_subgroups(config, spec["name"]), "comparison": spec["name"]},
            {"table": f"compare_subgroups/{spec['name']}.tsv"},
        )
    roles = config["claims"]
    if roles:
        _step(
            claims,
            out,
            {
                "prepost_first": out / f"paired_stats/{roles['first_line']}/prepost.tsv",
                "prepost_later": out / f"paired_stats/{roles['later_line']}/prepost.tsv",
                "accuracy": out / f"criteria/{roles['accuracy_subgroup']}/accuracy.tsv",
                "mcnemar": out / f"criteria/{roles['accuracy_subgroup']}/mcnemar.tsv",
                "comparison": out / f"compare_subgroups/{roles['comparison']}.tsv",
            },
            ruleparams.claims(config),
            {"claims": "claims.tsv"},
        )
        if config["robustness"]["enabled"]:
            _robustness(config, out)
            _optimism(config, out)
    if config["planning"]["enabled"]:
        _planning(config, out)


def _planning(config: dict, out: Path) -> None:
    """The planning jobs (workflow/rules/planning.smk): every chunk, then the gather."""
    patients = out / "clean/patients.tsv"
    chunks = []
    for size, index, _, _ in planning_chunks(config["planning"]):
        chunk = f"planning/chunks/{size}/{index}.tsv"
        wildcards = {"size": str(size), "chunk": str(index)}
        _step(
            planning_chunk,
            out,
            {"patients": patients},
            {**ruleparams.planning_chunk(config, **wildcards), **wildcards},
            {"chunk": chunk},
        )
        chunks.append(out / chunk)
    _step(
        planning_gather,
        out,
        {"chunks": chunks, "patients": patients},
        ruleparams.planning_gather(config),
        {"power": "planning/power.tsv", "sample_size": "planning/sample_size.tsv"},
        [f"planning/power_curves.{ext}" for ext in ("svg", "pdf")],
    )


def _robustness(config: dict, out: Path) -> None:
    """Every robustness job (as workflow/rules/robustness.smk lists their outputs)."""
    cohort = {"cohort": out / "ingest/cohort.tsv"}
    batches = [
        f"robustness/batches/{batch}.tsv" for batch in range(config["robustness"]["batches"])
    ]
    for batch, path in enumerate(batches):
        _step(
            robustness_batch,
            out,
            cohort,
            {**ruleparams.robustness_batch(config), "batch": str(batch)},
            {"specifications": path},
        )
    specifications = out / "robustness/specifications.tsv"
    _step(
        robustness_summary,
        out,
        {"batches": [out / path for path in batches], "claims": out / "claims.tsv"},
        ruleparams.robustness_summary(config),
        {"specifications": specifications.relative_to(out), "summary": "robustness/summary.tsv"},
    )
    _step(
        robustness_influence,
        out,
        cohort,
        ruleparams.robustness_influence(config),
        {"influence": "robustness/influence.tsv", "fragility": "robustness/fragility.tsv"},
    )
    _step(
        robustness_figures,
        out,
        {"specifications": specifications, "claims": out / "claims.tsv"},
        ruleparams.robustness_figures(config),
        {},
        [
            f"robustness/figures/{FIGURE_PREFIX}{name}.{ext}"
            for name in CLAIM_FILE_NAMES.values()
            for ext in ("svg", "pdf")
        ],
    )


def _optimism(config: dict, out: Path) -> None:
    """The optimism jobs (workflow/rules/robustness.smk): each subgroup's batches, then the
    summary."""
    subgroups = {name: out / f"stratify/{name}/patients.tsv" for name in config["subgroups"]}
    batches = []
    for name, patients in subgroups.items():
        for batch in range(config["robustness"]["optimism"]["batches"]):
            path = f"robustness/optimism_batches/{name}/{batch}.tsv"
            _step(
                optimism_batch,
                out,
                {"patients": patients},
                {**ruleparams.optimism_batch(config), "subgroup": name, "batch": str(batch)},
                {"resamples": path},
            )
            batches.append(out / path)
    _step(
        optimism_summary,
        out,
        {
            **{f"{SUBGROUP_INPUT}{name}": path for name, path in subgroups.items()},
            "batches": batches,
        },
        ruleparams.optimism_summary(config),
        {
            "optimism": "robustness/optimism.tsv",
            "index_sets": "robustness/optimism_index_sets.tsv.gz",
        },
    )


if __name__ == "__main__":
    started = time.perf_counter()
    run_floor(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"floor done in {time.perf_counter() - started:.2f} s (after start-up)")
