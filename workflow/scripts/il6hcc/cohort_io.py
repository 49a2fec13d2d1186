"""Reading and validating a raw cohort file: every data row kept, every problem reported.

:func:`read_cohort` reads a CSV, TSV or Excel cohort file cell by cell as text, checks every cell,
and returns the typed table together with an audit of every normalisation it applied (byte-order
mark, surrounding spaces, lower-case response codes, decimal commas, renamed and unused columns,
headers matched ignoring case and spacing).
An invalid file returns nothing: all its problems are collected and raised together as one
:class:`CohortError`, each naming the file, the row as numbered in the file (header = row 1; for
Excel the sheet's row number), the column as headed in the file, the value found and what was
expected.

Rows that are blank in every cell carry no patient: they are skipped and recorded in the audit
(blank rows after the last data row are not rows at all and are dropped without a record).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import math
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

RESPONSE_CODES = ("CR", "PR", "SD", "PD", "NE")
BASE_COLUMNS = ("patient_id", "line_of_therapy", "response")
MARKER_KINDS = ("concentration", "percent")
TEXT_DELIMITERS = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
EXCEL_SUFFIXES = (".xlsx",)
MAX_LINE_OF_THERAPY = 99
MAX_ECOG_PS = 5

# Optional columns, in table order, with the kind of value each holds.
OPTIONAL_COLUMNS = {
    "age": "non-negative number",
    "sex": "text",
    "etiology": "text",
    "child_pugh": "text",
    "bclc": "text",
    "albi_grade": "text",
    "ecog_ps": "ecog",
    "pfs_months": "non-negative number",
    "pfs_event": "event",
    "os_months": "non-negative number",
    "os_event": "event",
}

CENSORED_NONE = "none"
CENSORED_BELOW = "below"
CENSORED_ABOVE = "above"
# Suffixes of the per-marker columns that hold how a value was censored and how the file wrote it.
CENSORED_SUFFIX = "_censored"
LIMIT_WRITTEN_SUFFIX = "_limit_written"

NORMALISED_BOM = "UTF-8 byte-order mark removed"
NORMALISED_SPACES = "surrounding spaces stripped"
NORMALISED_UPPER_CASE = "lower-case response code upper-cased"
NORMALISED_DECIMAL_COMMA = "decimal comma read as a decimal point"
NORMALISED_UNUSED_COLUMN = "column not used by the workflow (ignored)"
NORMALISED_RENAMED_COLUMN = "column renamed via column_map"
NORMALISED_HEADER_MATCH = "header matched ignoring case and spacing"
NORMALISED_BLANK_ROW = "blank row skipped (no value in any cell)"
NORMALISED_CENSOR_SPACE = "space after the censoring sign removed"
NORMALISED_EXCEL_PERCENT = "Excel percentage cell read as shown (stored fraction times 100)"

AUDIT_COLUMNS = ["source_row", "column", "original_value", "normalised_value", "normalisation"]

_DIGITS = r"(?:[0-9]+(?:{sep}[0-9]*)?|{sep}[0-9]+)(?:[eE][+-]?[0-9]+)?"
# Only ASCII digits: float() would also accept full-width or Arabic-Indic digits, "nan",
# "inf" and underscores, none of which a laboratory value should be read from.
_NUMBER = {
    ".": re.compile(r"[+-]?" + _DIGITS.format(sep=r"\.")),
    ",": re.compile(r"[+-]?" + _DIGITS.format(sep=",")),
}
UNSAVED_FORMULA = (
    "a value; this formula's result was never saved in the file (open the file in a "
    "spreadsheet program and save it, or type the value)"
)
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.')


@dataclass(frozen=True)
class Problem:
    """One problem in a cohort file.

    ``row`` is the row number in the file (header = 1) and ``column`` the header as written in
    the file; either is None for a problem of the whole file. ``value`` is the cell as found
    (None when there is no single cell to show, and then ``expected`` is the whole explanation).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        place = []
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column is not None:
            place.append(f"column {self.column!r}")
        prefix = f"{self.file}: " + "".join(f"{', '.join(place)}: " if place else "")
        if self.value is None:
            return prefix + self.expected
        return f"{prefix}found {self.value!r}; expected {self.expected}"


class CohortError(Exception):
    """The cohort file is invalid; ``problems`` lists every problem found, in file order.

    The message has one line per problem, up to ``max_problems`` lines, then one line saying how
    many more there are.
    """

    def __init__(self, problems: list[Problem], max_problems: int = 50):
        self.problems = list(problems)
        self.max_problems = max_problems
        lines = [str(problem) for problem in self.problems[:max_problems]]
        hidden = len(self.problems) - len(lines)
        if hidden > 0:
            lines.append(f"... and {hidden} more problem{'s' if hidden > 1 else ''}")
        super().__init__("\n".join(lines))

    def __reduce__(self):
        return (type(self), (self.problems, self.max_problems))


