"""Checks of the configuration that a JSON Schema cannot express, and canonical parameter values.

The schema (workflow/schemas/config.schema.yaml) checks types, enums and unknown keys. This module
checks the cross-references (a criterion for an unknown marker, a comparison of an unknown
subgroup) and builds the plain values handed to rules through ``params:``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

# The claims check's row keys (il6hcc.claims) as file names of per-claim outputs.
CLAIM_FILE_NAMES = {"1": "1", "2": "2", "3": "3", "4": "4", "5": "5", "1 vs 2": "1_vs_2"}


class ConfigError(ValueError):
    """The configuration is invalid; the message names every offending key."""


def canonical_json(value) -> str:
    """One canonical string for a value: sorted keys, no whitespace (digests, snapshots)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def canonical(value):
    """``value`` with the keys of every dict in it sorted, recursively; lists keep their order.

    Snakemake compares a params value by its ``repr``, and a dict's ``repr`` follows insertion
    order: sorted keys make it one stable value, so key order in config.yaml never reruns a job.
    """
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def snapshot_config(config: dict, path: Path) -> str:
    """Write the canonical configuration to ``path`` when its content differs, and return the
    path: an input of the rule that reads the whole configuration (report).

    An input file, not a params value: any edit of a value rewrites it and reruns that rule,
    key order changes nothing (canonical JSON), Snakemake's "params have changed" reason stays
    short, and the provenance records it by sha256.
    """
    return write_if_changed(path, canonical_json(config) + "\n")


