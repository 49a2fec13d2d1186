# Stage 7: the claims check and the self-contained HTML report.


rule claims:
    input:
        prepost_first=lambda wc: f"results/paired_stats/{config['claims']['first_line']}/prepost.tsv",
        prepost_later=lambda wc: f"results/paired_stats/{config['claims']['later_line']}/prepost.tsv",
        accuracy=lambda wc: f"results/criteria/{config['claims']['accuracy_subgroup']}/accuracy.tsv",
        mcnemar=lambda wc: f"results/criteria/{config['claims']['accuracy_subgroup']}/mcnemar.tsv",
        comparison=lambda wc: f"results/compare_subgroups/{config['claims']['comparison']}.tsv",
        code=modules("claims"),
    output:
        claims=report(
            "results/claims.tsv",
            caption="../report/claims.rst",
            category="2 Claims check",
            labels={"table": "claims 1-5"},
        ),
        provenance="results/provenance/claims/claims.json",
    log:
        "logs/claims/claims.log",
    benchmark:
        "benchmarks/claims/claims.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    params:
        **ruleparams.claims(config),
    script:
        rule_script("claims")


rule rulegraph:
    input:
        # Rewritten by the Snakefile only when the graph changes (write_rule_graph).
        graph=RULE_GRAPH,
        code=modules("rulegraph"),
    output:
        dot="results/rulegraph/rulegraph.dot",
        svg=report(
            "results/rulegraph/rulegraph.svg",
            caption="../report/rulegraph.rst",
            category="9 Provenance",
            labels={"figure": "rule graph"},
        ),
        info="results/rulegraph/rulegraph.json",
        provenance="results/provenance/rulegraph/rulegraph.json",
    log:
        "logs/rulegraph/rulegraph.log",
    benchmark:
        "benchmarks/rulegraph/rulegraph.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    script:
        rule_script("rulegraph")


rule report_section:
    input:
        unpack(section_inputs),
    output:
        section="results/report/sections/{subgroup}.json",
        provenance="results/provenance/report_section/{subgroup}.json",
    log:
        "logs/report_section/{subgroup}.log",
    benchmark:
        "benchmarks/report_section/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(5),
        runtime=5,
    params:
        **ruleparams.report_section(config),
    script:
        rule_script("report_section")


rule report:
    input:
        unpack(report_inputs),
    output:
        html=report(
            "results/report.html",
            caption="../report/study_report.rst",
            category="1 Study report",
            labels={"file": "report.html"},
        ),
        provenance="results/provenance/report/report.json",
    log:
        "logs/report/report.log",
    benchmark:
        "benchmarks/report/report.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(5, base=1024),
        runtime=10,
    params:
        # Sections are shown in the configured order (the canonical configuration is sorted).
        subgroup_order=SUBGROUPS,
        # Linked from the report, not read: provenance.tsv lists the report itself.
        provenance_table="results/provenance.tsv",
        # The report's "Generated" time: SOURCE_DATE_EPOCH when set, else "" (the time now).
        source_date_epoch=SOURCE_DATE_EPOCH,
    script:
        rule_script("report")
