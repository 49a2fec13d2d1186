"""The floor of the cold-run benchmark: the workflow's analyses as one Python process.

``run_floor`` calls the package functions that the rule scripts call, in the order the workflow
runs them, with the same configuration values, and writes the same result tables and figures
under ``out_dir`` (same relative paths as ``results/``). Imports are paid once and nothing is
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

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from il6hcc.claims import check_claims  # noqa: E402
from il6hcc.clean import clean_cohort  # noqa: E402
from il6hcc.cohort_io import read_cohort  # noqa: E402
from il6hcc.config import leave_one_out_settings, multiverse_settings, roc_pairs  # noqa: E402
from il6hcc.criteria import accuracy_table, mcnemar_table  # noqa: E402
from il6hcc.figures import paired_plot, roc_plot, save  # noqa: E402
from il6hcc.influence import leave_one_out  # noqa: E402
from il6hcc.multiverse import gather_batches, run_batch, summarise  # noqa: E402
from il6hcc.paired import (  # noqa: E402
    logistic_table,
    prepost_table,
    responder_comparison_table,
    subgroup_comparison_table,
)
from il6hcc.prognosis import group_labels, prognosis_tables  # noqa: E402
from il6hcc.rocanalysis import auc_table, curve_table, delong_table  # noqa: E402
from il6hcc.rulekit import DATA_STATUS, write_result  # noqa: E402
from il6hcc.subgroups import select_subgroup  # noqa: E402
from il6hcc.survival_figures import km_plot  # noqa: E402
from il6hcc.table1 import table1  # noqa: E402
from il6hcc.tables import read_patients, read_tsv, write_tsv  # noqa: E402


def _markers(config: dict, *fields: str) -> list[dict]:
    """The marker fields a rule receives (as markers_param in workflow/rules/common.smk)."""
    return [{f: m[f] for f in ("key", *fields)} for m in config["markers"]]


def _ingest(config: dict, workdir: Path, out: Path) -> str:
    cohort = config["cohort"]
    path = workdir / cohort["path"]
    loaded = read_cohort(
        path,
        markers=_markers(config, "kind", "unit"),
        column_map=cohort["column_map"],
        sheet=cohort["sheet"],
        encoding=cohort["encoding"],
        decimal=cohort["decimal"],
        max_problems=cohort["max_problems"],
    )
    sidecar = path.with_suffix(".json")
    simulated = sidecar.is_file() and bool(json.loads(sidecar.read_text())["simulated"])
    status = "simulated" if simulated else "observed"
    table = loaded.table.copy()
    table.insert(0, DATA_STATUS, status)
    (out / "ingest").mkdir(parents=True)
    write_tsv(table, out / "ingest" / "cohort.tsv")
    write_result(loaded.audit, out / "ingest" / "normalisations.tsv", status)
    return status


def _clean(config: dict, out: Path, status: str):
    cohort = read_patients(out / "ingest" / "cohort.tsv")
    cleaned = clean_cohort(
        cohort,
        markers=_markers(config, "lloq", "uloq"),
        below_lloq=config["censoring"]["below_lloq"],
        responder_codes=config["response"]["responder_codes"],
        not_evaluable_codes=config["response"]["not_evaluable_codes"],
    )
    (out / "clean").mkdir()
    for name in ("patients", "exclusions", "censoring", "flow"):
        write_result(getattr(cleaned, name), out / "clean" / f"{name}.tsv", status)
    return read_patients(out / "clean" / "patients.tsv")


def _subgroup(config: dict, out: Path, status: str, name: str, patients) -> dict:
    """Every per-subgroup analysis; returns the tables the claims check reads."""
    statistics = config["statistics"]
    adjustment = statistics["multiple_testing"]
    metric = config["change_metric"]
    folders = {stage: out / stage / name for stage in
               ("stratify", "table1", "paired_stats", "roc", "criteria", "figures")}  # fmt: skip
    for folder in folders.values():
        folder.mkdir(parents=True)

    selected = select_subgroup(patients, config["subgroups"][name], subgroup=name)
    write_result(selected, folders["stratify"] / "patients.tsv", status)
    selected = read_patients(folders["stratify"] / "patients.tsv")

    markers = _markers(config, "label", "lloq")
    summary, tests = table1(
        selected,
        subgroup=name,
        categorical=config["table1"]["categorical"],
        continuous=config["table1"]["continuous"] + [f"{m['key']}_pre" for m in markers],
        lloq={f"{m['key']}_pre": m["lloq"] for m in markers},
        correct=statistics["continuity_correction"],
        fisher_monte_carlo_replicates=statistics["fisher_monte_carlo_replicates"],
        seed=statistics["seed"],
    )
    write_result(summary, folders["table1"] / "summary.tsv", status)
    write_result(tests, folders["table1"] / "tests.tsv", status)

    options = {
        "subgroup": name,
        "markers": _markers(config, "label", "unit", "lloq"),
        "metric": metric,
        "correct": statistics["continuity_correction"],
        "adjust_method": adjustment["method"],
        "adjust_family": adjustment["family"],
    }
    prepost = prepost_table(
        selected,
        **options,
        scale=statistics["signed_rank_scale"],
        conf_level=statistics["conf_level"],
    )
    write_result(prepost, folders["paired_stats"] / "prepost.tsv", status)
    responders = responder_comparison_table(selected, **options)
    write_result(responders, folders["paired_stats"] / "responders_vs_nonresponders.tsv", status)
    logistic = logistic_table(
        selected,
        subgroup=name,
        markers=options["markers"],
        metric=metric,
        adjust_for=statistics["logistic"]["adjust_for"],
        conf_level=statistics["conf_level"],
    )
    write_result(logistic, folders["paired_stats"] / "logistic.tsv", status)

    roc_markers = _markers(config, "label", "favourable")
    auc = auc_table(
        selected,
        subgroup=name,
        markers=roc_markers,
        metric=metric,
        conf_level=statistics["conf_level"],
        bootstrap=statistics["bootstrap"],
        seed=statistics["seed"],
        min_per_group=statistics["delong_min_per_group"],
    )
    write_result(auc, folders["roc"] / "auc.tsv", status)
    delong = delong_table(
        selected,
        subgroup=name,
        markers=roc_markers,
        pairs=roc_pairs(config),
        metric=metric,
        conf_level=statistics["conf_level"],
        adjust_method=adjustment["method"],
        min_per_group=statistics["delong_min_per_group"],
    )
    write_result(delong, folders["roc"] / "delong.tsv", status)
    curves = curve_table(selected, subgroup=name, markers=roc_markers, metric=metric)
    write_result(curves, folders["roc"] / "curves.tsv", status)

    accuracy = accuracy_table(
        selected,
        subgroup=name,
        markers=markers,
        criteria=config["criteria"],
        ci_method=statistics["proportion_ci"],
        conf_level=statistics["conf_level"],
    )
    write_result(accuracy, folders["criteria"] / "accuracy.tsv", status)
    mcnemar = mcnemar_table(
        selected,
        subgroup=name,
        markers=markers,
        criteria=config["criteria"],
        reference=config["reference_marker"],
        adjust_method=adjustment["method"],
        adjust_family=adjustment["family"],
    )
    write_result(mcnemar, folders["criteria"] / "mcnemar.tsv", status)

    simulated = status == "simulated"
    for marker in _markers(config, "label", "unit", "lloq", "uloq"):
        figure = paired_plot(
            selected,
            marker,
            subgroup=name,
            max_lines=config["figures"]["max_patients_per_line_plot"],
            simulated=simulated,
        )
        stem = folders["figures"] / f"paired_{marker['key']}"
        identity = {"figure": "paired", "subgroup": name, "marker": marker["key"]}
        save(figure, stem.with_suffix(".svg"), stem.with_suffix(".pdf"), identity)
    figure = roc_plot(curves, auc, roc_markers, subgroup=name, simulated=simulated)
    identity = {"figure": "roc", "subgroup": name}
    save(figure, folders["figures"] / "roc.svg", folders["figures"] / "roc.pdf", identity)

    if config["survival"]["enabled"]:
        _survival(config, out, status, name, selected)
    return {"selected": selected, "prepost": prepost, "accuracy": accuracy, "mcnemar": mcnemar}


def _survival(config: dict, out: Path, status: str, name: str, selected) -> None:
    survival = config["survival"]
    (label,) = [m["label"] for m in config["markers"] if m["key"] == survival["grouping"]["marker"]]
    settings = {
        key: survival[key]
        for key in ("landmark_months", "grouping", "endpoints", "adjust_for",
                    "min_events_per_group", "at_risk_months")
    }  # fmt: skip
    settings.update(
        marker_label=label,
        conf_level=config["statistics"]["conf_level"],
        alpha=config["statistics"]["alpha"],
    )
    folder = out / "survival" / name
    folder.mkdir(parents=True)
    tables = prognosis_tables(selected, subgroup=name, **settings)
    for table_name, table in tables.items():
        write_result(table, folder / f"{table_name}.tsv", status)
    for endpoint in settings["endpoints"]:
        figure = km_plot(
            tables["km"],
            tables["at_risk"],
            endpoint=endpoint,
            labels=group_labels(settings["grouping"]),
            subgroup=name,
            legend_title=f"{label} pre to week 3",
            landmark_months=settings["landmark_months"],
            conf_level=settings["conf_level"],
            simulated=status == "simulated",
        )
        identity = {"figure": "km", "subgroup": name, "endpoint": endpoint}
        save(figure, folder / f"km_{endpoint}.svg", folder / f"km_{endpoint}.pdf", identity)


def run_floor(workdir: Path, out_dir: Path) -> None:
    """Compute every analysis of the workflow in ``workdir`` into ``out_dir`` (must not exist)."""
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True)
    status = _ingest(config, workdir, out_dir)
    patients = _clean(config, out_dir, status)
    by_subgroup = {
        name: _subgroup(config, out_dir, status, name, patients) for name in config["subgroups"]
    }
    statistics = config["statistics"]
    (out_dir / "compare_subgroups").mkdir()
    comparisons = {}
    for spec in config["subgroup_comparisons"]:
        table = subgroup_comparison_table(
            by_subgroup[spec["a"]]["selected"],
            by_subgroup[spec["b"]]["selected"],
            comparison=spec,
            markers=_markers(config, "label"),
            metric=config["change_metric"],
            correct=statistics["continuity_correction"],
            adjust_method=statistics["multiple_testing"]["method"],
        )
        write_result(table, out_dir / "compare_subgroups" / f"{spec['name']}.tsv", status)
        comparisons[spec["name"]] = table
    roles = config["claims"]
    if roles:
        claims = check_claims(
            prepost=pd.concat(
                [
                    by_subgroup[roles["first_line"]]["prepost"],
                    by_subgroup[roles["later_line"]]["prepost"],
                ],
                ignore_index=True,
            ),
            accuracy=by_subgroup[roles["accuracy_subgroup"]]["accuracy"],
            mcnemar=by_subgroup[roles["accuracy_subgroup"]]["mcnemar"],
            comparison=comparisons[roles["comparison"]],
            reference_marker=config["reference_marker"],
            first_line=roles["first_line"],
            later_line=roles["later_line"],
            accuracy_subgroup=roles["accuracy_subgroup"],
            alpha=statistics["alpha"],
            conf_level=statistics["conf_level"],
        )
        write_result(claims, out_dir / "claims.tsv", status)
        if config["robustness"]["enabled"]:
            _robustness(config, out_dir, status, claims)


def _robustness(config: dict, out: Path, status: str, claims) -> None:
    """The multiverse in one batch (the rows do not depend on the number of batches) and the
    leave-one-out influence, from the ingested cohort as the robustness rules read it."""
    cohort = read_patients(out / "ingest" / "cohort.tsv")
    settings = multiverse_settings(config)
    specifications = gather_batches([run_batch(cohort, settings, batches=1, batch=0)], settings)
    (out / "robustness").mkdir()
    write_result(specifications, out / "robustness" / "specifications.tsv", status)
    summary = summarise(read_tsv(out / "robustness" / "specifications.tsv"), claims)
    write_result(summary, out / "robustness" / "summary.tsv", status)
    influence = leave_one_out(cohort, leave_one_out_settings(config))
    write_result(influence, out / "robustness" / "influence.tsv", status)


if __name__ == "__main__":
    started = time.perf_counter()
    run_floor(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"floor done in {time.perf_counter() - started:.2f} s (after start-up)")
