# Stage 8: the claims check rerun under every combination of defensible analytic choices
# (a multiverse), in batches of specifications; the batches are gathered and summarised.


rule robustness_batch:
    input:
        cohort=rules.ingest.output.cohort,
        code=modules("robustness_batch"),
    output:
        specifications="results/robustness/batches/{batch}.tsv",
        provenance="results/provenance/robustness_batch/{batch}.json",
    log:
        "logs/robustness_batch/{batch}.log",
    benchmark:
        "benchmarks/robustness_batch/{batch}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(25),
        runtime=30,
    params:
        **ruleparams.robustness_batch(config),
    script:
        rule_script("robustness_batch")


rule robustness_summary:
    input:
        batches=expand("results/robustness/batches/{batch}.tsv", batch=BATCHES),
        claims=rules.claims.output.claims,
        code=modules("robustness_summary"),
    output:
        specifications=report(
            "results/robustness/specifications.tsv",
            caption="../report/robustness.rst",
            category="2 Claims check",
            subcategory="robustness",
            labels={"table": "specifications"},
        ),
        summary=report(
            "results/robustness/summary.tsv",
            caption="../report/robustness.rst",
            category="2 Claims check",
            subcategory="robustness",
            labels={"table": "summary"},
        ),
        provenance="results/provenance/robustness_summary/robustness_summary.json",
    log:
        "logs/robustness_summary/robustness_summary.log",
    benchmark:
        "benchmarks/robustness_summary/robustness_summary.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=10,
    params:
        **ruleparams.robustness_summary(config),
    script:
        rule_script("robustness_summary")


rule robustness_influence:
    input:
        cohort=rules.ingest.output.cohort,
        code=modules("robustness_influence"),
    output:
        influence=report(
            "results/robustness/influence.tsv",
            caption="../report/influence.rst",
            category="2 Claims check",
            subcategory="robustness",
            labels={"table": "leave-one-out influence"},
        ),
        fragility=report(
            "results/robustness/fragility.tsv",
            caption="../report/fragility.rst",
            category="2 Claims check",
            subcategory="robustness",
            labels={"table": "fragility index"},
        ),
        provenance="results/provenance/robustness_influence/robustness_influence.json",
    log:
        "logs/robustness_influence/robustness_influence.log",
    benchmark:
        "benchmarks/robustness_influence/robustness_influence.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(25),
        runtime=30,
    params:
        **ruleparams.robustness_influence(config),
    script:
        rule_script("robustness_influence")


rule robustness_figures:
    input:
        specifications=rules.robustness_summary.output.specifications,
        claims=rules.claims.output.claims,
        code=modules("robustness_figures"),
    output:
        svg=expand(
            "results/robustness/figures/specification_curve_{claim}.svg",
            claim=CLAIM_FILE_NAMES.values(),
        ),
        pdf=expand(
            "results/robustness/figures/specification_curve_{claim}.pdf",
            claim=CLAIM_FILE_NAMES.values(),
        ),
        provenance="results/provenance/robustness_figures/robustness_figures.json",
    log:
        "logs/robustness_figures/robustness_figures.log",
    benchmark:
        "benchmarks/robustness_figures/robustness_figures.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10, base=1024),
        runtime=10,
    params:
        **ruleparams.robustness_figures(config),
    script:
        rule_script("robustness_figures")


# Optimism-corrected prediction: bootstrap resamples of each subgroup in batches (identical
# however many), gathered into one table and the file of the resamples' index sets.
rule optimism_batch:
    input:
        patients=rules.stratify.output.patients,
        code=modules("optimism_batch"),
    output:
        resamples="results/robustness/optimism_batches/{subgroup}/{batch}.tsv",
        provenance="results/provenance/optimism_batch/{subgroup}/{batch}.json",
    log:
        "logs/optimism_batch/{subgroup}/{batch}.log",
    benchmark:
        "benchmarks/optimism_batch/{subgroup}/{batch}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=optimism_batch_mem_mb,
        runtime=30,
    params:
        **ruleparams.optimism_batch(config),
    script:
        rule_script("optimism_batch")


rule optimism_summary:
    input:
        unpack(optimism_subgroup_inputs),
        batches=expand(
            rules.optimism_batch.output.resamples,
            subgroup=SUBGROUPS,
            batch=OPTIMISM_BATCHES,
        ),
        code=modules("optimism_summary"),
    output:
        optimism=report(
            "results/robustness/optimism.tsv",
            caption="../report/optimism.rst",
            category="2 Claims check",
            subcategory="robustness",
            labels={"table": "optimism-corrected prediction"},
        ),
        index_sets="results/robustness/optimism_index_sets.tsv.gz",
        provenance="results/provenance/optimism_summary/optimism_summary.json",
    log:
        "logs/optimism_summary/optimism_summary.log",
    benchmark:
        "benchmarks/optimism_summary/optimism_summary.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(100),
        runtime=30,
    params:
        **ruleparams.optimism_summary(config),
    script:
        rule_script("optimism_summary")
