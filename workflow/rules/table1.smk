# Baseline characteristics (Table 1) of each subgroup, by line of therapy and by response.


rule table1:
    input:
        patients=rules.stratify.output.patients,
        selection=rules.stratify.output.selection,
        code=modules("table1"),
    output:
        summary=report(
            "results/table1/{subgroup}/summary.tsv",
            caption="../report/table1.rst",
            category="4 Table 1",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}"},
        ),
        tests="results/table1/{subgroup}/tests.tsv",
        provenance="results/provenance/table1/{subgroup}.json",
    log:
        "logs/table1/{subgroup}.log",
    benchmark:
        "benchmarks/table1/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(25),
        runtime=10,
    params:
        **ruleparams.table1(config),
    script:
        rule_script("table1")
