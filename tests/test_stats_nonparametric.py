"""wilcoxon_signed_rank and mann_whitney_u against R's wilcox.test.

Reference values: tests/r/make_core_fixtures.R.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.stats.nonparametric import (
    ROOT_TOLERANCE,
    hodges_lehmann_signed_rank,
    mann_whitney_u,
    wilcoxon_signed_rank,
)

FIXTURES = Path(__file__).parent / "fixtures" / "core"


def wilcoxon_signed_rank_columns(*args, **kwargs) -> dict:
    return wilcoxon_signed_rank(*args, **kwargs).columns()


def mann_whitney_u_columns(*args, **kwargs) -> dict:
    return mann_whitney_u(*args, **kwargs).columns()


def hodges_lehmann_signed_rank_columns(*args, **kwargs) -> dict:
    return hodges_lehmann_signed_rank(*args, **kwargs).columns()


REL = 1e-10
VARIANTS = {
    "default": {"exact": None, "correct": True},
    "nocorrect": {"exact": None, "correct": False},
    "approx": {"exact": False, "correct": True},
    "forced_exact": {"exact": True, "correct": True},
}
R_METHODS = {
    "exact": ("Wilcoxon signed rank exact test", "Wilcoxon rank sum exact test"),
    "normal approximation, continuity correction": (
        "Wilcoxon signed rank test with continuity correction",
        "Wilcoxon rank sum test with continuity correction",
    ),
    "normal approximation": ("Wilcoxon signed rank test", "Wilcoxon rank sum test"),
}


def r_results(fn: str) -> dict:
    table = pd.read_csv(FIXTURES / "results.tsv", sep="\t", keep_default_na=False, dtype=str)
    table = table[table["fn"] == fn]
    return {(row.case, row.key): row.value for row in table.itertuples()}


def as_number(text: str) -> float:
    return math.nan if text == "NA" else float(text)


def paired_data(case: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"data_paired_{case}.tsv", sep="\t")


def twogroup_data(case: str) -> tuple[np.ndarray, np.ndarray]:
    data = pd.read_csv(FIXTURES / f"data_twogroup_{case}.tsv", sep="\t")
    return (
        data.loc[data["group"] == "x", "value"].to_numpy(dtype=float),
        data.loc[data["group"] == "y", "value"].to_numpy(dtype=float),
    )


SIGNED_RANK = r_results("wilcoxon_signed_rank")
RANK_SUM = r_results("mann_whitney_u")
PAIRED_ESTIMABLE = ["small", "tied", "censored", "large"]
TWOGROUP_ESTIMABLE = ["small", "tied", "censored", "large", "single_each"]


def method_family(method: str) -> str:
    return method.split(";")[0]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", PAIRED_ESTIMABLE)
def test_signed_rank_matches_r(case, variant):
    data = paired_data(case)
    result = wilcoxon_signed_rank_columns(data["post"], data["pre"], **VARIANTS[variant])
    label = f"{case}/{variant}"
    assert result["estimable"] is True and result["reason"] == ""
    assert result["statistic"] == pytest.approx(float(SIGNED_RANK[(label, "statistic")]), rel=REL)
    assert result["p_value"] == pytest.approx(float(SIGNED_RANK[(label, "p_value")]), rel=REL)
    assert R_METHODS[method_family(result["method"])][0] == SIGNED_RANK[(label, "r_method")]
    assert result["n_pairs"] == int(SIGNED_RANK[(case, "n_pairs")])
    assert result["n_nonzero"] == int(SIGNED_RANK[(case, "n_nonzero")])
    assert result["n_zero"] == result["n_pairs"] - result["n_nonzero"]
    assert result["median_difference"] == pytest.approx(
        float(SIGNED_RANK[(case, "median_difference")]), rel=REL
    )
    assert result["rank_biserial"] == pytest.approx(
        float(SIGNED_RANK[(case, "rank_biserial")]), rel=REL
    )


def test_signed_rank_method_says_why_exact_was_not_used():
    tied = paired_data("tied")
    method = wilcoxon_signed_rank_columns(tied["post"], tied["pre"])["method"]
    assert method.startswith("normal approximation, continuity correction")
    assert "ties" in method and "zero differences" in method
    large = paired_data("large")
    assert "n_nonzero >= 50" in wilcoxon_signed_rank(large["post"], large["pre"]).method
    assert wilcoxon_signed_rank(large["post"], large["pre"], exact=True).method == "exact"
    assert (
        wilcoxon_signed_rank(large["post"], large["pre"], exact=False, correct=False).method
        == "normal approximation"
    )


def test_signed_rank_drops_incomplete_pairs():
    tied = paired_data("tied")
    assert tied["post"].isna().sum() == 1
    assert wilcoxon_signed_rank_columns(tied["post"], tied["pre"])["n_pairs"] == len(tied) - 1


def test_signed_rank_all_zero_differences_not_estimable():
    data = paired_data("all_zero")
    assert SIGNED_RANK[("all_zero/default", "p_value")] == "NA"
    result = wilcoxon_signed_rank_columns(data["post"], data["pre"])
    assert result["estimable"] is False
    assert result["reason"] == "all differences are zero"
    assert (result["n_pairs"], result["n_nonzero"], result["n_zero"]) == (4, 0, 4)
    assert math.isnan(result["p_value"]) and result["median_difference"] == 0


@pytest.mark.parametrize("case", ["no_pairs", "one_pair"])
def test_signed_rank_fewer_than_two_pairs_not_estimable(case):
    data = paired_data(case)
    result = wilcoxon_signed_rank_columns(data["post"], data["pre"])
    assert result["estimable"] is False
    assert result["reason"] == "fewer than 2 complete pairs"
    assert result["n_pairs"] == int(SIGNED_RANK[(case, "n_pairs")])
    assert math.isnan(result["p_value"])


def test_signed_rank_r_errors_without_pairs():
    assert SIGNED_RANK[("no_pairs/default", "r_error")] == "TRUE"


def test_signed_rank_single_nonzero_difference_matches_r_arithmetic():
    # One non-zero difference among two pairs: R's normal approximation gives z = 0, p = 1.
    result = wilcoxon_signed_rank_columns([2.0, 3.0], [1.0, 3.0])
    assert result["estimable"] is True
    assert result["p_value"] == 1.0 and result["statistic"] == 1.0


def test_signed_rank_rejects_unequal_lengths():
    with pytest.raises(ValueError):
        wilcoxon_signed_rank_columns([1.0, 2.0], [1.0])


def test_rank_biserial_agrees_with_pingouin():
    import pingouin

    data = paired_data("small")
    ours = wilcoxon_signed_rank_columns(data["post"], data["pre"])
    # pingouin.wilcoxon(x, y) ranks d = x - y and reports (T+ - T-)/(T+ + T-):
    # our sign with x = post.
    theirs = pingouin.wilcoxon(data["post"].to_numpy(), data["pre"].to_numpy())
    assert ours["n_zero"] == 0
    assert ours["rank_biserial"] == pytest.approx(float(theirs["RBC"].iloc[0]), rel=1e-12)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", TWOGROUP_ESTIMABLE)
def test_rank_sum_matches_r(case, variant):
    x, y = twogroup_data(case)
    result = mann_whitney_u_columns(x, y, **VARIANTS[variant])
    label = f"{case}/{variant}"
    assert result["estimable"] is True and result["reason"] == ""
    assert (result["n_x"], result["n_y"]) == (len(x), len(y))
    assert result["statistic"] == pytest.approx(float(RANK_SUM[(label, "statistic")]), rel=REL)
    assert result["p_value"] == pytest.approx(float(RANK_SUM[(label, "p_value")]), rel=REL)
    assert R_METHODS[method_family(result["method"])][1] == RANK_SUM[(label, "r_method")]
    assert result["rank_biserial"] == pytest.approx(
        float(RANK_SUM[(label, "rank_biserial")]), rel=REL
    )


def test_rank_sum_large_groups_use_normal_approximation():
    x, y = twogroup_data("large")
    assert len(x) >= 50 and len(y) >= 50
    result = mann_whitney_u_columns(x, y)
    assert result["method"].startswith("normal approximation, continuity correction")
    assert mann_whitney_u_columns(x, y, exact=True)["method"] == "exact"


def test_rank_biserial_sign_convention():
    result = mann_whitney_u_columns([5.0, 6.0, 7.0], [1.0, 2.0])
    assert result["statistic"] == 6.0 and result["rank_biserial"] == 1.0
    assert mann_whitney_u_columns([1.0, 2.0], [5.0, 6.0, 7.0])["rank_biserial"] == -1.0


def test_rank_sum_empty_group_not_estimable():
    x, y = twogroup_data("no_responders")
    assert RANK_SUM[("no_responders/default", "r_error")] == "TRUE"
    result = mann_whitney_u_columns(x, y)
    assert result["estimable"] is False
    assert result["reason"] == "a group has no non-missing values"
    assert (result["n_x"], result["n_y"]) == (0, 4)
    assert math.isnan(result["p_value"])


def test_rank_sum_all_identical_not_estimable():
    x, y = twogroup_data("all_identical")
    assert RANK_SUM[("all_identical/default", "p_value")] == "NA"
    result = mann_whitney_u_columns(x, y)
    assert result["estimable"] is False
    assert result["reason"] == "all values are identical in both groups"


def test_exact_signed_rank_null_distribution_sums_to_one_and_is_symmetric():
    from il6hcc.stats.nonparametric import _signed_rank_counts

    signed = _signed_rank_counts(10)
    assert sum(signed) == 2**10 and signed == signed[::-1]


# ---------------------------------------------------------------- Hodges-Lehmann estimate and CI
HL_VARIANTS = {
    "default": {"exact": None, "correct": True},
    "nocorrect": {"exact": None, "correct": False},
    "approx": {"exact": False, "correct": True},
    "log_ratio": {"exact": None, "correct": True},
}
# Cases where R's asymptotic limit sits on a near-tie that one unit in the last place of the
# normal quantile flips (R's qnorm and scipy's ndtri differ there), so the root-finding stops on
# the other side of a jump of the step function: equal only to within R's tol.root.
HL_QUANTILE_SENSITIVE = {("censored", "nocorrect")}


def hl_fixtures() -> dict:
    table = pd.read_csv(FIXTURES / "hodges_lehmann.tsv", sep="\t", keep_default_na=False, dtype=str)
    return {
        (row.case, row.variant, float(row.conf_level_requested), row.key): row.value
        for row in table.itertuples()
    }


HL = hl_fixtures()
HL_KEYS = ("estimate", "ci_low", "ci_high", "conf_level")
HL_CASES = sorted({(case, variant, level) for case, variant, level, _ in HL})


def hl_differences(case: str, variant: str) -> np.ndarray:
    extra = pd.read_csv(FIXTURES / "data_paired_hl_extra.tsv", sep="\t")
    data = extra[extra["case"] == case] if case in set(extra["case"]) else paired_data(case)
    complete = data.dropna(subset=["pre", "post"])
    if variant == "log_ratio":
        # As the R script: a log ratio needs both values positive.
        positive = complete[(complete["pre"] > 0) & (complete["post"] > 0)]
        return np.log2(positive["post"].to_numpy(float) / positive["pre"].to_numpy(float))
    return complete["post"].to_numpy(float) - complete["pre"].to_numpy(float)


def test_hl_fixtures_cover_exact_asymptotic_and_unreachable_levels():
    methods = {HL[(*key, "r_method")] for key in HL_CASES}
    assert "Wilcoxon signed rank exact test" in methods
    assert "Wilcoxon signed rank test with continuity correction" in methods
    assert "Wilcoxon signed rank test" in methods
    levels = {as_number(HL[(*key, "conf_level")]) for key in HL_CASES}
    assert {0.88, 0.0} <= levels
    assert len(HL_CASES) == 8 * 4 * 2


@pytest.mark.parametrize(("case", "variant", "level"), HL_CASES)
def test_hodges_lehmann_matches_r(case, variant, level):
    result = hodges_lehmann_signed_rank_columns(
        hl_differences(case, variant), conf_level=level, **HL_VARIANTS[variant]
    )
    expected = {key: as_number(HL[(case, variant, level, key)]) for key in HL_KEYS}
    r_method = HL[(case, variant, level, "r_method")]
    assert r_method in R_METHODS[result["method"]]
    assert result["estimable"]
    if HL[(case, variant, level, "estimate_name")] == "midrange":
        assert result["estimate"] == pytest.approx(expected["estimate"], rel=1e-12)
        assert math.isnan(result["ci_low"]) and math.isnan(result["ci_high"])
        assert "the same" in result["reason"]
        return
    exact = result["method"] == "exact"
    for key in HL_KEYS:
        if exact:
            assert result[key] == pytest.approx(expected[key], rel=1e-12), key
        elif key in ("ci_low", "ci_high") and (case, variant) in HL_QUANTILE_SENSITIVE:
            assert result[key] == pytest.approx(expected[key], abs=ROOT_TOLERANCE), key
        else:
            assert result[key] == pytest.approx(expected[key], rel=REL, abs=1e-12), key


def test_hodges_lehmann_exact_is_the_median_of_walsh_averages():
    data = paired_data("small")
    differences = (data["post"] - data["pre"]).to_numpy()
    walsh = [(a + b) / 2 for i, a in enumerate(differences) for b in differences[i:]]
    result = hodges_lehmann_signed_rank_columns(differences)
    assert result["method"] == "exact"
    assert result["estimate"] == np.median(walsh)
    assert result["ci_low"] in walsh and result["ci_high"] in walsh
    assert result["ci_low"] < result["estimate"] < result["ci_high"]


def test_hodges_lehmann_without_nonzero_difference_is_not_estimable():
    result = hodges_lehmann_signed_rank_columns([0.0, 0.0, math.nan])
    assert not result["estimable"]
    assert result["reason"] == "no non-zero difference"
    assert math.isnan(result["estimate"])


# ---------------------------------------------------------------- batches of resampled studies
def resampled_differences(case: str, n_studies: int, seed: int) -> np.ndarray:
    """Studies made from one fixture: the fixture itself, sign flips of its differences (no ties:
    exact), bootstrap resamples (ties: normal approximation) and one with every difference 0."""
    data = paired_data(case).dropna()
    differences = (data["post"] - data["pre"]).to_numpy(float)
    rng = np.random.default_rng(seed)
    flips = differences * rng.choice([-1.0, 1.0], size=(n_studies, differences.size))
    resamples = rng.choice(differences, size=(n_studies, differences.size))
    return np.vstack([differences, flips, resamples, np.zeros(differences.size)])


def assert_batch_equals_rows(batch, rows: list[dict]) -> None:
    # Fields that are the same for every study (method, the unused CI) may be one scalar.
    columns = {
        name: np.broadcast_to(np.asarray(values, dtype=object), len(rows))
        for name, values in batch.columns().items()
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if isinstance(value, str):
                assert columns[name][index] == value, name
            else:
                assert columns[name][index] == pytest.approx(value, rel=1e-13, nan_ok=True), name


@pytest.mark.parametrize("case", ["small", "censored", "large"])
def test_signed_rank_batch_equals_one_study_at_a_time(case):
    differences = resampled_differences(case, 6, seed=14)
    zeros = np.zeros_like(differences)
    batch = wilcoxon_signed_rank(differences, zeros)
    rows = [wilcoxon_signed_rank_columns(row, np.zeros_like(row)) for row in differences]
    assert len({row["method"] for row in rows}) >= 2
    assert rows[-1]["reason"] == "all differences are zero"
    assert_batch_equals_rows(batch, rows)
    label = f"{case}/default"
    assert batch.p_value[0] == pytest.approx(float(SIGNED_RANK[(label, "p_value")]), rel=REL)
    along_first_axis = wilcoxon_signed_rank(differences.T, zeros.T, axis=0)
    np.testing.assert_array_equal(along_first_axis.p_value, batch.p_value)


def test_rank_sum_batch_equals_one_study_at_a_time():
    x, y = twogroup_data("small")
    rng = np.random.default_rng(7)
    pooled = np.concatenate([x, y])
    studies = np.vstack(
        [pooled, *(rng.permutation(pooled) for _ in range(4)), rng.choice(pooled, (4, pooled.size))]
    )
    studies = np.vstack([studies, np.ones(pooled.size)])
    batch = mann_whitney_u(studies[:, : x.size], studies[:, x.size :], correct=False)
    rows = [mann_whitney_u_columns(s[: x.size], s[x.size :], correct=False) for s in studies]
    assert len({row["method"] for row in rows}) == 3
    assert_batch_equals_rows(batch, rows)
    r_p_value = float(RANK_SUM[("small/nocorrect", "p_value")])
    assert batch.p_value[0] == pytest.approx(r_p_value, rel=REL)
    cube = mann_whitney_u(
        studies[:, : x.size].reshape(2, 5, -1), studies[:, x.size :].reshape(2, 5, -1)
    )
    assert cube.p_value.shape == (2, 5)


def test_batch_with_one_method_names_it_once():
    differences = np.array([[1.0, -2.0, 3.5, 4.0], [2.0, 3.0, -1.5, 5.0]])
    assert wilcoxon_signed_rank(differences, np.zeros_like(differences)).method == "exact"


def test_batch_must_be_free_of_missing_values():
    with pytest.raises(ValueError, match="NaN"):
        wilcoxon_signed_rank(np.array([[1.0, np.nan]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="NaN"):
        mann_whitney_u(np.array([[1.0, np.nan]]), np.ones((1, 3)))
