"""logistic_regression against R's glm(family = binomial) (tests/r/make_core_fixtures.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.paired import logistic_rows
from il6hcc.stats.regression import logistic_regression, separates_outcome

FIXTURES = Path(__file__).parent / "fixtures" / "core"


def logistic_table_of(*args, **kwargs) -> pd.DataFrame:
    """The fit as the logistic table's rows, as the workflow writes them."""
    return logistic_rows(logistic_regression(*args, **kwargs))


REL = 1e-10
PREDICTORS = ["il6_change", "first_line"]


@pytest.fixture(scope="module")
def glm_data() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "data_glm.tsv", sep="\t")


def test_logistic_regression_matches_r(glm_data):
    expected = pd.read_csv(FIXTURES / "glm_results.tsv", sep="\t")
    result = logistic_table_of(glm_data, "responder", PREDICTORS)
    assert list(result["term"]) == list(expected["term"])
    for column in ["estimate", "std_error", "z", "p_value", "odds_ratio", "ci_low", "ci_high"]:
        np.testing.assert_allclose(result[column], expected[column], rtol=REL, atol=0)
    assert (result["n"] == expected["n"]).all()
    assert (result["n_events"] == expected["n_events"]).all()
    assert (result["n_excluded"] == len(glm_data) - expected["n"]).all()
    assert result["estimable"].all() and (result["reason"] == "").all()
    assert result["method"].str.startswith("logistic regression").all()


def test_logistic_regression_accepts_boolean_outcome(glm_data):
    data = glm_data.dropna().assign(responder=lambda d: d["responder"] == 1)
    result = logistic_table_of(data, "responder", PREDICTORS)
    reference = logistic_table_of(glm_data, "responder", PREDICTORS)
    np.testing.assert_allclose(result["estimate"], reference["estimate"], rtol=1e-9)


def assert_not_estimable(result: pd.DataFrame, reason_start: str):
    assert len(result) == 1
    row = result.iloc[0]
    assert row["term"] == "(model)"
    assert not row["estimable"]
    assert row["reason"].startswith(reason_start)
    assert np.isnan(row["estimate"]) and np.isnan(row["p_value"])


def test_separation_not_estimable():
    data = pd.read_csv(FIXTURES / "data_glm_separation.tsv", sep="\t")
    conditions = pd.read_csv(FIXTURES / "conditions.tsv", sep="\t")
    r_message = conditions.loc[conditions["fn"] == "logistic_regression", "message"].iloc[0]
    assert "fitted probabilities numerically 0 or 1" in r_message
    assert_not_estimable(
        logistic_table_of(data, "responder", PREDICTORS), "perfect or quasi-perfect separation"
    )


def test_quasi_complete_separation_not_estimable():
    # Outcome 1 whenever x > 0 and mixed only at x == 0: quasi-complete separation.
    data = pd.DataFrame({"x": [-2, -1, -1, 0, 0, 1, 2, 3], "y": [0, 0, 0, 0, 1, 1, 1, 1]})
    assert_not_estimable(logistic_table_of(data, "y", ["x"]), "perfect or quasi-perfect")


def test_no_events_or_no_non_events_not_estimable(glm_data):
    assert_not_estimable(
        logistic_table_of(glm_data.assign(responder=0), "responder", PREDICTORS), "no events"
    )
    assert_not_estimable(
        logistic_table_of(glm_data.assign(responder=1), "responder", PREDICTORS),
        "no non-events",
    )


def test_too_few_observations_not_estimable():
    data = pd.DataFrame({"x": [0.1, 0.5, 0.9], "z": [1, 0, 1], "y": [0, 1, 0]})
    assert_not_estimable(logistic_table_of(data, "y", ["x", "z"]), "fewer observations (3)")


def test_collinear_predictors_not_estimable(glm_data):
    data = glm_data.assign(il6_double=glm_data["il6_change"] * 2)
    assert_not_estimable(
        logistic_table_of(data, "responder", ["il6_change", "il6_double"]),
        "predictors are collinear",
    )


def test_invalid_columns_raise(glm_data):
    with pytest.raises(KeyError):
        logistic_table_of(glm_data, "responder", ["missing_column"])
    with pytest.raises(ValueError):
        logistic_table_of(glm_data.assign(responder=2), "responder", PREDICTORS)
    with pytest.raises(TypeError):
        logistic_table_of(glm_data.assign(group="a"), "responder", ["group"])


def test_separates_outcome_detects_complete_and_quasi_complete_separation():
    data = pd.DataFrame(
        {
            "responder": [1, 1, 1, 0, 0, 0, 0, 0],
            # Every responder at line 1 (quasi-complete: line 1 also has non-responders).
            "line": [1, 1, 1, 1, 2, 2, 3, np.nan],
            "complete": [5.0, 6.0, 7.0, 1.0, 2.0, 3.0, 4.0, 0.0],
            "overlapping": [1.0, 4.0, 2.0, 3.0, 1.0, 5.0, 2.0, 4.0],
        }
    )
    assert separates_outcome(data, "responder", "line")
    assert separates_outcome(data, "responder", "complete")
    assert not separates_outcome(data, "responder", "overlapping")
    assert not separates_outcome(data[data["responder"] == 0], "responder", "line")
