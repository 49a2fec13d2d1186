"""Property tests of read_cohort: any input either loads or raises CohortError, never anything
else, and a file that loads keeps every data row exactly once, in file order."""

import csv
import io
import json
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from il6hcc.cohort_io import CohortError, read_cohort

CORPUS = Path(__file__).resolve().parent / "data" / "cohorts"
MARKERS = json.loads((CORPUS / "markers.json").read_text(encoding="utf-8"))
REFERENCE = (CORPUS / "accepted" / "reference.csv").read_bytes()
REQUIRED = [
    "patient_id", "line_of_therapy", "response", "il6_pre", "il6_post", "afp_pre", "afp_post",
    "afp_l3_pre", "afp_l3_post", "dcp_pre", "dcp_post",
]  # fmt: skip
OPTIONAL = ["age", "sex", "ecog_ps", "pfs_months", "pfs_event"]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = ["1e999", "nan", "-inf", "<<1", "-1", "１", "\ufeff1", "\x00", '"', ",", "\t", "\r\n"]
hostile_cell = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))


def mostly(valid: st.SearchStrategy) -> st.SearchStrategy:
    """A valid cell, or (one time in 60) a hostile or arbitrary text, so that many generated
    files load and the row invariant is exercised while any cell may still hold anything."""
    return st.integers(0, 59).flatmap(lambda k: hostile_cell if k == 0 else valid)


def number_cell(highest: float) -> st.SearchStrategy:
    return st.one_of(
        st.floats(0, highest, allow_nan=False).map(repr),
        st.integers(0, int(highest)).map(str),
        st.sampled_from(["", " ", "<1.5", ">50", "< 2", " 3.5 "]),
    )


VALID_CELLS = {
    "line_of_therapy": st.sampled_from(["1", "2", "3", " 2 ", "2.0"]),
    "response": st.sampled_from(["CR", "PR", "SD", "PD", "NE", "", "pr", " sd "]),
    "afp_l3_pre": number_cell(100),
    "afp_l3_post": number_cell(100),
    "age": number_cell(100),
    "sex": st.sampled_from(["M", "F", ""]),
    "ecog_ps": st.sampled_from(["0", "1", "2", "5", ""]),
    "pfs_months": number_cell(60),
    "pfs_event": st.sampled_from(["0", "1", ""]),
    "note": st.text(max_size=8),
}


@st.composite
def cohort_rows(draw):
    """A header (required columns, some optional ones, maybe a stray one) and rows of cells,
    some rows blank in every cell."""
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=3))
    header = REQUIRED + optional + draw(st.sampled_from([[], ["note"]]))
    rows = []
    for number in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 7)) == 0:
            rows.append([draw(st.sampled_from(["", " "])) for _ in header])
            continue
        patient_id = draw(mostly(st.sampled_from([f"P{number}"] * 8 + [f" P{number} ", "P0"])))
        cells = [draw(mostly(VALID_CELLS.get(name, number_cell(1000)))) for name in header[1:]]
        rows.append([patient_id] + cells)
    return header, rows


def read(path: Path, **options):
    try:
        return read_cohort(path, markers=MARKERS, **options)
    except CohortError as error:
        assert error.problems, "a CohortError must list its problems"
        return None


def is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def check_rows_kept(loaded, rows: list[list[str]]) -> None:
    """Every non-blank generated row is in the table once, with its file row number."""
    kept = [(number, row) for number, row in enumerate(rows, start=2) if not is_blank(row)]
    assert loaded.table["source_row"].tolist() == [number for number, _ in kept]
    assert loaded.table["patient_id"].tolist() == [row[0].strip() for _, row in kept]


@FUZZ
@given(cohort_rows(), st.sampled_from([(".csv", ","), (".tsv", "\t")]), st.sampled_from([".", ","]))
def test_generated_text_rows_load_or_raise_cohort_error(table, format_, decimal):
    header, rows = table
    if decimal == ",":
        rows = [[cell.replace(".", ",") for cell in row] for row in rows]
    suffix, delimiter = format_
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows([header] + rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cohort{suffix}"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        loaded = read(path, decimal=decimal)
    if loaded is not None:
        check_rows_kept(loaded, rows)
        assert loaded.audit["source_row"].between(1, len(rows) + 1).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort_rows())
def test_generated_excel_rows_load_or_raise_cohort_error(table):
    header, rows = table
    workbook = openpyxl.Workbook()
    for row in [header] + rows:
        workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.xlsx"
        workbook.save(path)
        loaded = read(path)
    if loaded is not None:
        check_rows_kept(loaded, [[ILLEGAL_CHARACTERS_RE.sub("", c) for c in r] for r in rows])


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".csv", ".tsv", ".txt", ".xlsx"]))
def test_random_bytes_load_or_raise_cohort_error(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cohort{suffix}"
        path.write_bytes(data)
        read(path)


@FUZZ
@given(
    st.lists(
        st.tuples(st.integers(0, len(REFERENCE) - 1), st.binary(min_size=0, max_size=3)),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["utf-8", "latin-1", "cp932", "utf-16"]),
)
def test_damaged_reference_file_loads_or_raises_cohort_error(edits, encoding):
    data = bytearray(REFERENCE)
    for offset, replacement in edits:
        data[offset : offset + 1] = replacement
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cohort.csv"
        path.write_bytes(bytes(data))
        loaded = read(path, encoding=encoding)
    if loaded is not None:
        assert loaded.table["source_row"].is_unique
        assert loaded.table["patient_id"].is_unique