def write_if_changed(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` unless it holds it already; return the path.

    Unchanged content keeps its modification time, so as an input it triggers nothing; the
    partial file is renamed into place (atomic), so a reader never sees half of it.
    """
    try:
        if path.read_text(encoding="utf-8") == text:
            return str(path)
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return str(path)


def validate_once(config: dict, schema: Path, record: Path, validate) -> None:
    """``validate(config, schema)`` unless this configuration passed this schema before.

    A no-op run waits on the validation (importing jsonschema, building the validator), so the
    sha256 of the schema's bytes and the canonical configuration that last passed is kept in
    ``record``; any edit of either validates again. The schema declares no defaults (they live
    in config.yaml), so validating never changes the configuration and skipping it loses nothing.
    """
    digest = hashlib.sha256(schema.read_bytes() + canonical_json(config).encode("utf-8"))
    key = digest.hexdigest()
    try:
        if record.read_text(encoding="utf-8") == key:
            return
    except OSError:
        pass
    validate(config, str(schema))
    record.parent.mkdir(parents=True, exist_ok=True)
    partial = record.with_name(f"{record.name}.{os.getpid()}")
    partial.write_text(key, encoding="utf-8")
    os.replace(partial, record)


def check_config(config: dict) -> None:
    """Raise ConfigError listing every cross-reference problem in a schema-valid config."""
    problems = []
    keys = [marker["key"] for marker in config["markers"]]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        problems.append(f"markers: key(s) {', '.join(duplicated)} defined more than once")
    known = ", ".join(keys)
    for marker in config["markers"]:
        lloq, uloq = marker["lloq"], marker["uloq"]
        if lloq is not None and uloq is not None and uloq <= lloq:
            problems.append(
                f"markers[{marker['key']}]: uloq {uloq} must be greater than lloq {lloq}"
            )
    for key in config["criteria"]:
        if key not in keys:
            problems.append(f"criteria: unknown marker key '{key}' (markers: {known})")
    missing = [key for key in keys if key not in config["criteria"]]
    if missing:
        problems.append(f"criteria: no response criterion for marker(s) {', '.join(missing)}")
    if config["reference_marker"] not in keys:
        problems.append(
            f"reference_marker: unknown marker key '{config['reference_marker']}' "
            f"(markers: {known})"
        )
    for pair in config["statistics"]["roc_pairs"] or []:
        for key in pair:
            if key not in keys:
                problems.append(
                    f"statistics.roc_pairs: unknown marker key '{key}' (markers: {known})"
                )
        if pair[0] == pair[1]:
            problems.append(f"statistics.roc_pairs: pair {pair} compares a marker with itself")
    codes = set(config["response"]["responder_codes"]) & set(
        config["response"]["not_evaluable_codes"]
    )
    if codes:
        problems.append(f"response: code(s) {sorted(codes)} both responder and not evaluable")
    names = list(config["subgroups"])
    comparison_names = [c["name"] for c in config["subgroup_comparisons"]]
    for comparison in config["subgroup_comparisons"]:
        for side in ("a", "b"):
            if comparison[side] not in names:
                problems.append(
                    f"subgroup_comparisons[{comparison['name']}].{side}: unknown subgroup "
                    f"'{comparison[side]}' (subgroups: {', '.join(names)})"
                )
        if comparison["a"] == comparison["b"]:
            problems.append(
                f"subgroup_comparisons[{comparison['name']}]: compares a subgroup with itself"
            )
    if len(set(comparison_names)) != len(comparison_names):
        problems.append("subgroup_comparisons: names must be unique")
    claims = config["claims"] or {}
    for role in ("first_line", "later_line", "accuracy_subgroup"):
        if role in claims and claims[role] not in names:
            problems.append(
                f"claims.{role}: unknown subgroup '{claims[role]}' (subgroups: {', '.join(names)})"
            )
    if "comparison" in claims and claims["comparison"] not in comparison_names:
        problems.append(
            f"claims.comparison: unknown subgroup comparison '{claims['comparison']}' "
            f"(comparisons: {', '.join(comparison_names) or 'none'})"
        )
    for name, filters in config["subgroups"].items():
        problems += _filter_problems(f"subgroups.{name}", filters)
    choices = config["robustness"]["choices"]
    for name, filters in choices["later_line"].items():
        problems += _filter_problems(f"robustness.choices.later_line.{name}", filters)
    for name, criteria in choices["criteria"].items():
        for key in criteria:
            if key not in keys:
                problems.append(
                    f"robustness.choices.criteria.{name}: unknown marker key '{key}' "
                    f"(markers: {known})"
                )
    optimism = config["robustness"]["optimism"]
    if optimism["batches"] > optimism["resamples"]:
        problems.append(
            f"robustness.optimism.batches: {optimism['batches']} batches of "
            f"{optimism['resamples']} resamples would leave a batch empty"
        )
    report = config["report"]
    if report["main_subgroup"] not in names:
        problems.append(
            f"report.main_subgroup: unknown subgroup '{report['main_subgroup']}' "
            f"(subgroups: {', '.join(names)})"
        )
    for name in report["subgroup_labels"]:
        if name not in names:
            problems.append(
                f"report.subgroup_labels: label for unknown subgroup '{name}' "
                f"(subgroups: {', '.join(names)})"
            )
    survival = config["survival"]
    if survival["grouping"]["marker"] not in keys:
        problems.append(
            f"survival.grouping.marker: unknown marker key '{survival['grouping']['marker']}' "
            f"(markers: {known})"
        )
    if survival["claim_subgroup"] not in names:
        problems.append(
            f"survival.claim_subgroup: unknown subgroup '{survival['claim_subgroup']}' "
            f"(subgroups: {', '.join(names)})"
        )
    endpoint_columns = {"pfs_months", "pfs_event", "os_months", "os_event"}
    for column in survival["adjust_for"]:
        if column in endpoint_columns:
            problems.append(f"survival.adjust_for: '{column}' is an outcome, not a covariate")
    planning = config["planning"]
    if planning["enabled"] and planning["model"] == "parametric":
        missing = [key for key in keys if key not in planning["parametric"]]
        if missing:
            problems.append(
                f"planning.parametric: no change given for marker(s) {', '.join(missing)} "
                "(model parametric simulates every configured marker)"
            )
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def _filter_problems(where: str, filters: list[dict]) -> list[str]:
    """A list value where the op takes one value, or the reverse (the schema allows both)."""
    problems = []
    for position, spec in enumerate(filters):
        is_list = isinstance(spec["value"], list)
        if spec["op"] in ("in", "not_in") and not is_list:
            problems.append(f"{where}[{position}]: op '{spec['op']}' needs a list value")
        if spec["op"] not in ("in", "not_in") and is_list:
            problems.append(f"{where}[{position}]: op '{spec['op']}' needs a single value")
    return problems


def roc_pairs(config: dict) -> list[list[str]]:
    """Marker pairs compared by DeLong's test: configured, or reference against each other."""
    if config["statistics"]["roc_pairs"] is not None:
        return [list(pair) for pair in config["statistics"]["roc_pairs"]]
    reference = config["reference_marker"]
    return [[reference, m["key"]] for m in config["markers"] if m["key"] != reference]


def planning_plan(config: dict) -> dict:
    """Everything a planning chunk's result depends on (il6hcc.planning.run_chunk): the model,
    seed and design, and the analysis settings of the claims' tests, the reference marker
    first. The parametric changes only under that model, so editing them does not rerun a
    resampling plan."""
    planning = config["planning"]
    statistics = config["statistics"]
    reference = config["reference_marker"]
    keys = [marker["key"] for marker in config["markers"]]
    plan = {
        "model": planning["model"],
        "seed": planning["seed"],
        "allocation": planning["allocation"],
        "settings": {
            "markers": [reference, *[key for key in keys if key != reference]],
            "reference": reference,
            "favourable": {m["key"]: m["favourable"] for m in config["markers"]},
            "criteria": config["criteria"],
            "metric": config["change_metric"],
            "signed_rank_scale": statistics["signed_rank_scale"],
            "continuity_correction": statistics["continuity_correction"],
            "alpha": statistics["alpha"],
            "adjust_method": statistics["multiple_testing"]["method"],
            "conf_level": statistics["conf_level"],
        },
    }
    if planning["model"] == "parametric":
        plan["parametric"] = planning["parametric"]
    return plan


def planning_chunks(planning: dict) -> list[tuple[int, int, int, int]]:
    """Every planning job of a ``planning:`` block: (size, chunk index, first study, end), the
    chunks of a size being consecutive ranges of at most ``chunk_replicates`` studies."""
    step = planning["chunk_replicates"]
    return [
        (size, index, start, min(start + step, planning["replicates"]))
        for size in planning["sizes"]
        for index, start in enumerate(range(0, planning["replicates"], step))
    ]


def planning_chunk_studies(planning: dict, size, chunk) -> list[int]:
    """The studies [first, end) of the planning job (size, chunk), as its wildcards name it."""
    (studies,) = [
        [start, end]
        for n_patients, index, start, end in planning_chunks(planning)
        if (n_patients, index) == (int(size), int(chunk))
    ]
    return studies


def claims_analysis(config: dict) -> dict:
    """What rerunning the claims check reads besides the cohort and a specification
    (il6hcc.multiverse.Multiverse), from the configuration or the config sections a robustness
    rule receives (il6hcc.ruleparams.claims_rerun)."""
    roles = config["claims"] or {}
    statistics = config["statistics"]
    comparison = [c for c in config["subgroup_comparisons"] if c["name"] == roles.get("comparison")]
    role_names = ("first_line", "later_line", "accuracy_subgroup")
    return {
        "markers": [{f: m[f] for f in ("key", "label", "unit", "lloq")} for m in config["markers"]],
        "response": config["response"],
        "criteria": config["criteria"],
        "reference_marker": config["reference_marker"],
        "subgroups": config["subgroups"],
        "comparison": comparison[0] if comparison else None,
        "roles": {role: roles.get(role) for role in role_names},
        "change_metric": config["change_metric"],
        "alpha": statistics["alpha"],
        "conf_level": statistics["conf_level"],
        "adjust_family": statistics["multiple_testing"]["family"],
        "proportion_ci": statistics["proportion_ci"],
    }


def multiverse_settings(config: dict) -> dict:
    """A multiverse batch's settings: the claims analysis and robustness's grid and batches."""
    robustness = config["robustness"]
    settings = claims_analysis(config)
    settings.update(
        {key: robustness[key] for key in ("choices", "max_specifications", "seed", "batches")}
    )
    return settings


def leave_one_out_settings(config: dict) -> dict:
    """The leave-one-out reruns' settings: the claims analysis and its configured choices (not
    the multiverse's alternatives, so editing those does not rerun it)."""
    statistics = config["statistics"]
    settings = claims_analysis(config)
    settings["main"] = {
        "below_lloq": config["censoring"]["below_lloq"],
        "signed_rank_scale": statistics["signed_rank_scale"],
        "continuity_correction": statistics["continuity_correction"],
        "multiple_testing": statistics["multiple_testing"]["method"],
    }
    return settings
