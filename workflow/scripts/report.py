"""Rule report: render results/report.html from the result tables and figures."""

import json
import os
import platform
import re
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from il6hcc.prognosis_report import prognosis_context
from il6hcc.provenance import git_state
from il6hcc.report import (
    methods_text,
    participant_flow,
    records,
    render_report,
    svg_data_uri,
)
from il6hcc.rulekit import load_json_param, package_versions, run_rule
from il6hcc.table1 import GROUP_ORDER, LINE_GROUPS, RESPONSE_GROUPS
from il6hcc.tables import read_patients, read_tsv

TITLE = "Serum IL-6 as a predictor of response to atezolizumab + bevacizumab in uHCC"


def provenance(workflow_dir: Path) -> dict:
    commit, dirty = git_state(workflow_dir)
    return {
        "git_commit": commit,
        "git_checkout": re.fullmatch(r"[0-9a-f]{40}", commit) is not None,
        "git_dirty": dirty,
        "snakemake": metadata.version("snakemake"),
        "python": platform.python_version(),
        "packages": list(package_versions().items()),
    }


def table1_context(summary: pd.DataFrame, tests: pd.DataFrame, by: str) -> dict:
    """Table 1 for one grouping: per variable, its rows (levels), one cell per group + overall."""
    summary = summary[summary["by"] == by]
    tests = tests[tests["by"] == by].set_index("variable")
    groups = GROUP_ORDER[by]
    columns = [*groups, "overall"]
    variables = []
    for variable, rows in summary.groupby("variable", sort=False):
        kind = rows["type"].iloc[0]
        levels = []
        for level, level_rows in rows.groupby("level", sort=False):
            by_group = level_rows.set_index("group")
            label = level if kind == "categorical" else "median [IQR]"
            levels.append({"label": label, "cells": records(by_group.loc[columns].reset_index())})
        missing = rows.drop_duplicates("group").set_index("group")["n_missing"]
        if missing.sum() > 0:
            cells = [{"n_missing": int(missing[g])} for g in columns]
            levels.append({"label": "missing", "cells": cells})
        test = tests.loc[variable]
        estimable = bool(test["estimable"])
        variables.append(
            {
                "name": variable,
                "kind": kind,
                "levels": levels,
                "p_value": test["p_value"] if estimable else None,
                "method": test["method"] if estimable else f"not estimable: {test['reason']}",
            }
        )
    return {"groups": groups, "variables": variables}


def rulegraph_context(inputs) -> dict:
    """The rule graph as an inline SVG data URI, with its dot text and how it was drawn."""
    info = json.loads(Path(inputs.rulegraph_info).read_text(encoding="utf-8"))
    return {
        "uri": svg_data_uri(inputs.rulegraph_svg),
        "dot": Path(inputs.rulegraph_dot).read_text(encoding="utf-8"),
        "drawn_by": info["drawn_by"],
    }


def accuracy_context(accuracy: pd.DataFrame) -> list[dict]:
    markers = []
    for (_, criterion), rows in accuracy.groupby(["marker", "criterion"], sort=False):
        first = rows.iloc[0]
        markers.append(
            {
                "criterion": criterion,
                **{k: int(first[k]) for k in ("tp", "fp", "fn", "tn")},
                "rows": records(rows),
            }
        )
    return markers


def main(snakemake, log):
    config = load_json_param(snakemake.params.config)
    inputs = snakemake.input
    manifest = json.loads(Path(inputs.manifest).read_text(encoding="utf-8"))
    subgroups = []
    n_markers = len(config["markers"])
    for index, name in enumerate(config["subgroups"]):
        prepost = read_tsv(inputs.prepost[index])
        figures = inputs.paired_figures[index * n_markers : (index + 1) * n_markers]
        adjust = config["statistics"]["multiple_testing"]
        subgroups.append(
            {
                "name": name,
                "n": int(prepost[prepost["group"] == "all"]["n_patients"].iloc[0]),
                "filters": json.dumps(config["subgroups"][name])
                if config["subgroups"][name]
                else "none (all patients)",
                "prepost": records(prepost),
                "prepost_adjust": f"{adjust['method']}, family: {adjust['family']}",
                "responders": records(read_tsv(inputs.responders[index])),
                "logistic": records(read_tsv(inputs.logistic[index])),
                "auc": records(read_tsv(inputs.auc[index])),
                "bootstrap": config["statistics"]["bootstrap"]["enabled"],
                "delong": records(read_tsv(inputs.delong[index])),
                "accuracy": accuracy_context(read_tsv(inputs.accuracy[index])),
                "mcnemar": records(read_tsv(inputs.mcnemar[index])),
                "paired_figures": [
                    {"uri": svg_data_uri(path), "alt": f"Paired plot of {m['label']}, {name}"}
                    for m, path in zip(config["markers"], figures, strict=True)
                ],
                "roc_figure": svg_data_uri(inputs.roc_figures[index]),
                "table1_response": table1_context(
                    read_tsv(inputs.table1[index]),
                    read_tsv(inputs.table1_tests[index]),
                    RESPONSE_GROUPS,
                ),
            }
        )
    comparisons = [
        {**spec, "rows": records(read_tsv(path))}
        for spec, path in zip(config["subgroup_comparisons"], inputs.comparisons, strict=True)
    ]
    prognosis = prognosis_context(config, inputs)
    flow = read_tsv(inputs.flow)
    response_groups = flow[(flow["analysis"] == "response") & (flow["step"] == "group")]
    context = {
        "title": TITLE,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "simulated": bool(manifest["simulated"]),
        "manifest": manifest,
        "claims": (records(read_tsv(inputs.claims)) if "claims" in inputs.keys() else [])
        + prognosis["claim"],
        "n_responders": int(response_groups[response_groups["reason"] == "responders"]["n"].sum()),
        "n_evaluable": int(response_groups["n"].sum()),
        "flow": participant_flow(flow, read_patients(inputs.patients)),
        "exclusions": records(read_tsv(inputs.exclusions)),
        "n_censored": len(read_tsv(inputs.censoring)),
        "n_normalisations": len(read_tsv(inputs.normalisations)),
        "table1_main": table1_context(
            read_tsv(inputs.table1[0]), read_tsv(inputs.table1_tests[0]), LINE_GROUPS
        ),
        "subgroups": subgroups,
        "comparisons": comparisons,
        "prognosis": prognosis,
        "change_metric": config["change_metric"],
        "reference_marker": config["reference_marker"],
        "methods": methods_text(config),
        "provenance": provenance(Path(snakemake.scriptdir)),
        "config_text": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "rulegraph": rulegraph_context(inputs),
        "provenance_table": os.path.relpath(
            snakemake.params.provenance_table, Path(snakemake.output.html).parent
        ),
    }
    html = render_report(inputs.templates[0], context)
    Path(snakemake.output.html).write_text(html, encoding="utf-8")
    log.info(
        "report written: %d bytes, %d subgroups, python %s",
        len(html),
        len(subgroups),
        sys.version.split()[0],
    )


run_rule(snakemake, main)  # noqa: F821
