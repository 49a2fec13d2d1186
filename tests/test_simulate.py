"""Tests of the seeded cohort simulator and of the bundled SIMULATED cohort."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import simulate_cohort as simulate_cohort_cli
from pandas.testing import assert_frame_equal
from scipy.stats import wilcoxon

from il6hcc import simulate
from il6hcc.simulate import check_published_claims, claims_survey_fraction, simulate_cohort

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
BUNDLED_CSV = RESOURCES / "simulated_cohort.csv"
BUNDLED_SIDECAR = RESOURCES / "simulated_cohort.json"

# Written out here rather than imported, so a change of the module's column list is caught.
EXPECTED_COLUMNS = [
    "patient_id",
    "line_of_therapy",
    "response",
    "il6_pre",
    "il6_post",
    "afp_pre",
    "afp_post",
    "afp_l3_pre",
    "afp_l3_post",
    "dcp_pre",
    "dcp_post",
    "age",
    "sex",
    "etiology",
    "child_pugh",
    "bclc",
    "albi_grade",
    "ecog_ps",
    "pfs_months",
    "pfs_event",
    "os_months",
    "os_event",
]
# Lab text per marker: a censoring string or a number with the lab's decimals.
MARKER_TEXT_PATTERNS = {
    "il6": r"<1\.5|>5000|\d+\.\d",
    "afp": r"<1\.0|\d+\.\d|\d{4,}",
    "afp_l3": r"<0\.5|\d+\.\d",
    "dcp": r"<5|\d+",
}
LOWER_LIMITS = {"il6": 1.5, "afp": 1.0, "afp_l3": 0.5, "dcp": 5.0}


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return pd.read_csv(BUNDLED_CSV)


@pytest.fixture(scope="module")
def sidecar_metadata() -> dict:
    return json.loads(BUNDLED_SIDECAR.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def large_cohort() -> pd.DataFrame:
    return simulate_cohort(n_patients=100_000, seed=2024)


def _numeric(text: pd.Series, marker: str) -> pd.Series:
    """Lab text to numbers, "<L" replaced by L/2 and ">U" by U, blanks as NaN."""
    lower = LOWER_LIMITS[marker]
    substituted = text.astype("object").where(~text.astype(str).str.startswith("<"), lower / 2)
    substituted = substituted.where(~text.astype(str).str.startswith(">"), 5000.0)
    return pd.to_numeric(substituted)


def test_bundled_files_regenerate_byte_for_byte(tmp_path, sidecar_metadata):
    out = tmp_path / "cohort.csv"
    simulate_cohort_cli.main(
        [
            "--n",
            str(sidecar_metadata["n_patients"]),
            "--seed",
            str(sidecar_metadata["seed"]),
            "--out",
            str(out),
        ]
    )
    assert out.read_bytes() == BUNDLED_CSV.read_bytes()
    assert out.with_suffix(".json").read_bytes() == BUNDLED_SIDECAR.read_bytes()


def test_sidecar_says_simulated(sidecar_metadata):
    assert sidecar_metadata["simulated"] is True
    assert sidecar_metadata["generator"] == "il6hcc.simulate"
    assert sidecar_metadata["generator_version"] == simulate.GENERATOR_VERSION
    assert sidecar_metadata["description"].startswith("SIMULATED cohort - not patient data")
    assert sidecar_metadata["patient_id_prefix"] == "SIM-"
    assert "SIM-" in sidecar_metadata["description"]
    assert sidecar_metadata["n_patients"] == 44
    assert sidecar_metadata["seed_selection"].startswith(
        "bundled cohort: the smallest seed from 1 whose cohort reproduces the published claims"
    )
    assert (
        "separates responders from non-responders perfectly" in (sidecar_metadata["seed_selection"])
    )
    assert sidecar_metadata["change_auc"]["il6 first_line"] == pytest.approx(0.8968, abs=1e-4)
    assert sidecar_metadata["reproduces_published_claims"] == {str(k): True for k in range(1, 6)}
    survey = sidecar_metadata["claims_survey"]
    assert survey["fraction_reproducing_all_claims"] == simulate.CLAIMS_SURVEY_FRACTION
    assert f"{simulate.CLAIMS_SURVEY_FRACTION:.3f}" in sidecar_metadata["seed_selection"]
    assert "IL-6" in sidecar_metadata["calibration"]


def test_sidecar_for_another_seed_does_not_claim_selection():
    metadata = simulate.sidecar(seed=12345, n_patients=44)
    assert metadata["simulated"] is True
    assert metadata["seed_selection"].startswith("seed given by the user, not selected")


def test_bundled_ids_start_with_sim(bundled):
    assert bundled["patient_id"].str.fullmatch(r"SIM-\d{3}").all()
    assert bundled["patient_id"].is_unique
    assert bundled["patient_id"].iloc[0] == "SIM-001"


def test_bundled_columns_in_order(bundled):
    assert list(bundled.columns) == EXPECTED_COLUMNS
    assert list(simulate_cohort(5, seed=1).columns) == EXPECTED_COLUMNS
    assert len(bundled) == 44


def _assert_value_ranges(cohort: pd.DataFrame) -> None:
    for marker, pattern in MARKER_TEXT_PATTERNS.items():
        for visit in ("pre", "post"):
            text = cohort[f"{marker}_{visit}"].dropna().astype(str)
            malformed = text[~text.str.fullmatch(pattern)]
            assert malformed.empty, f"{marker}_{visit}: {malformed.head().tolist()}"
            values = _numeric(text, marker)
            quantified = ~text.str.startswith(("<", ">"))
            assert (values[quantified] >= LOWER_LIMITS[marker]).all()
    for visit in ("pre", "post"):
        assert (_numeric(cohort[f"afp_l3_{visit}"], "afp_l3").dropna() <= 100).all()
        # The lab leaves AFP-L3 blank only when AFP is below its quantification limit.
        l3_blank = cohort[f"afp_l3_{visit}"].isna()
        assert (cohort.loc[l3_blank, f"afp_{visit}"] == "<1.0").all()
    assert cohort["response"].isin(["CR", "PR", "SD", "PD", "NE"]).all()
    assert (cohort["line_of_therapy"] >= 1).all()
    assert cohort["sex"].isin(["M", "F"]).all()
    assert cohort["etiology"].isin(["HBV", "HCV", "alcohol", "MASLD", "other"]).all()
    assert cohort["child_pugh"].isin(["A", "B"]).all()
    assert cohort["bclc"].isin(["B", "C"]).all()
    assert cohort["albi_grade"].isin([1, 2, 3]).all()
    assert cohort["ecog_ps"].isin([0, 1, 2]).all()
    assert cohort["age"].between(18, 100).all()
    assert (cohort["pfs_months"] > 0).all()
    assert (cohort["pfs_months"] <= cohort["os_months"]).all()
    assert cohort["pfs_event"].isin([0, 1]).all()
    assert cohort["os_event"].isin([0, 1]).all()
    assert not cohort[["pfs_months", "os_months"]].isna().any().any()


def test_bundled_value_ranges(bundled):
    _assert_value_ranges(bundled)


def test_large_cohort_value_ranges(large_cohort):
    _assert_value_ranges(large_cohort)


def test_bundled_cohort_exercises_exclusions_and_censoring(bundled):
    assert 1 <= (bundled["response"] == "NE").sum() <= 2
    assert 1 <= bundled["dcp_post"].isna().sum() <= 2
    assert (bundled[["il6_pre", "il6_post"]] == "<1.5").any().any()
    assert bundled[["afp_l3_pre", "afp_l3_post"]].isna().any().any()
    # Only DCP post and AFP-L3 (when AFP is unmeasurable) are ever blank.
    blank_columns = set(bundled.columns[bundled.isna().any()])
    assert blank_columns <= {"dcp_post", "afp_l3_pre", "afp_l3_post"}


def test_same_seed_same_cohort_and_different_seed_different_cohort():
    first = simulate_cohort(n_patients=44, seed=7)
    assert_frame_equal(first, simulate_cohort(n_patients=44, seed=7))
    other = simulate_cohort(n_patients=44, seed=8)
    assert not first.equals(other)
    assert (first["il6_pre"] != other["il6_pre"]).sum() > 30


def test_too_few_patients_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        simulate_cohort(n_patients=0, seed=1)


def test_bundled_cohort_reproduces_claims_with_scipy_defaults(bundled):
    evaluable = bundled[bundled["response"] != "NE"]
    il6_pre = _numeric(evaluable["il6_pre"], "il6")
    il6_post = _numeric(evaluable["il6_post"], "il6")
    complete = il6_pre.notna() & il6_post.notna()
    first_line = evaluable["line_of_therapy"] == 1
    responder = evaluable["response"].isin(["CR", "PR"])

    def p_value(members: pd.Series) -> float:
        chosen = members & complete
        return wilcoxon(il6_post[chosen], il6_pre[chosen]).pvalue

    assert p_value(first_line) < 0.05
    assert p_value(~first_line) >= 0.05
    assert p_value(first_line & responder) < 0.05
    assert (il6_post - il6_pre)[first_line & responder & complete].median() > 0
    assert p_value(first_line & ~responder) >= 0.05

    falls = {"afp": 0.20, "afp_l3": 0.20, "dcp": 0.50}
    for responders in (responder, responder & first_line):
        rise = (il6_post > il6_pre)[responders & complete]
        for marker, fall in falls.items():
            pre = _numeric(evaluable[f"{marker}_pre"], marker)
            post = _numeric(evaluable[f"{marker}_post"], marker)
            paired = responders & pre.notna() & post.notna()
            marker_sensitivity = (post <= (1 - fall) * pre)[paired].mean()
            assert rise.mean() > marker_sensitivity, marker


def test_check_published_claims_on_bundled_cohort(bundled):
    result = check_published_claims(bundled)
    assert result["all_hold"] is True
    assert result["not_estimable"] == {}
    assert set(result["methods"].values()) <= {
        "exact",
        "normal approximation, continuity correction",
    }
    sensitivity = result["sensitivity"]["first_line"]
    assert sensitivity["il6_rise"] > max(
        sensitivity["afp_fall"], sensitivity["afp_l3_fall"], sensitivity["dcp_fall"]
    )


def test_check_published_claims_degenerate_cohort_is_not_estimable():
    cohort = simulate_cohort(n_patients=44, seed=5)
    cohort["il6_post"] = cohort["il6_pre"]
    result = check_published_claims(cohort)
    assert result["all_hold"] is False
    assert result["p_values"]["first_line"] is None
    assert "no non-zero" in result["not_estimable"]["first_line"]
    assert result["holds"][1] is False and result["holds"][5] is False


def test_claims_survey_fraction_and_bundled_seed_are_as_documented():
    assert claims_survey_fraction() == simulate.CLAIMS_SURVEY_FRACTION
    assert simulate.CLAIMS_SURVEY_FRACTION >= 0.5
    assert f"{simulate.CLAIMS_SURVEY_FRACTION:g}" in simulate.__doc__
    assert f"BUNDLED_SEED` = {simulate.BUNDLED_SEED}" in simulate.__doc__
    meeting = [
        seed
        for seed in range(1, simulate.BUNDLED_SEED + 1)
        if simulate.meets_bundled_rule(simulate_cohort(44, seed))
    ]
    assert meeting == [simulate.BUNDLED_SEED]
    # The rule is more than the claims: an earlier seed reproduces them with a perfect marker.
    assert check_published_claims(simulate_cohort(44, 5))["all_hold"]
    assert 1.0 in simulate.change_aucs(simulate_cohort(44, 5)).values() or 0.0 in (
        simulate.change_aucs(simulate_cohort(44, 5)).values()
    )


def test_bundled_cohort_has_no_perfect_marker(bundled):
    evaluable = bundled[bundled["response"] != "NE"]
    responder = evaluable["response"].isin(["CR", "PR"])
    first_line = evaluable["line_of_therapy"] == 1
    groups = {"all": first_line | ~first_line, "first_line": first_line, "later_line": ~first_line}
    aucs = simulate.change_aucs(bundled)
    for marker in MARKER_TEXT_PATTERNS:
        change = np.log(
            _numeric(evaluable[f"{marker}_post"], marker)
            / _numeric(evaluable[f"{marker}_pre"], marker)
        )
        for group, members in groups.items():
            cases = change[members & responder].dropna().to_numpy()
            controls = change[members & ~responder].dropna().to_numpy()
            # Written out as the Mann-Whitney count, independently of change_aucs.
            pairs = [(a > b) + 0.5 * (a == b) for a in cases for b in controls]
            assert aucs[(marker, group)] == pytest.approx(np.mean(pairs), rel=1e-12)
            assert 0 < aucs[(marker, group)] < 1, (marker, group)
    assert 0.80 <= aucs[("il6", "first_line")] <= 0.90


def test_large_cohort_shape_and_calibration(large_cohort):
    assert large_cohort.shape == (100_000, 22)
    assert large_cohort["patient_id"].iloc[-1] == "SIM-100000"
    assert large_cohort["patient_id"].is_unique
    first_line = large_cohort["line_of_therapy"] == 1
    assert 0.60 <= first_line.mean() <= 0.66
    first_line_response = large_cohort.loc[first_line, "response"].value_counts(normalize=True)
    assert 0.28 <= first_line_response["PR"] <= 0.32
    later_response = large_cohort.loc[~first_line, "response"].value_counts(normalize=True)
    assert 0.08 <= later_response["PR"] <= 0.12
    assert 71 <= large_cohort["age"].median() <= 75
    assert 0.77 <= (large_cohort["sex"] == "M").mean() <= 0.83
    assert 0.40 <= large_cohort["etiology"].isin(["alcohol", "MASLD", "other"]).mean() <= 0.48
    assert 0.57 <= (large_cohort["bclc"] == "C").mean() <= 0.63
    assert 0.30 <= large_cohort["os_event"].mean() <= 0.50
    assert 4.5 <= np.median(_numeric(large_cohort["il6_pre"], "il6")) <= 8.5
    afp_quartiles = np.percentile(_numeric(large_cohort["afp_pre"], "afp"), [25, 50, 75])
    assert 5 <= afp_quartiles[0] <= 40 and 200 <= afp_quartiles[1] <= 450
    assert 3000 <= afp_quartiles[2] <= 9000
    assert 9 <= np.nanmedian(_numeric(large_cohort["afp_l3_pre"], "afp_l3")) <= 13
    assert (_numeric(large_cohort["dcp_pre"], "dcp") > 100).mean() > 0.5
