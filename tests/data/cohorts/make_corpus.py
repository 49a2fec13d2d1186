"""Write the cohort test corpus: malformed files with the words their error must contain, and
accepted variants with the normalisations they must record.

Run from anywhere: ``python3 tests/data/cohorts/make_corpus.py``. Every file is derived from
the small reference cohort below by one deliberate change, so each case tests one thing (the
"many_problems" case tests several at once). The expected words and audits are written here by
hand, next to the change that causes them; nothing is derived from the loader's output.

Files written:
- malformed/<case>.<csv|tsv|xlsx> and malformed/expected.tsv with columns file, options (JSON
  keyword arguments of read_cohort besides markers), problems (how many problems the error lists),
  words (" | "-separated fragments that must all appear in the error message; the file name is
  always checked too).
- accepted/reference.csv and accepted/<case>.<ext>, accepted/expected.tsv with columns file,
  options, rows (rows of the table), and accepted/<case>.audit.tsv: the exact audit table.
  Every accepted variant must give the same table as reference.csv except for source_row.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
MALFORMED = HERE / "malformed"
ACCEPTED = HERE / "accepted"

HEADER = (
    "patient_id,line_of_therapy,response,il6_pre,il6_post,afp_pre,afp_post,afp_l3_pre,"
    "afp_l3_post,dcp_pre,dcp_post,age,sex,etiology,child_pugh,bclc,albi_grade,ecog_ps,"
    "pfs_months,pfs_event,os_months,os_event"
).split(",")
# File rows 2-9 (the header is row 1).
ROWS = [
    "P01,1,PR,4.2,9.8,125.3,60.1,12.5,8.1,340,120,72,M,HCV,A,C,1,0,8.4,1,15.2,0",
    "P02,1,SD,12.6,10.9,3.2,3.5,<0.5,<0.5,45,52,75,M,HBV,A,B,2,0,6.1,1,13.0,1",
    "P03,2,PD,25.1,31.4,6300,8800,35.2,41.0,2200,3900,68,F,alcohol,B,C,2,1,2.3,1,5.8,1",
    "P04,1,CR,<1.5,3.1,1.8,<1.0,,,18,12,79,M,MASLD,A,B,1,0,14.0,0,14.0,0",
    "P05,3,SD,7.4,6.9,22.0,19.5,9.9,10.4,150,160,73,F,HCV,A,C,1,1,4.4,1,11.9,1",
    "P06,1,NE,18.5,,340,,15.0,,95,,81,M,alcohol,B,C,2,2,1.2,1,2.0,1",
    "P07,2,PR,5.0,>5000,11.0,7.2,4.1,3.0,5400,1300,70,M,HBV,A,C,1,0,9.7,0,16.3,0",
    "P08,1,PD,9.9,14.2,45.6,88.0,22.0,24.5,<5,7,77,M,MASLD,A,B,2,1,3.0,1,9.1,1",
]
REQUIRED = HEADER[:11]
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def base_rows() -> list[list[str]]:
    """The reference cohort as a list of rows of text cells, header first."""
    return [list(HEADER)] + [row.split(",") for row in ROWS]


def set_cell(rows: list[list], file_row: int, column: str, value) -> list[list]:
    """A copy of ``rows`` with one cell replaced (file_row numbered as in the file)."""
    changed = [list(row) for row in rows]
    changed[file_row - 1][HEADER.index(column)] = value
    return changed


def drop_column(rows: list[list], column: str) -> list[list]:
    position = rows[0].index(column)
    return [row[:position] + row[position + 1 :] for row in rows]


def write_text(path: Path, rows: list[list[str]], *, delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)


def excel_value(cell):
    """Numbers as Excel numbers (as a hospital sheet holds them); anything else as given."""
    if isinstance(cell, str) and _NUMBER.fullmatch(cell):
        return float(cell) if "." in cell else int(cell)
    return cell if cell != "" else None


def write_xlsx(path: Path, sheets: dict[str, list[list]], formats: dict | None = None) -> None:
    """Write sheets of rows; ``formats`` maps (sheet, row, column name) to a number format."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append([excel_value(cell) for cell in row])
        for (sheet_title, row_number, column), number_format in (formats or {}).items():
            if sheet_title == title:
                cell = worksheet.cell(row=row_number, column=rows[0].index(column) + 1)
                cell.number_format = number_format
    workbook.save(path)


