"""The robustness multiverse (il6hcc.multiverse): grid, sample, batches, specifications, summary."""

import numpy as np
import pandas as pd
import pytest
from analysis_helpers import AFP, IL6, cohort

from il6hcc.figures import save
from il6hcc.identity import svg_identity
from il6hcc.multiverse import Multiverse, gather_batches, run_batch, summarise
from il6hcc.specification_curve import specification_curve
from il6hcc.specifications import (
    CHOICES,
    batch_specifications,
    full_grid,
    selected_specifications,
)

LATER_LINE = {
    "line_2_or_more": [{"column": "line_of_therapy", "op": "ge", "value": 2}],
    "line_2_only": [{"column": "line_of_therapy", "op": "eq", "value": 2}],
}
SMALL_CHOICES = {
    "below_lloq": ["lloq", "half_lloq"],
    "not_evaluable": ["excluded", "non_responder"],
    "later_line": LATER_LINE,
    "criteria": {
        "pre_specified": {},
        "afp_fall_30": {"afp": {"metric": "percent", "comparison": "le", "value": -30}},
    },  # fmt: skip
    "signed_rank_scale": ["difference"],
    "continuity_correction": [True],
    "multiple_testing": ["none", "holm"],
}


def small_cohort(n: int = 30) -> pd.DataFrame:
    """``n`` (at least 14) patients: lines 1-3, CR/PR/SD/PD and one NE, IL-6 rising more in
    responders, some IL-6 values below the limit (so the substitution rule matters)."""
    rng = np.random.default_rng(7)
    responses = (["PR", "SD", "PD", "CR", "SD", "PR"] * n)[:n]
    responses[4] = "NE"
    responders = np.isin(responses, ["CR", "PR"])
    il6_pre = np.round(rng.uniform(1.5, 12, n), 1)
    il6_post = np.round(il6_pre * np.where(responders, 1.6, 1.0) + rng.normal(0, 1.5, n), 1)
    il6_post = np.maximum(il6_post, 1.6)
    censored = [1, 8, 13]
    il6_post[censored] = 1.5
    below = np.where(np.isin(np.arange(n), censored), "below", "none")
    afp_pre = np.round(rng.lognormal(4, 1, n), 1)
    afp_post = np.round(afp_pre * rng.uniform(0.5, 1.3, n), 1)
    return cohort(
        responses,
        {"il6_pre": il6_pre, "il6_post": il6_post, "afp_pre": afp_pre, "afp_post": afp_post},
        line=([1, 2, 1, 3, 1, 2] * n)[:n],
        censored={"il6_post": list(below)},
    )


def settings(choices=SMALL_CHOICES, **changes) -> dict:
    values = {
        "markers": [IL6, AFP],
        "response": {"responder_codes": ["CR", "PR"], "not_evaluable_codes": ["NE"]},
        "criteria": {
            "il6": {"metric": "percent", "comparison": "gt", "value": 0},
            "afp": {"metric": "percent", "comparison": "le", "value": -20},
        },
        "reference_marker": "il6",
        "subgroups": {
            "all": [],
            "first_line": [{"column": "line_of_therapy", "op": "eq", "value": 1}],
            "later_line": LATER_LINE["line_2_or_more"],
        },
        "comparison": {"name": "first_vs_later", "a": "first_line", "b": "later_line"},
        "roles": {
            "first_line": "first_line",
            "later_line": "later_line",
            "accuracy_subgroup": "first_line",
        },
        "change_metric": "log2_ratio",
        "alpha": 0.05,
        "conf_level": 0.95,
        "adjust_family": "marker",
        "proportion_ci": "clopper_pearson",
        "choices": choices,
        "max_specifications": 1000,
        "seed": 11,
    }
    values.update(changes)
    return values


def test_grid_is_numbered_with_the_last_choice_fastest():
    grid = full_grid(SMALL_CHOICES)
    assert len(grid) == 2 * 2 * 2 * 2 * 1 * 1 * 2
    assert list(grid[0]) == list(CHOICES)
    assert grid[0]["multiple_testing"] == "none" and grid[1]["multiple_testing"] == "holm"
    assert grid[0]["below_lloq"] == "lloq" and grid[-1]["below_lloq"] == "half_lloq"
    # Named alternatives by name, whatever their order in the configuration.
    assert grid[0]["later_line"] == "line_2_only" and grid[-1]["criteria"] == "pre_specified"
    reordered = {**SMALL_CHOICES, "later_line": dict(reversed(LATER_LINE.items()))}
    assert full_grid(reordered) == grid
    assert len({tuple(spec.values()) for spec in grid}) == len(grid)


def test_a_larger_grid_is_a_seeded_sample_of_max_specifications():
    everything = selected_specifications(SMALL_CHOICES, max_specifications=32, seed=1)
    assert everything == list(range(32))
    sample = selected_specifications(SMALL_CHOICES, max_specifications=10, seed=1)
    assert len(sample) == len(set(sample)) == 10
    assert sample == sorted(sample) and set(sample) <= set(everything)
    assert sample == selected_specifications(SMALL_CHOICES, max_specifications=10, seed=1)
    assert sample != selected_specifications(SMALL_CHOICES, max_specifications=10, seed=2)


@pytest.mark.parametrize("batches", [1, 2, 3, 7, 40])
def test_batches_split_the_numbers_in_order_whatever_their_count(batches):
    numbers = [0, 3, 4, 8, 9, 15, 21, 22, 30, 31, 33]
    parts = [batch_specifications(numbers, batches=batches, batch=b) for b in range(batches)]
    assert [number for part in parts for number in part] == numbers
    with pytest.raises(ValueError, match="is not one of"):
        batch_specifications(numbers, batches=batches, batch=batches)


