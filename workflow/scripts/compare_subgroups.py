"""Rule compare_subgroups: the change in subgroup a versus subgroup b (Mann-Whitney U)."""

from il6hcc.paired import subgroup_comparison_table
from il6hcc.rulekit import data_status, load_json_param, run_rule, write_result
from il6hcc.subgroups import mark_empty_subgroup, read_selection
from il6hcc.tables import read_patients


def main(snakemake, log):
    group_a = read_patients(snakemake.input.a)
    group_b = read_patients(snakemake.input.b)
    tests = load_json_param(snakemake.params.tests)
    table = subgroup_comparison_table(
        group_a,
        group_b,
        comparison=load_json_param(snakemake.params.comparison),
        markers=load_json_param(snakemake.params.markers),
        metric=snakemake.params.metric,
        correct=tests["continuity_correction"],
        adjust_method=tests["method"],
    )
    # Each record names its subgroup; an empty side makes the comparison not estimable.
    empty = "; ".join(
        f"subgroup {selection['subgroup']}: {selection['empty_reason']}"
        for selection in map(read_selection, snakemake.input.selections)
        if selection["empty_reason"]
    )
    write_result(mark_empty_subgroup(table, empty), snakemake.output.table, data_status(group_a))


run_rule(snakemake, main)  # noqa: F821
