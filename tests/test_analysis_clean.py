"""il6hcc.clean: censored values substituted, responders flagged, every exclusion counted."""

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis_helpers import AFP, IL6, cohort

from il6hcc.clean import (
    clean_cohort,
    flow_counts,
    marker_analysis,
    responder_flag,
    substitute_censored,
)
from il6hcc.cohort_io import read_cohort

REPO = Path(__file__).resolve().parents[1]
MARKERS = [IL6, AFP]


def clean(table, *, below_lloq="half_lloq", responder_codes=("CR", "PR")):
    return clean_cohort(
        table,
        markers=MARKERS,
        below_lloq=below_lloq,
        responder_codes=list(responder_codes),
        not_evaluable_codes=["NE"],
    )


@pytest.mark.parametrize(
    ("rule", "expected", "wording"),
    [
        ("lloq", 1.5, "(LLOQ)"),
        ("half_lloq", 0.75, "(LLOQ/2)"),
        ("lloq_sqrt2", 1.5 / math.sqrt(2.0), "(LLOQ/sqrt(2))"),
    ],
)
def test_below_limit_values_follow_the_configured_rule(rule, expected, wording):
    values = pd.Series([1.5, 3.0, 5000.0, np.nan])
    marks = pd.Series(["below", "none", "above", pd.NA], dtype="string")
    used, note = substitute_censored(values, marks, below_rule=rule)
    assert used.iloc[0] == pytest.approx(expected, rel=1e-15)
    assert used.iloc[1] == 3.0
    assert used.iloc[2] == 5000.0, "a value above the limit is analysed as the limit"
    assert math.isnan(used.iloc[3]), "a missing value stays missing, it is not censored"
    assert wording in note.iloc[0]
    assert note.iloc[1] == "" and note.iloc[3] == ""
    assert "upper limit" in note.iloc[2]


def test_each_row_uses_the_limit_written_in_its_own_cell():
    # A laboratory that changed its reporting limit mid-study: "<1.5" and "<2" in one column.
    used, _ = substitute_censored(
        pd.Series([1.5, 2.0]), pd.Series(["below", "below"], dtype="string"), below_rule="lloq"
    )
    assert used.tolist() == [1.5, 2.0]
    used, _ = substitute_censored(
        pd.Series([1.5, 2.0]),
        pd.Series(["below", "below"], dtype="string"),
        below_rule="half_lloq",
    )
    assert used.tolist() == [0.75, 1.0]


def test_responder_flag_and_reasons():
    response = pd.Series(["CR", "PR", "SD", "PD", "NE", pd.NA], dtype="string")
    flag, reason = responder_flag(
        response, responder_codes=["CR", "PR"], not_evaluable_codes=["NE"]
    )
    assert flag.tolist()[:4] == [1, 1, 0, 0]
    assert flag.isna().tolist() == [False] * 4 + [True, True]
    assert reason.tolist() == [
        "",
        "",
        "",
        "",
        "response not evaluable (NE)",
        "response not recorded",
    ]


def test_responder_codes_come_from_the_configuration():
    response = pd.Series(["CR", "PR", "SD"], dtype="string")
    flag, _ = responder_flag(response, responder_codes=["CR"], not_evaluable_codes=["NE"])
    assert flag.tolist() == [1, 0, 0]
    flag, _ = responder_flag(response, responder_codes=["CR", "PR", "SD"], not_evaluable_codes=[])
    assert flag.tolist() == [1, 1, 1]


def small_cohort():
    """Six patients: one NE, one without response, IL-6 censored twice, AFP missing three times."""
    return cohort(
        ["CR", "PR", "SD", "PD", "NE", None],
        {
            "il6_pre": [1.5, 4.0, 6.0, 8.0, 3.0, 2.0],
            "il6_post": [9.0, 1.5, 5.0, 5000.0, 4.0, 2.5],
            "afp_pre": [10.0, np.nan, 30.0, np.nan, 50.0, 60.0],
            "afp_post": [8.0, 20.0, np.nan, np.nan, 45.0, 55.0],
        },
        line=[1, 1, 2, 3, 1, 2],
        censored={
            "il6_pre": ["below", "none", "none", "none", "none", "none"],
            "il6_post": ["none", "below", "none", "above", "none", "none"],
        },
    )


def test_clean_keeps_every_row_and_substitutes_censored_values():
    raw = small_cohort()
    cleaned = clean(raw, below_lloq="half_lloq")
    patients = cleaned.patients
    assert len(patients) == len(raw)
    assert patients["source_row"].tolist() == raw["source_row"].tolist()
    assert patients["il6_pre"].tolist() == [0.75, 4.0, 6.0, 8.0, 3.0, 2.0]
    assert patients["il6_post"].tolist() == [9.0, 0.75, 5.0, 5000.0, 4.0, 2.5]
    assert patients["responder"].tolist()[:4] == [1, 1, 0, 0]
    assert patients["responder"].isna().tolist()[4:] == [True, True]


def test_censoring_audit_lists_every_substitution():
    cleaned = clean(small_cohort(), below_lloq="lloq_sqrt2")
    audit = cleaned.censoring
    assert len(audit) == 3
    assert set(zip(audit["patient_id"], audit["timepoint"], strict=True)) == {
        ("P000", "pre"),
        ("P001", "post"),
        ("P003", "post"),
    }
    below = audit[audit["patient_id"] == "P000"].iloc[0]
    assert below["value_written"] == "<1.5"
    assert below["value_used"] == pytest.approx(1.5 / math.sqrt(2.0))
    assert "LLOQ/sqrt(2)" in below["rule"]
    above = audit[audit["patient_id"] == "P003"].iloc[0]
    assert above["value_written"] == ">5000"
    assert above["value_used"] == 5000.0


