"""Batched ROC and McNemar statistics (il6hcc.stats.batched_*) against the one-study functions,
study by study; those functions are themselves checked against pROC and R's binom.test."""

import numpy as np
import pytest

from il6hcc.stats.batched_mcnemar import mcnemar_exact_batch
from il6hcc.stats.batched_roc import delong_paired_test_batch, roc_auc_batch
from il6hcc.stats.multiplicity import P_ADJUST_METHODS, p_adjust, p_adjust_batch
from il6hcc.stats.proportions import mcnemar_exact
from il6hcc.stats.roc import delong_paired_test, roc_auc

IS_CASE = np.array([True] * 6 + [False] * 9)


def rounded_scores(seed, studies=40):
    # One decimal, so that studies have ties within and between cases and controls.
    rng = np.random.default_rng(seed)
    shift = np.where(IS_CASE, 0.6, 0.0)
    return np.round(rng.normal(shift, 1.0, size=(studies, IS_CASE.size)), 1)


def test_roc_auc_batch_matches_roc_auc_study_by_study():
    scores = rounded_scores(1)
    batch = roc_auc_batch(scores, IS_CASE, conf_level=0.9)
    for row, study in enumerate(scores):
        one = roc_auc(study, IS_CASE, conf_level=0.9)
        assert batch.estimate[row] == pytest.approx(one.estimate, rel=1e-12)
        assert batch.extra["auc_se"][row] == pytest.approx(one.extra["auc_se"], rel=1e-12)
        assert batch.ci_low[row] == pytest.approx(one.ci_low, rel=1e-12)
        assert batch.ci_high[row] == pytest.approx(one.ci_high, rel=1e-12)
        assert bool(batch.estimable[row]) == one.estimable


def test_roc_auc_batch_test_against_half_is_the_delong_z_test():
    scores = rounded_scores(2)
    batch = roc_auc_batch(scores, IS_CASE)
    z = (batch.estimate - 0.5) / batch.extra["auc_se"]
    assert np.allclose(batch.statistic, z)
    # The interval at 1 - alpha excludes 0.5 exactly when p < alpha.
    excludes = (batch.ci_low > 0.5) | (batch.ci_high < 0.5)
    assert np.array_equal(excludes, batch.p_value < 0.05)


def test_roc_auc_batch_perfect_separation_is_not_estimable():
    scores = np.where(IS_CASE, 2.0, 1.0) + np.arange(IS_CASE.size) * 1e-3
    batch = roc_auc_batch(np.vstack([scores, rounded_scores(3, studies=1)[0]]), IS_CASE)
    assert list(batch.estimable) == [False, True]
    assert np.isnan(batch.p_value[0]) and batch.estimate[0] == 1.0


def test_delong_paired_test_batch_matches_delong_paired_test_study_by_study():
    scores_a, scores_b = rounded_scores(4), rounded_scores(5)
    batch = delong_paired_test_batch(scores_a, scores_b, IS_CASE)
    for row in range(len(scores_a)):
        one = delong_paired_test(scores_a[row], scores_b[row], IS_CASE)
        assert batch.estimate[row] == pytest.approx(one.estimate, rel=1e-12)
        assert batch.statistic[row] == pytest.approx(one.statistic, rel=1e-10)
        assert batch.p_value[row] == pytest.approx(one.p_value, rel=1e-10)
        assert batch.ci_low[row] == pytest.approx(one.ci_low, rel=1e-10)
        assert batch.ci_high[row] == pytest.approx(one.ci_high, rel=1e-10)


def test_batched_roc_refuses_missing_scores_and_too_few_cases():
    scores = rounded_scores(6, studies=2)
    scores[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        roc_auc_batch(scores, IS_CASE)
    with pytest.raises(ValueError, match="2 cases"):
        roc_auc_batch(rounded_scores(6, studies=2), np.arange(IS_CASE.size) == 0)


def test_mcnemar_exact_batch_matches_mcnemar_exact_study_by_study():
    rng = np.random.default_rng(7)
    a = rng.random((300, 25)) < 0.6
    b = rng.random((300, 25)) < 0.3
    a[0] = b[0]  # a study without discordant pairs
    batch = mcnemar_exact_batch(a, b)
    for row in range(len(a)):
        one = mcnemar_exact(a[row], b[row])
        assert bool(batch.estimable[row]) == one.estimable
        assert batch.extra["a_only"][row] == one.extra["a_only"]
        assert batch.extra["b_only"][row] == one.extra["b_only"]
        if one.estimable:
            assert batch.p_value[row] == pytest.approx(one.p_value, rel=1e-12)
        else:
            assert np.isnan(batch.p_value[row]) and one.reason == batch.reason[row]


@pytest.mark.parametrize("method", sorted(P_ADJUST_METHODS))
def test_p_adjust_batch_matches_p_adjust_family_by_family(method):
    rng = np.random.default_rng(8)
    # Families of 4 p-values (columns), with ties and missing values; one all missing.
    p = np.round(rng.random((4, 300)) ** 2, 2)
    p[rng.random(p.shape) < 0.15] = np.nan
    p[:, 0] = np.nan
    batch = p_adjust_batch(p, method, axis=0)
    for family in range(p.shape[1]):
        np.testing.assert_allclose(batch[:, family], p_adjust(p[:, family], method), rtol=1e-15)
    assert np.array_equal(p_adjust_batch(p.T, method), batch.T, equal_nan=True)
