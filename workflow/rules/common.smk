# Shared by every rule file (configuration checks, wildcard constraints, params builders,
# package-module inputs, input functions and the targets). Functions live here only, so that
# `snakemake --lint` finds no file mixing rules and functions.

import json
import os
import sys
from pathlib import Path

from snakemake.utils import validate
from snakemake_interface_executor_plugins.settings import ExecMode

SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"
sys.path.insert(0, str(SCRIPTS))

from il6hcc import ruleparams  # noqa: E402
from il6hcc.config import (  # noqa: E402
    CLAIM_FILE_NAMES,
    check_config,
    planning_chunk_studies,
    planning_chunks,
    snapshot_config,
    validate_once,
)
from il6hcc.rulegraph import record_rule_graph, rule_graph  # noqa: E402
from il6hcc.depends import ImportCache, package_dependencies  # noqa: E402
from il6hcc.runlock import open_gate, start_run  # noqa: E402
from il6hcc.timestamps import source_date_epoch  # noqa: E402
from snakemake.iocontainers import Wildcards  # noqa: E402
from snakemake.logging import logger  # noqa: E402

# Before Snakemake takes its directory lock: one start at a time in this folder, and a lock left
# by a killed run is removed when provably stale (il6hcc/runlock.py). Not in the job processes of
# a cluster executor (remote mode): they run inside the main run, which holds the lock.
START_GATE = start_run(Path.cwd()) if workflow.exec_mode == ExecMode.DEFAULT else None

# Read once, passed as a params value to the rules that write a time stamp (report). Jobs of a
# cluster executor read the Snakefile again on their node: when set, it is passed on to them too
# (the envvars directive would require it to be set).
SOURCE_DATE_EPOCH = source_date_epoch(os.environ)
if SOURCE_DATE_EPOCH:
    workflow.register_envvars("SOURCE_DATE_EPOCH")
# What the start-up checks learnt is kept beside Snakemake's own records, for the next run.
METADATA = Path(".snakemake")
validate_once(
    config,
    Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml",
    METADATA / "il6hcc-validated-config",
    validate,
)
check_config(config)
IMPORTS = ImportCache(METADATA / "il6hcc-imports.json")
# The whole configuration as used, an input of the rules that print or replay it.
RUN_CONFIG = snapshot_config(config, METADATA / "il6hcc-config.json")
# The rule graph, input of the rule that draws it (written by record_rule_graph).
RULE_GRAPH = str(METADATA / "il6hcc-rulegraph.json")

SUBGROUPS = list(config["subgroups"])
COMPARISONS = [comparison["name"] for comparison in config["subgroup_comparisons"]]
MARKER_KEYS = [marker["key"] for marker in config["markers"]]


onstart:
    # Snakemake's lock is written now: the next run started in this folder will see it.
    if START_GATE is not None:
        open_gate(START_GATE)


wildcard_constraints:
    subgroup="|".join(SUBGROUPS),
    comparison="|".join(COMPARISONS) if COMPARISONS else "(?!)",
    marker="|".join(MARKER_KEYS),
    size=r"\d+",
    chunk=r"\d+",
    batch=r"\d+",


def rule_script(name):
    """Path of the script `name`.py relative to the rule files, as the script directive expects."""
    return f"../scripts/{name}.py"


def modules(name):
    """Package modules that script `name`.py imports, as inputs (editing one reruns its jobs)."""
    found = package_dependencies(SCRIPTS / f"{name}.py", SCRIPTS, IMPORTS)
    return [os.path.relpath(path) for path in found]


def cohort_sidecar():
    """The cohort's JSON sidecar (same stem), which says whether the data are simulated."""
    sidecar = Path(config["cohort"]["path"]).with_suffix(".json")
    return [str(sidecar)] if sidecar.is_file() else []


def per_job(build, *names):
    """The params ``build(config, **wildcards)`` returns (il6hcc.ruleparams), each one a
    function of the job's wildcards: a job receives only its own subgroup or comparison."""
    return {
        name: lambda wildcards, name=name: build(config, **dict(wildcards.items()))[name]
        for name in names
    }


def comparison_config(name):
    (spec,) = [c for c in config["subgroup_comparisons"] if c["name"] == name]
    return spec


def comparison_inputs(wildcards):
    spec = comparison_config(wildcards.comparison)
    return {side: f"results/stratify/{spec[side]}/patients.tsv" for side in ("a", "b")}


def comparison_selections(wildcards):
    """The stratify records of both subgroups of a comparison (each names its subgroup)."""
    spec = comparison_config(wildcards.comparison)
    return [f"results/stratify/{spec[side]}/selection.json" for side in ("a", "b")]


