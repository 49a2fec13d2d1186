# Stage 5: ROC of each marker's change (AUC, DeLong CI and test, Youden threshold), and the
# pre-specified response criteria (2x2 tables, accuracy with CIs, McNemar).


rule roc:
    input:
        patients=rules.stratify.output.patients,
        selection=rules.stratify.output.selection,
        code=modules("roc"),
    output:
        auc=report(
            "results/roc/{subgroup}/auc.tsv",
            caption="../report/auc.rst",
            category="6 ROC",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "table": "AUC"},
        ),
        delong=report(
            "results/roc/{subgroup}/delong.tsv",
            caption="../report/delong.rst",
            category="6 ROC",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "table": "DeLong test"},
        ),
        curves="results/roc/{subgroup}/curves.tsv",
        provenance="results/provenance/roc/{subgroup}.json",
    log:
        "logs/roc/{subgroup}.log",
    benchmark:
        "benchmarks/roc/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(20),
        runtime=20,
    params:
        **ruleparams.roc(config),
    script:
        rule_script("roc")


rule criteria:
    input:
        patients=rules.stratify.output.patients,
        selection=rules.stratify.output.selection,
        code=modules("criteria"),
    output:
        accuracy=report(
            "results/criteria/{subgroup}/accuracy.tsv",
            caption="../report/accuracy.rst",
            category="7 Response criteria",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "table": "accuracy"},
        ),
        mcnemar=report(
            "results/criteria/{subgroup}/mcnemar.tsv",
            caption="../report/mcnemar.rst",
            category="7 Response criteria",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "table": "McNemar"},
        ),
        provenance="results/provenance/criteria/{subgroup}.json",
    log:
        "logs/criteria/{subgroup}.log",
    benchmark:
        "benchmarks/criteria/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(25),
        runtime=10,
    params:
        **ruleparams.criteria(config),
    script:
        rule_script("criteria")
