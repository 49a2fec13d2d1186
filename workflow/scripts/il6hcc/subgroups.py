"""Subgroups as structured filters: {column, op, value}, combined with AND. Nothing is evaluated.

A filter on a column the cohort does not have, a value of the wrong type for its column, or an
order on a text column is a configuration error, rejected with the column's known values.
Filters that are valid but match nobody (``line_of_therapy ge 2`` or ``eq 2`` in a cohort of
first-line patients) give an empty subgroup: every analysis of it says so, and the run goes on.
A value that occurs in no patient (a typo such as 'c' for 'C', or a level this cohort lacks) is
named with the column's known values, in the empty subgroup's reason and on screen.
"""

from __future__ import annotations

import json
import operator

import pandas as pd

from il6hcc.config import ConfigError

COMPARISONS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
ORDER_OPS = ("lt", "le", "gt", "ge")
KNOWN_VALUES_SHOWN = 20


def _known_values(column: pd.Series) -> str:
    values = sorted(column.dropna().unique().tolist(), key=str)
    shown = ", ".join(str(v) for v in values[:KNOWN_VALUES_SHOWN])
    more = len(values) - KNOWN_VALUES_SHOWN
    return shown + (f", ... ({more} more)" if more > 0 else "") if values else "(no values)"


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
        column.dtype
    )


def _coerce(value, column: pd.Series, where: str):
    """The filter value in the column's type, or ConfigError naming the known values."""
    if isinstance(value, list):
        return [_coerce(v, column, where) for v in value]
    if _is_number_column(column):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(
                f"{where}: value {value!r} is not a number, but column "
                f"'{column.name}' is numeric (known values: {_known_values(column)})"
            )
        return value
    return str(value)


def filter_mask(patients: pd.DataFrame, filters: list[dict], *, subgroup: str) -> pd.Series:
    """Boolean mask of the patients meeting every filter of ``subgroup``."""
    mask = pd.Series(True, index=patients.index)
    for position, spec in enumerate(filters):
        where = f"subgroups.{subgroup}[{position}]"
        column_name, op = spec["column"], spec["op"]
        if column_name not in patients.columns:
            raise ConfigError(
                f"{where}: unknown column '{column_name}' "
                f"(columns: {', '.join(map(str, patients.columns))})"
            )
        column = patients[column_name]
        if op in ORDER_OPS and not _is_number_column(column):
            # Text sorts letter by letter ("10" < "2"): an order on a text column is a mistake.
            raise ConfigError(
                f"{where}: op '{op}' needs a numeric column, but column '{column_name}' holds "
                f"text (known values: {_known_values(column)}); use eq, ne, in or not_in"
            )
        value = _coerce(spec["value"], column, where)
        if op in ("in", "not_in"):
            present = column.isin(value)
            selected = present if op == "in" else ~present & column.notna()
        else:
            selected = COMPARISONS[op](column, value).fillna(False).astype(bool)
        mask &= selected
    return mask


def unmatched_values(patients: pd.DataFrame, filters: list[dict]) -> list[str]:
    """One note per filter value that occurs in no patient (eq, ne, in, not_in), naming the
    column's known values: a typo (or a level this cohort lacks) makes an eq/in filter match
    nobody and a ne/not_in filter exclude nobody, which a reader must be told."""
    notes = []
    for spec in filters:
        op, column = spec["op"], patients[spec["column"]]
        if op in ORDER_OPS:
            continue
        values = spec["value"] if isinstance(spec["value"], list) else [spec["value"]]
        coerced = _coerce(values, column, "")
        unmatched = [v for v, c in zip(values, coerced, strict=True) if not (column == c).any()]
        if unmatched:
            effect = "matches no patient" if op in ("eq", "in") else "excludes no patient"
            shown = ", ".join(repr(v) for v in unmatched)
            notes.append(
                f"value {shown} never occurs in column '{spec['column']}' (known values: "
                f"{_known_values(column)}), so the filter {effect}"
            )
    return notes


def select_subgroup(patients: pd.DataFrame, filters: list[dict], *, subgroup: str) -> pd.DataFrame:
    """The patients of one subgroup (possibly none: see ``selection_record``)."""
    return patients[filter_mask(patients, filters, subgroup=subgroup)].reset_index(drop=True)


def selection_record(
    n_selected: int,
    n_cohort: int,
    filters: list[dict],
    *,
    subgroup: str,
    notes: list[str] = (),
) -> dict:
    """What stratify tells the subgroup's analyses: its size, the cohort's, and why if empty
    (with the ``notes`` of ``unmatched_values``, which say which filter value matched nobody)."""
    reason = ""
    if not n_selected:
        reason = f"no patient matches the subgroup's filters (0 of {n_cohort})"
        reason += "".join(f"; {note}" for note in notes)
    return {
        "subgroup": subgroup,
        "filters": filters,
        "n_selected": n_selected,
        "n_cohort": n_cohort,
        "notes": list(notes),
        "empty_reason": reason,
    }


def mark_empty_subgroup(table: pd.DataFrame, reason: str) -> pd.DataFrame:
    """``table`` with every row not estimable for ``reason`` (the subgroup has no patient);
    ``table`` itself when ``reason`` is empty (the subgroup has patients).

    The analyses already return not-estimable rows for no patients, each with its own
    mechanical reason ("no pairs", "no cases"); the subgroup's emptiness is the reason a reader
    needs, so it replaces them. A claim row (verdict, detail) says "not checkable" and why.
    """
    if not reason:
        return table
    marked = table.copy()
    # Only result tables have an estimable column; elsewhere (a flow table) "reason" is a label.
    if "estimable" in marked.columns:
        marked["estimable"] = False
        marked["reason"] = reason
    if "verdict" in marked.columns:
        marked["verdict"] = "not checkable"
        marked["detail"] = f"not estimable: {reason}"
    return marked


def read_selection(path) -> dict:
    """The record stratify wrote for a subgroup (see ``selection_record``)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
