"""Planning a confirmatory study (il6hcc.planning): designs, random streams, generative models,
the analysis of a batch of simulated studies, power and sample size."""

import math

import numpy as np
import pandas as pd
import pytest

from il6hcc import planning
from il6hcc.config import planning_chunks
from il6hcc.simulate import SIMULATED_MARKERS
from il6hcc.stats.multiplicity import p_adjust
from il6hcc.stats.nonparametric import wilcoxon_signed_rank
from il6hcc.stats.proportions import mcnemar_exact
from il6hcc.stats.roc import roc_auc

MARKERS = ["il6", "afp", "afp_l3", "dcp"]
FAVOURABLE = {"il6": "rise", "afp": "fall", "afp_l3": "fall", "dcp": "fall"}
CRITERIA = {
    "il6": {"metric": "percent", "comparison": "gt", "value": 0},
    "afp": {"metric": "percent", "comparison": "le", "value": -20},
    "afp_l3": {"metric": "percent", "comparison": "le", "value": -20},
    "dcp": {"metric": "percent", "comparison": "le", "value": -50},
}
SETTINGS = {
    "markers": MARKERS,
    "reference": "il6",
    "favourable": FAVOURABLE,
    "criteria": CRITERIA,
    "metric": "log2_ratio",
    "signed_rank_scale": "difference",
    "continuity_correction": True,
    "alpha": 0.05,
    "adjust_method": "holm",
    "conf_level": 0.95,
}
ALLOCATION = {"first_line_share": 0.6, "response_rates": {"first_line": 0.35, "later_line": 0.1}}
NULL_CHANGES = {m: {s: [1.0, 0.4] for s in planning.STRATA} for m in MARKERS}


def pilot(n=60, seed=3):
    """A pilot cohort as the clean stage writes it: IL-6 doubles in first-line responders."""
    rng = np.random.default_rng(seed)
    line = np.where(np.arange(n) % 3 == 0, 2, 1)
    responder = (np.arange(n) % 4 == 0).astype(int)
    table = {"line_of_therapy": line, "responder": pd.array(responder, dtype="Int64")}
    for marker in MARKERS:
        pre = np.exp(rng.normal(2, 1, n))
        fold = np.where((line == 1) & (responder == 1) & (marker == "il6"), 2.0, 1.0)
        table[f"{marker}_pre"] = pre
        table[f"{marker}_post"] = pre * fold * np.exp(rng.normal(0, 0.3, n))
    patients = pd.DataFrame(table)
    patients.loc[1, "dcp_post"] = np.nan
    patients.loc[2, "responder"] = pd.NA
    return patients


