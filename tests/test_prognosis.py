"""Prognosis by IL-6 change (il6hcc.prognosis) and the survival rule.

The statistics themselves are checked against R in test_stats_survival.py; here the unit tests
check what the module adds (grouping, landmark exclusions, not-estimable paths) on hand-made
data, and the workflow tests check that the rule passes the right data: its Cox, log-rank,
cox.zph and median results on the bundled SIMULATED cohort equal R's, computed independently
from the raw file (tests/r/make_prognosis_fixture.R). Cost: two dry runs on top of the shared
`completed_run` fixture; a cohort without survival columns goes through the rule's step and the
steps before it without Snakemake.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from workflow_helpers import REPO, load_config, planned_jobs, run_step, write_config

from il6hcc import ruleparams
from il6hcc.claims import VERDICTS
from il6hcc.config import ConfigError, check_config
from il6hcc.groups import group_labels
from il6hcc.prognosis import change_groups, landmark, landmark_cohort, prognosis_tables
from il6hcc.stats.survival import kaplan_meier
from il6hcc.steps.clean import clean
from il6hcc.steps.ingest import ingest
from il6hcc.steps.stratify import stratify
from il6hcc.steps.survival import survival
from il6hcc.tables import read_tsv

FIXTURES = REPO / "tests" / "fixtures" / "prognosis"
RISE = {"marker": "il6", "rule": "rise", "metric": "percent", "cutoff": 0}
OPTIONS = {
    "subgroup": "all",
    "marker_label": "IL-6",
    "landmark_months": 0.7,
    "grouping": RISE,
    "endpoints": ["pfs", "os"],
    "adjust_for": ["line_of_therapy"],
    "min_events_per_group": 2,
    "at_risk_months": [0, 6, 12],
    "conf_level": 0.95,
    "alpha": 0.05,
}
# Relative tolerances against R, as in test_stats_survival.py (measured agreement there):
# closed forms and log-likelihoods to rounding; what depends on the Cox coefficients to the two
# Newton stopping rules (R's and statsmodels'), Wald p-values amplified by about z^2.
EXACT_RTOL = 1e-10
COX_RTOL = 1e-7
COX_P_RTOL = 1e-6
ZPH_RTOL = 1e-8


def cohort(**overrides) -> pd.DataFrame:
    """Twelve hand-made patients: six with an IL-6 rise, six without, events in both."""
    data = {
        "patient_id": [f"P{i:02d}" for i in range(1, 13)],
        "il6_pre": [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0],
        "il6_post": [4.0, 6.0, 8.0, 9.0, 9.0, 8.0, 8.0, 5.0, 4.0, 3.0, 2.0, 1.0],
        "line_of_therapy": [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
        "pfs_months": [10.7, 8.7, 12.7, 3.7, 6.7, 20.7, 1.7, 2.7, 4.7, 2.2, 5.7, 3.2],
        "pfs_event": [1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1],
        "os_months": [20.7, 18.7, 22.7, 13.7, 16.7, 25.7, 6.7, 7.7, 19.7, 8.2, 12.7, 10.2],
        "os_event": [1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1],
    }
    data.update(overrides)
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------
# Grouping
# ---------------------------------------------------------------------------------------


def test_rise_rule_counts_equal_values_as_no_rise():
    patients = pd.DataFrame({"il6_pre": [1.0, 2.0, 0.75, np.nan], "il6_post": [2.0, 2.0, 0.75, 3]})
    groups = change_groups(patients, RISE)
    assert groups["group"].tolist()[:3] == ["rise", "no rise", "no rise"]
    assert groups["indicator"].tolist()[:3] == [1, 0, 0]
    assert pd.isna(groups["group"].iloc[3]) and pd.isna(groups["indicator"].iloc[3])


def test_cutoff_rule_uses_the_configured_metric_and_strict_inequality():
    grouping = {"marker": "il6", "rule": "cutoff", "metric": "percent", "cutoff": 50}
    patients = pd.DataFrame({"il6_pre": [2.0, 2.0, 2.0], "il6_post": [3.0, 3.2, 2.0]})
    groups = change_groups(patients, grouping)
    assert group_labels(grouping) == ("change > 50", "change <= 50")
    assert groups["group"].tolist() == ["change <= 50", "change > 50", "change <= 50"]
    np.testing.assert_allclose(groups["change"], [50.0, 60.0, 0.0])


# ---------------------------------------------------------------------------------------
# Landmark exclusions
# ---------------------------------------------------------------------------------------


def test_landmark_exclusions_are_counted_with_reasons_and_time_restarts():
    patients = cohort(
        il6_post=[4.0, np.nan, 8.0, 9.0, 9.0, 8.0, 8.0, 5.0, 4.0, 3.0, 2.0, 1.0],
        pfs_months=[10.7, 8.7, 0.5, 0.7, 6.7, np.nan, 1.7, 2.7, 4.7, 2.2, 5.7, 3.2],
        pfs_event=[1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1],
    )
    analysed, excluded = landmark_cohort(
        patients, endpoint="pfs", grouping=RISE, landmark_months=0.7, marker_label="IL-6"
    )
    reasons = dict(zip(excluded["patient_id"], excluded["reason"], strict=True))
    assert reasons == {
        "P02": "IL-6 change not available (pre or post value missing)",
        "P03": "event before landmark",
        "P04": "censored before landmark",  # at the landmark itself: no follow-up after it
        "P06": "missing time or event",
    }
    assert len(analysed) == 8
    np.testing.assert_allclose(analysed["time"], analysed["time_from_start"] - 0.7)

    flow = prognosis_tables(patients, **{**OPTIONS, "endpoints": ["pfs"]})["flow"]
    counts = {(r.step, r.reason): r.n for r in flow.itertuples()}
    assert counts[("read", "")] == 12
    assert counts[("excluded", "event before landmark")] == 1
    assert counts[("excluded", "censored before landmark")] == 1
    assert counts[("excluded", "missing time or event")] == 1
    assert counts[("analysed", "")] == 8
    assert counts[("group", "rise")] + counts[("group", "no rise")] == 8


def test_km_times_are_measured_from_the_landmark():
    tables = prognosis_tables(cohort(), **OPTIONS)
    km = tables["km"]
    rise_pfs = km[(km["endpoint"] == "pfs") & (km["group"] == "rise")]
    # PFS of the rise group from the start: 3.7, 6.7, 8.7, 10.7, 12.7, 20.7 months.
    np.testing.assert_allclose(rise_pfs["time"], [3.0, 6.0, 8.0, 10.0, 12.0, 20.0])
    assert rise_pfs["n_risk"].iloc[0] == 6
    at_risk = tables["at_risk"]
    at_6 = at_risk[(at_risk["endpoint"] == "pfs") & (at_risk["time"] == 6)]
    assert dict(zip(at_6["group"], at_6["n_risk"], strict=True)) == {"rise": 5, "no rise": 0}


# ---------------------------------------------------------------------------------------
# Not estimable, never an exception
# ---------------------------------------------------------------------------------------


def test_cohort_without_survival_columns_gives_not_estimable_rows():
    patients = cohort().drop(columns=["pfs_months", "pfs_event", "os_months", "os_event"])
    tables = prognosis_tables(patients, **OPTIONS)
    for name in ("km", "medians", "at_risk", "logrank", "cox", "zph"):
        table = tables[name]
        assert not table.empty, name
        assert not table["estimable"].any(), name
        assert table["reason"].str.contains("absent from the cohort").all(), name
    flow = tables["flow"]
    excluded = flow[flow["step"] == "excluded"]
    assert excluded["n"].tolist() == [12, 12]
    assert excluded["reason"].tolist() == [
        "column(s) pfs_months, pfs_event absent from the cohort",
        "column(s) os_months, os_event absent from the cohort",
    ]
    claim = tables["claim"].iloc[0]
    assert claim["claim"] == "6" and claim["verdict"] == "not checkable"


def test_too_few_events_in_a_group_makes_comparisons_not_estimable():
    # Only one PFS event among the patients with a rise.
    patients = cohort(pfs_event=[1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1])
    tables = prognosis_tables(patients, **{**OPTIONS, "endpoints": ["pfs"]})
    for name in ("logrank", "cox", "zph"):
        table = tables[name]
        assert not table["estimable"].any(), name
        assert (
            table["reason"].str.startswith("fewer than 2 events in a group (rise: 1 events").all()
        )
    medians = tables["medians"]
    assert medians["estimable"].all()
    assert medians.set_index("group").loc["rise", "n_events"] == 1
    # One event is enough with min_events_per_group = 1.
    relaxed = prognosis_tables(
        patients, **{**OPTIONS, "endpoints": ["pfs"], "min_events_per_group": 1}
    )
    assert relaxed["logrank"]["estimable"].all()


def test_a_group_without_patients_is_reported_not_dropped():
    patients = cohort(il6_post=[20.0] * 12)  # everyone rises
    tables = prognosis_tables(patients, **OPTIONS)
    km = tables["km"]
    no_rise = km[km["group"] == "no rise"]
    assert len(no_rise) == 2 and not no_rise["estimable"].any()
    assert not tables["logrank"]["estimable"].any()
    assert not tables["cox"]["estimable"].any()
    at_risk = tables["at_risk"]
    assert (at_risk.loc[at_risk["group"] == "no rise", "n_risk"] == 0).all()


def test_adjusted_model_explains_when_it_cannot_be_fitted():
    constant = prognosis_tables(cohort(line_of_therapy=[1] * 12), **OPTIONS)["cox"]
    adjusted = constant[constant["model"] == "adjusted"]
    assert not adjusted["estimable"].any()
    assert adjusted["reason"].str.contains("line_of_therapy constant in this subgroup").all()
    assert constant[constant["model"] == "unadjusted"]["estimable"].all()

    absent = prognosis_tables(cohort(), **{**OPTIONS, "adjust_for": ["ecog_ps"]})["cox"]
    assert (
        absent.loc[absent["model"] == "adjusted", "reason"]
        .str.contains("ecog_ps absent from the cohort")
        .all()
    )

    fitted = prognosis_tables(cohort(), **OPTIONS)
    cox = fitted["cox"]
    adjusted = cox[cox["model"] == "adjusted"]
    assert adjusted["term"].tolist() == ["il6_rise", "line_of_therapy"] * 2
    assert (adjusted["adjusted_for"] == "line_of_therapy").all()
    zph = fitted["zph"]
    assert (
        zph[zph["model"] == "adjusted"]["term"].tolist()
        == [
            "il6_rise",
            "line_of_therapy",
            "GLOBAL",
        ]
        * 2
    )


def test_separated_groups_cox_not_estimable_and_claim_not_checkable():
    # Every OS death without a rise comes before every death with one: the partial likelihood
    # has no finite maximum (R: "coefficient may be infinite"); the log-rank test still exists.
    patients = cohort(os_months=[20.7, 18.7, 22.7, 13.7, 16.7, 25.7, 6.7, 7.7, 9.7, 8.2, 12.7, 3.2])
    tables = prognosis_tables(patients, **OPTIONS)
    cox = tables["cox"]
    os_unadjusted = cox[(cox["endpoint"] == "os") & (cox["model"] == "unadjusted")].iloc[0]
    assert not os_unadjusted["estimable"]
    assert "may be infinite" in os_unadjusted["reason"]
    assert tables["logrank"].set_index("endpoint").loc["os", "estimable"]
    claim = tables["claim"].iloc[0]
    assert claim["verdict"] == "not checkable" and "may be infinite" in claim["detail"]


def test_claim_six_verdict_follows_hazard_ratio_and_log_rank():
    tables = prognosis_tables(cohort(), **OPTIONS)
    claim = tables["claim"].iloc[0]
    logrank = tables["logrank"].set_index("endpoint").loc["os"]
    cox = tables["cox"]
    hazard = cox[(cox["endpoint"] == "os") & (cox["model"] == "unadjusted")].iloc[0]
    assert hazard["hazard_ratio"] < 1
    assert claim["p_value"] == logrank["p_value"]
    assert claim["effect"] == hazard["hazard_ratio"]
    assert (claim["effect_ci_low"], claim["effect_ci_high"]) == (
        hazard["ci_low"],
        hazard["ci_high"],
    )
    assert claim["conf_level"] == 0.95 and "hazard ratio" in claim["effect_label"]
    expected = "reproduced" if logrank["p_value"] < 0.05 else "consistent, not significant"
    assert claim["verdict"] == expected
    assert claim["sentence"].startswith("Patients with ")
    lenient = prognosis_tables(cohort(), **{**OPTIONS, "alpha": 0.999})["claim"].iloc[0]
    assert lenient["verdict"] == "reproduced"
    strict = prognosis_tables(cohort(), **{**OPTIONS, "alpha": 1e-9})["claim"].iloc[0]
    assert strict["verdict"] == "consistent, not significant"
    assert "not shown" in strict["sentence"]

    # The rise group gets the other group's survival: the hazard ratio is above 1.
    base = cohort()
    swapped = cohort(
        os_months=base["os_months"].to_list()[6:] + base["os_months"].to_list()[:6],
        os_event=base["os_event"].to_list()[6:] + base["os_event"].to_list()[:6],
        pfs_months=base["pfs_months"].to_list()[6:] + base["pfs_months"].to_list()[:6],
        pfs_event=base["pfs_event"].to_list()[6:] + base["pfs_event"].to_list()[:6],
    )
    worse = prognosis_tables(swapped, **{**OPTIONS, "alpha": 0.999})["claim"].iloc[0]
    assert worse["effect"] > 1
    assert worse["verdict"] == "not reproduced"
    assert "the other way" in worse["reason"]
    assert "significantly shorter" in worse["sentence"]
    # Not significant: the hazard ratio above 1 does not show that a benefit is absent.
    unclear = prognosis_tables(swapped, **{**OPTIONS, "alpha": 1e-9})["claim"].iloc[0]
    assert unclear["verdict"] == "not reproduced"
    assert "no survival benefit with a rise." not in unclear["sentence"]
    assert "benefit with a rise is not seen" in unclear["sentence"]

    pfs_only = prognosis_tables(cohort(), **{**OPTIONS, "endpoints": ["pfs"]})["claim"].iloc[0]
    assert pfs_only["verdict"] == "not checkable"


# ---------------------------------------------------------------------------------------
# Configuration cross-references
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (("grouping", "marker"), "crp", "survival.grouping.marker: unknown marker key 'crp'"),
        (("claim_subgroup",), "nobody", "survival.claim_subgroup: unknown subgroup 'nobody'"),
        (("adjust_for",), ["os_event"], "survival.adjust_for: 'os_event' is an outcome"),
    ],
)
def test_check_config_rejects_bad_survival_references(key, value, message):
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    check_config(config)
    broken = copy.deepcopy(config)
    target = broken["survival"]
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        check_config(broken)


# ---------------------------------------------------------------------------------------
# The workflow: outputs of the completed run, compared with R
# ---------------------------------------------------------------------------------------


def _fixture(name: str) -> pd.DataFrame:
    return read_tsv(FIXTURES / name)


def _check_cohort_unchanged(workdir: Path) -> None:
    versions = dict(_fixture("versions.tsv").itertuples(index=False))
    digest = hashlib.md5((workdir / versions["cohort"]).read_bytes()).hexdigest()
    assert digest == versions["cohort_md5"], "cohort changed: rerun make_prognosis_fixture.R"


def _workflow_table(workdir: Path, name: str, subgroups) -> pd.DataFrame:
    return pd.concat(
        [read_tsv(workdir / "results" / "survival" / s / f"{name}.tsv") for s in subgroups],
        ignore_index=True,
    )


def _assert_matches(ours: pd.DataFrame, reference: pd.DataFrame, keys, tolerances) -> None:
    """Rows joined by ``keys``; each column of ``tolerances`` within its relative tolerance."""
    merged = reference.merge(ours, on=keys, suffixes=("_r", ""), how="left", validate="1:1")
    assert len(merged) == len(reference)
    for column, rtol in tolerances.items():
        np.testing.assert_allclose(
            merged[column].to_numpy(float),
            merged[f"{column}_r"].to_numpy(float),
            rtol=rtol,
            atol=0,
            equal_nan=True,
            err_msg=column,
        )


SUBGROUPS = ["all", "first_line", "later_line"]


def test_workflow_cox_matches_r_on_the_landmark_data(completed_run):
    _check_cohort_unchanged(completed_run)
    ours = _workflow_table(completed_run, "cox", SUBGROUPS)
    assert (ours["data_status"] == "simulated").all()
    reference = _fixture("cox.tsv")
    keys = ["subgroup", "endpoint", "model", "term"]
    tolerances = dict.fromkeys(["coef", "hazard_ratio", "se", "ci_low", "ci_high"], COX_RTOL)
    tolerances.update(p_value=COX_P_RTOL, lr_chisq=EXACT_RTOL, n=0, n_events=0)
    _assert_matches(ours, reference, keys, tolerances)
    # R fits no adjusted model where line of therapy does not vary; the workflow says why.
    first_adjusted = ours[(ours["subgroup"] == "first_line") & (ours["model"] == "adjusted")]
    assert not first_adjusted["estimable"].any()


def test_workflow_logrank_zph_and_medians_match_r(completed_run):
    _check_cohort_unchanged(completed_run)
    logrank = _workflow_table(completed_run, "logrank", SUBGROUPS)
    _assert_matches(
        logrank,
        _fixture("logrank.tsv"),
        ["subgroup", "endpoint"],
        dict.fromkeys(
            ["n_a", "n_b", "events_a", "events_b", "expected_a", "expected_b", "chisq", "p_value"],
            EXACT_RTOL,
        ),
    )
    zph = _workflow_table(completed_run, "zph", SUBGROUPS)
    _assert_matches(
        zph,
        _fixture("zph.tsv"),
        ["subgroup", "endpoint", "model", "term"],
        {"chisq": ZPH_RTOL, "df": 0, "p_value": ZPH_RTOL},
    )
    medians = _workflow_table(completed_run, "medians", SUBGROUPS)
    _assert_matches(
        medians,
        _fixture("medians.tsv"),
        ["subgroup", "endpoint", "group"],
        {"n": 0, "n_events": 0, "median": EXACT_RTOL, "ci_low": EXACT_RTOL, "ci_high": EXACT_RTOL},
    )


def test_completed_run_survival_outputs_are_sensible(completed_run):
    config = load_config(completed_run)
    results = completed_run / "results"
    for subgroup in config["subgroups"]:
        folder = results / "survival" / subgroup
        flow = read_tsv(folder / "flow.tsv")
        for endpoint, rows in flow.groupby("endpoint"):
            read = rows.loc[rows["step"] == "read", "n"].item()
            excluded = rows.loc[rows["step"] == "excluded", "n"].sum()
            analysed = rows.loc[rows["step"] == "analysed", "n"].item()
            assert read == excluded + analysed, (subgroup, endpoint)
            assert rows.loc[rows["step"] == "group", "n"].sum() == analysed
        km = read_tsv(folder / "km.tsv")
        estimable = km[km["estimable"]]
        assert estimable["survival"].between(0, 1).all()
        with_ci = estimable.dropna(subset=["ci_low", "ci_high"])
        assert (with_ci["ci_low"] <= with_ci["survival"]).all()
        assert (with_ci["survival"] <= with_ci["ci_high"]).all()
        assert (estimable["time"] > 0).all()
        for endpoint in config["survival"]["endpoints"]:
            svg = (folder / f"km_{endpoint}.svg").read_text(encoding="utf-8")
            assert "SIMULATED DATA" in svg and "number at risk" in svg
            assert (folder / f"km_{endpoint}.pdf").stat().st_size > 0
    claim = read_tsv(results / "survival" / config["survival"]["claim_subgroup"] / "claim.tsv")
    assert claim["claim"].astype(str).tolist() == ["6"]
    assert claim["verdict"].iloc[0] in VERDICTS
    report = (results / "report.html").read_text(encoding="utf-8")
    assert 'id="prognosis"' in report and "immortal-time bias" in report
    assert '<tr data-claim="6" class="claim-numbers"><td>6</td>' in report
    provenance = read_tsv(results / "provenance.tsv")
    recorded = set(provenance.loc[provenance["rule"] == "survival", "output"])
    tables = ["flow", "excluded", "km", "medians", "at_risk", "logrank", "cox", "zph", "claim"]
    for subgroup in config["subgroups"]:
        expected = {f"results/survival/{subgroup}/{name}.tsv" for name in tables}
        expected |= {
            f"results/survival/{subgroup}/km_{endpoint}.{kind}"
            for endpoint in config["survival"]["endpoints"]
            for kind in ("svg", "pdf")
        }
        assert expected <= recorded, subgroup


def test_km_figure_files_are_deterministic(completed_run, tmp_path):
    from il6hcc.figures import save
    from il6hcc.survival_figures import km_plot

    folder = completed_run / "results" / "survival" / "all"
    km, at_risk = read_tsv(folder / "km.tsv"), read_tsv(folder / "at_risk.tsv")
    digests = []
    for attempt in range(2):
        figure = km_plot(
            km,
            at_risk,
            endpoint="os",
            labels=("rise", "no rise"),
            subgroup="all",
            legend_title="IL-6 pre to week 3",
            landmark_months=0.7,
            conf_level=0.95,
            simulated=True,
        )
        svg, pdf = tmp_path / f"{attempt}.svg", tmp_path / f"{attempt}.pdf"
        save(figure, svg, pdf, {"figure": "km", "subgroup": "all", "endpoint": "os"})
        digests.append((svg.read_bytes(), pdf.read_bytes()))
    assert digests[0] == digests[1]
    assert digests[0][0] == (folder / "km_os.svg").read_bytes()


def test_rule_runs_on_a_cohort_without_survival_columns(tmp_path):
    """The survival rule's step after ingest, clean and stratify's (what its job runs, without
    Snakemake: the rule's wiring is the full runs' business)."""
    raw = pd.read_csv(REPO / "resources" / "simulated_cohort.csv", dtype=str)
    no_survival = raw.drop(columns=["pfs_months", "pfs_event", "os_months", "os_event"])
    no_survival.to_csv(tmp_path / "no_survival.csv", index=False)
    config = load_config(REPO)
    out = tmp_path / "results"
    run_step(ingest, ruleparams.ingest(config), {"raw": str(tmp_path / "no_survival.csv"),
             "sidecar": []}, {"cohort": out / "cohort.tsv", "normalisations": out / "norm.tsv",
             "manifest": out / "input.json"})  # fmt: skip
    run_step(clean, ruleparams.clean(config), {"cohort": out / "cohort.tsv"},
             {name: out / f"clean_{name}.tsv" for name in ("patients", "exclusions",
                                                           "censoring", "flow")})  # fmt: skip
    selected = {"patients": out / "all.tsv", "selection": out / "all.json"}
    run_step(stratify, {**ruleparams.stratify(config, "all"), "subgroup": "all"},
             {"patients": out / "clean_patients.tsv"}, selected)  # fmt: skip
    tables = ("flow", "excluded", "km", "medians", "at_risk", "logrank", "cox", "zph", "claim")
    endpoints = config["survival"]["endpoints"]
    run_step(survival, {**ruleparams.survival(config), "subgroup": "all"}, selected,
             {name: out / f"{name}.tsv" for name in tables},
             [out / f"km_{endpoint}.{ext}" for endpoint in endpoints
              for ext in ("svg", "pdf")])  # fmt: skip
    cox = read_tsv(out / "cox.tsv")
    assert not cox["estimable"].any()
    assert cox["reason"].str.contains("absent from the cohort").all()
    assert "not estimable" in (out / "km_os.svg").read_text(encoding="utf-8")
    assert read_tsv(out / "claim.tsv")["verdict"].item() == "not checkable"


def test_disabled_survival_plans_no_survival_job(completed_copy):
    config = load_config(completed_copy)
    config["survival"]["enabled"] = False
    write_config(completed_copy, config)
    jobs = planned_jobs(completed_copy)
    assert "survival" not in jobs
    assert jobs.get("report") == 1


def test_landmark_change_reruns_only_survival_and_downstream(completed_copy):
    config = load_config(completed_copy)
    config["survival"]["landmark_months"] = 1.0
    write_config(completed_copy, config)
    jobs = planned_jobs(completed_copy)
    assert jobs.get("survival") == len(config["subgroups"])
    upstream = {"ingest", "clean", "stratify", "table1", "paired_stats", "roc", "criteria"}
    assert not upstream & set(jobs), jobs
    assert {"figures", "compare_subgroups", "claims"}.isdisjoint(jobs), jobs


def test_landmark_excludes_and_shifts():
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "os_months": [0.5, 0.7, 0.6, 2.1, 10.0, np.nan],
            "os_event": [1, 0, 0, 1, 0, 1],
        }
    )
    kept, excluded = landmark(frame, time="os_months", event="os_event", landmark_time=0.7)
    assert list(kept["id"]) == ["d", "e"]
    np.testing.assert_allclose(kept["os_months"], [1.4, 9.3], rtol=1e-12)
    assert list(kept["os_months_from_start"]) == [2.1, 10.0]
    assert list(excluded["id"]) == ["a", "b", "c", "f"]
    assert list(excluded["exclusion_reason"]) == [
        "event before landmark",
        "censored before landmark",
        "censored before landmark",
        "missing time or event",
    ]
    assert frame["os_months"].iloc[3] == 2.1


def test_landmark_times_then_tie_like_r():
    # 2.1 - 0.7 is 1.4000000000000001 in floating point; R's timefix (and ours) ties it
    # with a patient at exactly 1.4.
    kept, _ = landmark(
        pd.DataFrame({"t": [2.1, 2.1], "e": [1, 1]}), time="t", event="e", landmark_time=0.7
    )
    times = np.concatenate((kept["t"].to_numpy(), [1.4]))
    km = kaplan_meier(times, [1, 1, 1])
    assert len(km) == 1
    assert km["n_event"].iloc[0] == 3
