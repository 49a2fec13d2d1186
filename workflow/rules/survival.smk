# Stage 8: prognosis by IL-6 change, from the week-3 landmark (claim 6): KM, log-rank, Cox.


rule survival:
    input:
        patients=rules.stratify.output.patients,
        selection=rules.stratify.output.selection,
        code=modules("survival"),
    output:
        flow="results/survival/{subgroup}/flow.tsv",
        excluded="results/survival/{subgroup}/excluded.tsv",
        km="results/survival/{subgroup}/km.tsv",
        medians="results/survival/{subgroup}/medians.tsv",
        at_risk="results/survival/{subgroup}/at_risk.tsv",
        logrank="results/survival/{subgroup}/logrank.tsv",
        cox="results/survival/{subgroup}/cox.tsv",
        zph="results/survival/{subgroup}/zph.tsv",
        claim="results/survival/{subgroup}/claim.tsv",
        km_svg=[
            report(
                f"results/survival/{{subgroup}}/km_{endpoint}.svg",
                caption="../report/km_figure.rst",
                category="8 Figures",
                subcategory="{subgroup}",
                labels={"subgroup": "{subgroup}", "figure": f"Kaplan-Meier, {endpoint}"},
            )
            for endpoint in SURVIVAL_ENDPOINTS
        ],
        # fmt: skip
        km_pdf=expand(
            "results/survival/{{subgroup}}/km_{endpoint}.pdf", endpoint=SURVIVAL_ENDPOINTS
        ),
        # fmt: skip
        provenance="results/provenance/survival/{subgroup}.json",
    log:
        "logs/survival/{subgroup}.log",
    benchmark:
        "benchmarks/survival/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(40, base=1024),
        runtime=20,
    params:
        **ruleparams.survival(config),
    script:
        rule_script("survival")
