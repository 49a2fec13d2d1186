# Stage 7: the claims check and the self-contained HTML report.


def claims_roles():
    roles = dict(config["claims"] or {})
    roles.update(reference_marker=config["reference_marker"], alpha=STATISTICS["alpha"])
    return roles


rule claims:
    input:
        prepost_first=lambda wc: f"results/paired_stats/{config['claims']['first_line']}/prepost.tsv",
        prepost_later=lambda wc: f"results/paired_stats/{config['claims']['later_line']}/prepost.tsv",
        accuracy=lambda wc: f"results/criteria/{config['claims']['accuracy_subgroup']}/accuracy.tsv",
        mcnemar=lambda wc: f"results/criteria/{config['claims']['accuracy_subgroup']}/mcnemar.tsv",
        comparison=lambda wc: f"results/compare_subgroups/{config['claims']['comparison']}.tsv",
        code=modules("claims"),
    output:
        claims="results/claims.tsv",
        provenance="results/provenance/claims/claims.json",
    params:
        roles=canonical_json(claims_roles()),
    log:
        "logs/claims/claims.log",
    benchmark:
        "benchmarks/claims/claims.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    script:
        rule_script("claims")


def per_subgroup(pattern):
    return expand(pattern, subgroup=SUBGROUPS)


def report_inputs(wildcards):
    inputs = {
        "manifest": rules.ingest.output.manifest,
        "normalisations": rules.ingest.output.normalisations,
        "flow": rules.clean.output.flow,
        "exclusions": rules.clean.output.exclusions,
        "censoring": rules.clean.output.censoring,
        "prepost": per_subgroup(rules.paired_stats.output.prepost),
        "responders": per_subgroup(rules.paired_stats.output.responders),
        "logistic": per_subgroup(rules.paired_stats.output.logistic),
        "table1": per_subgroup(rules.table1.output.summary),
        "table1_tests": per_subgroup(rules.table1.output.tests),
        "auc": per_subgroup(rules.roc.output.auc),
        "delong": per_subgroup(rules.roc.output.delong),
        "accuracy": per_subgroup(rules.criteria.output.accuracy),
        "mcnemar": per_subgroup(rules.criteria.output.mcnemar),
        "paired_figures": per_subgroup(rules.figures.output.paired_svg),
        "roc_figures": per_subgroup(rules.figures.output.roc_svg),
        "comparisons": expand(rules.compare_subgroups.output.table, comparison=COMPARISONS),
        "templates": ["workflow/templates/report.html.j2", "workflow/templates/table1.html.j2"],
        "code": modules("report"),
    }
    if config["claims"]:
        inputs["claims"] = rules.claims.output.claims
    return inputs


rule report:
    input:
        unpack(report_inputs),
    output:
        html="results/report.html",
        provenance="results/provenance/report/report.json",
    params:
        # The whole configuration: the report prints it, so any edit re-renders the report.
        config=canonical_json(config),
    log:
        "logs/report/report.log",
    benchmark:
        "benchmarks/report/report.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(5, floor=1024),
        runtime=10,
    script:
        rule_script("report")
