"""Rule stratify: the patients of one configured subgroup, and how many of the cohort they are."""

import json
import sys

from il6hcc.rulekit import data_status, load_json_param, run_rule, warn_on_screen, write_result
from il6hcc.subgroups import select_subgroup, selection_record, unmatched_values
from il6hcc.tables import read_patients


def main(snakemake, log):
    patients = read_patients(snakemake.input.patients)
    filters = load_json_param(snakemake.params.filters)
    subgroup = snakemake.wildcards.subgroup
    selected = select_subgroup(patients, filters, subgroup=subgroup)
    write_result(selected, snakemake.output.patients, data_status(patients))
    notes = unmatched_values(patients, filters)
    selection = selection_record(
        len(selected), len(patients), filters, subgroup=subgroup, notes=notes
    )
    with open(snakemake.output.selection, "w", encoding="utf-8") as handle:
        json.dump(selection, handle, indent=1, sort_keys=True)
        handle.write("\n")
    log.info("subgroup %s: %d of %d patients (filters %s)", subgroup, len(selected),
             len(patients), filters)  # fmt: skip
    if selection["empty_reason"]:
        warning = (
            f"subgroup {subgroup}: {selection['empty_reason']}; its analyses are not estimable"
        )
        log.warning("%s", warning)
        # The job's stderr reaches Snakemake's console on a local run; the Snakefile's onsuccess
        # handler repeats it in Snakemake's own log, which a cluster run also keeps.
        print(f"Warning in rule stratify: {warning}", file=sys.stderr)
    elif notes:
        for note in notes:
            warn_on_screen(log, f"subgroup {subgroup}: {note}")


run_rule(snakemake, main)  # noqa: F821
