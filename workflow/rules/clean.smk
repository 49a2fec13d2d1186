# Stage 2: substitute censored values, flag responders, record every exclusion and the flow.


rule clean:
    input:
        cohort=rules.ingest.output.cohort,
        code=modules("clean"),
    output:
        patients="results/clean/patients.tsv",
        exclusions="results/clean/exclusions.tsv",
        censoring="results/clean/censoring.tsv",
        flow="results/clean/flow.tsv",
        provenance="results/provenance/clean/clean.json",
    params:
        markers=markers_param("lloq", "uloq"),
        censoring=canonical_json(config["censoring"]),
        response=canonical_json(config["response"]),
    log:
        "logs/clean/clean.log",
    benchmark:
        "benchmarks/clean/clean.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(20),
        runtime=10,
    script:
        rule_script("clean")
