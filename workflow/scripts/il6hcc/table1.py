"""Table 1: baseline characteristics by line of therapy and by response group.

Categorical variables: n (%) per level with missing counts, Fisher's exact test (R's
fisher.test; a seeded Monte Carlo p-value where there are too many tables to enumerate).
Continuous variables: median [IQR] (R's quantile type 7) with missing counts,
Mann-Whitney U test (R's wilcox.test). Baseline (pre) marker values are continuous variables.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from il6hcc.quartiles import below_lloq_mask, quartiles
from il6hcc.stats.nonparametric import mann_whitney_u
from il6hcc.stats.proportions import fisher_exact
from il6hcc.stats.result import StatResult

LINE_GROUPS = "line_of_therapy"
RESPONSE_GROUPS = "response"


def grouping(patients: pd.DataFrame, by: str) -> pd.Series:
    """Group label per patient for ``by`` ('line_of_therapy' or 'response'); <NA> if unknown."""
    if by == LINE_GROUPS:
        line = patients["line_of_therapy"]
        labels = pd.Series(pd.NA, index=patients.index, dtype="string")
        labels[line == 1] = "first-line"
        labels[line >= 2] = "later-line"
        return labels
    if by == RESPONSE_GROUPS:
        labels = pd.Series(pd.NA, index=patients.index, dtype="string")
        labels[patients["responder"] == 1] = "responders"
        labels[patients["responder"] == 0] = "non-responders"
        return labels
    raise ValueError(f"unknown grouping '{by}'")


GROUP_ORDER = {
    LINE_GROUPS: ["first-line", "later-line"],
    RESPONSE_GROUPS: ["responders", "non-responders"],
}


def _categorical_rows(values: pd.Series, groups: pd.Series, order: list[str]) -> list[dict]:
    rows = []
    levels = sorted(values.dropna().astype(str).unique(), key=_natural_key)
    for group in [*order, "overall"]:
        members = values if group == "overall" else values[groups == group]
        text = members.dropna().astype(str)
        for level in levels:
            count = int((text == level).sum())
            rows.append(
                {
                    "group": group,
                    "level": level,
                    "n": count,
                    "percent": 100.0 * count / len(text) if len(text) else np.nan,
                    "n_missing": int(members.isna().sum()),
                }
            )
    return rows


def _natural_key(text: str):
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def _continuous_rows(
    values: pd.Series, below_lloq: pd.Series, groups: pd.Series, order: list[str]
) -> list[dict]:
    rows = []
    for group in [*order, "overall"]:
        members = values if group == "overall" else values[groups == group]
        rows.append(
            {
                "group": group,
                "level": "",
                "n": int(members.notna().sum()),
                **quartiles(members, below_lloq[members.index]),
                "n_missing": int(members.isna().sum()),
            }
        )
    return rows


# The columns of the tests table that every test fills (a rank test adds its counts).
TEST_FIELDS = ("statistic", "p_value", "method", "estimable", "reason")


def table1(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    categorical: list[str],
    continuous: list[str],
    lloq: dict[str, float],
    correct: bool,
    fisher_monte_carlo_replicates: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summaries (one row per variable, level and group) and tests (one row per variable).

    ``lloq`` maps the continuous variables that are marker values (``il6_pre``) to the marker's
    limit; their medians and quartiles carry ``_below_lloq`` flags (the number rests on a value
    substituted below the limit) and the ``lloq`` column. ``correct`` is the continuity
    correction of the Mann-Whitney normal approximation (R's ``correct``).

    Fisher's test is exact where the tables can be enumerated, else a Monte Carlo p-value from
    ``fisher_monte_carlo_replicates`` tables, seeded by ``seed`` for every variable alike (a
    variable's p-value does not depend on which other variables are in the table).

    Variables absent from the cohort are skipped here; the caller reports them as absent.
    Returns (summary, tests).
    """
    summary_rows = []
    test_rows = []
    for by in (LINE_GROUPS, RESPONSE_GROUPS):
        groups = grouping(patients, by)
        order = GROUP_ORDER[by]
        present_groups = [g for g in order if (groups == g).any()]
        variables = [("categorical", v) for v in categorical if v in patients.columns]
        if by == RESPONSE_GROUPS:
            variables.insert(0, ("categorical", "line_of_therapy_group"))
        variables += [("continuous", v) for v in continuous if v in patients.columns]
        for kind, variable in variables:
            if variable == "line_of_therapy_group":
                values = grouping(patients, LINE_GROUPS)
            else:
                values = patients[variable]
            if kind == "categorical":
                described = _categorical_rows(values, groups, order)
            else:
                below = (
                    below_lloq_mask(patients, variable)
                    if variable in lloq
                    else pd.Series(False, index=patients.index)
                )
                described = _continuous_rows(values, below, groups, order)
            for row in described:
                summary_rows.append(
                    {
                        "subgroup": subgroup,
                        "by": by,
                        "variable": variable,
                        "type": kind,
                        "lloq": lloq.get(variable, np.nan),
                        **row,
                    }
                )
            test = {"subgroup": subgroup, "by": by, "variable": variable, "type": kind}
            if len(present_groups) < 2:
                test.update(
                    StatResult.not_estimable(
                        f"only one {by.replace('_', ' ')} group present"
                    ).columns(keep=TEST_FIELDS)
                )
            elif kind == "categorical":
                known = values.notna() & groups.notna()
                counts = pd.crosstab(values[known].astype(str), groups[known])
                result = fisher_exact(
                    counts.to_numpy(),
                    monte_carlo_replicates=fisher_monte_carlo_replicates,
                    seed=seed,
                )
                test.update(result.columns(keep=TEST_FIELDS))
            else:
                a = values[groups == order[0]].dropna().to_numpy(dtype="float64")
                b = values[groups == order[1]].dropna().to_numpy(dtype="float64")
                result = mann_whitney_u(a, b, correct=correct)
                test.update(
                    replace(result, method="Mann-Whitney U, " + result.method).columns(
                        keep=TEST_FIELDS
                    )
                )
            test_rows.append(test)
    summary_columns = [
        "subgroup",
        "by",
        "variable",
        "type",
        "group",
        "level",
        "n",
        "percent",
        "median",
        "q1",
        "q3",
        "median_below_lloq",
        "q1_below_lloq",
        "q3_below_lloq",
        "lloq",
        "n_missing",
    ]
    summary = pd.DataFrame(summary_rows).reindex(columns=summary_columns)
    flags = ["median_below_lloq", "q1_below_lloq", "q3_below_lloq"]
    # Categorical rows have no median: their flags are False, not missing.
    summary[flags] = summary[flags].eq(True)
    tests = pd.DataFrame(test_rows)
    return summary, tests
