"""Unit tests of il6hcc.cohort_io: message format, typed table, audit, Excel cells, arguments."""

import datetime
import json
import math
import pickle
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from il6hcc.cohort_io import (
    CohortError,
    Problem,
    _excel_cell_text,
    cohort_columns,
    read_cohort,
)

CORPUS = Path(__file__).resolve().parent / "data" / "cohorts"
MARKERS = json.loads((CORPUS / "markers.json").read_text(encoding="utf-8"))
REQUIRED = (
    "patient_id,line_of_therapy,response,il6_pre,il6_post,afp_pre,afp_post,"
    "afp_l3_pre,afp_l3_post,dcp_pre,dcp_post"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path: Path, **options) -> list[Problem]:
    with pytest.raises(CohortError) as caught:
        read_cohort(path, markers=MARKERS, **options)
    return caught.value.problems


def audit_records(loaded) -> list[tuple]:
    return [
        tuple(None if pd.isna(value) else value for value in record)
        for record in loaded.audit.itertuples(index=False)
    ]


# --- messages ---------------------------------------------------------------------------------


def test_problem_message_names_file_row_column_value_and_expectation():
    problem = Problem("cohort.csv", 7, "il6_post", "abc", "a number")
    assert str(problem) == "cohort.csv: row 7, column 'il6_post': found 'abc'; expected a number"
    assert str(Problem("cohort.csv", None, None, None, "file is empty")) == (
        "cohort.csv: file is empty"
    )
    assert str(Problem("c.csv", 3, None, None, "found 2 fields")) == "c.csv: row 3: found 2 fields"


def test_every_problem_is_collected_and_the_message_is_capped(tmp_path):
    rows = "".join(f"P{i},1,PR,abc,1,1,1,1,1,1,1\n" for i in range(60))
    path = write(tmp_path, "cohort.csv", REQUIRED + "\n" + rows)
    with pytest.raises(CohortError) as caught:
        read_cohort(path, markers=MARKERS, max_problems=50)
    error = caught.value
    assert len(error.problems) == 60
    lines = str(error).splitlines()
    assert len(lines) == 51
    assert lines[-1] == "... and 10 more problems"
    assert lines[0].endswith(
        "row 2, column 'il6_pre': found 'abc'; expected a number, "
        "'<number>' or '>number' (censored), or blank"
    )
    assert [p.row for p in error.problems] == list(range(2, 62))
    one_more = CohortError(error.problems[:3], max_problems=2)
    assert str(one_more).splitlines()[-1] == "... and 1 more problem"


def test_cohort_error_survives_pickling():
    error = CohortError([Problem("c.csv", 2, "response", "XX", "a code")], max_problems=5)
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)


def test_problems_are_in_file_order_with_header_problems_first(tmp_path):
    text = (
        REQUIRED.replace("afp_pre", "il6_pre")
        + "\nP1,1,XX,1,1,1,1,1,1,1,1\nP1,0,PR,1,1,1,1,1,1,1,1\n"
    )
    problems = problems_of(write(tmp_path, "c.csv", text))
    assert [(p.row, p.column) for p in problems] == [
        (1, "il6_pre"),  # duplicated header
        (1, "afp_pre"),  # hence missing
        (2, "response"),
        (3, "line_of_therapy"),
        (3, "patient_id"),
    ]


# --- file-level problems ----------------------------------------------------------------------


def test_missing_file_directory_and_unsupported_type(tmp_path):
    assert str(problems_of(tmp_path / "absent.csv")[0]).endswith("absent.csv: file not found")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "is a directory" in problems_of(folder)[0].expected
    assert "unsupported file type '.xls'" in problems_of(tmp_path / "old.xls")[0].expected


def test_unknown_encoding_is_a_problem_not_a_crash(tmp_path):
    path = write(tmp_path, "c.csv", REQUIRED + "\n")
    assert "unknown text encoding 'klingon'" in problems_of(path, encoding="klingon")[0].expected