@dataclass(frozen=True)
class LoadedCohort:
    """A validated cohort: ``table`` (one row per data row, in file order), ``audit``, and
    ``warnings``: one line per optional column left out by a likely mistake (column_map names a
    header the file does not have, or an unused header looks like the column's: "ECOG-PS" for
    ecog_ps), which would otherwise go unnoticed."""

    table: pd.DataFrame
    audit: pd.DataFrame
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _SheetRead:
    """Which sheet of a workbook was read, whether it was named, and the other sheets' headers
    (row 1, as text), to point at the right sheet when the one read lacks required columns."""

    name: str
    named: bool
    other_headers: dict[str, list[str]]


@dataclass(frozen=True)
class _RawSheet:
    """Cells of a file as text: the header (row 1) and the data rows with their row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    native_numbers: frozenset[tuple[int, int]]
    unsaved_formulas: frozenset[tuple[int, int]]
    audit: list[tuple[int, int, str, str, str]]
    sheet: _SheetRead | None = None


class _FileUnreadable(Exception):
    """Internal: the file cannot be read as a table at all; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        super().__init__()
        self.problems = problems


def _unreadable(label: str, expected: str, row: int | None = None) -> _FileUnreadable:
    """The exception for a file that cannot be read as a table, with its one problem."""
    return _FileUnreadable([Problem(label, row, None, None, expected)])


def read_cohort(
    path,
    *,
    markers: list[dict],
    column_map: dict | None = None,
    sheet: str | None = None,
    encoding: str = "utf-8",
    decimal: str = ".",
    max_problems: int = 50,
) -> LoadedCohort:
    """Read and validate a raw cohort file; raise :class:`CohortError` listing every problem.

    The format follows the extension: .csv (comma-separated), .tsv or .txt (tab-separated), both
    parsed with the csv module so that a row with too few or too many fields is caught, or .xlsx
    (read with openpyxl; ``sheet`` names the sheet, default the first worksheet). Every cell is
    read as text and converted by this module; Excel numbers and dates are written out as text
    first (2.0 -> "2", 0.125 -> "0.125", a date -> "2024-03-01"). ``decimal`` applies to cells
    written as text; numbers stored as numbers in Excel need no separator. ``encoding`` applies
    to CSV/TSV files only.

    ``markers`` are the configured markers (dicts with at least ``key`` and ``kind``, which is
    "concentration" or "percent"); each needs columns ``<key>_pre`` and ``<key>_post``.
    ``column_map`` maps canonical column names to the file's headers where they differ.
    Headers are matched ignoring case and spacing ("Line of therapy" reads as line_of_therapy,
    "BCLC" as bclc), and each such match is audited; two headers that match the same column are
    a problem. When an Excel sheet lacks required columns that another sheet of the workbook
    has, the one problem reported names the sheet read and the sheets that have them.

    Returns a :class:`LoadedCohort`. ``table`` has source_row, patient_id, line_of_therapy,
    response, for each marker ``<key>_pre``, ``<key>_post`` (the number, or the limit as written
    for a censored "<L" or ">U"), ``<key>_pre_censored``, ``<key>_post_censored`` ("none",
    "below", "above") and ``<key>_pre_limit_written``, ``<key>_post_limit_written`` (a censored
    cell as written, "<1.0" or ">5000", after the normalisations recorded in the audit; missing
    when not censored), then the optional columns present in the file. ``audit`` has one row per
    normalisation applied (columns :data:`AUDIT_COLUMNS`).

    Raises ValueError for malformed arguments (markers, decimal, max_problems), which the
    configuration schema rules out before this is called.
    """
    _check_arguments(markers, decimal, max_problems)
    label = os.fspath(path)
    try:
        problems, canonical_to_header = _resolve_column_map(label, markers, column_map or {})
        if problems:
            raise _FileUnreadable(problems)
        raw = _read_raw(Path(path), label, sheet=sheet, encoding=encoding)
    except _FileUnreadable as unreadable:
        raise CohortError(unreadable.problems, max_problems) from None
    validator = _Validator(label, raw, markers, canonical_to_header, decimal)
    validator.run()
    if validator.problems:
        raise CohortError(validator.problems, max_problems)
    return LoadedCohort(
        table=validator.table(),
        audit=validator.audit_table(),
        warnings=tuple(validator.warnings),
    )


def cohort_columns(markers: list[dict]) -> list[str]:
    """Canonical column names the workflow reads: required first, then the optional ones."""
    return _required_columns(markers) + list(OPTIONAL_COLUMNS)


def _required_columns(markers: list[dict]) -> list[str]:
    marker_columns = [f"{m['key']}_{when}" for m in markers for when in ("pre", "post")]
    return list(BASE_COLUMNS) + marker_columns


