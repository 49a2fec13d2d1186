# Stage 1: read and validate the raw cohort file, canonicalise it, record its sha256.


rule ingest:
    input:
        cohort=config["cohort"]["path"],
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
        # Only what reading needs: a marker's limits or label do not change how it is read.
        reading=canonical_json(
            {
                k: config["cohort"][k]
                for k in ("sheet", "encoding", "decimal", "column_map", "max_problems")
            }
        ),
        markers=markers_param("kind", "unit"),
    script:
        rule_script("ingest")