def warn_empty_subgroups():
    """Warn in Snakemake's log about every configured subgroup that matched no patient.

    Called on success: the run completed, but a reader of the log must still learn that a
    subgroup's analyses are all "not estimable". Its stratify job warned too, on its stderr.
    """
    for subgroup in SUBGROUPS:
        path = Path(f"results/stratify/{subgroup}/selection.json")
        if path.is_file():
            # Read here with json, not il6hcc.subgroups: that imports pandas into every
            # snakemake invocation.
            reason = json.loads(path.read_text(encoding="utf-8"))["empty_reason"]
            if reason:
                logger.warning(f"Warning: subgroup {subgroup}: {reason}; its analyses are "
                               f"not estimable (see {path})")  # fmt: skip


def mem_mb_from_input(factor, base=512):
    """Memory request: ``base`` MB (a Python process with pandas and the rule's imports) plus
    ``factor`` MB per MB of input. Text tables grow 10-40 fold once parsed; the factors are the
    per-rule growth measured at 100,000 patients by bench/bench_workflow.py, with headroom.
    """

    def mem_mb(wildcards, input):
        return base + int(factor * input.size_mb)

    return mem_mb


SURVIVAL = config["survival"]
SURVIVAL_ENDPOINTS = SURVIVAL["endpoints"]


PLANNING = config["planning"]


def planning_chunk_outputs(name="chunk"):
    output = getattr(rules.planning_chunk.output, name)
    return [
        output.format(size=size, chunk=index) for size, index, _, _ in planning_chunks(PLANNING)
    ]


def planning_chunk_size(wildcards):
    """Simulated patients of one chunk: its studies times their size."""
    start, end = planning_chunk_studies(PLANNING, wildcards.size, wildcards.chunk)
    return (end - start) * int(wildcards.size)


def planning_chunk_mem_mb(wildcards):
    """A Python process with pandas and scipy (512 MB) plus the chunk's arrays: 1 kB per
    simulated patient, about twice the 0.54 kB that bench/bench_planning.py measured (peak of
    allocations, 500 and 2,000 studies of 320 patients)."""
    return 512 + planning_chunk_size(wildcards) // 1000


def planning_chunk_runtime(wildcards):
    """Minutes: 5, and 1 more per 2 million simulated patients (bench/bench_planning.py measured
    about 3 microseconds of CPU per simulated patient: 2 million take about 6 s)."""
    return 5 + planning_chunk_size(wildcards) // 2_000_000


ROBUSTNESS = config["robustness"]
# The multiverse reruns the claims check: without one (claims: null) there is nothing to rerun.
ROBUSTNESS_ON = ROBUSTNESS["enabled"] and bool(config["claims"])
BATCHES = list(range(ROBUSTNESS["batches"]))
OPTIMISM_BATCHES = list(range(ROBUSTNESS["optimism"]["batches"]))


