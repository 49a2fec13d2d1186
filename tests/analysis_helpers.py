"""Hand-made cohorts for the analysis-layer tests (tests/test_analysis_*.py).

The tables have the columns il6hcc.cohort_io.read_cohort produces (values, censoring marks), so
they can go through clean_cohort, or directly into the per-subgroup tables once a ``responder``
column is added.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

IL6 = {"key": "il6", "label": "IL-6", "unit": "pg/mL", "lloq": 1.5, "favourable": "rise"}
AFP = {"key": "afp", "label": "AFP", "unit": "ng/mL", "lloq": 1.0, "favourable": "fall"}


def cohort(responses, markers: dict, *, line=None, censored: dict | None = None) -> pd.DataFrame:
    """An ingested cohort: ``markers`` maps "<key>_pre"/"<key>_post" to value lists.

    ``censored`` maps the same column names to lists of "none"/"below"/"above" (default none);
    a censored value is written as its sign and the value ("<1.5").
    """
    n = len(responses)
    table = pd.DataFrame(
        {
            "data_status": pd.array(["simulated"] * n, dtype="string"),
            "source_row": pd.array(range(2, n + 2), dtype="Int64"),
            "patient_id": pd.array([f"P{i:03d}" for i in range(n)], dtype="string"),
            "line_of_therapy": pd.array(line if line is not None else [1] * n, dtype="Int64"),
            "response": pd.array(responses, dtype="string"),
        }
    )
    censored = censored or {}
    for column, values in markers.items():
        table[column] = np.asarray(values, dtype=float)
        marks = censored.get(column, ["none"] * n)
        table[f"{column}_censored"] = pd.array(marks, dtype="string")
        signs = {"below": "<", "above": ">"}
        written = [
            f"{signs[mark]}{value:g}" if mark in signs else None
            for mark, value in zip(marks, values, strict=True)
        ]
        table[f"{column}_limit_written"] = pd.array(written, dtype="string")
    return table


def with_responder(table: pd.DataFrame, responder) -> pd.DataFrame:
    """The table with a nullable 0/1 ``responder`` column (None = not evaluable)."""
    table = table.copy()
    table["responder"] = pd.array(responder, dtype="Int64")
    return table


def scores_as_change(scores, favourable: str) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) whose absolute change, oriented by ``favourable``, equals ``scores``."""
    scores = np.asarray(scores, dtype=float)
    pre = np.zeros_like(scores)
    post = scores if favourable == "rise" else -scores
    return pre, post


def assert_no_silent_nan(table: pd.DataFrame, value_column: str = "p_value") -> None:
    """Every row whose ``value_column`` is missing says it is not estimable, and why."""
    for row in table.to_dict("records"):
        if isinstance(row[value_column], float) and math.isnan(row[value_column]):
            assert not row["estimable"], row
            assert isinstance(row["reason"], str) and row["reason"].strip(), row