def _check_arguments(markers: list[dict], decimal: str, max_problems: int) -> None:
    if decimal not in _NUMBER:
        raise ValueError(f"decimal must be '.' or ',', not {decimal!r}")
    if not isinstance(max_problems, int) or max_problems < 1:
        raise ValueError(f"max_problems must be a whole number >= 1, not {max_problems!r}")
    if not markers:
        raise ValueError("markers: at least one marker is needed")
    keys = []
    for marker in markers:
        if not isinstance(marker.get("key"), str) or not marker["key"]:
            raise ValueError(f"markers: each marker needs a text 'key'; got {marker!r}")
        if marker.get("kind") not in MARKER_KINDS:
            raise ValueError(
                f"markers[{marker['key']}]: kind must be one of {', '.join(MARKER_KINDS)}, "
                f"not {marker.get('kind')!r}"
            )
        keys.append(marker["key"])
    if len(set(keys)) != len(keys):
        raise ValueError(f"markers: keys must be unique; got {', '.join(keys)}")


def _resolve_column_map(
    label: str, markers: list[dict], column_map: dict
) -> tuple[list[Problem], dict[str, str]]:
    """Header expected in the file for every canonical column, and problems of the map itself."""
    known = cohort_columns(markers)
    problems = []
    for canonical, header in column_map.items():
        if canonical not in known:
            problems.append(
                Problem(
                    label,
                    None,
                    None,
                    None,
                    f"column_map: {canonical!r} is not a column the workflow reads; "
                    f"known columns: {', '.join(known)}",
                )
            )
        elif not isinstance(header, str) or not header.strip():
            problems.append(
                Problem(
                    label,
                    None,
                    None,
                    None,
                    f"column_map: the header for {canonical!r} must be non-blank text, "
                    f"not {header!r}",
                )
            )
    canonical_to_header = {
        name: column_map[name].strip() if isinstance(column_map.get(name), str) else name
        for name in known
    }
    by_header: dict[str, list[str]] = {}
    for name, header in canonical_to_header.items():
        by_header.setdefault(_header_key(header), []).append(name)
    for names in by_header.values():
        if len(names) > 1:
            headers = " / ".join(dict.fromkeys(repr(canonical_to_header[n]) for n in names))
            problems.append(
                Problem(
                    label,
                    None,
                    None,
                    None,
                    f"column_map: header {headers} is given for several columns "
                    f"({', '.join(names)}); each column needs its own header (headers are "
                    "matched ignoring case and spacing)",
                )
            )
    return problems, canonical_to_header


def _read_raw(path: Path, label: str, *, sheet: str | None, encoding: str) -> _RawSheet:
    suffix = path.suffix.lower()
    if suffix not in TEXT_DELIMITERS and suffix not in EXCEL_SUFFIXES:
        known = ", ".join(list(TEXT_DELIMITERS) + list(EXCEL_SUFFIXES))
        raise _unreadable(label, f"unsupported file type {suffix!r}; expected {known}")
    if not path.exists():
        raise _unreadable(label, "file not found")
    if path.is_dir():
        raise _unreadable(label, "is a directory, not a file")
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, label, sheet)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _unreadable(label, f"cannot be read ({error.strerror})") from None
    return _read_delimited(data, label, encoding, TEXT_DELIMITERS[suffix])


