"""The params of each rule, built from the configuration, for the rule files and bench/floor.py.

Each rule receives the configuration sections it reads under their config names (``markers``,
``statistics``, ``survival`` ...), cut down to the keys it uses, so editing any other key reruns
none of its jobs. Values are plain and canonical (``il6hcc.config.canonical``): Snakemake compares
params by the ``repr`` of each value, without its name, so within one rule no two params are
values of the same shape that an edit could swap unseen.
"""

from __future__ import annotations

from il6hcc.config import canonical, planning_chunk_studies, roc_pairs

# What reading the cohort file needs: a marker's limits or label do not change how it is read.
COHORT_READING = ("sheet", "encoding", "decimal", "column_map", "max_problems")
# What il6hcc.config.planning_plan reads of the planning section (parametric: only under that
# model, so that editing it does not rerun a resampling plan).
PLANNING_PLAN = ("model", "seed", "allocation")
SURVIVAL_ANALYSIS = ("landmark_months", "grouping", "endpoints", "adjust_for",
                     "min_events_per_group", "at_risk_months")  # fmt: skip


def markers(config: dict, *fields: str) -> list[dict]:
    """The markers section with only the fields a rule uses (its key always)."""
    return [{field: marker[field] for field in ("key", *fields)} for marker in config["markers"]]


def statistics(config: dict, *keys: str) -> dict:
    return {key: config["statistics"][key] for key in keys}


def ingest(config: dict) -> dict:
    return canonical(
        {
            "cohort": {key: config["cohort"][key] for key in COHORT_READING},
            "markers": markers(config, "kind", "unit"),
        }
    )


def clean(config: dict) -> dict:
    return canonical(
        {
            "markers": markers(config, "lloq", "uloq"),
            "censoring": config["censoring"],
            "response": config["response"],
        }
    )


def stratify(config: dict, subgroup: str) -> dict:
    """Only this subgroup's filters: editing another subgroup reruns none of its jobs."""
    return canonical({"subgroups": {subgroup: config["subgroups"][subgroup]}})


def table1(config: dict) -> dict:
    return canonical(
        {
            "table1": config["table1"],
            "markers": markers(config, "label", "lloq"),
            "statistics": statistics(
                config, "continuity_correction", "fisher_monte_carlo_replicates", "seed"
            ),
        }
    )


def paired_stats(config: dict) -> dict:
    return canonical(
        {
            "markers": markers(config, "label", "unit", "lloq"),
            "change_metric": config["change_metric"],
            "statistics": statistics(
                config,
                "continuity_correction",
                "multiple_testing",
                "logistic",
                "signed_rank_scale",
                "conf_level",
            ),
        }
    )


def compare_subgroups(config: dict, comparison: str) -> dict:
    """Only this comparison of subgroup_comparisons, and only the adjustment's method (a
    comparison is one family)."""
    chosen = [spec for spec in config["subgroup_comparisons"] if spec["name"] == comparison]
    tests = statistics(config, "continuity_correction", "conf_level")
    tests["multiple_testing"] = {"method": config["statistics"]["multiple_testing"]["method"]}
    return canonical(
        {
            "subgroup_comparisons": chosen,
            "markers": markers(config, "label"),
            "change_metric": config["change_metric"],
            "statistics": tests,
        }
    )


def roc(config: dict) -> dict:
    """statistics.roc_pairs resolved (null means the reference marker against every other)."""
    tests = statistics(config, "conf_level", "bootstrap", "seed", "delong_min_per_group")
    tests["roc_pairs"] = roc_pairs(config)
    tests["multiple_testing"] = {"method": config["statistics"]["multiple_testing"]["method"]}
    return canonical(
        {
            "markers": markers(config, "label", "favourable"),
            "change_metric": config["change_metric"],
            "statistics": tests,
        }
    )


def criteria(config: dict) -> dict:
    return canonical(
        {
            "markers": markers(config, "label"),
            "criteria": config["criteria"],
            "reference_marker": config["reference_marker"],
            "statistics": statistics(config, "proportion_ci", "conf_level", "multiple_testing"),
        }
    )


def figures(config: dict) -> dict:
    return canonical(
        {"markers": markers(config, "label", "unit", "lloq", "uloq"), "figures": config["figures"]}
    )


def survival(config: dict) -> dict:
    """The analysis keys of the survival section, and the grouping marker's label only."""
    section = config["survival"]
    grouping = section["grouping"]["marker"]
    return canonical(
        {
            "survival": {key: section[key] for key in SURVIVAL_ANALYSIS},
            "markers": [m for m in markers(config, "label") if m["key"] == grouping],
            "statistics": statistics(config, "conf_level", "alpha"),
        }
    )


def claims(config: dict) -> dict:
    return canonical(
        {
            "claims": config["claims"],
            "reference_marker": config["reference_marker"],
            "statistics": statistics(config, "alpha", "conf_level"),
        }
    )