def test_invalid_utf8_names_the_byte_offset(tmp_path):
    data = (REQUIRED + "\nP1,1,PR,1,1,1,1,1,1,1,1\n").encode() + b"P\xe92,1,PR,1,1,1,1,1,1,1,1\n"
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    problem = problems_of(path)[0]
    assert problem.row == 3
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in problem.expected
    assert "not valid utf-8 text" in problem.expected


def test_configured_encoding_is_used(tmp_path):
    latin1 = write(
        tmp_path,
        "l.csv",
        REQUIRED + ",etiology\nP1,1,PR,1,1,1,1,1,1,1,1,alcohólico\n",
        encoding="latin-1",
    )
    assert read_cohort(latin1, markers=MARKERS, encoding="latin-1").table["etiology"][0] == (
        "alcohólico"
    )
    japanese = write(
        tmp_path,
        "j.tsv",
        REQUIRED.replace(",", "\t")
        + "\tetiology\n"
        + "患者1\t1\tPR\t1\t1\t1\t1\t1\t1\t1\t1\tＣ型肝炎\n",
        encoding="cp932",
    )
    table = read_cohort(japanese, markers=MARKERS, encoding="cp932").table
    assert table.loc[0, ["patient_id", "etiology"]].tolist() == ["患者1", "Ｃ型肝炎"]


def test_byte_order_mark_is_audited_with_utf8_sig_too(tmp_path):
    path = write(tmp_path, "c.csv", "\ufeff" + REQUIRED + "\nP1,1,PR,1,1,1,1,1,1,1,1\n")
    for encoding in ("utf-8", "utf-8-sig"):
        loaded = read_cohort(path, markers=MARKERS, encoding=encoding)
        assert audit_records(loaded) == [
            (1, "patient_id", "\ufeffpatient_id", "patient_id", "UTF-8 byte-order mark removed")
        ]


def test_byte_order_mark_of_another_encoding_is_audited(tmp_path):
    path = write(
        tmp_path, "c.csv", "\ufeff" + REQUIRED + "\nP1,1,PR,1,1,1,1,1,1,1,1\n", "utf-16-le"
    )
    loaded = read_cohort(path, markers=MARKERS, encoding="utf-16-le")
    assert audit_records(loaded)[0][4] == "utf-16-le byte-order mark removed"
    assert loaded.table["patient_id"].tolist() == ["P1"]


def test_header_without_rows_and_blank_rows_only(tmp_path):
    path = write(tmp_path, "c.csv", REQUIRED + "\n,,,,,,,,,,\n\n")
    assert [str(p) for p in problems_of(path)] == [f"{path}: header has no data rows below it"]


def test_blank_header_row(tmp_path):
    path = write(tmp_path, "c.csv", ",,\nP1,1,PR\n")
    assert problems_of(path)[0].expected.startswith("the header row is blank")


# --- the typed table ----------------------------------------------------------------------------


def test_reference_table_values_and_types():
    table = read_cohort(CORPUS / "accepted" / "reference.csv", markers=MARKERS).table
    assert list(table.columns[:12]) == [
        "source_row", "patient_id", "line_of_therapy", "response",
        "il6_pre", "il6_post", "il6_pre_censored", "il6_post_censored",
        "il6_pre_limit_written", "il6_post_limit_written",
        "afp_pre", "afp_post",
    ]  # fmt: skip
    assert list(table.columns[28:]) == [
        "age", "sex", "etiology", "child_pugh", "bclc", "albi_grade", "ecog_ps",
        "pfs_months", "pfs_event", "os_months", "os_event",
    ]  # fmt: skip
    assert str(table["source_row"].dtype) == "int64"
    assert str(table["line_of_therapy"].dtype) == "Int64"
    assert str(table["il6_pre"].dtype) == "float64"
    assert str(table["ecog_ps"].dtype) == "Int64"
    assert str(table["os_event"].dtype) == "Int64"
    assert isinstance(table["response"].dtype, pd.StringDtype)
    assert isinstance(table["il6_pre_censored"].dtype, pd.StringDtype)
    p04 = table.set_index("patient_id").loc["P04"]
    assert p04["source_row"] == 5
    assert p04["il6_pre"] == 1.5 and p04["il6_pre_censored"] == "below"
    assert p04["afp_post"] == 1.0 and p04["afp_post_censored"] == "below"
    assert p04["afp_post_limit_written"] == "<1.0"
    assert math.isnan(p04["afp_l3_pre"]) and p04["afp_l3_pre_censored"] == "none"
    assert p04["afp_l3_pre_limit_written"] is pd.NA and p04["il6_post_limit_written"] is pd.NA
    p07 = table.set_index("patient_id").loc["P07"]
    assert p07["il6_post"] == 5000.0 and p07["il6_post_censored"] == "above"
    assert p07["il6_post_limit_written"] == ">5000"
    assert p07["response"] == "PR" and p07["line_of_therapy"] == 2
    assert p07["pfs_months"] == 9.7 and p07["pfs_event"] == 0 and p07["age"] == 70.0


