# Audit trail: every output with the rule that made it, its inputs' sha256, params and versions.


rule provenance:
    input:
        records=job_records,
        code=modules("provenance"),
    output:
        table=report(
            "results/provenance.tsv",
            caption="../report/provenance.rst",
            category="9 Provenance",
            labels={"table": "provenance"},
        ),
    log:
        "logs/provenance/provenance.log",
    benchmark:
        "benchmarks/provenance/provenance.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    script:
        rule_script("provenance")
