"""Rule paired_stats: pre/post tests, responders versus non-responders, logistic regression."""

import pandas as pd

from il6hcc.paired import logistic_table, prepost_table, responder_comparison_table
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import mark_empty_subgroup, read_selection
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    subgroup = snakemake.wildcards.subgroup
    markers = load_json_param(snakemake.params.markers)
    metric = snakemake.params.metric
    tests = load_json_param(snakemake.params.tests)
    adjustment = tests["multiple_testing"]
    options = {
        "subgroup": subgroup,
        "markers": markers,
        "metric": metric,
        "correct": tests["continuity_correction"],
        "adjust_method": adjustment["method"],
        "adjust_family": adjustment["family"],
    }
    status = data_status(patients)
    empty = read_selection(snakemake.input.selection)["empty_reason"]
    prepost = prepost_table(
        patients,
        **options,
        scale=tests["signed_rank_scale"],
        conf_level=tests["conf_level"],
    )
    write_result(mark_empty_subgroup(prepost, empty), snakemake.output.prepost, status)
    responders = responder_comparison_table(patients, **options)
    write_result(mark_empty_subgroup(responders, empty), snakemake.output.responders, status)
    logistic = tests["logistic"]
    if logistic["enabled"]:
        table = logistic_table(
            patients,
            subgroup=subgroup,
            markers=markers,
            metric=metric,
            adjust_for=logistic["adjust_for"],
            conf_level=tests["conf_level"],
        )
    else:
        table = pd.DataFrame(
            {
                "subgroup": [subgroup],
                "estimable": [False],
                "reason": ["logistic regression disabled in config (statistics.logistic)"],
            }
        )
    write_result(mark_empty_subgroup(table, empty), snakemake.output.logistic, status)


run_rule(snakemake, main)  # noqa: F821