def test_only_required_columns_and_blank_response(tmp_path):
    text = REQUIRED + "\nP1,2.0,,1e1,0,1,1,100,0,1,1\n"
    table = read_cohort(write(tmp_path, "c.csv", text), markers=MARKERS).table
    assert list(table.columns) == ["source_row", "patient_id", "line_of_therapy", "response"] + [
        f"{key}_{suffix}"
        for key in ("il6", "afp", "afp_l3", "dcp")
        for suffix in (
            "pre",
            "post",
            "pre_censored",
            "post_censored",
            "pre_limit_written",
            "post_limit_written",
        )
    ]
    assert table.loc[0, "response"] is pd.NA
    assert table.loc[0, "line_of_therapy"] == 2
    assert table.loc[0, "il6_pre"] == 10.0
    assert table.loc[0, "afp_l3_pre"] == 100.0


def test_percent_kind_limits(tmp_path):
    text = REQUIRED + "\nP1,1,PR,1,1,1,1,100.5,>100,1,1\nP2,1,PR,1,1,1,1,-1,<101,1,1\n"
    found = [(p.row, p.column, p.value) for p in problems_of(write(tmp_path, "c.csv", text))]
    assert found == [
        (2, "afp_l3_pre", "100.5"),
        (2, "afp_l3_post", ">100"),
        (3, "afp_l3_pre", "-1"),
        (3, "afp_l3_post", "<101"),
    ]


def test_marker_value_forms(tmp_path):
    bad = [
        "abc",
        "<<1",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "1e999",
        "1_000",
        "0x10",
        "1,5",
        "<",
        ">",
        "1.2.3",
        "٣",
        "=1",
        "≤1.5",
        "1 5",
        "-1",
        "<-1",
        "<0",
    ]
    rows = "".join(
        f"P{i},1,PR,{json.dumps(v, ensure_ascii=False)},1,1,1,1,1,1,1\n" for i, v in enumerate(bad)
    )
    problems = problems_of(write(tmp_path, "c.csv", REQUIRED + "\n" + rows))
    assert [p.value for p in problems] == bad
    good = ["0", "1", "+1", "1.", ".5", "1e3", "1E-3", "<1.5", ">5000", "< 2", "> 5000"]
    rows = "".join(f"P{i},1,PR,{v},1,1,1,1,1,1,1\n" for i, v in enumerate(good))
    table = read_cohort(write(tmp_path, "d.csv", REQUIRED + "\n" + rows), markers=MARKERS).table
    assert table["il6_pre"].tolist() == [0, 1, 1, 1, 0.5, 1000, 0.001, 1.5, 5000, 2, 5000]
    assert table["il6_pre_censored"].tolist() == ["none"] * 7 + ["below", "above"] * 2


def test_response_codes_are_upper_cased_and_audited(tmp_path):
    text = (
        REQUIRED + "\nP1,1,pr,1,1,1,1,1,1,1,1\nP2,1,Sd,1,1,1,1,1,1,1,1\nP3,1,ne,1,1,1,1,1,1,1,1\n"
    )
    loaded = read_cohort(write(tmp_path, "c.csv", text), markers=MARKERS)
    assert loaded.table["response"].tolist() == ["PR", "SD", "NE"]
    assert [record[:4] for record in audit_records(loaded)] == [
        (2, "response", "pr", "PR"),
        (3, "response", "Sd", "SD"),
        (4, "response", "ne", "NE"),
    ]