def test_the_rows_are_identical_for_any_number_of_batches():
    data = small_cohort()
    options = settings(max_specifications=6, seed=3)
    whole = run_batch(data, options, batches=1, batch=0)
    split = gather_batches(
        [run_batch(data, options, batches=4, batch=b) for b in range(4)], options
    )
    pd.testing.assert_frame_equal(split, gather_batches([whole], options))
    assert whole["specification"].nunique() == 6
    assert set(whole["claim"]) == {"1", "2", "3", "4", "5", "1 vs 2"}


def test_gather_rejects_a_missing_batch():
    data = small_cohort()
    options = settings(max_specifications=6, seed=3)
    first = run_batch(data, options, batches=2, batch=0)
    with pytest.raises(ValueError, match="not the 6 selected"):
        gather_batches([first], options)


def test_each_choice_reaches_the_analysis_it_names():
    data = small_cohort()
    multiverse = Multiverse(data, settings())
    (main,) = [
        spec
        for spec in full_grid(SMALL_CHOICES)
        if spec["below_lloq"] == "lloq"
        and spec["not_evaluable"] == "excluded"
        and spec["later_line"] == "line_2_or_more"
        and spec["criteria"] == "pre_specified"
        and spec["multiple_testing"] == "none"
    ]
    # Later-line: lines 2 and 3 (10 + 5 patients), or line 2 alone (10).
    assert len(multiverse.subgroup(main, "later_line")) == 15
    assert len(multiverse.subgroup({**main, "later_line": "line_2_only"}, "later_line")) == 10
    # The NE patient is excluded (responder missing) or a non-responder (0).
    ne = data["response"] == "NE"
    assert multiverse.patients(main).loc[ne, "responder"].isna().all()
    counted = multiverse.patients({**main, "not_evaluable": "non_responder"})
    assert (counted.loc[ne, "responder"] == 0).all()
    # The substituted value below the limit: 1.5 or 0.75 pg/mL.
    below = (data["il6_post_censored"] == "below").to_numpy()
    assert below.any()
    assert (multiverse.patients(main).loc[below, "il6_post"] == 1.5).all()
    halved = multiverse.patients({**main, "below_lloq": "half_lloq"})
    assert (halved.loc[below, "il6_post"] == 0.75).all()
    # AFP fall >= 30% instead of >= 20%: AFP's sensitivity cannot rise.
    strict = {**main, "criteria": "afp_fall_30"}
    sensitivity = {
        name: accuracy.set_index(["marker", "measure"]).loc[("afp", "sensitivity"), "estimate"]
        for name, (accuracy, _) in (
            ("main", multiverse.criteria(main)),
            ("strict", multiverse.criteria(strict)),
        )
    }
    assert sensitivity["strict"] <= sensitivity["main"]
    # Holm never lowers a p-value; no adjustment leaves it raw.
    raw = multiverse.claims(main).set_index("claim")
    holm = multiverse.claims({**main, "multiple_testing": "holm"}).set_index("claim")
    assert (raw["p_adjusted"] == raw["p_value"]).dropna().all()
    assert (holm["p_adjusted"] >= holm["p_value"]).all()
    pd.testing.assert_series_equal(raw["p_value"], holm["p_value"])


def test_summary_shares_by_claim_and_choice_value():
    grid = full_grid(SMALL_CHOICES)[:4]
    verdicts = ["reproduced", "reproduced", "not reproduced", "reproduced"]
    specifications = pd.DataFrame(
        [{"specification": i, **spec, "claim": "1", "verdict": v}
         for i, (spec, v) in enumerate(zip(grid, verdicts, strict=True))]
    )  # fmt: skip
    main = pd.DataFrame({"claim": ["1", "2"], "verdict": ["reproduced", "inconclusive"]})
    summary = summarise(specifications, main).set_index(["claim", "choice", "value"])
    overall = summary.loc[("1", "all", "")]
    assert (overall["n_specifications"], overall["n_holds"]) == (4, 3)
    assert overall["share_holds"] == 0.75 and overall["main_verdict"] == "reproduced"
    # Specifications 0-3: multiple_testing none, holm, none, holm (the last choice is fastest).
    assert summary.loc[("1", "multiple_testing", "none"), "share_holds"] == 0.5
    assert summary.loc[("1", "multiple_testing", "holm"), "share_holds"] == 1.0
    assert summary.loc[("1", "multiple_testing", "none"), "share_range"] == 0.5
    assert summary.loc[("1", "below_lloq", "lloq"), "share_range"] == 0.0
    # A claim without specifications has no row.
    assert "2" not in summary.index.get_level_values("claim")


def test_a_specification_curve_draws_every_specification_of_its_claim(tmp_path):
    data = small_cohort(14)
    options = settings(max_specifications=6, seed=3)
    specifications = run_batch(data, options, batches=1, batch=0)
    figure = specification_curve(
        specifications, claim="1 vs 2", main_verdict="difference not shown", alpha=0.05,
        simulated=True,
    )  # fmt: skip
    curve, panel = figure.axes
    drawn = sum(len(points.get_offsets()) for points in curve.collections)
    assert drawn == 6
    assert "SIMULATED" in curve.get_title()
    # "main verdict holds", then one row per value in use of each choice (12 at most).
    assert panel.get_yticklabels()[0].get_text() == "main verdict holds"
    assert len(panel.get_yticklabels()) <= 13
    svg, pdf = tmp_path / "curve.svg", tmp_path / "curve.pdf"
    save(figure, svg, pdf, {"figure": "specification_curve", "claim": "1 vs 2"})
    assert svg_identity(svg.read_bytes(), svg) == {"figure": "specification_curve",
                                                  "claim": "1 vs 2"}  # fmt: skip
