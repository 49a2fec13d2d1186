# IL-6 as a predictor of response to atezolizumab + bevacizumab in unresectable HCC.
# Thin entry point: validate the configuration, then include one rule file per stage.
# Run:  snakemake --cores 4     (see README.md)

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "workflow/rules/common.smk"


rule all:
    default_target: True
    input:
        final_targets(),


include: "workflow/rules/ingest.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/stratify.smk"
include: "workflow/rules/table1.smk"
include: "workflow/rules/paired_stats.smk"
include: "workflow/rules/roc.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/survival.smk"
include: "workflow/rules/planning.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/robustness.smk"
include: "workflow/rules/provenance.smk"


onsuccess:
    warn_empty_subgroups()


# One subgroup alone, for example `snakemake --cores 4 subgroup_first_line`: that subgroup's
# tables and figures (and the ingest and cleaning they need), not the report.
for subgroup_name in SUBGROUPS:

    rule:
        name:
            f"subgroup_{subgroup_name}"
        input:
            subgroup_outputs(subgroup_name),
        localrule: True


# Every rule is defined: the rule graph the report shows, from the workflow's own rules.
write_rule_graph()


# When a run stops, the failed jobs' own error messages (an invalid cohort file, an impossible
# subgroup filter, or a bug's traceback), read from their logs, are the last thing on screen.
# Snakemake hands onerror only its own log's path; the jobs that failed for good (retries spent)
# are the scheduler's `failed` set (Snakemake 9.27; tests/test_bad_input_workflow.py checks it).
onerror:
    from il6hcc.joblog import FailedJob, failure_summary

    failed = [
        FailedJob(job.rule.name, dict(job.wildcards.items()), list(job.log))
        for job in workflow.scheduler.failed
    ]
    logger.error(failure_summary(failed))