def test_optional_columns_are_validated(tmp_path):
    header = REQUIRED + ",age,pfs_months,pfs_event,os_event,ecog_ps"
    text = header + "\nP1,1,PR,1,1,1,1,1,1,1,1,old,-1,yes,1.0,2.5\nP2,1,PR,1,1,1,1,1,1,1,1,,,,,\n"
    found = [(p.row, p.column, p.value) for p in problems_of(write(tmp_path, "c.csv", text))]
    assert found == [
        (2, "age", "old"),
        (2, "pfs_months", "-1"),
        (2, "pfs_event", "yes"),
        (2, "ecog_ps", "2.5"),
    ]


def test_duplicate_headers_are_found_in_the_raw_header(tmp_path):
    text = REQUIRED + ", il6_pre,sex,sex\nP1,1,PR,1,1,1,1,1,1,1,1,2,M,F\n"
    found = [(p.column, p.expected) for p in problems_of(write(tmp_path, "c.csv", text))]
    assert found == [
        ("il6_pre", "each column name once; 'il6_pre' heads columns 4 and 12"),
        ("sex", "each column name once; 'sex' heads columns 13 and 14"),
    ]


def test_headers_match_ignoring_case_and_spacing_and_the_match_is_audited(tmp_path):
    header = REQUIRED.replace("patient_id", "Patient  ID").replace("il6_post", "IL-6 After")
    text = header + ",Age,BCLC,ECOG_ps\nP1,1,PR,1,1,1,1,1,1,1,1,70,C,0\n"
    loaded = read_cohort(
        write(tmp_path, "c.csv", text), markers=MARKERS, column_map={"il6_post": "il-6 after"}
    )
    assert loaded.table.loc[0, "age"] == 70.0 and loaded.table.loc[0, "bclc"] == "C"
    assert loaded.table.loc[0, "ecog_ps"] == 0
    assert audit_records(loaded) == [
        (1, "patient_id", "Patient  ID", "patient_id", "header matched ignoring case and spacing"),
        (1, "il6_post", "IL-6 After", "il-6 after", "header matched ignoring case and spacing"),
        (1, "il6_post", "il-6 after", "il6_post", "column renamed via column_map"),
        (1, "age", "Age", "age", "header matched ignoring case and spacing"),
        (1, "bclc", "BCLC", "bclc", "header matched ignoring case and spacing"),
        (1, "ecog_ps", "ECOG_ps", "ecog_ps", "header matched ignoring case and spacing"),
    ]


def test_optional_column_left_out_by_a_likely_mistake_is_warned_about(tmp_path):
    text = REQUIRED + ",ECOG-PS,Child-Pugh,B.C.L.C.,notes\nP1,1,PR,1,1,1,1,1,1,1,1,0,A,C,x\n"
    path = write(tmp_path, "c.csv", text)
    loaded = read_cohort(
        path, markers=MARKERS, column_map={"child_pugh": "Child Pugh", "bclc": "BCLC stage"}
    )
    assert not {"ecog_ps", "child_pugh", "bclc"} & set(loaded.table.columns)
    assert loaded.warnings == (
        f"{path}: column_map names 'Child Pugh' for 'child_pugh', but no column has that "
        "header; child_pugh is left out; did you mean 'Child-Pugh'? (map it with column_map)",
        f"{path}: column_map names 'BCLC stage' for 'bclc', but no column has that header; "
        "bclc is left out",
        f"{path}: column 'ECOG-PS' is not used, so ecog_ps is left out; did you mean 'ecog_ps'? "
        "(map it with column_map, ecog_ps: 'ECOG-PS')",
    )
    only_required = write(tmp_path, "d.csv", REQUIRED + "\nP1,1,PR,1,1,1,1,1,1,1,1\n")
    assert read_cohort(only_required, markers=MARKERS).warnings == ()


