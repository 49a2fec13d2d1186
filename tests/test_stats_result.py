"""The one result type of every statistic (il6hcc.stats.result)."""

import math

import numpy as np
import pytest

from il6hcc.stats.result import NOT_ESTIMABLE, StatResult


def test_not_estimable_keeps_its_reason_and_counts_and_nothing_else():
    result = StatResult.not_estimable("fewer than 2 complete pairs", n_pairs=1)
    columns = result.columns()
    assert columns["estimable"] is False
    assert columns["reason"] == "fewer than 2 complete pairs"
    assert columns["method"] == NOT_ESTIMABLE
    assert columns["n_pairs"] == 1
    assert all(math.isnan(columns[name]) for name in ("statistic", "p_value", "estimate"))


def test_not_estimable_needs_a_reason():
    with pytest.raises(ValueError, match="reason"):
        StatResult.not_estimable("")


def test_columns_prefix_every_name_and_keep_only_the_fields_asked_for():
    result = StatResult(statistic=3.0, p_value=0.25, method="exact", extra={"n": 7})
    assert result.columns("hl_", keep=("p_value", "method")) == {
        "hl_p_value": 0.25,
        "hl_method": "exact",
        "hl_n": 7,
    }
    with pytest.raises(ValueError, match="not a field"):
        result.columns(keep=("p",))


def test_with_extra_adds_without_changing_the_original():
    result = StatResult(p_value=np.array([0.1, 0.2]), extra={"n": 5})
    more = result.with_extra(rank_biserial=0.5, n=6)
    assert more.extra == {"n": 6, "rank_biserial": 0.5}
    assert result.extra == {"n": 5}
    np.testing.assert_array_equal(more.p_value, [0.1, 0.2])
