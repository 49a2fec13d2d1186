# Audit trail: every output with the rule that made it, its inputs' sha256, params and versions.


def job_records(wildcards):
    """The provenance record of every job in the workflow (one per rule and wildcard value)."""
    records = [rules.ingest.output.provenance, rules.clean.output.provenance,
               rules.report.output.provenance]  # fmt: skip
    for rule_ in (rules.stratify, rules.table1, rules.paired_stats, rules.roc, rules.criteria,
                  rules.figures):  # fmt: skip
        records += expand(rule_.output.provenance, subgroup=SUBGROUPS)
    records += expand(rules.compare_subgroups.output.provenance, comparison=COMPARISONS)
    if config["claims"]:
        records.append(rules.claims.output.provenance)
    return records


rule provenance:
    input:
        records=job_records,
        code=modules("provenance"),
    output:
        table="results/provenance.tsv",
    log:
        "logs/provenance/provenance.log",
    benchmark:
        "benchmarks/provenance/provenance.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    script:
        rule_script("provenance")
