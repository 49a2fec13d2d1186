"""Bad input through the workflow's real entry point: `snakemake` on a temporary copy.

These tests prove the wiring, each with a few cases: a malformed cohort stops the run in the
ingest rule with its message on screen, said once and last, no Python traceback, a non-zero exit
and no result written (one case per way a setting reaches the reader: plain CSV, decimal comma,
column_map, a named Excel sheet, a forgotten one); an invalid configuration is rejected before
any job runs; an impossible subgroup filter stops its stratify job. What each message says is
tested at the unit level for every case: every file of the malformed corpus in
tests/test_cohort_corpus.py, every schema and cross-reference mistake in
tests/test_config_checks.py, every filter mistake in tests/test_analysis_subgroups.py, and the
closing block's format in tests/test_joblog.py.
"""

import csv
import json
import shutil
from pathlib import Path

import pytest
from workflow_helpers import copy_workflow, load_config, snakemake, write_config

from il6hcc.joblog import RULE_LINE, error_records

CORPUS = Path(__file__).resolve().parent / "data" / "cohorts"


# One malformed file per way a setting reaches the reader (see the module docstring).
WIRING_FILES = (
    "marker_text.csv",
    "decimal_dot_with_comma_config.tsv",
    "column_map_header_absent.csv",
    "sheet_missing.xlsx",
    "sheet_forgotten.xlsx",
)


