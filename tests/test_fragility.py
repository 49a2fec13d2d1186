"""Fragility index (il6hcc.fragility): Walsh's 2x2 index against R, and the claims' index."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis_helpers import IL6
from test_influence import MAIN, six_rising_responders
from test_multiverse import settings, small_cohort

from il6hcc.fragility import FRAGILITY_COLUMNS, claims_fragility, fragility_2x2
from il6hcc.multiverse import Multiverse, main_specification
from il6hcc.stats.proportions import fisher_exact
from il6hcc.tables import read_tsv

FIXTURES = Path(__file__).parent / "fixtures" / "fragility"
IL6_ONLY = {
    "markers": [IL6],
    "criteria": {"il6": {"metric": "percent", "comparison": "gt", "value": 0}},
}


def test_walsh_2x2_by_hand():
    # 1/50 vs 10/50: Fisher p = 0.0078; 2/50 vs 10/50 still p = 0.028 < 0.05; 3/50 vs 10/50
    # p = 0.072: two non-events of the group with fewer events must become events.
    assert fisher_exact([[2, 48], [10, 40]]).p_value < 0.05
    assert fisher_exact([[3, 47], [10, 40]]).p_value >= 0.05
    assert fragility_2x2(1, 50, 10, 50) == 2
    assert fragility_2x2(10, 50, 1, 50) == 2
    assert fragility_2x2(5, 50, 6, 50) == 0


def test_walsh_2x2_against_r():
    tables = read_tsv(FIXTURES / "tables.tsv")
    assert len(tables) == 7
    for row in tables.itertuples():
        table = [[row.events_a, row.total_a - row.events_a],
                 [row.events_b, row.total_b - row.events_b]]  # fmt: skip
        assert fisher_exact(table).p_value == pytest.approx(row.p_value, rel=1e-9), row.case
        index = fragility_2x2(row.events_a, row.total_a, row.events_b, row.total_b, alpha=row.alpha)
        expected = None if pd.isna(row.fragility_index) else int(row.fragility_index)
        assert index == expected, row.case


def test_one_responder_less_reverses_a_six_responder_rise():
    """Claim 3 rests on 6 rising responders (exact p = 2/64): any of them swapped to
    non-response leaves p = 2/32 >= 0.05, while a non-responder added to them keeps p < 0.05,
    so the first swap is a responder (the first in file order, all being equal)."""
    data = six_rising_responders()
    table = claims_fragility(data, settings(**IL6_ONLY, main=MAIN), max_flips=5)
    assert table.columns.tolist() == FRAGILITY_COLUMNS
    claim_3 = table.set_index("claim").loc["3"]
    assert claim_3["main_verdict"] == "reproduced" and claim_3["verdict_after"] == "not reproduced"
    assert claim_3["fragility_index"] == 1 and claim_3["fragility"] == "1"
    assert claim_3["flipped_patients"] == "P000" and claim_3["flipped_to"] == "non-responder"


def swapped_cohort(data: pd.DataFrame, patients: str) -> pd.DataFrame:
    """The raw cohort with the named patients' response codes swapped (PR <-> SD)."""
    data = data.copy()
    for patient in patients.split(", "):
        at = data["patient_id"] == patient
        responded = data.loc[at, "response"].iloc[0] in ("CR", "PR")
        data.loc[at, "response"] = "SD" if responded else "PR"
    return data


@pytest.fixture(scope="module")
def thirty_patients():
    """small_cohort(30) with its fragility table (at most 10 swaps a claim)."""
    data = small_cohort(30)
    return data, claims_fragility(data, settings(main=MAIN), max_flips=10)


def verdicts(data: pd.DataFrame, options: dict) -> pd.Series:
    """The configured analysis's verdicts by claim."""
    claims = Multiverse(data, options).claims(main_specification(options))
    return claims.set_index("claim")["verdict"]