def _read_delimited(data: bytes, label: str, encoding: str, delimiter: str) -> _RawSheet:
    try:
        codec_name = codecs.lookup(encoding).name
    except LookupError:
        raise _unreadable(label, f"unknown text encoding {encoding!r}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        bad = data[error.start : error.end].hex(" ")
        line = data.count(b"\n", 0, error.start) + 1
        raise _unreadable(
            label,
            f"not valid {encoding} text: byte(s) {bad} at byte offset {error.start} "
            f"cannot be decoded ({error.reason}); set the cohort encoding to the one "
            "the file was saved in (for example latin-1 or cp932)",
            row=line,
        ) from None
    # The utf-8-sig codec drops a UTF-8 mark itself; the mark is recorded all the same.
    has_utf8_bom = data.startswith(codecs.BOM_UTF8) and codec_name in ("utf-8", "utf-8-sig")
    has_other_bom = not has_utf8_bom and text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _unreadable(label, "file is empty; expected a header row and data rows")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        # extend keeps the records read before a malformed one, which numbers the bad row.
        records.extend(reader)
    except csv.Error as error:
        separator = "tab" if delimiter == "\t" else repr(delimiter)
        raise _unreadable(
            label,
            f"cannot be split into fields ({error}); expected fields separated by "
            f"{separator}, a field containing quotes, separators or line breaks "
            'enclosed in double quotes (")',
            row=len(records) + 1,
        ) from None
    audit = []
    if (has_utf8_bom or has_other_bom) and records and records[0]:
        removed = NORMALISED_BOM if has_utf8_bom else f"{codec_name} byte-order mark removed"
        audit.append((1, 0, "\ufeff" + records[0][0], records[0][0], removed))
    header, *rows = records
    numbered = list(enumerate(rows, start=2))
    return _RawSheet(header, numbered, frozenset(), frozenset(), audit)


def _read_excel(path: Path, label: str, sheet: str | None) -> _RawSheet:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    # openpyxl reports a damaged or non-xlsx file through many unrelated exception types
    # (zipfile.BadZipFile, KeyError, ValueError, XML parser errors...): all mean "unreadable".
    except Exception as error:  # noqa: BLE001
        raise _unreadable(
            label, f"not a readable .xlsx workbook ({type(error).__name__}: {error})"
        ) from None
    names = workbook.sheetnames
    worksheet_names = [ws.title for ws in workbook.worksheets]
    named = sheet is not None
    if sheet is None:
        if not worksheet_names:
            raise _unreadable(label, "workbook has no worksheet")
        sheet = worksheet_names[0]
    elif sheet not in names:
        raise _unreadable(label, f"sheet {sheet!r} not found; sheets: {', '.join(names)}")
    elif sheet not in worksheet_names:
        raise _unreadable(label, f"sheet {sheet!r} is a chart, not a worksheet")
    worksheet = workbook[sheet]
    # A formula whose result was never saved (a file written by a script, not by a spreadsheet
    # program) reads as an empty cell; the formulas themselves are read to tell the two apart.
    formulas = openpyxl.load_workbook(path, data_only=False)[sheet]
    cells: list[tuple[int, list[str]]] = []
    native_numbers = set()
    unsaved_formulas = set()
    audit = []
    # iter_rows from row 1 yields every row, blank ones included, so rows count as in the sheet.
    for number, row in enumerate(worksheet.iter_rows(min_row=1, min_col=1), start=1):
        texts = []
        for position, cell in enumerate(row):
            text, is_number, stored = _excel_cell_text(cell.value, cell.number_format)
            if cell.value is None:
                formula = formulas.cell(row=number, column=position + 1)
                if formula.data_type == "f":
                    text = str(formula.value)
                    unsaved_formulas.add((number, position))
            if is_number:
                native_numbers.add((number, position))
            if stored is not None:
                audit.append((number, position, stored, text, NORMALISED_EXCEL_PERCENT))
            texts.append(text)
        cells.append((number, texts))
    width = max(
        (len(texts) - _trailing_blanks(texts) for _, texts in cells),
        default=0,
    )
    # An empty sheet has no header at all (not a blank one); the validator says so, naming the
    # sheets that hold the cohort.
    header = cells[0][1][:width] if width else []
    header += [""] * (width - len(header))
    rows = [(number, texts[:width] + [""] * (width - len(texts))) for number, texts in cells[1:]]
    other_headers = {
        other.title: _first_row_text(other) for other in workbook.worksheets if other.title != sheet
    }
    return _RawSheet(
        header,
        rows,
        frozenset(native_numbers),
        frozenset(unsaved_formulas),
        audit,
        _SheetRead(sheet, named, other_headers),
    )


def _first_row_text(worksheet) -> list[str]:
    first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return [_excel_cell_text(value, None)[0].strip() for value in first]


def _trailing_blanks(texts: list[str]) -> int:
    count = 0
    for text in reversed(texts):
        if text.strip():
            break
        count += 1
    return count


def _excel_cell_text(value, number_format: str | None) -> tuple[str, bool, str | None]:
    """Text of an Excel cell, whether it was stored as a number, and the stored value when a
    percentage format made the text differ from it (0.12 shown as 12% is read as "12")."""
    if value is None:
        return "", False, None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False, None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value), False, None
        stored = _number_text(value)
        if _is_percent_format(number_format):
            return format((Decimal(stored) * 100).normalize(), "f"), True, stored
        return stored, True, None
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat(), False, None
        return value.isoformat(sep=" "), False, None
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat(), False, None
    return str(value), False, None


