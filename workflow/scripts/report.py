"""Rule report: render results/report.html from the checked per-subgroup sections."""

import json
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

import yaml

from il6hcc.claims import SCALE_LABELS as SCALE_WORDS
from il6hcc.groups import describe_grouping, group_labels
from il6hcc.optimism_report import optimism_context
from il6hcc.planning_report import planning_context
from il6hcc.provenance import git_state
from il6hcc.report import (
    CI_LABELS,
    methods_text,
    participant_flow,
    records,
    render_report,
    svg_data_uri,
)
from il6hcc.report_context import (
    comparisons_context,
    effect_forest,
    forest_rows,
    subgroup_context,
    wording,
)
from il6hcc.robustness_report import curves_by_claim, robustness_context, with_robustness
from il6hcc.rulekit import package_versions, run_rule
from il6hcc.sections import merge_sections
from il6hcc.tables import read_patients, read_tsv
from il6hcc.timestamps import generation_time

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


def rulegraph_context(inputs) -> dict:
    """The rule graph as an inline SVG data URI, with its dot text and how it was drawn."""
    info = json.loads(Path(inputs.rulegraph_info).read_text(encoding="utf-8"))
    return {
        "uri": svg_data_uri(inputs.rulegraph_svg),
        "dot": Path(inputs.rulegraph_dot).read_text(encoding="utf-8"),
        "drawn_by": info["drawn_by"],
    }


def prognosis_context(config: dict, subgroups: list[dict], claims: list[dict]) -> dict:
    survival = config["survival"]
    if not survival["enabled"]:
        return {"enabled": False}
    (marker,) = [m for m in config["markers"] if m["key"] == survival["grouping"]["marker"]]
    index_group, reference_group = group_labels(survival["grouping"])
    return {
        "enabled": True,
        "landmark_months": survival["landmark_months"],
        "grouping": describe_grouping(survival["grouping"], marker["label"]),
        "index_group": index_group,
        "reference_group": reference_group,
        "adjust_for": ", ".join(survival["adjust_for"]) or "nothing",
        "min_events_per_group": survival["min_events_per_group"],
        "conf_level": config["statistics"]["conf_level"],
        "claim_subgroup": survival["claim_subgroup"],
        "subgroups": subgroups,
        "claim": claims,
    }


def labelled(table, words):
    """A flow or exclusions table with analyses and reasons in words ("AFP-L3 change")."""
    return table.assign(analysis=table["analysis"].map(words), reason=table["reason"].map(words))


def main(snakemake, log):
    inputs = snakemake.input
    config = json.loads(Path(inputs.config).read_text(encoding="utf-8"))
    manifest = json.loads(Path(inputs.manifest).read_text(encoding="utf-8"))
    sections = merge_sections(
        [json.loads(Path(path).read_text(encoding="utf-8")) for path in inputs.sections],
        list(snakemake.params.subgroup_order),
    )
    main_subgroup = config["report"]["main_subgroup"]
    words = wording(config["markers"])
    subgroups = [
        subgroup_context(section, config, main=section["subgroup"] == main_subgroup, words=words)
        for section in sections
    ]
    (main_context,) = [s for s in subgroups if s["main"]]
    comparisons = comparisons_context({path: read_tsv(path) for path in inputs.comparisons}, config)
    claim_6 = [
        row
        for section in sections
        if section["subgroup"] == config["survival"]["claim_subgroup"]
        and "survival_claim" in section["tables"]
        for row in section["tables"]["survival_claim"]["rows"]
    ]
    robustness = None
    summary = None
    fragility = None
    if "robustness_summary" in inputs.keys():
        summary = read_tsv(inputs.robustness_summary)
        fragility = read_tsv(inputs.robustness_fragility)
        robustness = robustness_context(
            summary,
            read_tsv(inputs.robustness_influence),
            fragility,
            config,
            curves_by_claim(list(inputs.robustness_figures)),
        )
    optimism = None
    if "optimism" in inputs.keys():
        optimism = optimism_context(read_tsv(inputs.optimism), config)
    flow = labelled(read_tsv(inputs.flow), words)
    response_groups = flow[(flow["analysis"] == "response") & (flow["step"] == "group")]
    context = {
        "title": TITLE,
        "generated": generation_time(snakemake.params.source_date_epoch).strftime(
            "%Y-%m-%d %H:%M UTC"
        ),
        "simulated": bool(manifest["simulated"]),
        "manifest": manifest,
        "claims": with_robustness(
            (records(read_tsv(inputs.claims)) if "claims" in inputs.keys() else []) + claim_6,
            summary,
            fragility,
        ),
        "robustness": robustness,
        "optimism": optimism,
        "n_responders": int(response_groups[response_groups["reason"] == "responders"]["n"].sum()),
        "n_evaluable": int(response_groups["n"].sum()),
        "flow": participant_flow(flow, read_patients(inputs.patients)),
        "exclusions": records(labelled(read_tsv(inputs.exclusions), words)),
        "n_censored": len(read_tsv(inputs.censoring)),
        "n_normalisations": len(read_tsv(inputs.normalisations)),
        "main": main_context,
        "subgroups": subgroups,
        "forest": forest_rows(subgroups),
        "effect_forest": effect_forest(subgroups, config["reference_marker"]),
        "comparisons": comparisons,
        "prognosis": prognosis_context(config, subgroups, claim_6),
        "planning": (
            planning_context(
                read_tsv(inputs.planning_power),
                read_tsv(inputs.planning_sample_size),
                inputs.planning_figure,
                {m["key"]: m["label"] for m in config["markers"]},
            )
            if "planning_power" in inputs.keys()
            else {"enabled": False}
        ),
        "conf_level": config["statistics"]["conf_level"],
        "change_metric": config["change_metric"],
        "signed_rank_scale": SCALE_WORDS[config["statistics"]["signed_rank_scale"]],
        "reference_marker": config["reference_marker"],
        "reference_label": {m["key"]: m["label"] for m in config["markers"]}[
            config["reference_marker"]
        ],
        "prepost_adjust": "{method}, family: {family}".format(
            **config["statistics"]["multiple_testing"]
        ),
        "bootstrap": config["statistics"]["bootstrap"]["enabled"],
        "proportion_ci": CI_LABELS[config["statistics"]["proportion_ci"]],
        "methods": methods_text(config, read_tsv(inputs.censoring)),
        "provenance": provenance(Path(snakemake.scriptdir)),
        "config_text": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "rulegraph": rulegraph_context(inputs),
        "provenance_table": os.path.relpath(
            snakemake.params.provenance_table, Path(snakemake.output.html).parent
        ),
    }
    html = render_report(inputs.template, context)
    Path(snakemake.output.html).write_text(html, encoding="utf-8")
    log.info(
        "report written: %d bytes, subgroups %s, python %s",
        len(html),
        ", ".join(s["name"] for s in subgroups),
        sys.version.split()[0],
    )


run_rule(snakemake, main)  # noqa: F821
