# Baseline characteristics (Table 1) of each subgroup, by line of therapy and by response.


rule table1:
    input:
        patients=rules.stratify.output.patients,
        code=modules("table1"),
    output:
        summary="results/table1/{subgroup}/summary.tsv",
        tests="results/table1/{subgroup}/tests.tsv",
        provenance="results/provenance/table1/{subgroup}.json",
    params:
        variables=canonical_json(config["table1"]),
        markers=markers_param("label"),
    log:
        "logs/table1/{subgroup}.log",
    benchmark:
        "benchmarks/table1/{subgroup}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10),
        runtime=10,
    script:
        rule_script("table1")
