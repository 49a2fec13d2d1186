"""The report's template context, built from the checked per-subgroup sections.

Every number comes from a result table (through the sections of il6hcc.sections); this module
groups rows for the template and turns keys into words a clinician reads: marker labels instead
of keys, filters as "line of therapy = 1", thresholds and odds ratios with their scale.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable

import pandas as pd

from il6hcc.groups import ENDPOINT_LABELS, GROUP_ORDER, LINE_GROUPS, RESPONSE_GROUPS
from il6hcc.identity import IdentityError, check_records
from il6hcc.report import records

# Canonical cohort columns as a reader names them (a column not listed is shown as it is).
VARIABLE_LABELS = {
    "age": "age (years)",
    "sex": "sex",
    "etiology": "etiology",
    "child_pugh": "Child-Pugh class",
    "bclc": "BCLC stage",
    "albi_grade": "ALBI grade",
    "ecog_ps": "ECOG performance status",
    "line_of_therapy": "line of therapy",
    "response": "response",
}
FILTER_SYMBOLS = {
    "eq": "=",
    "ne": "\u2260",
    "lt": "<",
    "le": "\u2264",
    "gt": ">",
    "ge": "\u2265",
    "in": "in",
    "not_in": "not in",
}
# The change metric in a few words, for thresholds ("log2 ratio >= 0.99").
METRIC_SHORT = {
    "ratio": "post/pre ratio",
    "log2_ratio": "log2 ratio",
    "percent": "% change",
    "absolute": "change",
}


def column_labels(markers: list[dict]) -> dict[str, str]:
    """Reader's names of the cohort columns, the markers' pre and post values included."""
    labels = dict(VARIABLE_LABELS)
    for marker in markers:
        unit = f" ({marker['unit']})" if marker["unit"] else ""
        labels[f"{marker['key']}_pre"] = f"{marker['label']} before treatment{unit}"
        labels[f"{marker['key']}_post"] = f"{marker['label']} at week 3{unit}"
    return labels


def key_labels(markers: list[dict]) -> dict[str, str]:
    """Every key a table may print (cohort columns, marker keys, model terms) with its label."""
    labels = column_labels(markers)
    for marker in markers:
        labels[marker["key"]] = marker["label"]
        labels[f"{marker['key']}_rise"] = f"{marker['label']} rise"
        labels[f"{marker['key']}_change"] = f"{marker['label']} change"
    return labels


def wording(markers: list[dict]) -> Callable[[str | None], str | None]:
    """A function putting a table's text in words: every key of ``key_labels`` that stands as a
    whole word replaced by its label ("afp_l3 post value missing" -> "AFP-L3 post value
    missing"); None and "" stay as they are. The pattern is built once per report."""
    labels = key_labels(markers)
    pattern = re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(labels, key=len, reverse=True))) + r")\b"
    )

    def in_words(text):
        if not text:
            return text
        return pattern.sub(lambda match: labels[match.group(1)], str(text))

    return in_words


def variable_label(column: str, labels: dict[str, str] = VARIABLE_LABELS) -> str:
    return labels.get(column, column.replace("_", " "))


def describe_filters(filters: list[dict], labels: dict[str, str] = VARIABLE_LABELS) -> str:
    """A subgroup's filters in words: 'line of therapy = 1 and BCLC stage in {B, C}'."""
    if not filters:
        return "all patients (no filter)"
    parts = []
    for spec in filters:
        value = spec["value"]
        shown = "{" + ", ".join(map(str, value)) + "}" if isinstance(value, list) else value
        column = variable_label(spec["column"], labels)
        parts.append(f"{column} {FILTER_SYMBOLS[spec['op']]} {shown}")
    return " and ".join(parts)


