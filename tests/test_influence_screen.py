"""Leave-one-out screening (il6hcc.influence_screen): the batched path against the per-patient
path, from the rank tests' closed-form updates to the influence table."""

import numpy as np
import pandas as pd
import pytest
from analysis_helpers import AFP, IL6, cohort
from test_influence import MAIN
from test_multiverse import settings

from il6hcc.influence import leave_one_out, rerun_verdicts
from il6hcc.influence_screen import (
    RootBounds,
    certified_cohorts,
    estimate_sign_kept,
    rank_sum_p_without_each,
    signed_rank_p_without_each,
    walsh_sign_balance,
)
from il6hcc.multiverse import Multiverse, main_specification
from il6hcc.stats.nonparametric import (
    hodges_lehmann_signed_rank,
    mann_whitney_u,
    wilcoxon_signed_rank,
)


def sample(size: int, shift: float, decimals: int | None, seed: int) -> np.ndarray:
    """Normal values; rounded to ``decimals`` they have ties and zeros."""
    values = np.random.default_rng(seed).normal(shift, 1.0, size)
    return values if decimals is None else np.round(values, decimals)


def one_by_one(values: np.ndarray, test) -> tuple[np.ndarray, np.ndarray]:
    """The per-patient path: the 1-D test of ``values`` without each value."""
    results = [test(np.delete(values, k)) for k in range(values.size)]
    return (
        np.array([result.p_value for result in results], dtype=float),
        np.array([result.estimable for result in results]),
    )


def assert_same_p(batched, per_sample) -> None:
    (p_batched, estimable_batched), (p_single, estimable_single) = batched, per_sample
    assert (estimable_batched == estimable_single).all()
    np.testing.assert_allclose(p_batched, p_single, rtol=1e-12, atol=0)


@pytest.mark.parametrize("correct", [True, False])
@pytest.mark.parametrize(
    ("size", "decimals", "case"),
    [
        (90, 1, "closed form: ties and zeros"),
        (70, None, "closed form: no ties"),
        (30, None, "small: exact"),
        (30, 0, "small: ties and zeros, normal approximation"),
        (2, None, "two pairs: one left is not estimable"),
        (300, 0, "small: few non-zero differences among many zeros"),
    ],
)
def test_signed_rank_without_each_is_the_test_of_each_sample(size, decimals, case, correct):
    differences = sample(size, 0.3, decimals, seed=size)
    if "many zeros" in case:
        differences[40:] = 0.0
    if "zeros" in case:
        assert (differences == 0).sum() >= 2 and np.unique(differences).size < size
    assert_same_p(
        signed_rank_p_without_each(differences, correct=correct),
        one_by_one(
            differences, lambda d: wilcoxon_signed_rank(d, np.zeros_like(d), correct=correct)
        ),
    )


@pytest.mark.parametrize("correct", [True, False])
@pytest.mark.parametrize(
    ("n_x", "n_y", "decimals"),
    [(80, 25, 1), (20, 60, None), (1, 60, None), (12, 9, None), (12, 9, 0), (1, 5, None)],
)
def test_rank_sum_without_each_is_the_test_of_each_sample(n_x, n_y, decimals, correct):
    x = sample(n_x, 0.0, decimals, seed=n_x)
    y = sample(n_y, 0.4, decimals, seed=n_y + 100)
    without_x, without_y = rank_sum_p_without_each(x, y, correct=correct)
    assert_same_p(without_x, one_by_one(x, lambda s: mann_whitney_u(s, y, correct=correct)))
    assert_same_p(without_y, one_by_one(y, lambda s: mann_whitney_u(x, s, correct=correct)))


@pytest.mark.parametrize("location", [0.0, 0.1, -0.3, 0.25])
def test_walsh_sign_balance_is_the_signed_sum_over_pairs(location):
    values = sample(40, 0.1, 1, seed=4)
    nonzero = values[values != 0]
    shifted = nonzero - location
    pairs = np.add.outer(shifted, shifted)[np.triu_indices(shifted.size)]
    assert walsh_sign_balance(nonzero, location) == int(np.sign(pairs).sum())


