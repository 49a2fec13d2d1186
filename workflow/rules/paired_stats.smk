# Stage 4: pre/post change per marker and response group, responders versus non-responders,
# logistic regression; and the direct tests between two subgroups.


rule paired_stats:
    input:
        patients=rules.stratify.output.patients,
        code=modules("paired_stats"),
    output:
        prepost="results/paired_stats/{subgroup}/prepost.tsv",
        responders="results/paired_stats/{subgroup}/responders_vs_nonresponders.tsv",
        logistic="results/paired_stats/{subgroup}/logistic.tsv",
        provenance="results/provenance/paired_stats/{subgroup}.json",
    params:
        markers=markers_param("label", "unit"),
        metric=config["change_metric"],
        tests=canonical_json(
            {
                "continuity_correction": STATISTICS["continuity_correction"],
                "multiple_testing": STATISTICS["multiple_testing"],
                "logistic": STATISTICS["logistic"],
            }
        ),
    log:
        "logs/paired_stats/{subgroup}.log",
    benchmark:
        "benchmarks/paired_stats/{subgroup}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=20,
    script:
        rule_script("paired_stats")


rule compare_subgroups:
    input:
        unpack(comparison_inputs),
        code=modules("compare_subgroups"),
    output:
        table="results/compare_subgroups/{comparison}.tsv",
        provenance="results/provenance/compare_subgroups/{comparison}.json",
    params:
        comparison=comparison_spec,
        markers=markers_param("label"),
        metric=config["change_metric"],
        tests=canonical_json(
            {
                "continuity_correction": STATISTICS["continuity_correction"],
                "method": STATISTICS["multiple_testing"]["method"],
            }
        ),
    log:
        "logs/compare_subgroups/{comparison}.log",
    benchmark:
        "benchmarks/compare_subgroups/{comparison}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=10,
    script:
        rule_script("compare_subgroups")