def percent_sheet(rows: list[list]) -> tuple[list[list], dict]:
    """AFP-L3 stored as fractions in percent-formatted cells, as Excel does for "12.5%"."""
    stored = [list(row) for row in rows]
    formats = {}
    for column in ("afp_l3_pre", "afp_l3_post"):
        position = HEADER.index(column)
        for number, row in enumerate(stored[1:], start=2):
            if _NUMBER.fullmatch(row[position]):
                # Excel stores a typed "8.1%" as the double nearest 0.081, not 8.1 / 100.
                row[position] = float(Decimal(row[position]) / 100)
                formats[("Cohort", number, column)] = "0.0%"
    return stored, formats


def malformed_cases() -> list[dict]:
    base = base_rows()
    text = {"csv": ",", "tsv": "\t"}
    cases = [
        (
            "missing_column.csv",
            drop_column(base, "il6_post"),
            {},
            1,
            ["row 1", "column 'il6_post'", "required column missing", "il6_pre, afp_pre"],
        ),
        (
            "duplicate_column.csv",
            [HEADER[:11] + ["il6_pre"] + HEADER[12:]] + base[1:],
            {},
            1,
            ["row 1", "column 'il6_pre'", "found 'il6_pre'", "heads columns 4 and 12"],
        ),
        (
            "duplicate_patient.csv",
            set_cell(base, 6, "patient_id", "P02"),
            {},
            1,
            ["row 6", "column 'patient_id'", "found 'P02'", "also on row 3"],
        ),
        (
            "triplicate_patient.tsv",
            set_cell(set_cell(base, 6, "patient_id", "P02"), 9, "patient_id", "P02"),
            {},
            2,
            ["row 6", "row 9", "found 'P02'", "also on rows 3, 9", "also on rows 3, 6"],
        ),
        (
            "blank_patient.tsv",
            set_cell(base, 5, "patient_id", "  "),
            {},
            1,
            ["row 5", "column 'patient_id'", "found ''", "a patient identifier"],
        ),
        (
            "marker_text.csv",
            set_cell(base, 7, "il6_post", "abc"),
            {},
            1,
            [
                "row 7, column 'il6_post': found 'abc'; expected a number, '<number>' or '>number' "
                "(censored), or blank"
            ],
        ),
        (
            "marker_double_censor.tsv",
            set_cell(base, 5, "il6_pre", "<<1"),
            {},
            1,
            ["row 5", "column 'il6_pre'", "found '<<1'", "(censored)"],
        ),
        (
            "marker_nan.csv",
            set_cell(base, 3, "afp_pre", "nan"),
            {},
            1,
            ["row 3", "column 'afp_pre'", "found 'nan'", "expected a number"],
        ),
        (
            "marker_inf.csv",
            set_cell(set_cell(base, 4, "dcp_post", "inf"), 8, "afp_post", "-Infinity"),
            {},
            2,
            [
                "row 4",
                "column 'dcp_post'",
                "found 'inf'",
                "row 8",
                "column 'afp_post'",
                "found '-Infinity'",
            ],
        ),
        (
            "marker_overflow.csv",
            set_cell(base, 2, "il6_pre", "1e999"),
            {},
            1,
            ["row 2", "column 'il6_pre'", "found '1e999'", "expected a number"],
        ),
        (
            "marker_unicode_digits.tsv",
            set_cell(base, 3, "il6_post", "１０.９"),
            {},
            1,
            ["row 3", "column 'il6_post'", "found '１０.９'"],
        ),
        (
            "negative_concentration.csv",
            set_cell(base, 4, "afp_pre", "-3.2"),
            {},
            1,
            ["row 4", "column 'afp_pre'", "found '-3.2'", "a concentration >= 0 ng/mL"],
        ),
        (
            "censored_zero.csv",
            set_cell(base, 9, "dcp_pre", "<0"),
            {},
            1,
            ["row 9", "column 'dcp_pre'", "found '<0'", "a limit > 0 after '<'"],
        ),
        (
            "percent_over_100.tsv",
            set_cell(base, 2, "afp_l3_post", "120"),
            {},
            1,
            ["row 2", "column 'afp_l3_post'", "found '120'", "a percentage from 0 to 100"],
        ),
        (
            "response_unknown.csv",
            set_cell(base, 2, "response", "Partial"),
            {},
            1,
            ["row 2", "column 'response'", "found 'Partial'", "CR/PR/SD/PD/NE"],
        ),
        (
            "line_zero.csv",
            set_cell(base, 3, "line_of_therapy", "0"),
            {},
            1,
            ["row 3", "column 'line_of_therapy'", "found '0'", "a whole number from 1"],
        ),
        (
            "line_fraction.tsv",
            set_cell(base, 8, "line_of_therapy", "1.5"),
            {},
            1,
            ["row 8", "column 'line_of_therapy'", "found '1.5'", "a whole number from 1"],
        ),
        (
            "line_blank.csv",
            set_cell(base, 4, "line_of_therapy", ""),
            {},
            1,
            ["row 4", "column 'line_of_therapy'", "found ''", "a whole number from 1"],
        ),
        (
            "event_not_binary.csv",
            set_cell(base, 5, "pfs_event", "2"),
            {},
            1,
            ["row 5", "column 'pfs_event'", "found '2'", "0 or 1"],
        ),
        (
            "age_negative.tsv",
            set_cell(base, 6, "age", "-72"),
            {},
            1,
            ["row 6", "column 'age'", "found '-72'", ">= 0"],
        ),
        (
            "ecog_out_of_range.csv",
            set_cell(base, 7, "ecog_ps", "7"),
            {},
            1,
            ["row 7", "column 'ecog_ps'", "found '7'", "from 0 to 5"],
        ),
        ("header_only.csv", base[:1], {}, 1, ["header has no data rows"]),
        (
            "too_few_fields.csv",
            base[:3] + [base[3][:-1]] + base[4:],
            {},
            1,
            ["row 4", "found 21 fields", "expected 22"],
        ),
        (
            "too_many_fields.tsv",
            base[:2] + [base[2] + ["extra"]] + base[3:],
            {},
            1,
            ["row 3", "found 23 fields", "expected 22"],
        ),
        (
            "decimal_dot_with_comma_config.tsv",
            set_cell([[c.replace(".", ",") for c in row] for row in base], 4, "il6_pre", "25.1"),
            {"decimal": ","},
            1,
            ["row 4", "column 'il6_pre'", "found '25.1'", "decimal comma"],
        ),
        (
            "column_map_header_absent.csv",
            base,
            {"column_map": {"patient_id": "Patient No."}},
            1,
            [
                "row 1",
                "column 'Patient No.'",
                "required column missing",
                "column_map names it for 'patient_id'",
            ],
        ),
        (
            "header_near_miss.csv",
            [["IL-6_pre" if c == "il6_pre" else c for c in HEADER]] + base[1:],
            {},
            1,
            ["row 1", "column 'il6_pre'", "did you mean 'IL-6_pre'"],
        ),
        (
            "header_ambiguous.csv",
            [HEADER + ["Age"]] + [row + ["70"] for row in base[1:]],
            {},
            1,
            [
                "row 1: headers 'age' (column 12) and 'Age' (column 23) both match column 'age'",
                "matched ignoring case and spacing",
            ],
        ),
        (
            "many_problems.csv",
            set_cell(
                set_cell(
                    set_cell(set_cell(base, 2, "il6_pre", "abc"), 3, "response", "XX"),
                    4,
                    "line_of_therapy",
                    "-1",
                ),
                9,
                "patient_id",
                "P01",
            ),
            {},
            4,
            [
                "row 2, column 'il6_pre': found 'abc'",
                "row 3, column 'response': found 'XX'",
                "row 4, column 'line_of_therapy': found '-1'",
                "row 9, column 'patient_id': found 'P01'",
            ],
        ),
    ]
    written = []
    for name, rows, options, problems, words in cases:
        write_text(MALFORMED / name, rows, delimiter=text[name.rsplit(".", 1)[1]])
        written.append(dict(file=name, options=options, problems=problems, words=words))

    raw_cases = [
        ("empty.csv", b"", {}, 1, ["file is empty"]),
        ("blank_lines_only.tsv", b"\n  \n\n", {}, 1, ["file is empty"]),
        (
            "unclosed_quote.csv",
            (
                "\n".join([",".join(HEADER)] + ROWS[:2] + ['"P03' + ROWS[2][3:]] + ROWS[3:]) + "\n"
            ).encode(),
            {},
            1,
            ["row 4", "cannot be split into fields", "double quotes"],
        ),
    ]
    latin1 = "\n".join([",".join(HEADER)] + ROWS[:4] + [ROWS[4].replace("HCV", "alcohólico")])
    offset = latin1.encode("latin-1").index("ó".encode("latin-1"))
    raw_cases.append(
        (
            "latin1.csv",
            (latin1 + "\n").encode("latin-1"),
            {},
            1,
            ["row 6", "not valid utf-8 text", f"byte offset {offset}", "f3"],
        )
    )
    raw_cases.append(
        (
            "not_a_workbook.xlsx",
            b"patient_id,line_of_therapy\nP01,1\n",
            {},
            1,
            ["not a readable .xlsx workbook"],
        )
    )
    for name, data, options, problems, words in raw_cases:
        (MALFORMED / name).write_bytes(data)
        written.append(dict(file=name, options=options, problems=problems, words=words))

    date = datetime.datetime(2024, 3, 1)
    xlsx_cases = [
        (
            "sheet_missing.xlsx",
            {"Data": base, "Notes": [["written by the study nurse"]]},
            None,
            {"sheet": "Cohort"},
            1,
            ["sheet 'Cohort' not found; sheets: Data, Notes"],
        ),
        (
            "empty_sheet.xlsx",
            {"Data": [], "Cohort": base},
            None,
            {},
            1,
            [
                "sheet 'Data' was read (the first sheet: no sheet is set) and is empty",
                "sheet 'Cohort' has them all: set the cohort's sheet to 'Cohort'",
            ],
        ),
        (
            "sheet_forgotten.xlsx",
            {"Notes": [["Atezo/Bev cohort, exported by the study nurse"]], "Cohort": base},
            None,
            {},
            1,
            [
                "sheet 'Notes' was read (the first sheet: no sheet is set)",
                "has none of the required columns (missing: patient_id, line_of_therapy",
                "the workbook's other sheets: 'Cohort'",
                "set the cohort's sheet to 'Cohort'",
            ],
        ),
        (
            "xlsx_marker_text.xlsx",
            {"Data": set_cell(base, 4, "il6_post", "n.d.")},
            None,
            {},
            1,
            ["row 4", "column 'il6_post'", "found 'n.d.'"],
        ),
        (
            "xlsx_date_in_marker.xlsx",
            {"Data": set_cell(base, 8, "afp_pre", date)},
            None,
            {},
            1,
            ["row 8", "column 'afp_pre'", "found '2024-03-01'"],
        ),
        (
            "xlsx_line_fraction.xlsx",
            {"Data": set_cell(base, 3, "line_of_therapy", 2.5)},
            None,
            {},
            1,
            ["row 3", "column 'line_of_therapy'", "found '2.5'"],
        ),
        (
            "xlsx_duplicate_patient.xlsx",
            {"Data": base[:5] + [[""] * len(HEADER)] + base[5:] + [base[1]]},
            None,
            {},
            1,
            ["row 11", "column 'patient_id'", "found 'P01'", "also on row 2"],
        ),
        (
            "xlsx_percent_over_100.xlsx",
            {"Cohort": set_cell(percent_sheet(base)[0], 5, "afp_l3_pre", 1.5)},
            {**percent_sheet(base)[1], ("Cohort", 5, "afp_l3_pre"): "0%"},
            {},
            1,
            ["row 5", "column 'afp_l3_pre'", "found '150'", "a percentage from 0 to 100"],
        ),
    ]
    for name, sheets, formats, options, problems, words in xlsx_cases:
        write_xlsx(MALFORMED / name, sheets, formats)
        written.append(dict(file=name, options=options, problems=problems, words=words))
    return written


