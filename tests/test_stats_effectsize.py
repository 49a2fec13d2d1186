"""Effect sizes beside the rank tests (il6hcc.stats.effectsize), against their closed forms and
R's rank statistics (tests/r/make_core_fixtures.R): pingouin's values and intervals."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import bootstrap, rankdata

from il6hcc.stats.effectsize import (
    BOOTSTRAP_REPLICATES,
    BOOTSTRAP_SEED,
    CLES,
    MATCHED_PAIRS_RBC,
    common_language_effect_size,
    matched_pairs_rank_biserial,
)

FIXTURES = Path(__file__).parent / "fixtures" / "core"
RESULTS = pd.read_csv(FIXTURES / "results.tsv", sep="\t", keep_default_na=False, dtype=str)


def r_statistic(fn: str, case: str) -> float:
    row = RESULTS[(RESULTS["fn"] == fn) & (RESULTS["case"] == f"{case}/default")]
    return float(row.loc[row["key"] == "statistic", "value"].iloc[0])


def paired_data(case: str) -> tuple[np.ndarray, np.ndarray]:
    data = pd.read_csv(FIXTURES / f"data_paired_{case}.tsv", sep="\t")
    return data["post"].to_numpy(float), data["pre"].to_numpy(float)


def twogroup_data(case: str) -> tuple[np.ndarray, np.ndarray]:
    data = pd.read_csv(FIXTURES / f"data_twogroup_{case}.tsv", sep="\t")
    return tuple(data.loc[data["group"] == g, "value"].to_numpy(float) for g in ("x", "y"))


def kerby_closed_form(post, pre) -> float:
    """(T+ - T-) / (T+ + T-) over the non-zero differences, ranked one pair at a time."""
    differences = np.asarray(post) - np.asarray(pre)
    differences = differences[~np.isnan(differences) & (differences != 0)]
    ranks = rankdata(np.abs(differences))
    positive, negative = ranks[differences > 0].sum(), ranks[differences < 0].sum()
    return (positive - negative) / (positive + negative)


def cles_closed_form(x, y) -> float:
    """P(X > Y) + P(X = Y) / 2 over every pair, one pair at a time."""
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    wins = sum((a > b) + 0.5 * (a == b) for a in x for b in y)
    return wins / (x.size * y.size)


@pytest.mark.parametrize("case", ["small", "tied", "censored", "large"])
def test_rank_biserial_equals_closed_form_and_r_signed_rank_statistic(case):
    post, pre = paired_data(case)
    result = matched_pairs_rank_biserial(post, pre)
    assert result.estimable and result.extra["name"] == MATCHED_PAIRS_RBC
    assert result.estimate == pytest.approx(kerby_closed_form(post, pre), rel=1e-12)
    # From R's V: r = 4V / (n(n + 1)) - 1 with n the non-zero differences.
    differences = (post - pre)[~np.isnan(post - pre)]
    n = np.count_nonzero(differences)
    from_r = 4 * r_statistic("wilcoxon_signed_rank", case) / (n * (n + 1)) - 1
    assert result.estimate == pytest.approx(from_r, rel=1e-12)
    assert -1 <= result.ci_low <= result.estimate <= result.ci_high <= 1


@pytest.mark.parametrize("case", ["small", "tied", "censored", "large"])
def test_cles_equals_closed_form_and_r_rank_sum_statistic(case):
    x, y = twogroup_data(case)
    result = common_language_effect_size(x, y)
    assert result.estimable and result.extra["name"] == CLES
    assert result.estimate == pytest.approx(cles_closed_form(x, y), rel=1e-12)
    from_r = r_statistic("mann_whitney_u", case) / (x.size * y.size)
    assert result.estimate == pytest.approx(from_r, rel=1e-12)
    assert 0 <= result.ci_low <= result.estimate <= result.ci_high <= 1


def test_rank_biserial_interval_is_the_percentile_bootstrap_of_the_closed_form():
    post, pre = paired_data("tied")
    complete = ~(np.isnan(post) | np.isnan(pre))
    post, pre = post[complete], pre[complete]
    expected = bootstrap(
        (post, pre),
        lambda a, b: kerby_closed_form(a, b) if np.any(a != b) else 0.0,
        paired=True,
        vectorized=False,
        n_resamples=BOOTSTRAP_REPLICATES,
        method="percentile",
        confidence_level=0.9,
        random_state=BOOTSTRAP_SEED,
    ).confidence_interval
    result = matched_pairs_rank_biserial(post, pre, conf_level=0.9)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(expected), rel=1e-12)
    assert result.conf_level == 0.9 and "percentile bootstrap" in result.method


def test_cles_interval_is_the_percentile_bootstrap_of_the_closed_form():
    x, y = twogroup_data("tied")
    expected = bootstrap(
        (x, y),
        cles_closed_form,
        vectorized=False,
        n_resamples=BOOTSTRAP_REPLICATES,
        method="percentile",
        random_state=BOOTSTRAP_SEED,
    ).confidence_interval
    result = common_language_effect_size(x, y)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(expected), rel=1e-12)


def test_intervals_are_reproducible():
    post, pre = paired_data("censored")
    first = matched_pairs_rank_biserial(post, pre)
    assert first == matched_pairs_rank_biserial(post, pre)
    assert first.ci_low < first.ci_high


@pytest.mark.parametrize(
    ("post", "pre", "reason"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], "all differences are zero"),
        ([1.0, np.nan], [2.0, 3.0], "fewer than 2 complete pairs"),
    ],
)
def test_rank_biserial_not_estimable_where_the_test_is_not(post, pre, reason):
    result = matched_pairs_rank_biserial(post, pre)
    assert not result.estimable and result.reason == reason
    assert np.isnan(result.estimate) and result.extra["name"] == MATCHED_PAIRS_RBC


@pytest.mark.parametrize(
    ("x", "y", "reason"),
    [
        ([], [1.0, 2.0], "a group has no non-missing values"),
        ([2.0, 2.0], [2.0, 2.0], "all values are identical in both groups"),
        ([5.0], [1.0, 2.0, np.nan], "a group has a single value"),
    ],
)
def test_cles_not_estimable(x, y, reason):
    result = common_language_effect_size(np.array(x), np.array(y))
    assert not result.estimable and result.reason == reason


def test_pingouin_is_imported_only_when_an_effect_size_is_computed():
    scripts = Path(__file__).parents[1] / "workflow" / "scripts"
    probe = (
        f"import sys; sys.path.insert(0, {str(scripts)!r})\n"
        "import il6hcc.paired, il6hcc.table1, il6hcc.rocanalysis, il6hcc.criteria\n"
        "assert 'pingouin' not in sys.modules\n"
        "from il6hcc.stats.effectsize import common_language_effect_size\n"
        "common_language_effect_size([1.0, 2.0, 3.0], [0.5, 2.5])\n"
        "assert 'pingouin' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
