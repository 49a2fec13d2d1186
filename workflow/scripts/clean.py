"""Rule clean: censored values substituted, responders flagged, exclusions and flow recorded."""

from il6hcc.clean import clean_cohort
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.tables import read_patients


def main(snakemake, log):
    cohort = read_patients(snakemake.input.cohort)
    markers = load_json_param(snakemake.params.markers)
    censoring = load_json_param(snakemake.params.censoring)
    response = load_json_param(snakemake.params.response)
    cleaned = clean_cohort(
        cohort,
        markers=markers,
        below_lloq=censoring["below_lloq"],
        responder_codes=response["responder_codes"],
        not_evaluable_codes=response["not_evaluable_codes"],
    )
    status = data_status(cohort)
    write_result(cleaned.patients, snakemake.output.patients, status)
    write_result(cleaned.exclusions, snakemake.output.exclusions, status)
    write_result(cleaned.censoring, snakemake.output.censoring, status)
    write_result(cleaned.flow, snakemake.output.flow, status)
    log.info(
        "%d patients, %d exclusion records, %d censored values substituted",
        len(cleaned.patients),
        len(cleaned.exclusions),
        len(cleaned.censoring),
    )


run_rule(snakemake, main)  # noqa: F821
