"""A full run on the bundled SIMULATED cohort reproduces claims 1-5 of STUDY.md.

Uses the session's `completed_run` (one `snakemake --cores 4` in a temporary copy, ~30 s,
shared with other workflow tests). Each claim is checked twice: in results/claims.tsv, and
directly in the pre/post and accuracy tables behind it, so a wrong verdict cannot hide a wrong
table or the other way round.
"""

import pytest
import yaml

from il6hcc.tables import read_tsv

REFERENCE = "il6"
OTHER_MARKERS = ("afp", "afp_l3", "dcp")
# Audit tables that describe files rather than data: they carry no data_status column.
NOT_RESULT_TABLES = {"provenance.tsv"}


@pytest.fixture(scope="module")
def run(completed_run):
    config = yaml.safe_load((completed_run / "config.yaml").read_text(encoding="utf-8"))
    assert config["reference_marker"] == REFERENCE
    return completed_run, config


@pytest.fixture(scope="module")
def claims(run):
    workdir, _ = run
    return read_tsv(workdir / "results" / "claims.tsv").set_index("claim")


def prepost_row(workdir, subgroup, group):
    table = read_tsv(workdir / "results" / "paired_stats" / subgroup / "prepost.tsv")
    rows = table[(table["marker"] == REFERENCE) & (table["group"] == group)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("claim", "role", "group", "significant"),
    [
        ("1", "first_line", "all", True),
        ("2", "later_line", "all", False),
        ("3", "first_line", "responders", True),
        ("4", "first_line", "non-responders", False),
    ],
)
def test_pre_post_claims_are_reproduced(run, claims, claim, role, group, significant):
    workdir, config = run
    alpha = config["statistics"]["alpha"]
    subgroup = config["claims"][role]
    row = prepost_row(workdir, subgroup, group)
    assert row["estimable"]
    assert (row["p_value"] < alpha) == significant
    assert claims.loc[claim, "verdict"] == "reproduced"
    assert claims.loc[claim, "subgroup"] == subgroup
    assert claims.loc[claim, "p_value"] == pytest.approx(row["p_value"], rel=1e-12)
    assert claims.loc[claim, "method"] == row["method"]


def test_claim_3_is_a_rise(run):
    workdir, config = run
    row = prepost_row(workdir, config["claims"]["first_line"], "responders")
    assert row["change_metric"] == config["change_metric"] == "log2_ratio"
    assert row["change_median"] > 0
    assert row["n_increased"] > row["n_decreased"]


def test_claim_5_il6_has_the_highest_sensitivity(run, claims):
    workdir, config = run
    subgroup = config["claims"]["accuracy_subgroup"]
    accuracy = read_tsv(workdir / "results" / "criteria" / subgroup / "accuracy.tsv")
    sensitivity = accuracy[accuracy["measure"] == "sensitivity"].set_index("marker")
    assert sensitivity["estimable"].all()
    for other in OTHER_MARKERS:
        assert sensitivity.loc[REFERENCE, "estimate"] > sensitivity.loc[other, "estimate"], other
    assert claims.loc["5", "verdict"] == "reproduced"
    assert claims.loc["5", "estimate"] == pytest.approx(sensitivity.loc[REFERENCE, "estimate"])
    mcnemar = read_tsv(workdir / "results" / "criteria" / subgroup / "mcnemar.tsv")
    compared = mcnemar[mcnemar["measure"] == "sensitivity"]
    assert set(compared["marker_b"]) == set(OTHER_MARKERS)
    assert (compared["population"] == "responders").all()


def test_the_direct_first_versus_later_line_test_is_reported(run, claims):
    workdir, config = run
    comparison = read_tsv(
        workdir / "results" / "compare_subgroups" / f"{config['claims']['comparison']}.tsv"
    )
    row = comparison[comparison["marker"] == REFERENCE].iloc[0]
    assert row["estimable"]
    assert claims.loc["1 vs 2", "p_value"] == pytest.approx(row["p_value"], rel=1e-12)
    assert claims.loc["1 vs 2", "verdict"] in {"difference shown", "difference not shown"}


def test_every_result_table_says_the_data_are_simulated(run):
    workdir, _ = run
    tables = sorted((workdir / "results").rglob("*.tsv"))
    checked = [path for path in tables if path.name not in NOT_RESULT_TABLES]
    assert len(checked) >= 30
    for path in checked:
        table = read_tsv(path)
        assert table.columns[0] == "data_status", path.relative_to(workdir)
        assert (table["data_status"] == "simulated").all(), path.relative_to(workdir)
