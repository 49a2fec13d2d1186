"""The robustness stage run for real: a smaller grid edited into a completed run reruns only the
robustness jobs and what shows them, and the report's numbers are the tables', by key."""

import base64
import itertools
import math
import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest
from workflow_helpers import load_config, planned_jobs, snakemake_in_process, write_config

from il6hcc.config import leave_one_out_settings
from il6hcc.identity import svg_identity
from il6hcc.multiverse import Multiverse, main_specification
from il6hcc.specifications import ALL_SPECIFICATIONS
from il6hcc.tables import read_patients, read_tsv

# The main analysis's values (config.yaml) are among the alternatives, so one specification is
# the main analysis itself.
SMALL_CHOICES = {
    "below_lloq": ["lloq_sqrt2", "half_lloq"],
    "not_evaluable": ["excluded"],
    "later_line": {"line_2_or_more": [{"column": "line_of_therapy", "op": "ge", "value": 2}]},
    "criteria": {"pre_specified": {}},
    "signed_rank_scale": ["difference"],
    "continuity_correction": [True, False],
    "multiple_testing": ["holm", "none"],
}
MAIN = {
    "below_lloq": "half_lloq",
    "not_evaluable": "excluded",
    "later_line": "line_2_or_more",
    "criteria": "pre_specified",
    "signed_rank_scale": "difference",
    "continuity_correction": True,
    "multiple_testing": "holm",
}
UPSTREAM = {"ingest", "clean", "stratify", "table1", "paired_stats", "compare_subgroups", "roc",
            "criteria", "figures", "survival", "report_section", "claims"}  # fmt: skip