def chunk_tables(model, chunks, sizes=(40, 60), replicates=70, **source):
    plan = {"sizes": sizes, "replicates": replicates, "chunk_replicates": replicates // chunks}
    tables = [
        planning.simulate_chunk(
            model=model,
            n_patients=n,
            replicates=range(start, end),
            seed=11,
            allocation=ALLOCATION,
            settings=SETTINGS,
            **source,
        )
        for n, _, start, end in planning_chunks(plan)
    ]
    return pd.concat(tables[::-1])


def test_stratum_counts_round_half_up_and_add_up():
    counts = planning.stratum_counts(40, 0.575, {"first_line": 0.26, "later_line": 0.3})
    assert counts == {
        "first_line_responder": 6,
        "first_line_non_responder": 17,
        "later_line_responder": 5,
        "later_line_non_responder": 12,
    }
    assert sum(planning.stratum_counts(121, 0.5, {"first_line": 0.5, "later_line": 0.5}).values())
    with pytest.raises(planning.PlanningError, match="at least 2 first-line responders"):
        planning.stratum_counts(10, 0.6, {"first_line": 0.1, "later_line": 0.1})


def test_a_study_draws_the_same_numbers_whatever_its_chunk():
    whole = planning.replicate_uniforms(5, 40, range(0, 10), 8)
    part = planning.replicate_uniforms(5, 40, range(6, 9), 8)
    assert np.array_equal(whole[6:9], part)
    assert not np.array_equal(whole, planning.replicate_uniforms(5, 60, range(0, 10), 8))
    assert not np.array_equal(whole, planning.replicate_uniforms(6, 40, range(0, 10), 8))


@pytest.mark.parametrize("model", planning.MODELS)
def test_one_chunk_and_seven_chunks_give_identical_tables(model):
    source = (
        {"pools": planning.resample_pools(pilot(), MARKERS)[0]}
        if model == "resample"
        else {"changes": NULL_CHANGES}
    )
    one = planning.power_table(chunk_tables(model, 1, **source))
    seven = planning.power_table(chunk_tables(model, 7, **source))
    pd.testing.assert_frame_equal(one, seven)
    assert set(one["replicates"]) == {70}
    other_seed = planning.simulate_chunk(
        model=model,
        n_patients=60,
        replicates=range(70),
        seed=12,
        allocation=ALLOCATION,
        settings=SETTINGS,
        **source,
    )
    same_seed = one[one["n_patients"] == 60].reset_index(drop=True)
    assert not np.array_equal(other_seed["significant"], same_seed["significant"])


def test_resampled_studies_keep_patients_whole_and_within_their_stratum():
    patients = pilot()
    pools, note = planning.resample_pools(patients, MARKERS)
    assert note == (
        "58 of 60 patients resampled (1 without an evaluable response, 1 without every "
        "marker's pre and post value)"
    )
    counts = planning.stratum_counts(50, 0.6, {"first_line": 0.3, "later_line": 0.2})
    uniforms = planning.replicate_uniforms(1, 50, range(30), 50)
    studies = planning.resample_studies(pools, counts, uniforms, MARKERS)
    complete = patients.dropna(subset=[f"{m}_{s}" for m in MARKERS for s in ("pre", "post")])
    complete = complete[complete["responder"].notna()]
    strata = planning.patient_strata(complete)
    for stratum in planning.STRATA:
        columns = studies.columns(stratum)
        assert columns.sum() == counts[stratum]
        drawn = {
            tuple(row)
            for row in np.stack(
                [studies.pre[m][:, columns].ravel() for m in MARKERS]
                + [studies.post[m][:, columns].ravel() for m in MARKERS],
                axis=1,
            )
        }
        pool = complete[strata == stratum]
        allowed = set(
            pool[[f"{m}_pre" for m in MARKERS] + [f"{m}_post" for m in MARKERS]].itertuples(
                index=False, name=None
            )
        )
        assert drawn <= allowed


def test_resampling_an_empty_stratum_says_so():
    patients = pilot()
    patients = patients[~((patients["line_of_therapy"] >= 2) & (patients["responder"] == 1))]
    pools, _ = planning.resample_pools(patients, MARKERS)
    counts = planning.stratum_counts(40, 0.6, {"first_line": 0.3, "later_line": 0.2})
    with pytest.raises(planning.PlanningError, match="later line responder"):
        planning.resample_studies(pools, counts, np.zeros((1, 40)), MARKERS)


def test_observed_allocation_counts_the_resampled_patients():
    allocation = planning.observed_allocation(pilot(), MARKERS)
    pools, _ = planning.resample_pools(pilot(), MARKERS)
    size = {s: len(pools[s]["il6_pre"]) for s in planning.STRATA}
    first = size["first_line_responder"] + size["first_line_non_responder"]
    assert allocation["first_line_share"] == first / 58
    assert allocation["response_rates"]["first_line"] == size["first_line_responder"] / first


def test_parametric_studies_use_the_configured_fold_change_per_stratum():
    changes = {m: {s: [1.0, 0.3] for s in planning.STRATA} for m in SIMULATED_MARKERS}
    changes["il6"]["first_line_responder"] = [2.5, 0.3]
    counts = planning.stratum_counts(100, 0.5, {"first_line": 0.4, "later_line": 0.2})
    uniforms = planning.replicate_uniforms(2, 100, range(400), 2 * 4 * 100)
    studies = planning.parametric_studies(changes, counts, uniforms, MARKERS)
    log_fold = np.log(studies.post["il6"] / studies.pre["il6"])
    responders = studies.columns("first_line_responder")
    assert np.exp(log_fold[:, responders].mean()) == pytest.approx(2.5, rel=0.01)
    assert np.exp(log_fold[:, ~responders].mean()) == pytest.approx(1.0, abs=0.01)
    assert log_fold[:, responders].std() == pytest.approx(0.3, rel=0.02)
    assert ((studies.pre["afp_l3"] > 0) & (studies.post["afp_l3"] < 100)).all()


def test_analysis_finds_a_strong_rise_and_not_its_absence():
    counts = planning.stratum_counts(120, 0.6, {"first_line": 0.4, "later_line": 0.1})
    uniforms = planning.replicate_uniforms(3, 120, range(200), 2 * 4 * 120)
    strong = {m: {s: [1.0, 0.3] for s in planning.STRATA} for m in MARKERS}
    strong["il6"]["first_line_responder"] = [2.5, 0.5]
    table = planning.analyse_studies(
        planning.parametric_studies(strong, counts, uniforms, MARKERS), SETTINGS
    )
    by_key = table.set_index(["test", "marker"])
    assert set(by_key.index) == {
        ("prepost_first_line", "il6"),
        ("prepost_first_line_responders", "il6"),
        ("first_vs_later_line", "il6"),
        ("auc_above_half", "il6"),
        *{(t, m) for t in ("mcnemar_sensitivity", "delong_auc") for m in MARKERS[1:]},
    }
    assert (by_key["replicates"] == 200).all()
    assert by_key.loc[("prepost_first_line_responders", "il6"), "significant"] == 200
    assert by_key.loc[("auc_above_half", "il6"), "significant"] >= 195
    null = planning.analyse_studies(
        planning.parametric_studies(NULL_CHANGES, counts, uniforms, MARKERS), SETTINGS
    ).set_index(["test", "marker"])
    # No change in any marker: each test of a change rejects about alpha or less (Holm). The
    # criteria are not null: "any rise" is positive in half the patients, a 50% fall in few.
    changes = null.drop(index="mcnemar_sensitivity", level="test")
    assert (changes["significant"] <= 0.05 * 200 + 4 * math.sqrt(0.05 * 0.95 * 200)).all()
    assert null.loc[("mcnemar_sensitivity", "dcp"), "significant"] > 150


def test_power_table_has_the_monte_carlo_error_and_wilson_interval():
    chunks = pd.DataFrame(
        {
            "n_patients": [40, 40],
            "test": ["auc_above_half"] * 2,
            "marker": ["il6"] * 2,
            "replicates": [300, 100],
            "significant": [240, 80],
            "not_estimable": [1, 0],
        }
    )
    row = planning.power_table(chunks).iloc[0]
    assert (row["replicates"], row["significant"], row["not_estimable"]) == (400, 320, 1)
    assert row["power"] == 0.8
    assert row["mc_se"] == pytest.approx(math.sqrt(0.8 * 0.2 / 400))
    # Wilson 95% interval of 320/400 (R: prop.test(320, 400, correct = FALSE)$conf.int).
    assert row["ci_low"] == pytest.approx(0.7580296831, abs=1e-9)
    assert row["ci_high"] == pytest.approx(0.8362629403, abs=1e-9)
    assert row["claim"] == "auc"


def power_rows(test, powers, sizes=(40, 80, 160), width=0.05):
    return pd.DataFrame(
        {
            "n_patients": sizes,
            "test": test,
            "marker": "il6",
            "power": powers,
            "ci_low": [p - width for p in powers],
            "ci_high": [p + width for p in powers],
        }
    )


def test_sample_size_interpolates_between_sizes_with_an_interval():
    power = pd.concat(
        [
            power_rows("prepost_first_line", [0.5, 0.7, 0.95]),
            power_rows("first_vs_later_line", [0.1, 0.2, 0.3]),
            power_rows("auc_above_half", [0.85, 0.9, 1.0]),
        ]
    )
    table = planning.sample_size_table(power, [0.8, 0.9]).set_index(["test", "target_power"])
    row = table.loc[("prepost_first_line", 0.8)]
    assert row["n_required"] == pytest.approx(80 + 0.1 / 0.25 * 80)
    assert row["n_low"] == pytest.approx(80 + 0.05 / 0.25 * 80)
    assert row["n_high"] == pytest.approx(80 + 0.15 / 0.25 * 80)
    assert row["note"] == ""
    assert math.isnan(table.loc[("first_vs_later_line", 0.8), "n_required"])
    assert table.loc[("first_vs_later_line", 0.8), "note"] == (
        "not reached at the largest size evaluated (160)"
    )
    reached = table.loc[("auc_above_half", 0.8)]
    assert reached["n_required"] == 40 and "smallest size evaluated (40)" in reached["note"]


def test_resampling_at_the_cohort_size_counts_the_bootstrap_studies_the_one_study_tests_find():
    """The batched analysis of resampled studies against the workflow's one-study functions
    applied to each study in turn (the bootstrap by hand)."""
    patients = pilot()
    pools, _ = planning.resample_pools(patients, MARKERS)
    allocation = planning.observed_allocation(patients, MARKERS)
    counts = planning.stratum_counts(
        58, allocation["first_line_share"], allocation["response_rates"]
    )
    studies = planning.resample_studies(
        pools, counts, planning.replicate_uniforms(4, 58, range(40), 58), MARKERS
    )
    batched = planning.analyse_studies(studies, SETTINGS).set_index(["test", "marker"])
    first_line = studies.columns("first_line_responder", "first_line_non_responder")
    responders = studies.columns("first_line_responder")
    is_case = responders[first_line]
    prepost = mcnemar = auc = 0
    for r in range(40):
        p = [
            wilcoxon_signed_rank(studies.post[m][r, first_line], studies.pre[m][r, first_line])
            for m in MARKERS
        ]
        prepost += p_adjust([result.p_value for result in p], "holm")[0] < 0.05
        il6_positive = studies.post["il6"][r, responders] > studies.pre["il6"][r, responders]
        afp_fall = studies.post["afp"][r, responders] <= 0.8 * studies.pre["afp"][r, responders]
        dcp_fall = studies.post["dcp"][r, responders] <= 0.5 * studies.pre["dcp"][r, responders]
        dcp = mcnemar_exact(il6_positive, dcp_fall)
        others = [mcnemar_exact(il6_positive, afp_fall).p_value, dcp.p_value]
        l3 = studies.post["afp_l3"][r, responders] <= 0.8 * studies.pre["afp_l3"][r, responders]
        others.insert(1, mcnemar_exact(il6_positive, l3).p_value)
        adjusted = p_adjust(others, "holm")
        mcnemar += adjusted[2] < 0.05 and dcp.extra["a_only"] > dcp.extra["b_only"]
        change = np.log2(studies.post["il6"][r, first_line] / studies.pre["il6"][r, first_line])
        one = roc_auc(change, is_case, conf_level=0.95)
        auc += one.estimable and one.ci_low > 0.5
    assert batched.loc[("prepost_first_line", "il6"), "significant"] == prepost
    assert batched.loc[("mcnemar_sensitivity", "dcp"), "significant"] == mcnemar
    assert batched.loc[("auc_above_half", "il6"), "significant"] == auc
    assert 0 < prepost + mcnemar + auc < 3 * 40
