# Stage 1: read and validate the raw cohort file, canonicalise it, record its sha256.


rule ingest:
    input:
        raw=config["cohort"]["path"],
        sidecar=cohort_sidecar(),
        code=modules("ingest"),
    output:
        cohort="results/ingest/cohort.tsv",
        normalisations="results/ingest/normalisations.tsv",
        manifest="results/ingest/input.json",
        provenance="results/provenance/ingest/ingest.json",
    log:
        "logs/ingest/ingest.log",
    benchmark:
        "benchmarks/ingest/ingest.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(60),
        runtime=10,
    params:
        **ruleparams.ingest(config),
    script:
        rule_script("ingest")