def test_two_headers_matching_one_column_are_refused(tmp_path):
    header = REQUIRED.replace("il6_pre", "IL-6 before")
    text = header + ",BCLC,bclc,IL-6  Before\nP1,1,PR,1,1,1,1,1,1,1,1,C,C,2\n"
    path = write(tmp_path, "c.csv", text)
    problems = problems_of(path, column_map={"il6_pre": "IL-6 before"})
    assert [str(problem) for problem in problems] == [
        f"{path}: row 1: headers 'IL-6 before' (column 4) and 'IL-6  Before' (column 14) both "
        "match column 'il6_pre' (headers are matched ignoring case and spacing); rename or "
        "delete all but one of them",
        f"{path}: row 1: headers 'BCLC' (column 12) and 'bclc' (column 13) both match column "
        "'bclc' (headers are matched ignoring case and spacing); rename or delete all but one "
        "of them",
    ]


def test_three_headers_matching_one_column_are_all_named(tmp_path):
    text = REQUIRED + ",BCLC,bclc,B CLC,Bclc\nP1,1,PR,1,1,1,1,1,1,1,1,C,C,C,C\n"
    (problem,) = problems_of(write(tmp_path, "c.csv", text))
    assert problem.expected.startswith(
        "headers 'BCLC' (column 12) and 'bclc' (column 13) and 'Bclc' (column 15) all match "
        "column 'bclc'"
    )


def test_unused_and_unnamed_columns_are_audited_once(tmp_path):
    text = REQUIRED + ",note,\nP1,1,PR,1,1,1,1,1,1,1,1,x,y\nP2,1,PR,1,1,1,1,1,1,1,1,z,\n"
    loaded = read_cohort(write(tmp_path, "c.csv", text), markers=MARKERS)
    assert audit_records(loaded) == [
        (1, "note", "note", None, "column not used by the workflow (ignored)"),
        (1, "(column 13, no header)", "", None, "column not used by the workflow (ignored)"),
    ]


def test_field_count_problem_is_the_only_problem_of_that_row(tmp_path):
    text = REQUIRED + "\nP1,1,XX,abc\nP2,1,PR,1,1,1,1,1,1,1,1,1\n"
    problems = problems_of(write(tmp_path, "c.csv", text))
    hint = "one per header column (a missing or extra separator?)"
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        f"row 2: found 4 fields; expected 11, {hint}",
        f"row 3: found 12 fields; expected 11, {hint}",
    ]


def test_rows_are_records_so_a_quoted_line_break_keeps_numbering(tmp_path):
    text = (
        REQUIRED
        + ',note\r\nP1,1,PR,1,1,1,1,1,1,1,1,"two\r\nlines"\r\nP2,1,XX,1,1,1,1,1,1,1,1,x\r\n'
    )
    assert [(p.row, p.value) for p in problems_of(write(tmp_path, "c.csv", text))] == [(3, "XX")]


def test_spaces_are_stripped_and_audited_per_cell(tmp_path):
    text = REQUIRED + "\n P1 ,\t1,PR , 1.5 ,1,1,1,1,1,1,1\n"
    loaded = read_cohort(write(tmp_path, "c.csv", text), markers=MARKERS)
    assert loaded.table.loc[0, ["patient_id", "line_of_therapy", "il6_pre"]].tolist() == [
        "P1",
        1,
        1.5,
    ]
    assert [record[:4] for record in audit_records(loaded)] == [
        (2, "patient_id", " P1 ", "P1"),
        (2, "line_of_therapy", "\t1", "1"),
        (2, "response", "PR ", "PR"),
        (2, "il6_pre", " 1.5 ", "1.5"),
    ]