def accepted_cases() -> list[dict]:
    """Accepted variants of the reference cohort and the audit each must record."""
    base = base_rows()
    write_text(ACCEPTED / "reference.csv", base, delimiter=",")
    cases = [dict(file="reference.csv", options={}, rows=8, audit=[])]

    rows = [list(row) for row in base]
    rows[2][0] = " P02 "
    rows[3][2] = "pd"
    rows[5][2] = " sd"
    rows[0][3] = "il6_pre "
    text = "\ufeff" + "".join(",".join(row) + "\r\n" for row in rows)
    (ACCEPTED / "bom_spaces_lower_case.csv").write_bytes(text.encode("utf-8"))
    cases.append(
        dict(
            file="bom_spaces_lower_case.csv",
            options={},
            rows=8,
            audit=[
                (
                    1,
                    "patient_id",
                    "\ufeffpatient_id",
                    "patient_id",
                    "UTF-8 byte-order mark removed",
                ),
                (1, "il6_pre", "il6_pre ", "il6_pre", "surrounding spaces stripped"),
                (3, "patient_id", " P02 ", "P02", "surrounding spaces stripped"),
                (4, "response", "pd", "PD", "lower-case response code upper-cased"),
                (6, "response", " sd", "sd", "surrounding spaces stripped"),
                (6, "response", "sd", "SD", "lower-case response code upper-cased"),
            ],
        )
    )

    comma = [[cell.replace(".", ",") for cell in row] for row in base[:3]]
    write_text(ACCEPTED / "decimal_comma.tsv", comma, delimiter="\t")
    audit = []
    for number, row in enumerate(comma[1:], start=2):
        for column, cell in zip(HEADER, row, strict=True):
            if "," in cell:
                audit.append(
                    (
                        number,
                        column,
                        cell,
                        cell.replace(",", "."),
                        "decimal comma read as a decimal point",
                    )
                )
    cases.append(dict(file="decimal_comma.tsv", options={"decimal": ","}, rows=2, audit=audit))

    renamed = {"patient_id": "Patient No.", "il6_pre": "IL-6 before", "il6_post": "IL-6 after"}
    header = [renamed.get(column, column) for column in HEADER] + ["Comment"]
    rows = [header] + [row + ["checked"] for row in base[1:]]
    rows[3][-1] = ""
    write_text(ACCEPTED / "column_map_extra_column.csv", rows, delimiter=",")
    cases.append(
        dict(
            file="column_map_extra_column.csv",
            options={"column_map": renamed},
            rows=8,
            audit=[
                (1, "patient_id", "Patient No.", "patient_id", "column renamed via column_map"),
                (1, "il6_pre", "IL-6 before", "il6_pre", "column renamed via column_map"),
                (1, "il6_post", "IL-6 after", "il6_post", "column renamed via column_map"),
                (1, "Comment", "Comment", None, "column not used by the workflow (ignored)"),
            ],
        )
    )

    rows = base[:4] + [[""] * len(HEADER)] + base[4:] + [[""] * len(HEADER)]
    write_text(ACCEPTED / "blank_rows.csv", rows, delimiter=",")
    cases.append(
        dict(
            file="blank_rows.csv",
            options={},
            rows=8,
            audit=[(5, None, "", None, "blank row skipped (no value in any cell)")],
        )
    )

    rows = set_cell(set_cell(base, 5, "il6_pre", "< 1.5"), 8, "il6_post", ">  5000")
    write_text(ACCEPTED / "censored_with_space.tsv", rows, delimiter="\t")
    cases.append(
        dict(
            file="censored_with_space.tsv",
            options={},
            rows=8,
            audit=[
                (5, "il6_pre", "< 1.5", "<1.5", "space after the censoring sign removed"),
                (8, "il6_post", ">  5000", ">5000", "space after the censoring sign removed"),
            ],
        )
    )

    stored, formats = percent_sheet(base)
    stored = set_cell(stored, 3, "line_of_therapy", 1.0)
    write_xlsx(
        ACCEPTED / "second_sheet.xlsx",
        {"Notes": [["Cohort exported", datetime.date(2025, 1, 31)]], "Cohort": stored},
        formats,
    )
    audit = []
    for column in ("afp_l3_pre", "afp_l3_post"):
        position = HEADER.index(column)
        for number, row in enumerate(stored[1:], start=2):
            if isinstance(row[position], float):
                shown = format(Decimal(base[number - 1][position]).normalize(), "f")
                audit.append(
                    (
                        number,
                        column,
                        repr(row[position]),
                        shown,
                        "Excel percentage cell read as shown (stored fraction times 100)",
                    )
                )
    audit.sort(key=lambda record: (record[0], HEADER.index(record[1])))
    cases.append(dict(file="second_sheet.xlsx", options={"sheet": "Cohort"}, rows=8, audit=audit))

    loose = {
        "patient_id": "Patient ID",
        "line_of_therapy": "Line of therapy",
        "il6_pre": "IL6_pre",
        "age": "Age",
        "bclc": "BCLC",
        "ecog_ps": "ECOG  PS",
    }
    write_text(
        ACCEPTED / "header_case_spacing.csv",
        [[loose.get(column, column) for column in HEADER]] + base[1:],
        delimiter=",",
    )
    cases.append(
        dict(
            file="header_case_spacing.csv",
            options={},
            rows=8,
            audit=[
                (1, column, header, column, "header matched ignoring case and spacing")
                for column, header in loose.items()
            ],
        )
    )

    write_xlsx(ACCEPTED / "first_sheet.xlsx", {"Data": base, "Other": [["not read"]]})
    cases.append(dict(file="first_sheet.xlsx", options={}, rows=8, audit=[]))
    return cases


def write_manifest(path: Path, header: list[str], rows: list[list]) -> None:
    write_text(path, [header] + rows, delimiter="\t")


def main() -> None:
    MALFORMED.mkdir(exist_ok=True)
    ACCEPTED.mkdir(exist_ok=True)
    malformed = malformed_cases()
    write_manifest(
        MALFORMED / "expected.tsv",
        ["file", "options", "problems", "words"],
        [
            [
                case["file"],
                json.dumps(case["options"], ensure_ascii=False),
                case["problems"],
                " | ".join(case["words"]),
            ]
            for case in malformed
        ],
    )
    accepted = accepted_cases()
    write_manifest(
        ACCEPTED / "expected.tsv",
        ["file", "options", "rows"],
        [[case["file"], json.dumps(case["options"]), case["rows"]] for case in accepted],
    )
    for case in accepted:
        stem = case["file"].rsplit(".", 1)[0]
        audit = [
            [str(row), column or "", original, "" if normalised is None else normalised, what]
            for row, column, original, normalised, what in case["audit"]
        ]
        write_manifest(
            ACCEPTED / f"{stem}.audit.tsv",
            ["source_row", "column", "original_value", "normalised_value", "normalisation"],
            audit,
        )


if __name__ == "__main__":
    main()
