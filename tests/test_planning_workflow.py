"""The planning stage run by Snakemake: its scattered chunk jobs give the tables that one chunk
computed in this process gives, and the report's section says what the tables say.

Uses the shared `one_subgroup_run` (its configuration plans two sizes of 14 studies in two
chunks each, tests/workflow_helpers.one_subgroup) and `variant_run`; no Snakemake run of its own.
"""

import json
import math
import re

import pandas as pd
from workflow_helpers import REPO, light_stages, load_config, run_step

from il6hcc import ruleparams
from il6hcc.config import planning_chunks, planning_plan
from il6hcc.planning import power_table, run_chunk
from il6hcc.steps.planning import planning_chunk, planning_gather
from il6hcc.tables import read_patients, read_tsv


def test_scattered_chunks_give_the_tables_of_one_chunk(one_subgroup_run):
    workdir = one_subgroup_run
    config = load_config(workdir)["planning"]
    chunks = sorted((workdir / "results" / "planning" / "chunks").rglob("*.tsv"))
    assert len(chunks) == 4
    # The plan exactly as the chunk jobs were given it (their provenance records the params).
    provenance = json.loads(
        (workdir / "results" / "provenance" / "planning_chunk" / "40" / "1.json").read_text()
    )
    params = provenance["params"]
    assert params.pop("studies") == [7, 14]
    plan = planning_plan(params)
    patients = read_patients(workdir / "results" / "clean" / "patients.tsv")
    one_chunk = pd.concat(
        run_chunk(patients, plan, size, range(config["replicates"]))[0] for size in config["sizes"]
    )
    expected = power_table(one_chunk)
    written = read_tsv(workdir / "results" / "planning" / "power.tsv")
    assert set(written["replicates"]) == {14}
    columns = list(expected.columns)
    pd.testing.assert_frame_equal(
        written[columns].reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )


def test_report_sentences_state_the_sample_size_table(one_subgroup_run):
    workdir = one_subgroup_run
    sizes = read_tsv(workdir / "results" / "planning" / "sample_size.tsv")
    html = (workdir / "results" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="planning"') :]
    section = section[: section.index("</section>")]
    assert "Planning a confirmatory study" in section
    for row in sizes.itertuples():
        item = re.search(
            rf'<li data-test="{row.test}" data-marker="{row.marker}">(.*?)</li>', section, re.S
        )
        assert item, (row.test, row.marker)
        attributes = re.search(
            rf'data-target-power="{row.target_power}" data-n-required="([^"]*)"', item.group(1)
        )
        target = f"{100 * row.target_power:.0f}% power"
        if math.isnan(row.n_required):
            assert attributes.group(1) == ""
            assert (
                f"{target} is not reached at the largest size evaluated (80 patients"
                in item.group(1)
            )
        else:
            assert float(attributes.group(1)) == row.n_required
            if row.note:
                assert f"{target} is reached at the smallest size evaluated (40)" in item.group(1)
            else:
                assert f"{target} needs about {math.ceil(row.n_required)} patients" in item.group(1)


def test_planning_tables_are_the_same_under_renamed_subgroups_and_reversed_markers(
    variant_run, tmp_path
):
    """The variant run lists markers in reverse and renames and adds subgroups: one study draws
    patients, not markers or subgroups, so its planning tables equal, row by key whatever the
    position, those that the planning steps give in this process under the default
    configuration's names and order (the same light plan, workflow_helpers.light_stages)."""
    variant, _ = variant_run
    config = light_stages(load_config(REPO))
    patients = variant / "results" / "clean" / "patients.tsv"
    chunks = []
    for size, chunk, _, _ in planning_chunks(config["planning"]):
        chunks.append(tmp_path / f"{size}_{chunk}.tsv")
        settings = ruleparams.planning_chunk(config, size, chunk) | {"size": size, "chunk": chunk}
        run_step(planning_chunk, settings, {"patients": patients}, {"chunk": chunks[-1]})
    run_step(
        planning_gather,
        ruleparams.planning_gather(config),
        {"chunks": chunks, "patients": patients},
        {table: tmp_path / f"{table}.tsv" for table in ("power", "sample_size")},
        figures=[tmp_path / "power_curves.svg", tmp_path / "power_curves.pdf"],
    )
    for table, keys in (
        ("power", ["n_patients", "test", "marker"]),
        ("sample_size", ["test", "marker", "target_power"]),
    ):
        default = read_tsv(tmp_path / f"{table}.tsv").set_index(keys)
        edited = read_tsv(variant / "results" / "planning" / f"{table}.tsv").set_index(keys)
        assert not default.index.duplicated().any()
        assert set(edited.index) == set(default.index)
        pd.testing.assert_frame_equal(
            edited.loc[default.index, default.columns], default, check_dtype=False
        )