# --- Excel ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (None, "General", ("", False, None)),
        (2, "General", ("2", True, None)),
        (2.0, "General", ("2", True, None)),
        (0.1, "General", ("0.1", True, None)),
        (1e-7, "General", ("1e-07", True, None)),
        (-3.25, "0.00", ("-3.25", True, None)),
        (0.125, "0.0%", ("12.5", True, "0.125")),
        (0.41, "0%", ("41", True, "0.41")),
        (41, '0"%"', ("41", True, None)),
        (True, "General", ("TRUE", False, None)),
        (datetime.datetime(2024, 3, 1), "yyyy-mm-dd", ("2024-03-01", False, None)),
        (datetime.datetime(2024, 3, 1, 9, 30), "General", ("2024-03-01 09:30:00", False, None)),
        (datetime.time(9, 30), "h:mm", ("09:30:00", False, None)),
        (" pr ", "General", (" pr ", False, None)),
    ],
)
def test_excel_cell_text(value, number_format, expected):
    assert _excel_cell_text(value, number_format) == expected


def workbook_of(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    workbook.save(path)
    return path


def write_sheet(path: Path, rows: list[list], title: str = "Data") -> Path:
    return workbook_of(path, {title: rows})


def test_excel_rows_are_numbered_as_in_the_sheet(tmp_path):
    header = REQUIRED.split(",")
    row = ["P1", 1, "PR", 1, 1, 1, 1, 1, 1, 1, 1]
    path = write_sheet(
        tmp_path / "c.xlsx",
        [header, row, [None] * 11, ["P2", 1, "XX"] + row[3:], ["P1"] + row[1:]],
    )
    problems = problems_of(path)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (4, "response", "XX"),
        (5, "patient_id", "P1"),
    ]


def test_excel_trailing_formatted_rows_and_columns_are_not_rows(tmp_path):
    header = REQUIRED.split(",")
    path = tmp_path / "c.xlsx"
    write_sheet(path, [header, ["P1", 1, "pr", 1.5, 2, 3, 4, 5, 6, 7, 8]])
    workbook = openpyxl.load_workbook(path)
    workbook.active["P40"].number_format = "0.00"
    workbook.active["A30"] = " "
    workbook.save(path)
    loaded = read_cohort(path, markers=MARKERS)
    assert loaded.table["source_row"].tolist() == [2]
    assert audit_records(loaded) == [
        (2, "response", "pr", "PR", "lower-case response code upper-cased")
    ]


def test_excel_numbers_ignore_the_decimal_setting_but_text_cells_do_not(tmp_path):
    header = REQUIRED.split(",")
    path = write_sheet(tmp_path / "c.xlsx", [header, ["P1", 1, "PR", 1.5, "2,5", "<1,5"] + [1] * 5])
    loaded = read_cohort(path, markers=MARKERS, decimal=",")
    assert loaded.table.loc[0, ["il6_pre", "il6_post", "afp_pre"]].tolist() == [1.5, 2.5, 1.5]
    assert [record[:4] for record in audit_records(loaded)] == [
        (2, "il6_post", "2,5", "2.5"),
        (2, "afp_pre", "<1,5", "<1.5"),
    ]


def test_excel_default_sheet_and_named_sheet(tmp_path):
    header = REQUIRED.split(",")
    path = tmp_path / "c.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["not a cohort"])
    cohort = workbook.create_sheet("Cohort")
    cohort.append(header)
    cohort.append(["P1", 1, "PR"] + [1] * 8)
    workbook.save(path)
    assert read_cohort(path, markers=MARKERS, sheet="Cohort").table["patient_id"].tolist() == ["P1"]
    (forgotten_sheet,) = problems_of(path)
    assert forgotten_sheet.row is None and forgotten_sheet.column is None
    assert forgotten_sheet.expected == (
        "sheet 'Notes' was read (the first sheet: no sheet is set) and has none of the required "
        f"columns (missing: {REQUIRED.replace(',', ', ')}); the workbook's other sheets: 'Cohort'; "
        "sheet 'Cohort' has them all: set the cohort's sheet to 'Cohort' "
        "(config.yaml, cohort: sheet:)"
    )
    assert problems_of(path, sheet="cohort")[0].expected == (
        "sheet 'cohort' not found; sheets: Notes, Cohort"
    )