def threshold_rule(row: dict, unit: str) -> str:
    """A Youden threshold with its scale and unit: 'log2 ratio \u2265 0.994'."""
    value = row.get("youden_threshold_change")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return row.get("youden_rule") or ""
    symbol = "\u2265" if row["favourable"] == "rise" else "\u2264"
    metric = row["change_metric"]
    suffix = f" {unit}" if metric == "absolute" and unit else ""
    return f"{METRIC_SHORT[metric]} {symbol} {value:.3g}{suffix}"


def odds_ratio_unit(metric: str, label: str, unit: str) -> str:
    """What one unit of the change is, for an odds ratio: 'per doubling of IL-6'."""
    return {
        "log2_ratio": f"per doubling of {label}",
        "ratio": f"per 1 unit of the {label} post/pre ratio",
        "percent": f"per 1 percentage point of {label} change",
        "absolute": f"per 1 {unit} rise of {label}".replace("  ", " "),
    }[metric]


def table1_context(
    summary: pd.DataFrame, tests: pd.DataFrame, by: str, labels: dict[str, str]
) -> dict:
    """Table 1 for one grouping: per variable, its rows (levels), one cell per group + overall."""
    summary = summary[summary["by"] == by]
    tests = tests[tests["by"] == by].set_index("variable")
    groups = GROUP_ORDER[by]
    columns = [*groups, "overall"]
    variables = []
    for variable, rows in summary.groupby("variable", sort=False):
        kind = rows["type"].iloc[0]
        levels = []
        for level, level_rows in rows.groupby("level", sort=False):
            by_group = level_rows.set_index("group")
            label = level if kind == "categorical" else "median [IQR]"
            levels.append({"label": label, "cells": records(by_group.loc[columns].reset_index())})
        missing = rows.drop_duplicates("group").set_index("group")["n_missing"]
        if missing.sum() > 0:
            cells = [{"n_missing": int(missing[g])} for g in columns]
            levels.append({"label": "missing", "cells": cells})
        test = tests.loc[variable]
        estimable = bool(test["estimable"])
        variables.append(
            {
                "name": variable_label(variable, labels),
                "kind": kind,
                "levels": levels,
                "p_value": test["p_value"] if estimable else None,
                "method": test["method"] if estimable else f"not estimable: {test['reason']}",
            }
        )
    return {"groups": groups, "variables": variables}


ACCURACY_MEASURES = ("sensitivity", "specificity", "ppv", "npv", "accuracy")


def accuracy_context(accuracy: list[dict]) -> list[dict]:
    """One row per criterion: its 2x2 counts and each accuracy measure with its interval."""
    by_criterion: dict[tuple, list[dict]] = {}
    for row in accuracy:
        by_criterion.setdefault((row["marker"], row["criterion"]), []).append(row)
    criteria = []
    for (marker, criterion), rows in by_criterion.items():
        measures = {row["measure"]: row for row in rows}
        criteria.append(
            {
                "marker": marker,
                "criterion": criterion,
                **{k: int(rows[0][k]) for k in ("tp", "fp", "fn", "tn")},
                "measures": [measures[name] for name in ACCURACY_MEASURES if name in measures],
            }
        )
    return criteria


def _with_marker_labels(rows: list[dict], labels: dict, *columns: str) -> list[dict]:
    return [{**row, **{f"{c}_label": labels.get(row[c], row[c]) for c in columns}} for row in rows]