def optimism_batch_mem_mb(wildcards, input):
    """A Python process with pandas and scipy (512 MB) plus the batch's resample x patient
    arrays: 0.25 MB per MB of input and resample, 1.5 times the 0.165 of a batch of 2,000
    resamples of 10,000 patients (a 1.45 MB table; 624 MB at its peak in all)."""
    optimism = ROBUSTNESS["optimism"]
    per_batch = -(-optimism["resamples"] // optimism["batches"])
    return 512 + int(0.25 * input.size_mb * per_batch)


def optimism_subgroup_inputs(wildcards):
    """Every subgroup's stratify table, named after its subgroup (il6hcc.steps.optimism)."""
    return {
        f"patients_{subgroup}": expand(rules.stratify.output.patients, subgroup=subgroup)[0]
        for subgroup in SUBGROUPS
    }


def final_targets():
    return ["results/report.html", "results/provenance.tsv"]


def subgroup_rules():
    """The rules run once per subgroup (their one wildcard); survival only when switched on."""
    per_subgroup = [rules.stratify, rules.table1, rules.paired_stats, rules.roc, rules.criteria,
                    rules.figures]  # fmt: skip
    if SURVIVAL["enabled"]:
        per_subgroup.append(rules.survival)
    return per_subgroup


def subgroup_outputs(subgroup):
    """Every table and figure of one subgroup: what the target subgroup_<name> builds."""
    return [path for rule_ in subgroup_rules() for path in expand(rule_.output, subgroup=subgroup)]


def write_rule_graph():
    """Write the rule graph of the rules defined so far, from the target rule `all`, to
    RULE_GRAPH if it changed: called once the Snakefile has defined every rule."""
    rule_files = sorted(Path(workflow.basedir, "workflow", "rules").glob("*.smk"))
    record_rule_graph(
        Path(RULE_GRAPH),
        [Path(workflow.main_snakefile), *rule_files],
        config,
        lambda: rule_graph({rule.name: rule for rule in workflow.rules}, "all", Wildcards),
    )


def section_inputs(wildcards):
    """One subgroup's result tables, by name, and its figures (placed by their own identity)."""
    subgroup = wildcards.subgroup
    tables = {
        "prepost": rules.paired_stats.output.prepost,
        "responders": rules.paired_stats.output.responders,
        "logistic": rules.paired_stats.output.logistic,
        "table1": rules.table1.output.summary,
        "table1_tests": rules.table1.output.tests,
        "auc": rules.roc.output.auc,
        "delong": rules.roc.output.delong,
        "accuracy": rules.criteria.output.accuracy,
        "mcnemar": rules.criteria.output.mcnemar,
    }
    figures = [*rules.figures.output.paired_svg, rules.figures.output.roc_svg]
    if SURVIVAL["enabled"]:
        for name in ("flow", "medians", "logrank", "cox", "zph", "claim"):
            tables[f"survival_{name}"] = getattr(rules.survival.output, name)
        figures += rules.survival.output.km_svg
    inputs = {name: expand(path, subgroup=subgroup)[0] for name, path in tables.items()}
    inputs["figures"] = expand(figures, subgroup=subgroup)
    inputs["code"] = modules("report_section")
    return inputs


def report_inputs(wildcards):
    """Everything the report shows: whole-cohort tables, one checked section per subgroup
    (merged by its subgroup key, in any order), the comparisons (keyed by their own column)."""
    inputs = {
        # The whole configuration: the report prints it, so any edit re-renders the report.
        "config": RUN_CONFIG,
        "manifest": rules.ingest.output.manifest,
        "normalisations": rules.ingest.output.normalisations,
        "flow": rules.clean.output.flow,
        "patients": rules.clean.output.patients,
        "exclusions": rules.clean.output.exclusions,
        "censoring": rules.clean.output.censoring,
        "sections": expand(rules.report_section.output.section, subgroup=SUBGROUPS),
        "comparisons": expand(rules.compare_subgroups.output.table, comparison=COMPARISONS),
        "template": "workflow/templates/report.html.j2",
        "partials": ["workflow/templates/table1.html.j2", "workflow/templates/prognosis.html.j2",
                     "workflow/templates/planning.html.j2",
                     "workflow/templates/optimism.html.j2"],  # fmt: skip
        "rulegraph_svg": rules.rulegraph.output.svg,
        "rulegraph_dot": rules.rulegraph.output.dot,
        "rulegraph_info": rules.rulegraph.output.info,
        "code": modules("report"),
    }
    if config["claims"]:
        inputs["claims"] = rules.claims.output.claims
    if PLANNING["enabled"]:
        inputs["planning_power"] = rules.planning_gather.output.power
        inputs["planning_sample_size"] = rules.planning_gather.output.sample_size
        inputs["planning_figure"] = rules.planning_gather.output.svg
    if ROBUSTNESS_ON:
        inputs["robustness_summary"] = rules.robustness_summary.output.summary
        inputs["robustness_influence"] = rules.robustness_influence.output.influence
        inputs["robustness_fragility"] = rules.robustness_influence.output.fragility
        inputs["robustness_figures"] = rules.robustness_figures.output.svg
        inputs["optimism"] = rules.optimism_summary.output.optimism
    return inputs


def job_records(wildcards):
    """The provenance record of every job in the workflow (one per rule and wildcard value)."""
    records = [rules.ingest.output.provenance, rules.clean.output.provenance,
               rules.report.output.provenance, rules.rulegraph.output.provenance]  # fmt: skip
    for rule_ in [*subgroup_rules(), rules.report_section]:
        records += expand(rule_.output.provenance, subgroup=SUBGROUPS)
    records += expand(rules.compare_subgroups.output.provenance, comparison=COMPARISONS)
    if config["claims"]:
        records.append(rules.claims.output.provenance)
    if PLANNING["enabled"]:
        records += planning_chunk_outputs("provenance")
        records.append(rules.planning_gather.output.provenance)
    if ROBUSTNESS_ON:
        records += expand(rules.robustness_batch.output.provenance, batch=BATCHES)
        records.append(rules.robustness_summary.output.provenance)
        records.append(rules.robustness_influence.output.provenance)
        records.append(rules.robustness_figures.output.provenance)
        records += expand(
            rules.optimism_batch.output.provenance, subgroup=SUBGROUPS, batch=OPTIMISM_BATCHES
        )
        records.append(rules.optimism_summary.output.provenance)
    return records