def test_excel_sheet_without_the_columns_names_the_sheets_that_have_them(tmp_path):
    header = REQUIRED.split(",")
    cohort = [header, ["P1", 1, "PR"] + [1] * 8]
    lab_only = [header[:1] + header[3:], ["P1"] + [1] * 8]
    path = workbook_of(tmp_path / "c.xlsx", {"Lab": lab_only, "Site A": cohort, "Site B": cohort})
    (problem,) = problems_of(path, sheet="Lab")
    assert problem.expected == (
        "sheet 'Lab' was read (as set by the cohort's sheet) and has only 9 of the 11 required "
        "columns (missing: line_of_therapy, response); the workbook's other sheets: 'Site A', "
        "'Site B'; sheets 'Site A', 'Site B' have them all: set the cohort's sheet to the one to "
        "analyse (config.yaml, cohort: sheet:)"
    )


def test_excel_empty_sheet_alone(tmp_path):
    path = workbook_of(tmp_path / "c.xlsx", {"Data": []})
    assert [str(problem) for problem in problems_of(path)] == [
        f"{path}: sheet 'Data' was read (the first sheet: no sheet is set) and is empty "
        "(expected a header row and data rows)"
    ]


def test_excel_columns_missing_from_every_sheet_are_listed_one_by_one(tmp_path):
    header = REQUIRED.split(",")
    path = workbook_of(
        tmp_path / "c.xlsx",
        {"Data": [header[1:], [1, "PR"] + [1] * 8], "Notes": [["written by hand"]]},
    )
    problems = problems_of(path)
    assert [(p.row, p.column) for p in problems] == [(None, None), (1, "patient_id")]
    assert problems[0].expected == (
        "sheet 'Data' was read (the first sheet: no sheet is set); the workbook's other sheets: "
        "'Notes'; none of them has every required column"
    )


def test_excel_formula_without_saved_result_is_a_problem(tmp_path):
    header = REQUIRED.split(",")
    path = write_sheet(
        tmp_path / "c.xlsx", [header, ["P1", 1, "PR", 2, "=D2*2", "=D2", 1, 1, 1, 1, 1]]
    )
    problems = problems_of(path)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "il6_post", "=D2*2"),
        (2, "afp_pre", "=D2"),
    ]
    assert "result was never saved" in problems[0].expected


# --- arguments --------------------------------------------------------------------------------


def test_column_map_problems_are_reported(tmp_path):
    path = write(tmp_path, "c.csv", REQUIRED + "\nP1,1,PR,1,1,1,1,1,1,1,1\n")
    unknown = problems_of(path, column_map={"patient": "ID"})
    assert unknown[0].expected.startswith(
        "column_map: 'patient' is not a column the workflow reads"
    )
    clash = problems_of(path, column_map={"il6_pre": "IL-6", "il6_post": "IL-6"})
    assert "header 'IL-6' is given for several columns (il6_pre, il6_post)" in clash[0].expected
    clash = problems_of(path, column_map={"patient_id": "Age"})
    assert "header 'Age' / 'age' is given for several columns (patient_id, age)" in (
        clash[0].expected
    )


def test_malformed_arguments_raise_value_error(tmp_path):
    path = write(tmp_path, "c.csv", REQUIRED + "\n")
    with pytest.raises(ValueError, match="decimal"):
        read_cohort(path, markers=MARKERS, decimal=";")
    with pytest.raises(ValueError, match="max_problems"):
        read_cohort(path, markers=MARKERS, max_problems=0)
    with pytest.raises(ValueError, match="kind"):
        read_cohort(path, markers=[{"key": "il6", "kind": "ratio"}])
    with pytest.raises(ValueError, match="unique"):
        read_cohort(path, markers=[{"key": "il6", "kind": "percent"}] * 2)


def test_cohort_columns_lists_required_then_optional():
    columns = cohort_columns(MARKERS)
    assert columns[:11] == REQUIRED.split(",")
    assert columns[11:] == [
        "age", "sex", "etiology", "child_pugh", "bclc", "albi_grade", "ecog_ps",
        "pfs_months", "pfs_event", "os_months", "os_event",
    ]  # fmt: skip