@pytest.mark.parametrize(("shift", "sign"), [(0.5, 1), (-0.4, -1)])
def test_a_certified_estimate_sign_holds_without_each_difference(shift, sign):
    differences = sample(120, shift, 2, seed=9)
    assert estimate_sign_kept(differences, sign)
    assert not estimate_sign_kept(differences, -sign)
    estimates = [
        hodges_lehmann_signed_rank(np.delete(differences, k)).estimate
        for k in range(differences.size)
    ]
    assert (np.sign(estimates) == sign).all()


def test_an_estimate_near_zero_or_a_small_sample_is_not_certified():
    assert not estimate_sign_kept(sample(120, 0.02, 2, seed=9), 1)
    assert not estimate_sign_kept(sample(40, 2.0, None, seed=9), 1)


def test_root_bounds_hold_for_the_interval_and_estimate_without_each_difference():
    correct = True
    differences = sample(100, 0.8, 2, seed=12)
    bounds = RootBounds(differences)
    results = [
        hodges_lehmann_signed_rank(np.delete(differences, k), correct=correct)
        for k in range(differences.size)
    ]
    lows, highs = (
        np.array([getattr(r, field) for r in results]) for field in ("ci_low", "ci_high")
    )
    estimates = np.array([result.estimate for result in results])
    quantile = 1.959963984540054
    locations = np.linspace(-1.0, 2.0, 31)
    below_lows = [L for L in locations if bounds.above(L, quantile, correct)]
    above_highs = [L for L in locations if bounds.below(L, quantile, correct)]
    # Each certificate is given somewhere, and wherever given it holds.
    assert below_lows and above_highs
    assert lows.min() > max(below_lows) and highs.max() < min(above_highs)
    assert 0 < bounds.smallest_estimate_size() < np.abs(estimates).min()


def rising_everywhere(n_first: int = 16, n_later: int = 8) -> pd.DataFrame:
    """IL-6 rises in both lines, in responders and non-responders (claims 2 and 4 are then
    significant, so their verdicts can be certified); AFP moves at random; one NE patient."""
    rng = np.random.default_rng(21)
    n = n_first + n_later
    responses = (["PR", "SD", "PD", "CR"] * n)[:n]
    responses[5] = "NE"
    il6_pre = np.round(rng.uniform(2, 12, n), 1)
    il6_post = np.round(il6_pre + rng.uniform(0.5, 6, n), 1)
    afp_pre = np.round(rng.lognormal(4, 1, n), 1)
    afp_post = np.round(afp_pre * rng.uniform(0.5, 1.3, n), 1)
    return cohort(
        responses,
        {"il6_pre": il6_pre, "il6_post": il6_post, "afp_pre": afp_pre, "afp_post": afp_post},
        line=[1] * n_first + [2] * n_later,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "adjust_family": "subgroup",
            "main": {
                **MAIN,
                "signed_rank_scale": "log_ratio",
                "multiple_testing": "BH",
                "continuity_correction": False,
            },
        },
    ],
    ids=["default", "subgroup family, log ratio, BH, no correction"],
)
def test_the_screened_table_is_the_table_of_one_rerun_per_patient(changes):
    data = rising_everywhere()
    options = settings(markers=[IL6, AFP], **{"main": MAIN, **changes})
    multiverse = Multiverse(data, options)
    specification = main_specification(options)
    main_claims = multiverse.claims(specification)
    main = main_claims.set_index("claim")["verdict"]
    certified = certified_cohorts(multiverse, specification, main_claims)
    # Some cohorts are certified and some are not, so both paths are exercised.
    assert 0 < certified.sum() < certified.size
    source_rows = data["source_row"].astype(int).to_numpy()
    # The uncertified cohorts are rerun by leave_one_out itself (the same rerun_verdicts).
    reruns = rerun_verdicts(multiverse, specification, source_rows[certified])
    assert (reruns == main).all().all()
    screened = leave_one_out(data, options).set_index("claim")
    assert (screened["n_holds"] + screened["n_reversing"] == len(data)).all()
    assert (screened["n_reversing"] <= (~certified).sum()).all()
    certified_ids = set(data["patient_id"][certified])
    for ids in screened["reversing_patients"]:
        assert not set(ids.split(", ")) & certified_ids