class RobustnessCells(HTMLParser):
    """Data attributes of the cells of the claims and robustness tables, keyed by table, claim,
    and (robustness) choice value: {(table, claim, value or ""): {attribute: text}}."""

    def __init__(self):
        super().__init__()
        self.table = None
        self.claim = None
        self.cells: dict[tuple, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = attrs.get("data-table")
        elif tag == "tr":
            self.claim = attrs.get("data-claim")
        elif self.table in ("claims", "robustness") and self.claim is not None:
            key = (self.table, self.claim, attrs.get("data-value", ""))
            found = {k: v for k, v in attrs.items() if k.startswith("data-")}
            self.cells.setdefault(key, {}).update(found)


@pytest.fixture(scope="module")
def small_grid_run(completed_run, tmp_path_factory):
    """A copy of the completed default run, its grid edited to 8 specifications in 3 batches,
    with the job plan of that edit, then run."""
    workdir = tmp_path_factory.mktemp("robustness") / "workflow"
    shutil.copytree(completed_run, workdir, symlinks=True)
    config = load_config(workdir)
    config["robustness"]["choices"] = SMALL_CHOICES
    config["robustness"]["batches"] = 3
    write_config(workdir, config)
    plan = planned_jobs(workdir)
    snakemake_in_process(workdir)
    return workdir, plan


def test_editing_the_choices_reruns_only_the_robustness_jobs_and_what_shows_them(small_grid_run):
    _, plan = small_grid_run
    # Provenance reads every job's record; the rule graph reruns only when the rules change.
    assert plan == {"robustness_batch": 3, "robustness_summary": 1, "robustness_figures": 1,
                    "report": 1, "provenance": 1, "all": 1}  # fmt: skip
    assert not UPSTREAM & set(plan)


def test_every_specification_once_with_the_configured_choices(small_grid_run):
    workdir, _ = small_grid_run
    specifications = read_tsv(workdir / "results/robustness/specifications.tsv")
    assert sorted(specifications["specification"].unique()) == list(range(8))
    for choice, values in SMALL_CHOICES.items():
        assert set(specifications[choice]) == set(values)
    combinations = specifications.drop_duplicates("specification")[list(SMALL_CHOICES)]
    expected = set(itertools.product(*(list(v) for v in SMALL_CHOICES.values())))
    assert set(map(tuple, combinations.itertuples(index=False))) == expected
    assert (specifications["data_status"] == "simulated").all()


def test_the_main_specification_reproduces_the_claims_table(small_grid_run):
    workdir, _ = small_grid_run
    specifications = read_tsv(workdir / "results/robustness/specifications.tsv")
    main = specifications
    for choice, value in MAIN.items():
        main = main[main[choice] == value]
    claims = read_tsv(workdir / "results/claims.tsv").set_index("claim")
    main = main.set_index("claim")
    assert set(main.index) == set(claims.index)
    for claim in claims.index:
        assert main.loc[claim, "verdict"] == claims.loc[claim, "verdict"], claim
        for column in ("statistic", "effect", "p_value", "p_adjusted"):
            assert main.loc[claim, column] == pytest.approx(
                claims.loc[claim, column], rel=1e-12, nan_ok=True
            ), (claim, column)


def test_the_reports_robustness_numbers_are_the_summary_by_key(small_grid_run):
    workdir, _ = small_grid_run
    summary = read_tsv(workdir / "results/robustness/summary.tsv")
    summary["claim"] = summary["claim"].astype(str)
    parser = RobustnessCells()
    parser.feed((workdir / "results/report.html").read_text(encoding="utf-8"))
    cells = parser.cells
    overall = summary[summary["choice"] == ALL_SPECIFICATIONS].set_index("claim")
    assert set(overall.index) == {"1", "2", "3", "4", "5", "1 vs 2"}
    for claim, row in overall.iterrows():
        shown = cells["robustness", claim, ""]
        assert float(shown["data-share"]) == row["share_holds"]
        assert int(shown["data-n"]) == row["n_specifications"] == 8
        assert float(cells["claims", claim, ""]["data-holds-share"]) == row["share_holds"]
        choices = summary[(summary["claim"] == claim) & (summary["choice"] != "all")]
        spread = choices.drop_duplicates("choice").set_index("choice")["share_range"]
        if spread.max() > 0:
            most = spread.idxmax()
            assert shown["data-choice"] == most
            for value in choices.loc[choices["choice"] == most, "value"].astype(str):
                (share,) = choices.loc[
                    (choices["choice"] == most) & (choices["value"].astype(str) == value),
                    "share_holds",
                ]
                assert float(cells["robustness", claim, value]["data-share"]) == share
        else:
            assert shown["data-choice"] == ""
    influence = read_tsv(workdir / "results/robustness/influence.tsv")
    influence["claim"] = influence["claim"].astype(str)
    assert set(influence["claim"]) == set(overall.index)
    # The leave-one-out baseline is the configured analysis: its verdicts are claims.tsv's.
    claims = read_tsv(workdir / "results/claims.tsv")
    verdicts = claims.set_index(claims["claim"].astype(str))["verdict"]
    assert influence.set_index("claim")["main_verdict"].to_dict() == verdicts.to_dict()
    for row in influence.itertuples():
        shown = cells["robustness", row.claim, ""]
        assert float(shown["data-leave-one-out"]) == row.share_holds
        assert row.n_cohorts == 44 and row.n_holds + row.n_reversing == 44
        reversing = row.reversing_patients if isinstance(row.reversing_patients, str) else ""
        assert shown.get("data-reversing", "") == reversing
    # Claim 6 (prognosis) is not rerun by the multiverse: no share beside it.
    assert "data-holds-share" not in cells.get(("claims", "6", ""), {})
    assert "data-fragility" not in cells.get(("claims", "6", ""), {})
    fragility = read_tsv(workdir / "results/robustness/fragility.tsv")
    fragility["claim"] = fragility["claim"].astype(str)
    assert (fragility["data_status"] == "simulated").all()
    assert fragility.set_index("claim")["main_verdict"].to_dict() == verdicts.to_dict()
    for row in fragility.itertuples():
        index = "" if pd.isna(row.fragility_index) else str(int(row.fragility_index))
        for table in ("claims", "robustness"):
            shown = cells[table, row.claim, ""]
            assert shown["data-fragility"] == row.fragility
            assert shown["data-fragility-index"] == index
    applicable = fragility.set_index("claim")["applicable"]
    assert not applicable[["1", "2", "1 vs 2"]].any() and applicable[["3", "4", "5"]].all()


def test_the_reported_swaps_change_the_bundled_cohorts_verdicts(small_grid_run):
    """fragility.tsv's swaps, made in the ingested cohort's response codes, give the verdict
    it reports when the configured claims check is rerun on that cohort."""
    workdir, _ = small_grid_run
    config = load_config(workdir)
    settings = leave_one_out_settings(config)
    cohort = read_patients(workdir / "results/ingest/cohort.tsv")
    fragility = read_tsv(workdir / "results/robustness/fragility.tsv")
    fragility["claim"] = fragility["claim"].astype(str)
    responder_code = config["response"]["responder_codes"][0]
    non_responder_code = next(
        code
        for code in cohort["response"].dropna().unique()
        if code not in config["response"]["responder_codes"]
        and code not in config["response"]["not_evaluable_codes"]
    )
    swapped_any = False
    for row in fragility[fragility["reversed"].astype(bool)].itertuples():
        swapped = cohort.copy()
        for patient, to in zip(
            row.flipped_patients.split(", "), row.flipped_to.split(", "), strict=True
        ):
            code = responder_code if to == "responder" else non_responder_code
            swapped.loc[swapped["patient_id"] == patient, "response"] = code
        claims = Multiverse(swapped, settings).claims(main_specification(settings))
        verdict = claims.set_index("claim").loc[row.claim, "verdict"]
        assert verdict == row.verdict_after != row.main_verdict, row.claim
        swapped_any = True
    assert swapped_any, "no claim of the bundled cohort was reversed: nothing checked"


def test_each_specification_curve_is_shown_under_its_own_claim(small_grid_run):
    workdir, _ = small_grid_run
    html = (workdir / "results/report.html").read_text(encoding="utf-8")
    shown = re.findall(
        r'<figure data-figure="specification_curve" data-claim="([^"]+)">'
        r'<img src="data:image/svg\+xml;base64,([^"]+)"',
        html,
    )
    assert sorted(claim for claim, _ in shown) == sorted(["1", "2", "3", "4", "5", "1 vs 2"])
    for claim, encoded in shown:
        identity = svg_identity(base64.b64decode(encoded), claim)
        assert identity == {"figure": "specification_curve", "claim": claim}


def test_a_disabled_stage_plans_no_robustness_job(completed_copy):
    config = load_config(completed_copy)
    config["robustness"]["enabled"] = False
    write_config(completed_copy, config)
    # The report drops the Robustness section and column; nothing else reads the stage.
    assert planned_jobs(completed_copy) == {"report": 1, "rulegraph": 1, "provenance": 1,
                                            "all": 1}  # fmt: skip
    snakemake_in_process(completed_copy)
    html = (completed_copy / "results/report.html").read_text(encoding="utf-8")
    assert '<section id="robustness">' not in html and "data-holds-share" not in html
    assert '<table data-table="claims"' in html


class OptimismCells(HTMLParser):
    """Full-precision attributes of the optimism table's cells: {(subgroup, marker): {attr:
    text}}, from each row's own keys."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.key = None
        self.cells: dict[tuple, dict] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.inside = attrs.get("data-table") == "optimism"
        elif self.inside and tag == "tr" and "data-subgroup" in attrs:
            self.key = (attrs["data-subgroup"], attrs["data-marker"])
            self.cells[self.key] = {}
        elif self.inside and tag == "td" and self.key:
            self.cells[self.key].update((k, v) for k, v in attrs.items() if k.startswith("data-"))

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False


OPTIMISM_SHOWN = ("auc_apparent", "auc_corrected", "auc_ci_low", "youden_j_corrected")
OPTIMISM_SHOWN += ("sensitivity_corrected", "cutoff_median", "cutoff_ci_high", "oob_specificity")


def assert_optimism_shown_by_key(workdir):
    """Every row of optimism.tsv is in the report under its own subgroup and marker, each
    number at full precision (a missing one as None, as the template writes it)."""
    table = read_tsv(workdir / "results/robustness/optimism.tsv")
    parser = OptimismCells()
    parser.feed((workdir / "results/report.html").read_text(encoding="utf-8"))
    assert set(parser.cells) == set(zip(table["subgroup"], table["marker"], strict=True))
    for row in table.itertuples():
        shown = parser.cells[row.subgroup, row.marker]
        for column in OPTIMISM_SHOWN:
            text = shown["data-" + column.replace("_", "-")]
            value = getattr(row, column)
            if math.isnan(value):
                assert text == "None", (row.subgroup, row.marker, column)
            else:
                assert float(text) == value, (row.subgroup, row.marker, column)


def test_the_reports_optimism_table_is_the_results_by_key(completed_run):
    assert_optimism_shown_by_key(completed_run)


def test_renamed_reordered_and_added_subgroups_and_markers_keep_their_own_optimism_rows(
    variant_run,
):
    """The variant run (a subgroup renamed to sort first, a fourth added, subgroups and markers
    listed in reverse): one row per configured subgroup and marker, whose apparent values are
    that subgroup's own roc table's, shown in the report under its own keys."""
    workdir, config = variant_run
    table = read_tsv(workdir / "results/robustness/optimism.tsv")
    assert sorted(zip(table["subgroup"], table["marker"], strict=True)) == sorted(
        (s, m["key"]) for s in config["subgroups"] for m in config["markers"]
    )
    for subgroup, rows in table.groupby("subgroup"):
        roc = read_tsv(workdir / "results/roc" / subgroup / "auc.tsv").set_index("marker")
        for row in rows.itertuples():
            expected = roc.loc[row.marker, "auc"]
            assert row.auc_apparent == expected or (
                math.isnan(row.auc_apparent) and math.isnan(expected)
            ), (subgroup, row.marker)
    assert_optimism_shown_by_key(workdir)
