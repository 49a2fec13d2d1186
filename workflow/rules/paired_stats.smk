# Stage 4: pre/post change per marker and response group, responders versus non-responders,
# logistic regression; and the direct tests between two subgroups.


rule paired_stats:
    input:
        patients=rules.stratify.output.patients,
        selection=rules.stratify.output.selection,
        code=modules("paired_stats"),
    output:
        prepost=report(
            "results/paired_stats/{subgroup}/prepost.tsv",
            caption="../report/prepost.rst",
            category="5 Pre/post change",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "table": "pre/post"},
        ),
        responders=report(
            "results/paired_stats/{subgroup}/responders_vs_nonresponders.tsv",
            caption="../report/responders.rst",
            category="5 Pre/post change",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "table": "responders vs non-responders"},
        ),
        logistic="results/paired_stats/{subgroup}/logistic.tsv",
        provenance="results/provenance/paired_stats/{subgroup}.json",
    log:
        "logs/paired_stats/{subgroup}.log",
    benchmark:
        "benchmarks/paired_stats/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(40),
        runtime=20,
    params:
        **ruleparams.paired_stats(config),
    script:
        rule_script("paired_stats")


rule compare_subgroups:
    input:
        unpack(comparison_inputs),
        selections=comparison_selections,
        code=modules("compare_subgroups"),
    output:
        table=report(
            "results/compare_subgroups/{comparison}.tsv",
            caption="../report/comparison.rst",
            category="5 Pre/post change",
            subcategory="between subgroups",
            labels={"comparison": "{comparison}"},
        ),
        provenance="results/provenance/compare_subgroups/{comparison}.json",
    log:
        "logs/compare_subgroups/{comparison}.log",
    benchmark:
        "benchmarks/compare_subgroups/{comparison}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(25),
        runtime=10,
    params:
        **per_job(
            ruleparams.compare_subgroups,
            "subgroup_comparisons",
            "markers",
            "change_metric",
            "statistics",
        ),
    script:
        rule_script("compare_subgroups")
