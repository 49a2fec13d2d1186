# Stage 5: ROC of each marker's change (AUC, DeLong CI and test, Youden threshold), and the
# pre-specified response criteria (2x2 tables, accuracy with CIs, McNemar).


rule roc:
    input:
        patients=rules.stratify.output.patients,
        code=modules("roc"),
    output:
        auc="results/roc/{subgroup}/auc.tsv",
        delong="results/roc/{subgroup}/delong.tsv",
        curves="results/roc/{subgroup}/curves.tsv",
        provenance="results/provenance/roc/{subgroup}.json",
    params:
        markers=markers_param("label", "favourable"),
        metric=config["change_metric"],
        roc=canonical_json(
            {
                "pairs": roc_pairs(config),
                "conf_level": STATISTICS["conf_level"],
                "bootstrap": STATISTICS["bootstrap"],
                "seed": STATISTICS["seed"],
                "method": STATISTICS["multiple_testing"]["method"],
            }
        ),
    log:
        "logs/roc/{subgroup}.log",
    benchmark:
        "benchmarks/roc/{subgroup}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=20,
    script:
        rule_script("roc")


rule criteria:
    input:
        patients=rules.stratify.output.patients,
        code=modules("criteria"),
    output:
        accuracy="results/criteria/{subgroup}/accuracy.tsv",
        mcnemar="results/criteria/{subgroup}/mcnemar.tsv",
        provenance="results/provenance/criteria/{subgroup}.json",
    params:
        markers=markers_param("label"),
        criteria=canonical_json(
            {"criteria": config["criteria"], "reference": config["reference_marker"]}
        ),
        accuracy=canonical_json(
            {
                "ci_method": STATISTICS["proportion_ci"],
                "conf_level": STATISTICS["conf_level"],
                "method": STATISTICS["multiple_testing"]["method"],
            }
        ),
    log:
        "logs/criteria/{subgroup}.log",
    benchmark:
        "benchmarks/criteria/{subgroup}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=10,
    script:
        rule_script("criteria")
