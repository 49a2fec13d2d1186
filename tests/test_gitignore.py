"""Patient files cannot be committed by accident: data/ (where the README puts a real cohort)
is git-ignored, while the test corpus under tests/data/ stays tracked."""

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def ignored(path: str) -> bool:
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--quiet", path],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


@pytest.mark.parametrize(
    "path", ["data/my_cohort.xlsx", "data/site_b/cohort.csv", "results/ingest/cohort.tsv"]
)
def test_patient_data_and_results_are_ignored(path):
    assert ignored(path)


@pytest.mark.parametrize(
    "path",
    ["tests/data/cohorts/malformed/new_case.csv", "resources/simulated_cohort.csv", "config.yaml"],
)
def test_corpus_and_bundled_cohort_are_not_ignored(path):
    assert not ignored(path)
