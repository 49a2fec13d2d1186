"""Rule survival: landmark prognosis analysis by IL-6 change (tables and KM figures)."""

from il6hcc.figures import outputs_by_key, save
from il6hcc.prognosis import group_labels, prognosis_tables
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import mark_empty_subgroup, read_selection
from il6hcc.survival_figures import km_plot
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    subgroup = snakemake.wildcards.subgroup
    settings = load_json_param(snakemake.params.analysis)
    status = data_status(patients)
    empty = read_selection(snakemake.input.selection)["empty_reason"]
    tables = {
        name: mark_empty_subgroup(table, empty)
        for name, table in prognosis_tables(patients, subgroup=subgroup, **settings).items()
    }
    for name, table in tables.items():
        write_result(table, snakemake.output[name], status)
    grouping = settings["grouping"]
    svgs = outputs_by_key(snakemake.output.km_svg, "km_")
    pdfs = outputs_by_key(snakemake.output.km_pdf, "km_")
    for endpoint in settings["endpoints"]:
        figure = km_plot(
            tables["km"],
            tables["at_risk"],
            endpoint=endpoint,
            labels=group_labels(grouping),
            subgroup=subgroup,
            legend_title=f"{settings['marker_label']} pre to week 3",
            landmark_months=settings["landmark_months"],
            conf_level=settings["conf_level"],
            simulated=status == "simulated",
        )
        identity = {"figure": "km", "subgroup": subgroup, "endpoint": endpoint}
        save(figure, svgs[endpoint], pdfs[endpoint], identity)
    flow = tables["flow"]
    for row in flow.itertuples():
        log.info("%s %s %s %s", row.endpoint, row.step, row.reason, row.n)
    claim = tables["claim"].iloc[0]
    log.info("claim 6 in %s: %s (%s)", subgroup, claim["verdict"], claim["detail"])


run_rule(snakemake, main)  # noqa: F821
