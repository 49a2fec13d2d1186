# Stage 2: substitute censored values, flag responders, record every exclusion and the flow.


rule clean:
    input:
        cohort=rules.ingest.output.cohort,
        code=modules("clean"),
    output:
        patients="results/clean/patients.tsv",
        exclusions=report(
            "results/clean/exclusions.tsv",
            caption="../report/exclusions.rst",
            category="3 Data and flow",
            labels={"table": "excluded patients"},
        ),
        censoring="results/clean/censoring.tsv",
        flow=report(
            "results/clean/flow.tsv",
            caption="../report/flow.rst",
            category="3 Data and flow",
            labels={"table": "participant flow"},
        ),
        provenance="results/provenance/clean/clean.json",
    log:
        "logs/clean/clean.log",
    benchmark:
        "benchmarks/clean/clean.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(25),
        runtime=10,
    params:
        **ruleparams.clean(config),
    script:
        rule_script("clean")
