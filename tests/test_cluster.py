"""The workflow runs unchanged through a cluster executor plugin and gives the local results.

snakemake-executor-plugin-cluster-generic submits every job as its own background process
(`bash jobscript &`, the way sbatch would start it on a node), each a separate Snakemake
process that sees only the shared working directory: a rule that relied on state outside its
declared inputs (a file another job left, a module-level cache, the main process's working
directory or environment) would fail or give different tables. One cluster run of the
one-subgroup configuration (every rule but the two that need several subgroups; the session's
``cluster_run``, started in the background at the start of the session, tests/conftest.py);
compared, every file of results/ byte for byte, with the local run of the
`one_subgroup_run` fixture, whose jobs all ran in Snakemake's own process: so this also proves
that such a run (tests/snakemake_in_process.py) gives what a process per job gives. Planning's
scatter/gather is part of it: its chunk jobs, each a separate process on the "cluster", give the
local tables.
"""

from workflow_helpers import assert_same_results, result_files


def test_cluster_generic_run_gives_the_local_results_byte_for_byte(cluster_run, one_subgroup_run):
    workdir, output = cluster_run
    # The jobs really went through the plugin (one submission per job, each with an id).
    assert output.count("with external jobid") >= 12
    assert output.count("rule planning_chunk:") == 4

    # Both runs had the same SOURCE_DATE_EPOCH (tests/workflow_helpers.py): every file, the
    # report and the provenance records included, is the same byte for byte.
    local = result_files(one_subgroup_run)
    assert len(local) > 40
    assert {"results/report.html", "results/provenance.tsv", "results/planning/power.tsv"} <= set(
        local
    )
    assert_same_results(one_subgroup_run, workdir)
