# Stage 3: one patients table per configured subgroup (the subgroup is a wildcard).


rule stratify:
    input:
        patients=rules.clean.output.patients,
        code=modules("stratify"),
    output:
        patients="results/stratify/{subgroup}/patients.tsv",
        selection="results/stratify/{subgroup}/selection.json",
        provenance="results/provenance/stratify/{subgroup}.json",
    log:
        "logs/stratify/{subgroup}.log",
    benchmark:
        "benchmarks/stratify/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(15),
        runtime=10,
    params:
        **per_job(ruleparams.stratify, "subgroups"),
    script:
        rule_script("stratify")
