"""The cohort corpus: every malformed file fails with the words its error must contain, every
accepted variant loads with exactly the normalisations it must record.

The corpus and its expectations are written by tests/data/cohorts/make_corpus.py.
"""

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from il6hcc.cohort_io import AUDIT_COLUMNS, CohortError, read_cohort

CORPUS = Path(__file__).resolve().parent / "data" / "cohorts"
MARKERS = json.loads((CORPUS / "markers.json").read_text(encoding="utf-8"))


def manifest(folder: str) -> list[dict]:
    with (CORPUS / folder / "expected.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


MALFORMED = manifest("malformed")
ACCEPTED = manifest("accepted")


def test_malformed_corpus_is_complete():
    listed = {case["file"] for case in MALFORMED}
    on_disk = {path.name for path in (CORPUS / "malformed").iterdir()} - {"expected.tsv"}
    assert listed == on_disk
    assert len(listed) >= 25
    suffixes = {name.rsplit(".", 1)[1] for name in listed}
    assert suffixes == {"csv", "tsv", "xlsx"}


@pytest.mark.parametrize("case", MALFORMED, ids=[case["file"] for case in MALFORMED])
def test_malformed_file_fails_with_its_words(case):
    path = CORPUS / "malformed" / case["file"]
    with pytest.raises(CohortError) as caught:
        read_cohort(path, markers=MARKERS, **json.loads(case["options"]))
    message = str(caught.value)
    lines = message.splitlines()
    assert len(caught.value.problems) == int(case["problems"]), message
    assert len(lines) == int(case["problems"]), message
    assert all(line.startswith(f"{path}: ") for line in lines), message
    for words in case["words"].split(" | "):
        assert words in message


@pytest.mark.parametrize("case", ACCEPTED, ids=[case["file"] for case in ACCEPTED])
def test_accepted_variant_loads_with_its_normalisations(case):
    path = CORPUS / "accepted" / case["file"]
    loaded = read_cohort(path, markers=MARKERS, **json.loads(case["options"]))
    audit_path = CORPUS / "accepted" / f"{case['file'].rsplit('.', 1)[0]}.audit.tsv"
    with audit_path.open(encoding="utf-8", newline="") as handle:
        expected_audit = list(csv.reader(handle, delimiter="\t"))
    assert expected_audit[0] == AUDIT_COLUMNS
    found_audit = [
        ["" if pd.isna(value) else str(value) for value in record]
        for record in loaded.audit.itertuples(index=False)
    ]
    assert found_audit == expected_audit[1:]

    rows = int(case["rows"])
    reference = read_cohort(CORPUS / "accepted" / "reference.csv", markers=MARKERS).table
    assert len(loaded.table) == rows
    pd.testing.assert_frame_equal(
        loaded.table.drop(columns="source_row"),
        reference.drop(columns="source_row").iloc[:rows],
    )


def test_blank_row_keeps_file_row_numbers():
    loaded = read_cohort(CORPUS / "accepted" / "blank_rows.csv", markers=MARKERS)
    assert loaded.table["source_row"].tolist() == [2, 3, 4, 6, 7, 8, 9, 10]
