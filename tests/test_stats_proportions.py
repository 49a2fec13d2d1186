"""fisher_exact, binomial_ci and mcnemar_exact against base R
(tests/r/make_core_fixtures.R)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.stats.proportions import (
    binomial_ci,
    fisher_exact,
    fisher_monte_carlo,
    mcnemar_exact,
    mcnemar_exact_batch,
)

FIXTURES = Path(__file__).parent / "fixtures" / "core"
REL = 1e-10


def r_results(fn: str) -> dict:
    table = pd.read_csv(FIXTURES / "results.tsv", sep="\t", keep_default_na=False, dtype=str)
    table = table[table["fn"] == fn]
    return {(row.case, row.key): row.value for row in table.itertuples()}


def r_table(case: str, path: Path = FIXTURES / "data_tables.tsv") -> np.ndarray:
    long = pd.read_csv(path, sep="\t")
    long = long[long["case"] == case]
    table = np.zeros((long["row"].max(), long["col"].max()), dtype=int)
    table[long["row"] - 1, long["col"] - 1] = long["count"]
    return table


def read_booleans(name: str) -> pd.DataFrame:
    # Fixtures write logicals as TRUE/FALSE/NA; keep missing as None.
    raw = pd.read_csv(FIXTURES / name, sep="\t", dtype=str, keep_default_na=False)
    return raw.apply(lambda column: column.map({"TRUE": True, "FALSE": False, "NA": None}))


FISHER = r_results("fisher_exact")
BINOMIAL = r_results("binomial_ci")
MCNEMAR = r_results("mcnemar_exact")
FISHER_CASES = [
    "two_by_two",
    "two_by_two_symmetric",
    "etiology_two_by_four",
    "three_by_three",
    "zero_row",
    "large_two_by_five",
]


@pytest.mark.parametrize("case", FISHER_CASES)
def test_fisher_matches_r(case):
    table = r_table(case)
    result = fisher_exact(table).columns()
    assert result["estimable"] is True and result["reason"] == ""
    assert result["method"].startswith("exact")
    assert result["n"] == table.sum()
    assert result["p_value"] == pytest.approx(float(FISHER[(case, "p_value")]), rel=REL)


def test_fisher_table_shapes():
    assert r_table("etiology_two_by_four").shape == (2, 4)
    assert r_table("three_by_three").shape == (3, 3)
    result = fisher_exact(r_table("zero_row")).columns()
    assert (result["n_rows"], result["n_columns"]) == (2, 2)


def test_fisher_orientation_does_not_matter():
    table = r_table("etiology_two_by_four")
    assert fisher_exact(table.T).p_value == pytest.approx(fisher_exact(table).p_value, rel=1e-12)


MONTE_CARLO = FIXTURES.parent / "fisher_monte_carlo"
MONTE_CARLO_P = pd.read_csv(MONTE_CARLO / "pvalues.tsv", sep="\t").set_index("case")


def monte_carlo_table(case: str) -> np.ndarray:
    return r_table(case, MONTE_CARLO / "tables.tsv")


@pytest.mark.parametrize("case", list(MONTE_CARLO_P.index))
def test_fisher_monte_carlo_beyond_the_table_limit_is_within_its_error_of_r_exact(case):
    # R's random stream cannot be reproduced: the estimate must lie within four Monte Carlo
    # standard errors of R's exact p-value (tests/r/make_fisher_monte_carlo_fixture.R).
    replicates = 20_000
    exact = MONTE_CARLO_P.loc[case, "exact_p_value"]
    result = fisher_exact(
        monte_carlo_table(case), max_tables=10, monte_carlo_replicates=replicates, seed=5
    ).columns()
    assert result["method"] == (
        f"Monte Carlo (B = {replicates}, seed 5): exact enumeration would exceed 10 tables"
    )
    assert result["estimable"]
    standard_error = math.sqrt(exact * (1 - exact) / replicates)
    assert abs(result["p_value"] - exact) < 4 * standard_error + 1 / (replicates + 1)
    # R's own Monte Carlo value (recorded, B = 10000) is within its error of exact too.
    r_replicates = MONTE_CARLO_P.loc[case, "r_monte_carlo_replicates"]
    r_error = math.sqrt(exact * (1 - exact) / r_replicates)
    assert abs(MONTE_CARLO_P.loc[case, "r_monte_carlo_p_value"] - exact) < 4 * r_error + 1e-4


def test_fisher_monte_carlo_is_seeded_and_follows_r_formula():
    table = monte_carlo_table("three_by_five")
    first = fisher_monte_carlo(table, replicates=999, seed=11)
    assert first == fisher_monte_carlo(table, replicates=999, seed=11)
    assert first != fisher_monte_carlo(table, replicates=999, seed=12)
    # (1 + count) / (B + 1): a multiple of 1 / 1000 here, never 0.
    assert (first * 1000) == pytest.approx(round(first * 1000)) and first > 0
    # Cells of 0 and 1 only: the observed table is as probable as any, so every one counts.
    assert fisher_monte_carlo(np.array([[1, 1], [1, 1]]), replicates=99, seed=1) == 1.0


def test_fisher_stays_exact_where_enumeration_is_feasible():
    result = fisher_exact(
        monte_carlo_table("three_by_five"), monte_carlo_replicates=100, seed=1
    ).columns()
    assert result["method"].startswith("exact (enumeration of")
    assert result["p_value"] == pytest.approx(MONTE_CARLO_P.loc["three_by_five", "exact_p_value"])


def test_fisher_counts_every_table_with_the_margins():
    # Number of 2 x 2 tables with margins (10, 12) x (11, 11): a from 0 to 10.
    assert fisher_exact(r_table("two_by_two")).method == "exact (enumeration of 11 tables)"


@pytest.mark.parametrize(
    "table",
    [[[4, 6]], [[0, 0], [3, 5]], [[3, 0], [5, 0]], [[0, 0], [0, 0]]],
)
def test_fisher_fewer_than_two_nonempty_rows_or_columns_not_estimable(table):
    result = fisher_exact(table).columns()
    assert result["estimable"] is False
    assert result["reason"] == "fewer than 2 non-empty rows or columns"
    assert math.isnan(result["p_value"])


def test_fisher_degenerate_tables_in_r():
    # R errors on a single row, and returns p = 1 for a 2 x 2 table with an empty row (one
    # possible table); both are reported here as not estimable.
    assert FISHER[("single_row", "r_error")] == "TRUE"
    assert float(FISHER[("two_by_two_zero_row", "p_value")]) == 1.0
    assert fisher_exact(r_table("two_by_two_zero_row")).estimable is False


def test_fisher_rejects_non_counts():
    with pytest.raises(ValueError):
        fisher_exact([[1.5, 2], [3, 4]])
    with pytest.raises(ValueError):
        fisher_exact([[-1, 2], [3, 4]])


BINOMIAL_CASES = sorted({case for case, _ in BINOMIAL})


@pytest.mark.parametrize("case", BINOMIAL_CASES)
def test_binomial_ci_matches_r(case):
    successes = int(BINOMIAL[(case, "x")])
    trials = int(BINOMIAL[(case, "n")])
    conf_level = float(BINOMIAL[(case, "conf_level")])
    for method, prefix in (("clopper-pearson", "clopper_pearson"), ("wilson", "wilson")):
        result = binomial_ci(successes, trials, method=method, conf_level=conf_level)
        low, high = result.ci_low, result.ci_high
        assert result.estimate == successes / trials and result.conf_level == conf_level
        assert low == pytest.approx(float(BINOMIAL[(case, f"{prefix}_low")]), rel=REL, abs=0)
        assert high == pytest.approx(float(BINOMIAL[(case, f"{prefix}_high")]), rel=REL, abs=0)


def test_binomial_ci_bounds_at_zero_and_all():
    for method in ("clopper-pearson", "wilson"):
        assert binomial_ci(0, 10, method=method).ci_low == 0.0
        assert binomial_ci(10, 10, method=method).ci_high == 1.0


def test_binomial_ci_rejects_impossible_input():
    with pytest.raises(ValueError):
        binomial_ci(0, 0)
    with pytest.raises(ValueError):
        binomial_ci(5, 4)
    with pytest.raises(ValueError):
        binomial_ci(1, 4, method="wald")


@pytest.mark.parametrize("case", ["simulated", "one_sided"])
def test_mcnemar_matches_r_binom_test(case):
    name = "data_mcnemar.tsv" if case == "simulated" else "data_mcnemar_one_sided.tsv"
    data = read_booleans(name)
    result = mcnemar_exact(data["a"], data["b"]).columns()
    assert result["estimable"] is True
    assert result["n"] == int(MCNEMAR[(case, "n")])
    assert result["a_only"] == int(MCNEMAR[(case, "a_only")])
    assert result["b_only"] == int(MCNEMAR[(case, "b_only")])
    assert result["a_only"] + result["b_only"] + result["both"] + result["neither"] == result["n"]
    assert result["p_value"] == pytest.approx(float(MCNEMAR[(case, "p_value")]), rel=REL)
    # R's mcnemar.test is the asymptotic version: close to, but not, the exact p-value.
    assert result["p_value"] != pytest.approx(
        float(MCNEMAR[(case, "r_mcnemar_test_asymptotic_p")]), rel=REL
    )


def test_mcnemar_without_discordant_pairs_not_estimable():
    assert MCNEMAR[("no_discordant", "r_error")] == "TRUE"
    result = mcnemar_exact([True, False, True], [True, False, True]).columns()
    assert result["estimable"] is False and result["reason"] == "no discordant pairs"
    assert math.isnan(result["p_value"])
    assert (result["both"], result["neither"]) == (2, 1)


def test_mcnemar_balanced_discordance_gives_one():
    result = mcnemar_exact([True, False, True, False], [False, True, False, True])
    assert result.p_value == 1.0


def test_mcnemar_batch_of_r_studies_matches_r_binom_test():
    # The two R fixture studies, padded to one length with concordant pairs (which change no
    # p-value), tested in one batched call.
    studies = [
        read_booleans(name).dropna() for name in ("data_mcnemar.tsv", "data_mcnemar_one_sided.tsv")
    ]
    length = max(len(study) for study in studies)
    a = np.zeros((len(studies), length), dtype=bool)
    b = np.zeros((len(studies), length), dtype=bool)
    for row, study in enumerate(studies):
        a[row, : len(study)] = study["a"].astype(bool)
        b[row, : len(study)] = study["b"].astype(bool)
    batch = mcnemar_exact_batch(a, b)
    for row, case in enumerate(("simulated", "one_sided")):
        assert batch.extra["a_only"][row] == int(MCNEMAR[(case, "a_only")])
        assert batch.extra["b_only"][row] == int(MCNEMAR[(case, "b_only")])
        assert batch.p_value[row] == pytest.approx(float(MCNEMAR[(case, "p_value")]), rel=REL)


def test_mcnemar_batch_matches_statsmodels_exact_mcnemar_study_by_study():
    from statsmodels.stats.contingency_tables import mcnemar

    rng = np.random.default_rng(7)
    a = rng.random((300, 25)) < 0.6
    b = rng.random((300, 25)) < 0.3
    a[0] = b[0]  # a study without discordant pairs
    batch = mcnemar_exact_batch(a, b)
    assert not batch.estimable[0] and np.isnan(batch.p_value[0])
    assert batch.reason[0] == "no discordant pairs"
    for row in range(1, len(a)):
        table = [
            [np.sum(a[row] & b[row]), np.sum(a[row] & ~b[row])],
            [np.sum(~a[row] & b[row]), np.sum(~a[row] & ~b[row])],
        ]
        expected = mcnemar(table, exact=True).pvalue
        assert batch.estimable[row] and batch.p_value[row] == pytest.approx(expected, rel=1e-12)


def test_mcnemar_batch_refuses_non_boolean_or_mismatched_input():
    with pytest.raises(ValueError, match="boolean"):
        mcnemar_exact_batch(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="same shape"):
        mcnemar_exact_batch(np.ones((2, 3), bool), np.ones((2, 4), bool))
