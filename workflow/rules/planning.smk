# Stage 8: planning a confirmatory study. Scatter: one job per (size, chunk of simulated
# studies); gather: power, sample size and the power figure. Each chunk draws its studies from
# their own random streams, so the tables do not depend on the chunking (il6hcc/planning.py).


rule planning_chunk:
    input:
        patients=rules.clean.output.patients,
        code=modules("planning_chunk"),
    output:
        chunk="results/planning/chunks/{size}/{chunk}.tsv",
        provenance="results/provenance/planning_chunk/{size}/{chunk}.json",
    log:
        "logs/planning_chunk/{size}/{chunk}.log",
    benchmark:
        "benchmarks/planning_chunk/{size}/{chunk}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=planning_chunk_mem_mb,
        runtime=planning_chunk_runtime,
    params:
        **per_job(
            ruleparams.planning_chunk,
            "planning",
            "markers",
            "criteria",
            "reference_marker",
            "change_metric",
            "statistics",
            "studies",
        ),
    script:
        rule_script("planning_chunk")


rule planning_gather:
    input:
        chunks=planning_chunk_outputs(),
        patients=rules.clean.output.patients,
        code=modules("planning_gather"),
    output:
        power=report(
            "results/planning/power.tsv",
            caption="../report/planning_power.rst",
            category="8 Planning",
            labels={"table": "power by sample size"},
        ),
        sample_size=report(
            "results/planning/sample_size.tsv",
            caption="../report/planning_sample_size.rst",
            category="8 Planning",
            labels={"table": "sample size for target power"},
        ),
        svg=report(
            "results/planning/power_curves.svg",
            caption="../report/planning_power.rst",
            category="8 Planning",
            labels={"figure": "power by sample size"},
        ),
        pdf="results/planning/power_curves.pdf",
        provenance="results/provenance/planning_gather/planning_gather.json",
    log:
        "logs/planning_gather/planning_gather.log",
    benchmark:
        "benchmarks/planning_gather/planning_gather.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        **ruleparams.planning_gather(config),
    script:
        rule_script("planning_gather")
