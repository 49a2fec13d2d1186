# Stage 3: one patients table per configured subgroup (the subgroup is a wildcard).


rule stratify:
    input:
        patients=rules.clean.output.patients,
        code=modules("stratify"),
    output:
        patients="results/stratify/{subgroup}/patients.tsv",
        provenance="results/provenance/stratify/{subgroup}.json",
    params:
        filters=subgroup_filters,
    log:
        "logs/stratify/{subgroup}.log",
    benchmark:
        "benchmarks/stratify/{subgroup}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=10,
    script:
        rule_script("stratify")