def test_exclusions_give_one_reason_per_patient_and_analysis():
    cleaned = clean(small_cohort())
    exclusions = cleaned.exclusions
    response = exclusions[exclusions["analysis"] == "response"]
    assert dict(zip(response["patient_id"], response["reason"], strict=True)) == {
        "P004": "response not evaluable (NE)",
        "P005": "response not recorded",
    }
    afp = exclusions[exclusions["analysis"] == marker_analysis("afp")]
    assert dict(zip(afp["patient_id"], afp["reason"], strict=True)) == {
        "P001": "afp pre value missing",
        "P002": "afp post value missing",
        "P003": "afp pre and post values missing",
    }
    assert exclusions[exclusions["analysis"] == marker_analysis("il6")].empty
    assert not exclusions.duplicated(["source_row", "analysis"]).any()


def test_flow_counts_rows_read_as_analysed_plus_excluded():
    raw = small_cohort()
    flow = clean(raw).flow
    for analysis in ["response", marker_analysis("il6"), marker_analysis("afp")]:
        steps = flow[flow["analysis"] == analysis]
        read = int(steps.loc[steps["step"] == "read", "n"].iloc[0])
        analysed = int(steps.loc[steps["step"] == "analysed", "n"].iloc[0])
        excluded = int(steps.loc[steps["step"] == "excluded", "n"].sum())
        assert read == len(raw)
        assert read == analysed + excluded
    afp = flow[flow["analysis"] == marker_analysis("afp")]
    assert afp.loc[afp["step"] == "analysed", "n"].item() == 3
    assert afp.loc[afp["step"] == "excluded", "n"].tolist() == [1, 1, 1]
    groups = flow[flow["step"] == "group"].set_index("reason")["n"]
    assert groups.to_dict() == {
        "responders": 2,
        "non-responders": 2,
        "first-line": 3,
        "later-line": 3,
    }


def test_a_marker_missing_for_everyone_excludes_everyone_with_a_reason():
    raw = cohort(
        ["PR", "SD", "PD"],
        {
            "il6_pre": [1.0, 2.0, 3.0],
            "il6_post": [2.0, 3.0, 4.0],
            "afp_pre": [np.nan] * 3,
            "afp_post": [np.nan] * 3,
        },
    )
    cleaned = clean(raw)
    afp = cleaned.flow[cleaned.flow["analysis"] == marker_analysis("afp")]
    assert afp.loc[afp["step"] == "analysed", "n"].item() == 0
    assert afp.loc[afp["step"] == "excluded", "reason"].tolist() == [
        "afp pre and post values missing"
    ]
    assert cleaned.censoring.empty


def test_flow_counts_refuses_a_patient_excluded_twice_from_one_analysis():
    exclusions = pd.DataFrame(
        {
            "source_row": [2, 2],
            "patient_id": ["P1", "P1"],
            "analysis": ["il6 change", "il6 change"],
            "reason": ["il6 pre value missing", "il6 post value missing"],
        }
    )
    with pytest.raises(AssertionError, match="excluded twice"):
        flow_counts(5, exclusions, ["il6 change"])


def test_flow_counts_refuses_more_exclusions_than_rows():
    exclusions = pd.DataFrame(
        {
            "source_row": [2, 3, 4],
            "patient_id": ["P1", "P2", "P3"],
            "analysis": ["response"] * 3,
            "reason": ["response not recorded"] * 3,
        }
    )
    with pytest.raises(AssertionError, match="flow invariant"):
        flow_counts(2, exclusions, ["response"])


def test_bundled_cohort_every_row_is_analysed_or_excluded():
    markers = [
        {"key": "il6", "kind": "concentration"},
        {"key": "afp", "kind": "concentration"},
        {"key": "afp_l3", "kind": "percent"},
        {"key": "dcp", "kind": "concentration"},
    ]
    loaded = read_cohort(REPO / "resources" / "simulated_cohort.csv", markers=markers)
    cleaned = clean_cohort(
        loaded.table,
        markers=markers,
        below_lloq="half_lloq",
        responder_codes=["CR", "PR"],
        not_evaluable_codes=["NE"],
    )
    n = len(loaded.table)
    flow = cleaned.flow[cleaned.flow["step"] != "group"]
    for analysis, steps in flow.groupby("analysis"):
        counts = steps.groupby("step")["n"].sum()
        assert counts["read"] == n, analysis
        assert counts["analysed"] + counts.get("excluded", 0) == n, analysis
        excluded = cleaned.exclusions[cleaned.exclusions["analysis"] == analysis]
        assert len(excluded) == counts.get("excluded", 0), analysis
    censored = sum(
        loaded.table[f"{m['key']}_{t}_censored"].isin(["below", "above"]).sum()
        for m in markers
        for t in ("pre", "post")
    )
    assert censored > 0, "the bundled cohort has values below the assay limit"
    assert len(cleaned.censoring) == censored
    with (REPO / "resources" / "simulated_cohort.csv").open(encoding="utf-8", newline="") as f:
        cells = dict(enumerate(csv.DictReader(f), start=2))
    for record in cleaned.censoring.itertuples():
        written = cells[record.source_row][f"{record.marker}_{record.timepoint}"]
        assert record.value_written == written, "the censoring audit keeps the text of the file"
    assert not any(column.endswith("_limit_written") for column in cleaned.patients.columns)