def test_the_reported_swaps_reverse_the_verdict_and_one_less_does_not(thirty_patients):
    data, table = thirty_patients
    table = table.set_index("claim")
    options = settings(main=MAIN)
    main = verdicts(data, options)
    reversed_claims = table.index[table["reversed"]].tolist()
    assert set(reversed_claims) == {"3", "4", "5"}
    for claim in reversed_claims:
        patients = table.loc[claim, "flipped_patients"]
        assert len(patients.split(", ")) == table.loc[claim, "fragility_index"]
        verdict = verdicts(swapped_cohort(data, patients), options)[claim]
        assert verdict == table.loc[claim, "verdict_after"] != main[claim], claim
        # The search stops at the first reversal: the swaps before the last keep the verdict.
        fewer = ", ".join(patients.split(", ")[:-1])
        if fewer:
            assert verdicts(swapped_cohort(data, fewer), options)[claim] == main[claim], claim


def brute_force_first_scores(data, options) -> dict[str, dict[int, object]]:
    """Each single swap's decisive statistic per claim (3, 4, 5), from the claims check's own
    tables rerun once per swap (what the batched search must rank the same way)."""
    multiverse = Multiverse(data, options)
    specification = main_specification(options)
    patients = multiverse.subgroup(specification, "first_line")
    scores = {"3": {}, "4": {}, "5": {}}
    for row in patients.loc[patients["responder"].notna(), "source_row"].astype(int):
        state = {**specification, "flipped": (row,)}
        accuracy, _ = multiverse.criteria(state)
        prepost = multiverse.prepost(state, "first_line").set_index(["marker", "group"])
        sensitivity = accuracy[accuracy["measure"] == "sensitivity"].set_index("marker")
        margin = sensitivity.loc["il6", "estimate"] - sensitivity.loc["afp", "estimate"]
        scores["5"][row] = margin
        rise = prepost.loc[("il6", "responders")]
        scores["3"][row] = (1.0 - rise["p_value"]) * np.sign(rise["rank_biserial"])
        scores["4"][row] = 1.0 - prepost.loc[("il6", "non-responders"), "p_value"]
    return scores


def test_the_first_swap_is_the_best_single_swap():
    """On this cohort claim 3 is not reproduced and claim 4 inconclusive (more evidence of a
    rise, of a change, moves them toward reversal) and claim 5 consistent, not significant
    (a lower margin of IL-6's sensitivity over AFP's does)."""
    data = small_cohort(20)
    options = settings(main=MAIN)
    table = claims_fragility(data, options, max_flips=1).set_index("claim")
    assert table.loc[["3", "4", "5"], "main_verdict"].tolist() == [
        "not reproduced", "inconclusive", "consistent, not significant"
    ]  # fmt: skip
    ids = data.set_index("patient_id")["source_row"]
    scores = brute_force_first_scores(data, options)
    for claim, best in (("3", max), ("4", max), ("5", min)):
        first = int(ids[table.loc[claim, "flipped_patients"]])
        by_swap = scores[claim]
        assert by_swap[first] == pytest.approx(best(by_swap.values()), abs=1e-12), claim


def test_the_cap_is_reported_and_whole_line_claims_are_not_applicable():
    data = small_cohort(30)
    table = claims_fragility(data, settings(main=MAIN), max_flips=1).set_index("claim")
    claim_5 = table.loc["5"]
    assert not claim_5["reversed"] and claim_5["fragility"] == "> 1"
    assert pd.isna(claim_5["fragility_index"]) and claim_5["max_flips"] == 1
    assert claim_5["verdict_after"] == claim_5["main_verdict"]
    assert claim_5["reason"] == "not reversed by 1 greedy swaps"
    for claim in ("1", "2", "1 vs 2"):
        row = table.loc[claim]
        assert not row["applicable"] and row["fragility"] == "not applicable"
        assert "whatever the response" in row["reason"] and row["flipped_patients"] == ""
    family = settings(main=MAIN, adjust_family="subgroup")
    by_family = claims_fragility(data, family, max_flips=1).set_index("claim")
    assert "multiplicity family" in by_family.loc["1", "reason"]
    assert "multiplicity family" not in by_family.loc["1 vs 2", "reason"]


def test_scoring_a_coarse_grid_then_its_best_neighbourhood_finds_the_same_swaps(
    thirty_patients,
):
    """With 2 coarse points per side (first-line sides of about 15 patients: the refinement
    is used) the search makes the swaps that scoring every candidate makes."""
    data, every = thirty_patients
    coarse = claims_fragility(data, settings(main=MAIN), max_flips=10, coarse_points=2)
    assert every["reversed"].any()
    pd.testing.assert_frame_equal(coarse, every)
