# Stage 6: manuscript figures per subgroup (SVG for the report, PDF for a manuscript).


rule figures:
    input:
        patients=rules.stratify.output.patients,
        auc=rules.roc.output.auc,
        curves=rules.roc.output.curves,
        code=modules("figures"),
    output:
        paired_svg=[
            report(
                path,
                caption="../report/paired_figure.rst",
                category="8 Figures",
                subcategory="{subgroup}",
                labels={"subgroup": "{subgroup}", "figure": f"paired plot, {marker}"},
            )
            for marker, path in zip(
                MARKER_KEYS,
                expand("results/figures/{{subgroup}}/paired_{marker}.svg", marker=MARKER_KEYS),
            )
        ],
        paired_pdf=expand("results/figures/{{subgroup}}/paired_{marker}.pdf", marker=MARKER_KEYS),
        roc_svg=report(
            "results/figures/{subgroup}/roc.svg",
            caption="../report/roc_figure.rst",
            category="8 Figures",
            subcategory="{subgroup}",
            labels={"subgroup": "{subgroup}", "figure": "ROC curves"},
        ),
        roc_pdf="results/figures/{subgroup}/roc.pdf",
        provenance="results/provenance/figures/{subgroup}.json",
    log:
        "logs/figures/{subgroup}.log",
    benchmark:
        "benchmarks/figures/{subgroup}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(20, base=1024),
        runtime=20,
    params:
        **ruleparams.figures(config),
    script:
        rule_script("figures")
