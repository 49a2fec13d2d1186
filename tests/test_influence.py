"""Leave-one-out influence of single patients on the claims check (il6hcc.influence)."""

import pandas as pd
from analysis_helpers import IL6, cohort
from test_multiverse import settings, small_cohort

from il6hcc.influence import leave_one_out
from il6hcc.multiverse import Multiverse, main_specification

MAIN = {
    "below_lloq": "half_lloq",
    "signed_rank_scale": "difference",
    "continuity_correction": True,
    "multiple_testing": "holm",
}


def six_rising_responders() -> pd.DataFrame:
    """First line: 6 responders whose IL-6 rises by 1..6 pg/mL (exact signed-rank p = 2/64 =
    0.031: significant; any 5 of them give at best 2/32 = 0.0625) and 6 non-responders with
    small mixed changes; later line: 6 patients with mixed changes."""
    rises = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    mixed = [0.5, -0.7, 0.9, -1.1, 1.3, -1.5]
    pre = [10.0] * 18
    post = [10.0 + change for change in rises + mixed + mixed]
    responses = ["PR"] * 6 + ["SD"] * 6 + ["PD"] * 6
    return cohort(responses, {"il6_pre": pre, "il6_post": post}, line=[1] * 12 + [2] * 6)


def test_each_responder_of_a_six_responder_rise_reverses_claim_3():
    data = six_rising_responders()
    options = settings(
        markers=[IL6],
        criteria={"il6": {"metric": "percent", "comparison": "gt", "value": 0}},
        main=MAIN,
    )
    influence = leave_one_out(data, options).set_index("claim")
    claim_3 = influence.loc["3"]
    assert claim_3["main_verdict"] == "reproduced"
    assert claim_3["n_cohorts"] == 18 and claim_3["n_holds"] == 12
    assert claim_3["share_holds"] == 12 / 18
    responders = ", ".join(data["patient_id"][:6])
    assert claim_3["reversing_patients"] == responders and claim_3["n_reversing"] == 6


def test_leaving_a_patient_out_is_the_analysis_of_the_cohort_without_them():
    data = small_cohort(14)
    options = settings(main=MAIN)
    influence = leave_one_out(data, options).set_index("claim")
    specification = main_specification(options)
    reversing = {claim: set(ids.split(", ")) - {""}
                 for claim, ids in influence["reversing_patients"].items()}  # fmt: skip
    main = Multiverse(data, options).claims(specification).set_index("claim")["verdict"]
    for position in (0, 3, 4, 9):
        without = data.drop(index=position).reset_index(drop=True)
        verdicts = Multiverse(without, options).claims(specification).set_index("claim")
        patient = data.loc[position, "patient_id"]
        for claim, verdict in verdicts["verdict"].items():
            assert (verdict != main[claim]) == (patient in reversing[claim]), (claim, patient)
    assert (influence["n_holds"] + influence["n_reversing"] == len(data)).all()
