"""il6hcc.stats.distributions returns exactly what scipy.stats returns (it exists only to spare
rule jobs the import of scipy.stats), including at the edges of each support."""

import numpy as np
import pytest
from scipy import stats

from il6hcc.stats.distributions import (
    average_ranks,
    beta_quantile,
    chi2_sf,
    normal_cdf,
    normal_quantile,
    normal_sf,
)

RNG = np.random.default_rng(20250101)
Z = np.concatenate([RNG.normal(scale=6, size=20_000), [0.0, -0.0, 40.0, -40.0, np.inf, -np.inf]])
Q = np.concatenate([RNG.random(20_000), [0.0, 1.0, 0.5, 0.025, 0.975, 1e-300, np.nan, 1.5]])


def same(a, b) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def test_normal_functions_equal_scipy_stats_norm():
    assert same(normal_cdf(Z), stats.norm.cdf(Z))
    assert same(normal_sf(Z), stats.norm.sf(Z))
    assert same(normal_quantile(Q), stats.norm.ppf(Q))
    for value in (-3.2, 0.0, 1.96, np.nan):
        assert normal_sf(value) == stats.norm.sf(value) or np.isnan(normal_sf(value))
        assert type(normal_sf(value)) is type(stats.norm.sf(value))


@pytest.mark.parametrize("df", [1, 2, 3, 7, 30, 2.5])
def test_chi2_sf_equals_scipy_stats_chi2(df):
    x = np.concatenate([RNG.exponential(scale=3 * df, size=5_000), [0.0, -1e-15, -2.0, np.inf]])
    assert same(chi2_sf(x, df), stats.chi2.sf(x, df))
    assert same(chi2_sf(x[0], df), stats.chi2.sf(x[0], df))


def test_chi2_sf_is_nan_without_degrees_of_freedom():
    assert np.isnan(chi2_sf(1.0, 0)) and np.isnan(stats.chi2.sf(1.0, 0))
    assert np.isnan(chi2_sf(np.nan, 2)) and np.isnan(stats.chi2.sf(np.nan, 2))


def test_beta_quantile_equals_scipy_stats_beta_for_clopper_pearson_limits():
    for n in range(1, 160):
        x = np.arange(1, n + 1)
        for q in (0.025, 0.975, 0.005, 0.995, 0.05, 0.95, *RNG.random(2)):
            assert same(beta_quantile(q, x, n - x + 1), stats.beta.ppf(q, x, n - x + 1))
            assert same(beta_quantile(q, x, n - x + 0.5), stats.beta.ppf(q, x, n - x + 0.5))


@pytest.mark.parametrize(
    "values",
    [
        [3.0],
        [2.0, 2.0, 2.0],
        [1.5, -0.5, 1.5, 7.0, -0.5, -0.5, 0.0],
        list(RNG.integers(0, 12, size=500)),
        list(RNG.normal(size=1_000)),
        list(np.round(RNG.normal(size=2_000), 1)),
    ],
)
def test_average_ranks_equal_scipy_rankdata(values):
    ranks = average_ranks(np.asarray(values))
    assert ranks.dtype == np.float64
    assert same(ranks, stats.rankdata(values))
