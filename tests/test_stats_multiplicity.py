"""p_adjust against R's p.adjust (tests/r/make_core_fixtures.R)."""

import gc
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.stats.multiplicity import frozen_heap, p_adjust

FIXTURES = Path(__file__).parent / "fixtures" / "core"
REL = 1e-10
METHODS = ["holm", "BH", "bonferroni", "none"]


def r_adjusted() -> dict:
    table = pd.read_csv(FIXTURES / "results.tsv", sep="\t", keep_default_na=False, dtype=str)
    table = table[table["fn"] == "p_adjust"]
    out: dict = {}
    for row in table.itertuples():
        value = math.nan if row.value == "NA" else float(row.value)
        out.setdefault(row.case, {})[int(row.key)] = value
    return {case: np.array([values[i] for i in sorted(values)]) for case, values in out.items()}


def raw_p_values() -> dict:
    data = pd.read_csv(FIXTURES / "data_padjust.tsv", sep="\t")
    return {
        case: group.sort_values("index")["p"].to_numpy() for case, group in data.groupby("case")
    }


R_ADJUSTED = r_adjusted()
RAW = raw_p_values()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", sorted(RAW))
def test_p_adjust_matches_r(case, method):
    expected = R_ADJUSTED[f"{case}/{method}"]
    adjusted = p_adjust(RAW[case], method=method)
    assert adjusted.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(adjusted), np.isnan(expected))
    present = ~np.isnan(expected)
    np.testing.assert_allclose(adjusted[present], expected[present], rtol=REL, atol=0)


def test_missing_values_are_not_counted():
    # Two non-missing p-values: Bonferroni multiplies by 2, not by 3.
    adjusted = p_adjust([0.01, None, 0.02], method="bonferroni")
    assert math.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2]], [0.02, 0.04])


def test_ties_get_identical_adjusted_values():
    for method in ("holm", "BH"):
        adjusted = p_adjust([0.04, 0.01, 0.04, 0.03], method=method)
        assert adjusted[0] == adjusted[2]


def test_empty_and_invalid_input():
    assert p_adjust([], method="holm").size == 0
    with pytest.raises(ValueError):
        p_adjust([0.5, 1.2])
    with pytest.raises(ValueError):
        p_adjust([0.5], method="hochberg")


def test_frozen_heap_freezes_what_is_alive_and_gives_it_back():
    kept = [[index] for index in range(1000)]
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        made_inside = [[index] for index in range(1000)]
        # At most as many (another thread may free frozen objects meanwhile), not 1000 more.
        assert gc.get_freeze_count() <= frozen, "objects made inside are not frozen"
        assert p_adjust([0.01, 0.04, 0.03], "holm").tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("a failure inside still unfreezes")
    assert gc.get_freeze_count() == 0
    assert len(kept) == len(made_inside)


def test_a_nested_block_leaves_the_enclosing_blocks_objects_frozen():
    with frozen_heap():
        with frozen_heap():
            pass
        # Without re-entry the inner block's unfreeze would have released everything.
        assert gc.get_freeze_count() > 1000
    assert gc.get_freeze_count() == 0


def test_holms_garbage_collection_walks_only_what_the_adjustment_makes(monkeypatch):
    # statsmodels' Holm adjustment ends with gc.collect(): p_adjust runs it with the heap frozen.
    seen = []

    def collect(*args):
        seen.append(gc.get_freeze_count())
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    assert p_adjust([0.01, 0.04, 0.03], "holm").tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert len(seen) == 1 and seen[0] > 1000
    assert gc.get_freeze_count() == 0