def report_section(config: dict) -> dict:
    """What a section must hold: a paired plot per marker, a KM plot per endpoint if enabled."""
    section = config["survival"]
    return canonical(
        {
            "markers": markers(config),
            "survival": {key: section[key] for key in ("enabled", "endpoints")},
        }
    )


def planning_chunk(config: dict, size: str, chunk: str) -> dict:
    """What il6hcc.config.planning_plan reads (the settings of the claims' tests), and the
    studies [first, end) of this chunk only: changing the number of studies reruns only the
    chunks whose range changes."""
    section = config["planning"]
    planning = {key: section[key] for key in PLANNING_PLAN}
    if section["model"] == "parametric":
        planning["parametric"] = section["parametric"]
    tests = statistics(config, "signed_rank_scale", "continuity_correction", "alpha", "conf_level")
    tests["multiple_testing"] = {"method": config["statistics"]["multiple_testing"]["method"]}
    return canonical(
        {
            "planning": planning,
            "markers": markers(config, "favourable"),
            "criteria": config["criteria"],
            "reference_marker": config["reference_marker"],
            "change_metric": config["change_metric"],
            "statistics": tests,
            "studies": planning_chunk_studies(section, size, chunk),
        }
    )


def planning_gather(config: dict) -> dict:
    """The design written beside the power (model, allocation), the target powers, and the
    markers' labels for the figure."""
    section = config["planning"]
    return canonical(
        {
            "planning": {key: section[key] for key in ("model", "allocation", "target_powers")},
            "markers": markers(config, "label"),
        }
    )


def claims_rerun(config: dict) -> dict:
    """The sections the robustness rules' reruns of the claims check read
    (il6hcc.config.claims_analysis), with only the subgroups and the comparison the claims read:
    editing another subgroup or comparison reruns none of the robustness jobs."""
    roles = config["claims"] or {}
    chosen = [
        spec for spec in config["subgroup_comparisons"] if spec["name"] == roles.get("comparison")
    ]
    used = {roles.get(role) for role in ("first_line", "later_line", "accuracy_subgroup")}
    used |= {spec[side] for spec in chosen for side in ("a", "b")}
    tests = statistics(config, "alpha", "conf_level", "proportion_ci")
    tests["multiple_testing"] = {"family": config["statistics"]["multiple_testing"]["family"]}
    return {
        "markers": markers(config, "label", "unit", "lloq"),
        "response": config["response"],
        "criteria": config["criteria"],
        "reference_marker": config["reference_marker"],
        "subgroups": {name: config["subgroups"][name] for name in sorted(used) if name},
        "subgroup_comparisons": chosen,
        "claims": config["claims"],
        "change_metric": config["change_metric"],
        "statistics": tests,
    }


def robustness_grid(config: dict) -> dict:
    """Which specifications there are (the choices, how many are drawn and how)."""
    robustness = config["robustness"]
    return {key: robustness[key] for key in ("choices", "max_specifications", "seed")}


def robustness_batch(config: dict) -> dict:
    """The claims rerun, the grid and the number of batches it is split into."""
    grid = robustness_grid(config)
    grid["batches"] = config["robustness"]["batches"]
    return canonical({**claims_rerun(config), "robustness": grid})


def robustness_summary(config: dict) -> dict:
    """The grid only: the batches it gathers are checked to hold every specification of it."""
    return canonical({"robustness": robustness_grid(config)})


def robustness_influence(config: dict) -> dict:
    """The claims rerun with the configured analysis's choices, not the multiverse's
    alternatives: editing those reruns no leave-one-out or fragility job; and the fragility
    search's cap."""
    sections = claims_rerun(config)
    chosen = statistics(config, "signed_rank_scale", "continuity_correction")
    chosen["multiple_testing"] = {
        **sections["statistics"]["multiple_testing"],
        "method": config["statistics"]["multiple_testing"]["method"],
    }
    sections["statistics"] = {**sections["statistics"], **chosen}
    sections["censoring"] = {"below_lloq": config["censoring"]["below_lloq"]}
    sections["robustness"] = {"fragility": config["robustness"]["fragility"]}
    return canonical(sections)


def optimism_batch(config: dict) -> dict:
    """The markers' orientation, the change metric, the resamples' seed and how they are
    split (the summary checks that the batches hold every resample once)."""
    return canonical(
        {
            "markers": markers(config, "favourable"),
            "change_metric": config["change_metric"],
            "optimism": config["robustness"]["optimism"],
        }
    )


def optimism_summary(config: dict) -> dict:
    """As a batch, without the split (the result does not depend on it), and the level of
    the percentile intervals."""
    section = {key: config["robustness"]["optimism"][key] for key in ("resamples", "seed")}
    return canonical(
        {
            "markers": markers(config, "favourable"),
            "change_metric": config["change_metric"],
            "optimism": section,
            "statistics": statistics(config, "conf_level"),
        }
    )


def robustness_figures(config: dict) -> dict:
    return canonical({"statistics": statistics(config, "alpha")})