def malformed_cases() -> list[dict]:
    with (CORPUS / "malformed" / "expected.tsv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle, delimiter="\t"))
    return [case for case in cases if case["file"] in WIRING_FILES]


def test_the_wiring_cases_cover_every_reader_setting_and_file_kind():
    cases = malformed_cases()
    assert sorted(case["file"] for case in cases) == sorted(WIRING_FILES)
    options = {key for case in cases for key in json.loads(case["options"])}
    assert options == {"decimal", "column_map", "sheet"}
    assert {case["file"].rsplit(".", 1)[1] for case in cases} == {"csv", "tsv", "xlsx"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("pristine") / "workflow")


def workflow_with(pristine: Path, tmp_path: Path, edit) -> Path:
    workdir = tmp_path / "workflow"
    shutil.copytree(pristine, workdir)
    config = load_config(workdir)
    edit(config)
    write_config(workdir, config)
    return workdir


def output_of(result) -> str:
    return result.stdout + result.stderr


# What Snakemake prints after the onerror handler: the log's path, the run time, "WorkflowError:"
# and "At least one job did not complete successfully."
SNAKEMAKE_CLOSING_LINES = 4


def assert_said_once_and_last(text: str, log: Path) -> None:
    """The failed job's error message (read from its log) is on screen exactly once, in the
    block the onerror handler prints after everything but Snakemake's closing lines."""
    (message,) = error_records(log.read_text(encoding="utf-8"))
    for line in message.splitlines():
        assert text.count(line) == 1, line
    lines = text.rstrip("\n").splitlines()
    block_end = len(lines) - 1 - lines[::-1].index(RULE_LINE)
    assert len(lines) - 1 - block_end == SNAKEMAKE_CLOSING_LINES, lines[block_end:]
    block_start = len(lines) - 1 - lines[block_end - 1 :: -1].index(RULE_LINE) - 1
    assert message in "\n".join(lines[block_start:block_end])


@pytest.mark.parametrize("case", malformed_cases(), ids=lambda case: case["file"])
def test_malformed_cohort_stops_the_workflow_with_its_message(pristine, tmp_path, case):
    options = json.loads(case["options"])

    def point_at_file(config):
        config["cohort"]["path"] = f"data/{case['file']}"
        config["cohort"].update(options)

    workdir = workflow_with(pristine, tmp_path, point_at_file)
    (workdir / "data").mkdir()
    shutil.copy2(CORPUS / "malformed" / case["file"], workdir / "data" / case["file"])

    result = snakemake(workdir, "--cores", "1", check=False)
    text = output_of(result)
    assert result.returncode != 0
    assert "Traceback" not in text
    assert f"data/{case['file']}" in text
    for words in case["words"].split(" | "):
        assert words in text, words
    assert_said_once_and_last(text, workdir / "logs" / "ingest" / "ingest.log")
    # Nothing computed from the data: at most the rule graph, which is drawn from the workflow's
    # rules alone and may run before the check of the cohort fails.
    results = workdir / "results"
    written = {path.relative_to(results) for path in results.rglob("*") if path.is_file()}
    assert all("rulegraph" in path.parts for path in written), written


# A schema mistake and a cross-reference mistake (each kind of check before any job).
CONFIG_ERRORS = {
    "unknown key": (
        lambda c: c["statistics"].update(alpah=0.05),
        ["alpah", "Additional properties are not allowed"],
    ),
    "comparison of an unknown subgroup": (
        lambda c: c["subgroup_comparisons"].append({"name": "x", "a": "all", "b": "second_line"}),
        ["unknown subgroup 'second_line'", "all, first_line, later_line"],
    ),
}


@pytest.mark.parametrize("case", CONFIG_ERRORS, ids=list(CONFIG_ERRORS))
def test_invalid_config_is_rejected_before_any_job(pristine, tmp_path, case):
    edit, words = CONFIG_ERRORS[case]
    workdir = workflow_with(pristine, tmp_path, edit)
    result = snakemake(workdir, "--cores", "1", check=False)
    text = output_of(result)
    assert result.returncode != 0
    for word in words:
        assert word in text, word
    assert not (workdir / "results").exists()


SUBGROUP_ERRORS = {
    "unknown column": (
        [{"column": "line_of_treatment", "op": "eq", "value": 1}],
        ["subgroups.broken[0]: unknown column 'line_of_treatment'", "line_of_therapy"],
    ),
}


@pytest.mark.parametrize("case", SUBGROUP_ERRORS, ids=list(SUBGROUP_ERRORS))
def test_impossible_subgroup_filter_names_the_known_values(pristine, tmp_path, case):
    filters, words = SUBGROUP_ERRORS[case]
    workdir = workflow_with(pristine, tmp_path, lambda c: c["subgroups"].update(broken=filters))
    result = snakemake(workdir, "--cores", "1", "results/stratify/broken/patients.tsv", check=False)
    text = output_of(result)
    assert result.returncode != 0
    assert "Traceback" not in text
    for word in words:
        assert word in text, word
    assert_said_once_and_last(text, workdir / "logs" / "stratify" / "broken.log")
    assert not (workdir / "results" / "stratify" / "broken" / "patients.tsv").exists()


def test_wrong_column_map_after_a_complete_run_is_said_once_and_last(completed_copy):
    """The rerun that follows a successful one: the column_map param changed (and the
    configuration file that the report takes as an input), so Snakemake prints
    its reasons before the failure, each short; the message still comes last, once."""
    config = load_config(completed_copy)
    config["cohort"]["column_map"] = {"il6_pre": "IL-6 pre"}
    write_config(completed_copy, config)
    result = snakemake(completed_copy, "--cores", "2", check=False)
    text = output_of(result)
    assert result.returncode != 0
    assert "Traceback" not in text
    assert "did you mean 'il6_pre'?" in text
    assert_said_once_and_last(text, completed_copy / "logs" / "ingest" / "ingest.log")
    # No rule takes the whole configuration as a param: no multi-kilobyte reason line.
    assert max(len(line) for line in text.splitlines()) < 1000


def test_optional_column_left_out_by_a_likely_mistake_is_warned_about_on_screen(pristine, tmp_path):
    workdir = workflow_with(
        pristine, tmp_path, lambda config: config["cohort"].update(path="data/cohort.csv")
    )
    bundled = (workdir / "resources" / "simulated_cohort.csv").read_text(encoding="utf-8")
    header, rest = bundled.split("\n", 1)
    (workdir / "data").mkdir()
    (workdir / "data" / "cohort.csv").write_text(
        header.replace("ecog_ps", "ECOG-PS") + "\n" + rest, encoding="utf-8"
    )
    result = snakemake(workdir, "--cores", "1", "results/ingest/cohort.tsv")
    warning = (
        "data/cohort.csv: column 'ECOG-PS' is not used, so ecog_ps is left out; did you mean "
        "'ecog_ps'? (map it with column_map, ecog_ps: 'ECOG-PS')"
    )
    assert output_of(result).count(warning) == 1
    assert warning in (workdir / "logs" / "ingest" / "ingest.log").read_text(encoding="utf-8")
