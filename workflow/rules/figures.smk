# Stage 6: manuscript figures per subgroup (SVG for the report, PDF for a manuscript).


rule figures:
    input:
        patients=rules.stratify.output.patients,
        auc=rules.roc.output.auc,
        curves=rules.roc.output.curves,
        code=modules("figures"),
    output:
        paired_svg=expand("results/figures/{{subgroup}}/paired_{marker}.svg", marker=MARKER_KEYS),
        paired_pdf=expand("results/figures/{{subgroup}}/paired_{marker}.pdf", marker=MARKER_KEYS),
        roc_svg="results/figures/{subgroup}/roc.svg",
        roc_pdf="results/figures/{subgroup}/roc.pdf",
        provenance="results/provenance/figures/{subgroup}.json",
    params:
        markers=markers_param("label", "unit", "lloq", "uloq"),
        max_lines=config["figures"]["max_patients_per_line_plot"],
    log:
        "logs/figures/{subgroup}.log",
    benchmark:
        "benchmarks/figures/{subgroup}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb_from_input(10, floor=1024),
        runtime=20,
    script:
        rule_script("figures")