def _number_text(value: float) -> str:
    """Shortest text that reads back as the same number; whole numbers without ".0"."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _is_percent_format(number_format: str | None) -> bool:
    if not number_format:
        return False
    return "%" in _QUOTED_OR_ESCAPED.sub("", number_format)


class _Validator:
    """Checks the cells of a raw sheet and builds the typed columns of the table."""

    def __init__(
        self,
        label: str,
        raw: _RawSheet,
        markers: list[dict],
        canonical_to_header: dict[str, str],
        decimal: str,
    ):
        self.label = label
        self.raw = raw
        self.markers = markers
        self.canonical_to_header = canonical_to_header
        self.decimal = decimal
        self.problems: list[Problem] = []
        self.audit: list[tuple[int, int, str, str, str | None, str]] = []
        self.header: list[str] = []
        self.position_of: dict[str, int] = {}
        self.columns_in_file_order: list[tuple[str, int]] = []
        self.source_rows: list[int] = []
        self.values: dict[str, list] = {}
        self.marker_of = {f"{m['key']}_{when}": m for m in markers for when in ("pre", "post")}
        self.read_audit = {(row, position): rest for row, position, *rest in raw.audit}
        self.stop_after_header = False
        self.warnings: list[str] = []

    # --- problems and audit records ------------------------------------------------------

    def problem(self, row, position, value, expected) -> None:
        column = None if position is None else self.header_label(position)
        self.problems.append(Problem(self.label, row, column, value, expected))

    def record(self, row, position, column, original, normalised, normalisation) -> None:
        self.audit.append((row, position, column, original, normalised, normalisation))

    def header_label(self, position: int) -> str:
        name = self.header[position]
        return name if name else f"(column {position + 1}, no header)"

    # --- the checks ----------------------------------------------------------------------

    def run(self) -> None:
        self.check_header()
        if self.stop_after_header:
            return
        data_rows = self.raw.rows
        while data_rows and not any(cell.strip() for cell in data_rows[-1][1]):
            data_rows = data_rows[:-1]
        if not data_rows:
            self.problems.append(
                Problem(self.label, None, None, None, "header has no data rows below it")
            )
        for row_number, cells in data_rows:
            self.check_row(row_number, cells)
        self.check_patient_ids()
        self.problems.sort(key=lambda problem: problem.row or 0)

    def check_header(self) -> None:
        for (row, position), (original, normalised, normalisation) in self.read_audit.items():
            if row == 1:
                self.record(row, position, None, original, normalised, normalisation)
        self.header = [name.strip() for name in self.raw.header]
        if self.raw.sheet is not None and not self.header:
            self.problems.append(
                self.wrong_sheet("is empty", "expected a header row and data rows")
            )
            self.stop_after_header = True
            return
        if not any(self.header):
            self.problems.append(
                Problem(self.label, 1, None, None, "the header row is blank; expected column names")
            )
            return
        for position, (raw_name, name) in enumerate(zip(self.raw.header, self.header, strict=True)):
            if raw_name != name:
                self.record(1, position, None, raw_name, name, NORMALISED_SPACES)
        positions: dict[str, list[int]] = {}
        for position, name in enumerate(self.header):
            if name:
                positions.setdefault(name, []).append(position)
        for name, found in positions.items():
            if len(found) > 1:
                numbers = ", ".join(str(p + 1) for p in found[:-1]) + f" and {found[-1] + 1}"
                self.problem(
                    1,
                    found[0],
                    name,
                    f"each column name once; {name!r} heads columns {numbers}",
                )
        required = _required_columns(self.markers)
        matched = _match_columns(self.header, self.canonical_to_header)
        for canonical, found in matched.items():
            spellings = {self.header[position] for position in found}
            if len(spellings) > 1:
                self.problems.append(self.ambiguous_header(canonical, found))
                continue
            position = found[0]
            header = self.canonical_to_header[canonical]
            self.position_of[canonical] = position
            if self.header[position] != header:
                self.record(
                    1, position, None, self.header[position], header, NORMALISED_HEADER_MATCH
                )
            if header != canonical:
                self.record(1, position, None, header, canonical, NORMALISED_RENAMED_COLUMN)
        missing = [name for name in required if name not in matched]
        if missing and self.sheets_with_required_columns():
            found = len(required) - len(missing)
            has = (
                "has none of the required columns"
                if found == 0
                else f"has only {found} of the {len(required)} required columns"
            )
            self.problems.append(self.wrong_sheet(has, f"missing: {', '.join(missing)}"))
            self.stop_after_header = True
            return
        for canonical in missing:
            header = self.canonical_to_header[canonical]
            self.problems.append(
                Problem(self.label, 1, header, None, self.missing_column_text(canonical, header))
            )
        if missing and self.raw.sheet is not None and self.raw.sheet.other_headers:
            self.problems.append(
                Problem(
                    self.label, None, None, None, self.sheet_read_text() + self.other_sheets_text()
                )
            )
        self.columns_in_file_order = sorted(self.position_of.items(), key=lambda item: item[1])
        used = set(self.position_of.values())
        for position in range(len(self.header)):
            if position not in used:
                label = self.header_label(position)
                original = self.raw.header[position]
                self.record(1, position, label, original, None, NORMALISED_UNUSED_COLUMN)
        self.warn_about_absent_optional_columns(used)

    def warn_about_absent_optional_columns(self, used: set[int]) -> None:
        """An optional column not found is left out of the analysis (Table 1 and subgroups) without
        a problem; warn when that is likely a mistake: column_map names a header that is not
        there, or an unused header looks like the column's ("ECOG-PS" for ecog_ps)."""
        for canonical in OPTIONAL_COLUMNS:
            if canonical in self.position_of:
                continue
            header = self.canonical_to_header[canonical]
            near = [
                self.header[position]
                for position in range(len(self.header))
                if position not in used
                and self.header[position]
                and _squeezed(self.header[position]) == _squeezed(header)
            ]
            hint = f"; did you mean {near[0]!r}? (map it with column_map)" if near else ""
            if header != canonical:
                self.warnings.append(
                    f"{self.label}: column_map names {header!r} for {canonical!r}, but no "
                    f"column has that header; {canonical} is left out{hint}"
                )
            elif near:
                self.warnings.append(
                    f"{self.label}: column {near[0]!r} is not used, so {canonical} is left "
                    f"out; did you mean {canonical!r}? (map it with column_map, "
                    f"{canonical}: {near[0]!r})"
                )

    def ambiguous_header(self, canonical: str, found: list[int]) -> Problem:
        headers = " and ".join(f"{self.header[p]!r} (column {p + 1})" for p in found)
        verb = "both match" if len(found) == 2 else "all match"
        return Problem(
            self.label,
            1,
            None,
            None,
            f"headers {headers} {verb} column {canonical!r} (headers are matched ignoring "
            "case and spacing); rename or delete all but one of them",
        )

    def sheets_with_required_columns(self) -> list[str]:
        """Other sheets of the workbook whose header has every required column, unambiguously."""
        if self.raw.sheet is None:
            return []
        required = _required_columns(self.markers)
        holding = []
        for name, header in self.raw.sheet.other_headers.items():
            matched = _match_columns(header, self.canonical_to_header)
            if all(len(matched.get(column, ())) == 1 for column in required):
                holding.append(name)
        return holding

    def sheet_read_text(self) -> str:
        sheet = self.raw.sheet
        how = "as set by the cohort's sheet" if sheet.named else "the first sheet: no sheet is set"
        return f"sheet {sheet.name!r} was read ({how})"

    def wrong_sheet(self, state: str, detail: str) -> Problem:
        """One problem for a workbook read on a sheet that is empty or lacks required columns
        (the cohort's sheet not set, most often), instead of one per missing column."""
        return Problem(
            self.label,
            None,
            None,
            None,
            f"{self.sheet_read_text()} and {state} ({detail})" + self.other_sheets_text(),
        )

    def other_sheets_text(self) -> str:
        """The workbook's other sheets, and which of them have every required column."""
        others = self.raw.sheet.other_headers
        if not others:
            return ""
        text = f"; the workbook's other sheets: {_quoted_list(others)}; "
        holding = self.sheets_with_required_columns()
        if not holding:
            return text + "none of them has every required column"
        if len(holding) == 1:
            text += f"sheet {holding[0]!r} has them all: set the cohort's sheet to {holding[0]!r}"
        else:
            text += (
                f"sheets {_quoted_list(holding)} have them all: set the cohort's sheet to the "
                "one to analyse"
            )
        return text + " (config.yaml, cohort: sheet:)"

    def missing_column_text(self, canonical: str, header: str) -> str:
        mapped = "" if header == canonical else f" (column_map names it for {canonical!r})"
        text = f"required column missing{mapped}; the header has: " + ", ".join(
            self.header_label(p) for p in range(len(self.header))
        )
        squeeze = _squeezed(header)
        near = [name for name in self.header if name and _squeezed(name) == squeeze]
        if near:
            text += f"; did you mean {near[0]!r}? (map it with column_map)"
        return text

    def check_row(self, row_number: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            self.record(row_number, -1, None, "", None, NORMALISED_BLANK_ROW)
            return
        if len(cells) != len(self.header):
            self.problem(
                row_number,
                None,
                None,
                f"found {len(cells)} field{'s' if len(cells) != 1 else ''}; expected "
                f"{len(self.header)}, one per header column (a missing or extra separator?)",
            )
            return
        self.source_rows.append(row_number)
        for canonical, position in self.columns_in_file_order:
            text = self.cell_text(row_number, position, canonical, cells[position])
            native = (row_number, position) in self.raw.native_numbers
            if (row_number, position) in self.raw.unsaved_formulas:
                self.problem(row_number, position, text, UNSAVED_FORMULA)
                parsed = [(name, None) for name in self.table_columns_of(canonical)]
            else:
                parsed = self.parse_cell(row_number, position, canonical, text, native)
            for name, value in parsed:
                self.values.setdefault(name, []).append(value)

    def table_columns_of(self, canonical: str) -> list[str]:
        if canonical in self.marker_of:
            return [
                canonical,
                f"{canonical}{CENSORED_SUFFIX}",
                f"{canonical}{LIMIT_WRITTEN_SUFFIX}",
            ]
        return [canonical]

    def cell_text(self, row_number: int, position: int, canonical: str, raw_text: str) -> str:
        if (row_number, position) in self.read_audit:
            original, normalised, normalisation = self.read_audit[row_number, position]
            self.record(row_number, position, canonical, original, normalised, normalisation)
        text = raw_text.strip()
        if text != raw_text:
            self.record(row_number, position, canonical, raw_text, text, NORMALISED_SPACES)
        return text

    def parse_cell(self, row: int, position: int, canonical: str, text: str, native: bool):
        """(table column, value) pairs for one cell; a problem is recorded when invalid."""
        if canonical == "patient_id":
            if not text:
                self.problem(row, position, text, "a patient identifier (blank is not allowed)")
            return [(canonical, text or None)]
        if canonical == "line_of_therapy":
            if not text:
                self.problem(row, position, text, self.whole_number_text(1, MAX_LINE_OF_THERAPY))
                return [(canonical, None)]
            value = self.whole_number(
                row, position, canonical, text, native, 1, MAX_LINE_OF_THERAPY
            )
            return [(canonical, value)]
        if canonical == "response":
            return [(canonical, self.response(row, position, text))]
        if canonical in OPTIONAL_COLUMNS:
            return [(canonical, self.optional(row, position, canonical, text, native))]
        marker = self.marker_of[canonical]
        value, censored, written = self.marker_value(row, position, canonical, text, native, marker)
        return [
            (canonical, value),
            (f"{canonical}{CENSORED_SUFFIX}", censored),
            (f"{canonical}{LIMIT_WRITTEN_SUFFIX}", written),
        ]

    def response(self, row: int, position: int, text: str):
        if not text:
            return None
        code = text.upper() if text.isascii() else text
        if code not in RESPONSE_CODES:
            self.problem(
                row, position, text, f"a response code ({'/'.join(RESPONSE_CODES)}) or blank"
            )
            return None
        if code != text:
            self.record(row, position, "response", text, code, NORMALISED_UPPER_CASE)
        return code

    def optional(self, row: int, position: int, canonical: str, text: str, native: bool):
        kind = OPTIONAL_COLUMNS[canonical]
        if kind == "text":
            return text or None
        if not text:
            return None
        if kind == "event":
            return self.whole_number(row, position, canonical, text, native, 0, 1, "0 or 1")
        if kind == "ecog":
            return self.whole_number(row, position, canonical, text, native, 0, MAX_ECOG_PS)
        value = self.number(row, position, canonical, text, native)
        if value is None:
            self.problem(row, position, text, f"{self.number_words()} >= 0, or blank")
        elif value < 0:
            self.problem(row, position, text, "a number >= 0 (a negative value is impossible)")
        return value

    def whole_number(self, row, position, canonical, text, native, lowest, highest, words=None):
        """A whole number from lowest to highest, or None (a problem recorded unless blank)."""
        if not text:
            return None
        value = self.number(row, position, canonical, text, native)
        if value is None or not value.is_integer() or not lowest <= value <= highest:
            self.problem(row, position, text, words or self.whole_number_text(lowest, highest))
            return None
        return int(value)

    @staticmethod
    def whole_number_text(lowest: int, highest: int) -> str:
        return f"a whole number from {lowest} to {highest}"

    def number(self, row, position, canonical, text, native, *, cell=None):
        """The finite number written in ``text``, or None.

        A decimal comma is audited on the whole ``cell`` (default ``text``), so that "<0,5" is
        recorded as read as "<0.5".
        """
        pattern = _NUMBER["."] if native else _NUMBER[self.decimal]
        if not pattern.fullmatch(text):
            return None
        if self.decimal == "," and not native and "," in text:
            cell = text if cell is None else cell
            dotted = text.replace(",", ".")
            prefix = cell[: len(cell) - len(text)]
            self.record(row, position, canonical, cell, prefix + dotted, NORMALISED_DECIMAL_COMMA)
            text = dotted
        value = float(text)
        return value if math.isfinite(value) else None

    def number_words(self) -> str:
        if self.decimal == ",":
            return "a number written with a decimal comma (the configured decimal separator)"
        return "a number"

    def marker_value(self, row, position, canonical, text, native, marker):
        """(value, censoring, censored text) of a marker cell: a number, "<L", ">U" or blank.

        The censored text is the cell after its recorded normalisations ("< 1,5" -> "<1.5"),
        None when the value is not censored.
        """
        if not text:
            return math.nan, CENSORED_NONE, None
        censored = {"<": CENSORED_BELOW, ">": CENSORED_ABOVE}.get(text[0], CENSORED_NONE)
        sign, body = (text[0], text[1:]) if censored != CENSORED_NONE else ("", text)
        if body != body.lstrip():
            body = body.lstrip()
            self.record(row, position, canonical, text, sign + body, NORMALISED_CENSOR_SPACE)
        value = self.number(row, position, canonical, body, native, cell=sign + body)
        percent = marker["kind"] == "percent"
        if value is None:
            what = "a percentage" if percent else self.number_words()
            self.problem(
                row, position, text, f"{what}, '<number>' or '>number' (censored), or blank"
            )
            return math.nan, CENSORED_NONE, None
        unit = f" {marker['unit']}" if marker.get("unit") and not percent else ""
        if censored == CENSORED_BELOW and value <= 0:
            self.problem(row, position, text, "a limit > 0 after '<' (nothing is below zero)")
        elif value < 0:
            kind = "a percentage" if percent else "a concentration"
            self.problem(row, position, text, f"{kind} >= 0{unit} (a negative value is impossible)")
        elif percent and (value > 100 or (censored == CENSORED_ABOVE and value >= 100)):
            self.problem(row, position, text, "a percentage from 0 to 100")
        if censored == CENSORED_NONE:
            return value, censored, None
        dotted = body.replace(",", ".") if self.decimal == "," and not native else body
        return value, censored, sign + dotted

    def check_patient_ids(self) -> None:
        if "patient_id" not in self.values:
            return
        rows_of: dict[str, list[int]] = {}
        for row, patient_id in zip(self.source_rows, self.values["patient_id"], strict=True):
            if patient_id:
                rows_of.setdefault(patient_id, []).append(row)
        position = self.position_of.get("patient_id")
        for patient_id, rows in rows_of.items():
            for row in rows[1:]:
                others = [str(other) for other in rows if other != row]
                self.problem(
                    row,
                    position,
                    patient_id,
                    f"a unique patient_id; {patient_id!r} is also on row"
                    f"{'s' if len(others) > 1 else ''} {', '.join(others)}",
                )

    # --- the results ---------------------------------------------------------------------

    def table(self) -> pd.DataFrame:
        columns = {"source_row": pd.array(self.source_rows, dtype="int64")}
        columns["patient_id"] = pd.array(self.values["patient_id"], dtype="string")
        columns["line_of_therapy"] = pd.array(self.values["line_of_therapy"], dtype="Int64")
        columns["response"] = pd.array(self.values["response"], dtype="string")
        for marker in self.markers:
            for when in ("pre", "post"):
                name = f"{marker['key']}_{when}"
                columns[name] = pd.array(self.values[name], dtype="float64")
            for suffix in (CENSORED_SUFFIX, LIMIT_WRITTEN_SUFFIX):
                for when in ("pre", "post"):
                    name = f"{marker['key']}_{when}{suffix}"
                    columns[name] = pd.array(self.values[name], dtype="string")
        dtypes = {"text": "string", "non-negative number": "float64", "event": "Int64"}
        for name, kind in OPTIONAL_COLUMNS.items():
            if name in self.position_of:
                dtype = dtypes.get(kind, "Int64")
                columns[name] = pd.array(
                    [
                        math.nan if v is None and dtype == "float64" else v
                        for v in self.values[name]
                    ],
                    dtype=dtype,
                )
        return pd.DataFrame(columns)

    def audit_table(self) -> pd.DataFrame:
        ordered = sorted(self.audit, key=lambda record: (record[0], record[1]))
        records = []
        for row, position, column, original, normalised, normalisation in ordered:
            if column is None and position >= 0:
                column = self.canonical_at(position)
            records.append((row, column, original, normalised, normalisation))
        audit = pd.DataFrame(records, columns=AUDIT_COLUMNS)
        audit["source_row"] = audit["source_row"].astype("int64")
        for name in AUDIT_COLUMNS[1:]:
            audit[name] = audit[name].astype("string")
        return audit

    def canonical_at(self, position: int) -> str:
        for canonical, used in self.position_of.items():
            if used == position:
                return canonical
        return self.header_label(position)


def _header_key(name: str) -> str:
    """What header matching compares: the name without case, and with every run of spaces
    and underscores read as one separator ("Line of therapy" matches "line_of_therapy")."""
    return re.sub(r"[\s_]+", "_", name.strip()).casefold()


def _match_columns(header: list[str], canonical_to_header: dict[str, str]) -> dict[str, list]:
    """Positions in ``header`` of every canonical column found there, matched by
    :func:`_header_key`; a column with several positions is ambiguous unless they are all the
    same header (a duplicated column, reported as such)."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        if name:
            positions.setdefault(_header_key(name), []).append(position)
    return {
        canonical: positions[_header_key(expected)]
        for canonical, expected in canonical_to_header.items()
        if _header_key(expected) in positions
    }


def _quoted_list(names) -> str:
    return ", ".join(repr(name) for name in names)


def _squeezed(name: str) -> str:
    """A header reduced to lower-case letters and digits, to suggest near misses."""
    return re.sub(r"[^0-9a-z]", "", name.lower())
