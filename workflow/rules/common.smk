# Shared by every rule file: configuration checks, wildcard constraints, params builders,
# package-module inputs and the final targets.

import os
import sys
from pathlib import Path

from snakemake.utils import validate

SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"
sys.path.insert(0, str(SCRIPTS))

from il6hcc.config import canonical_json, check_config, roc_pairs  # noqa: E402
from il6hcc.depends import package_dependencies  # noqa: E402

validate(config, str(Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"))
check_config(config)

SUBGROUPS = list(config["subgroups"])
COMPARISONS = [comparison["name"] for comparison in config["subgroup_comparisons"]]
MARKER_KEYS = [marker["key"] for marker in config["markers"]]


wildcard_constraints:
    subgroup="|".join(SUBGROUPS),
    comparison="|".join(COMPARISONS) if COMPARISONS else "(?!)",
    marker="|".join(MARKER_KEYS),


def rule_script(name):
    """Path of a rule script (relative to the Snakefile, as `script:` expects)."""
    return f"../scripts/{name}.py"


def modules(name):
    """Package modules the rule script imports: inputs, so editing one reruns its rules."""
    found = package_dependencies(SCRIPTS / f"{name}.py", SCRIPTS)
    return [os.path.relpath(path) for path in found]


def cohort_sidecar():
    """The cohort's JSON sidecar (same stem), which says whether the data are simulated."""
    sidecar = Path(config["cohort"]["path"]).with_suffix(".json")
    return [str(sidecar)] if sidecar.is_file() else []


def markers_param(*fields):
    """Only the marker fields a rule uses, so editing another field does not rerun it."""
    return canonical_json([{f: m[f] for f in ("key", *fields)} for m in config["markers"]])


def subgroup_filters(wildcards):
    return canonical_json(config["subgroups"][wildcards.subgroup])


def comparison_config(name):
    (spec,) = [c for c in config["subgroup_comparisons"] if c["name"] == name]
    return spec


def comparison_spec(wildcards):
    return canonical_json(comparison_config(wildcards.comparison))


def comparison_inputs(wildcards):
    spec = comparison_config(wildcards.comparison)
    return {side: f"results/stratify/{spec[side]}/patients.tsv" for side in ("a", "b")}


def mem_mb_from_input(factor, floor=512):
    """Memory request grown with the input size (tables expand several-fold in pandas)."""

    def mem_mb(wildcards, input):
        return max(floor, int(factor * input.size_mb))

    return mem_mb


STATISTICS = config["statistics"]
ADJUSTMENT = canonical_json(STATISTICS["multiple_testing"])


def final_targets():
    return ["results/report.html", "results/provenance.tsv"]