def _frame(table: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(table["rows"])


def figure_context(figure: dict, alt: str) -> dict:
    """An embedded figure: its SVG as a data URI (isolated from the page, no request)."""
    encoded = base64.b64encode(figure["svg"].encode("utf-8")).decode("ascii")
    return {"uri": f"data:image/svg+xml;base64,{encoded}", "alt": alt}


def survival_context(tables: dict, figures: list[dict], name: str, words: Callable) -> dict:
    """One subgroup's part of the Prognosis section (tables by endpoint, KM figure per endpoint)."""
    flow = _frame(tables["survival_flow"])
    endpoints = []
    for endpoint, rows in flow.groupby("endpoint", sort=False):
        by_step = {step: part for step, part in rows.groupby("step", sort=False)}
        excluded = by_step.get("excluded", rows.iloc[0:0])
        endpoints.append(
            {
                "endpoint": endpoint,
                "label": ENDPOINT_LABELS[endpoint],
                "read": int(by_step["read"]["n"].iloc[0]),
                "excluded": [{"reason": r.reason, "n": int(r.n)} for r in excluded.itertuples()],
                "n_excluded": int(excluded["n"].sum()),
                "analysed": int(by_step["analysed"]["n"].iloc[0]),
                "groups": [
                    {"label": r.reason, "n": int(r.n)} for r in by_step["group"].itertuples()
                ],
            }
        )
    ph = {
        (r["endpoint"], r["model"], r["term"]): r["p_value"]
        for r in tables["survival_zph"]["rows"]
        if r["estimable"]
    }
    cox = []
    for row in tables["survival_cox"]["rows"]:
        key = (row["endpoint"], row["model"])
        cox.append(
            {
                **row,
                "term_label": words(row["term"]),
                "adjusted_for": words(row["adjusted_for"]),
                "ph_p_value": ph.get((*key, row["term"])),
                "ph_global_p_value": ph.get((*key, "GLOBAL")),
            }
        )
    km = []
    for figure in figures:
        endpoint = figure["identity"]["endpoint"]
        alt = f"Kaplan-Meier curves of {ENDPOINT_LABELS[endpoint]}, subgroup {name}"
        km.append(figure_context(figure, alt))
    return {
        "flow": endpoints,
        "medians": tables["survival_medians"]["rows"],
        "logrank": tables["survival_logrank"]["rows"],
        "cox": cox,
        "figures": km,
    }


def subgroup_context(section: dict, config: dict, *, main: bool, words: Callable) -> dict:
    """Template context of one checked section (il6hcc.sections.check_section); ``words`` is
    the report's ``wording`` of its markers."""
    name = section["subgroup"]
    tables = section["tables"]
    markers = {m["key"]: m for m in config["markers"]}
    labels = {key: m["label"] for key, m in markers.items()}
    columns = column_labels(config["markers"])
    metric = config["change_metric"]
    prepost = tables["prepost"]["rows"]
    everyone = [r for r in prepost if r["group"] == "all"]
    auc = [
        {**row, "threshold": threshold_rule(row, markers[row["marker"]]["unit"])}
        for row in tables["auc"]["rows"]
    ]
    logistic = [
        {
            **row,
            "adjusted_for": words(row["adjusted_for"]),
            "marker_label": labels.get(row["marker"], row["marker"]),
            "term_label": (
                f"{labels[row['marker']]} change ("
                + odds_ratio_unit(metric, labels[row["marker"]], markers[row["marker"]]["unit"])
                + ")"
                if row["term"] == f"{row['marker']}_change"
                else variable_label(row["term"], columns)
                if row["term"]
                else ""
            ),
        }
        for row in tables["logistic"]["rows"]
    ]
    context = {
        "name": name,
        "label": config["report"]["subgroup_labels"].get(name),
        "main": main,
        "n": int(everyone[0]["n_patients"]) if everyone else 0,
        "filters": describe_filters(config["subgroups"][name], columns),
        "prepost": prepost,
        "responders": tables["responders"]["rows"],
        "logistic": logistic,
        "auc": auc,
        "delong": _with_marker_labels(tables["delong"]["rows"], labels, "marker_a", "marker_b"),
        "accuracy": accuracy_context(tables["accuracy"]["rows"]),
        "mcnemar": _with_marker_labels(tables["mcnemar"]["rows"], labels, "marker_a", "marker_b"),
        "paired_figures": [
            figure_context(f, f"Paired plot of {labels[f['identity']['marker']]}, subgroup {name}")
            for f in section["figures"]["paired"]
        ],
        "roc_figure": figure_context(section["figures"]["roc"][0], f"ROC curves, subgroup {name}"),
        "table1_response": table1_context(
            _frame(tables["table1"]), _frame(tables["table1_tests"]), RESPONSE_GROUPS, columns
        ),
        "table1_line": table1_context(
            _frame(tables["table1"]), _frame(tables["table1_tests"]), LINE_GROUPS, columns
        ),
    }
    if "survival_flow" in tables:
        context["survival"] = survival_context(tables, section["figures"]["km"], name, words)
    return context


def comparisons_context(tables: dict[str, pd.DataFrame], config: dict) -> list[dict]:
    """The between-subgroup tests, each found by its ``comparison`` column (never by order)."""
    by_name = {}
    for path, table in tables.items():
        names = table["comparison"].unique()
        if len(names) != 1:
            raise IdentityError(f"{path}: expected one comparison, found {list(names)}")
        if names[0] in by_name:
            raise IdentityError(f"{path}: a second table for comparison {names[0]!r}")
        by_name[names[0]] = (path, records(table))
    contexts = []
    for spec in config["subgroup_comparisons"]:
        if spec["name"] not in by_name:
            raise IdentityError(f"no result table for comparison {spec['name']!r}")
        path, rows = by_name[spec["name"]]
        check_records(rows, {"group_a": spec["a"], "group_b": spec["b"]}, path)
        contexts.append({**spec, "rows": rows})
    return contexts


def forest_rows(subgroups: list[dict]) -> list[dict]:
    """The AUC of every marker in every subgroup with its CI (none where no interval is given:
    perfect separation, too few cases), for the at-a-glance forest plot; positions in percent
    of the 0-1 axis (the template draws them with CSS, no script)."""
    rows = []
    for subgroup in subgroups:
        for row in subgroup["auc"]:
            if row["auc"] is None:
                continue
            interval = row["estimable"] and row["ci_low"] is not None and row["ci_high"] is not None
            rows.append(
                {
                    "subgroup": subgroup["name"],
                    "marker": row["marker"],
                    "marker_label": row["marker_label"],
                    "auc": row["auc"],
                    "ci_low": row["ci_low"] if interval else None,
                    "ci_high": row["ci_high"] if interval else None,
                    "reason": None if interval else row["reason"],
                    "n_cases": row["n_cases"],
                    "n_controls": row["n_controls"],
                    "left": 100 * max(0.0, row["ci_low"]) if interval else None,
                    "width": (
                        100 * (min(1.0, row["ci_high"]) - max(0.0, row["ci_low"]))
                        if interval
                        else None
                    ),
                    "point": 100 * row["auc"],
                }
            )
    return rows


def effect_forest(subgroups: list[dict], marker: str) -> dict:
    """The Hodges-Lehmann change of one marker with its CI, per subgroup and response group,
    on a symmetric axis around no change (positions in percent, drawn with CSS)."""
    rows = [
        {**row, "subgroup": subgroup["name"]}
        for subgroup in subgroups
        for row in subgroup["prepost"]
        if row["marker"] == marker
        and row["estimable"]
        and row["hl_ci_low"] is not None
        and row["hl_ci_high"] is not None
    ]
    bounds = [abs(row[k]) for row in rows for k in ("hl_ci_low", "hl_ci_high", "hl_estimate")]
    half_width = max(bounds, default=1.0) or 1.0

    def position(value: float) -> float:
        return 50 + 50 * value / half_width

    return {
        "half_width": half_width,
        "rows": [
            {
                "subgroup": row["subgroup"],
                "marker": row["marker"],
                "group": row["group"],
                "n_pairs": row["n_pairs"],
                "estimate": row["hl_estimate"],
                "conf_level": row["conf_level"],
                "ci_low": row["hl_ci_low"],
                "ci_high": row["hl_ci_high"],
                "left": position(row["hl_ci_low"]),
                "width": position(row["hl_ci_high"]) - position(row["hl_ci_low"]),
                "point": position(row["hl_estimate"]),
            }
            for row in rows
        ],
    }
