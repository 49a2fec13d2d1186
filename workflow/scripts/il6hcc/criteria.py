"""Pre-specified response criteria: 2x2 tables, accuracy with CIs, and McNemar comparisons.

Each marker has one criterion fixed in the configuration before the analysis (for example
"IL-6 any rise", "AFP fall of 20% or more"); being criterion positive predicts response. These
cut-offs are pre-specified, unlike the data-driven Youden thresholds of the ROC analysis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from il6hcc.change import criterion_positive, describe_criterion
from il6hcc.stats.proportions import binomial_ci, mcnemar_exact, paired_booleans
from il6hcc.stats.result import StatResult
from il6hcc.tables import adjust_p_values

CI_METHODS = {"clopper_pearson": "clopper-pearson", "wilson": "wilson"}
ACCURACY_MEASURES = ("sensitivity", "specificity", "ppv", "npv", "accuracy")
MCNEMAR_COLUMNS = [
    "subgroup",
    "measure",
    "population",
    "marker_a",
    "marker_b",
    "n",
    "estimate_a",
    "estimate_b",
    "a_only",
    "b_only",
    "both",
    "neither",
    "p_value",
    "method",
    "estimable",
    "reason",
    "p_adjusted",
    "adjust_method",
    "adjust_family",
]


def criterion_results(patients: pd.DataFrame, markers: list[dict], criteria: dict) -> dict:
    """Criterion result (nullable boolean) per marker key, for the evaluable patients given."""
    return {
        m["key"]: criterion_positive(
            patients[f"{m['key']}_pre"], patients[f"{m['key']}_post"], criteria[m["key"]]
        )
        for m in markers
    }


def accuracy_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    criteria: dict,
    ci_method: str,
    conf_level: float,
) -> pd.DataFrame:
    """Sensitivity, specificity, PPV, NPV and accuracy of each marker's criterion, with CIs."""
    patients = patients[patients["responder"].notna()].reset_index(drop=True)
    is_case = (patients["responder"] == 1).to_numpy(bool)
    results = criterion_results(patients, markers, criteria)
    tables = []
    for marker in markers:
        positive = results[marker["key"]].to_numpy(dtype=object, na_value=None)
        if patients.empty:
            table = _no_evaluable_response(ci_method, conf_level)
        else:
            table = diagnostic_accuracy(
                positive, is_case, ci_method=CI_METHODS[ci_method], conf_level=conf_level
            )
        table.insert(0, "criterion", describe_criterion(marker["label"], criteria[marker["key"]]))
        table.insert(0, "marker_label", marker["label"])
        table.insert(0, "marker", marker["key"])
        table.insert(0, "subgroup", subgroup)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _no_evaluable_response(ci_method: str, conf_level: float) -> pd.DataFrame:
    """Accuracy rows of a subgroup where no patient's response is evaluable."""
    return pd.DataFrame(
        {
            "measure": ACCURACY_MEASURES,
            "numerator": 0,
            "denominator": 0,
            "estimate": float("nan"),
            "ci_low": float("nan"),
            "ci_high": float("nan"),
            "ci_method": CI_METHODS[ci_method],
            "conf_level": conf_level,
            "estimable": False,
            "reason": "no patient with an evaluable response in the subgroup",
            **dict.fromkeys(("tp", "fp", "fn", "tn", "n_evaluable", "n_not_evaluable"), 0),
        }
    )


def diagnostic_accuracy(
    test_positive, is_case, *, ci_method: str = "clopper-pearson", conf_level: float = 0.95
) -> pd.DataFrame:
    """Sensitivity, specificity, PPV, NPV and accuracy of a binary test, one row each, a
    :func:`binomial_ci` from the 2 x 2 table whose counts every row repeats (a row stands
    alone in a TSV). Patients missing the test or the reference are dropped and counted (STARD
    2015 item 19); a zero denominator is not estimable."""
    if ci_method not in CI_METHODS.values():
        raise ValueError(
            f"ci_method must be one of {tuple(CI_METHODS.values())}, got {ci_method!r}"
        )
    positive, case, n_not_evaluable = paired_booleans(
        test_positive, is_case, ("test_positive", "is_case")
    )
    counts = {
        "tp": int(np.sum(positive & case)),
        "fp": int(np.sum(positive & ~case)),
        "fn": int(np.sum(~positive & case)),
        "tn": int(np.sum(~positive & ~case)),
    }
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    definitions = [
        ("sensitivity", tp, tp + fn, "no evaluable cases"),
        ("specificity", tn, tn + fp, "no evaluable non-cases"),
        ("ppv", tp, tp + fp, "no positive test results"),
        ("npv", tn, tn + fn, "no negative test results"),
        ("accuracy", tp + tn, tp + fp + fn + tn, "no evaluable patients"),
    ]
    rows = []
    for measure, numerator, denominator, empty_reason in definitions:
        proportion = StatResult.not_estimable(empty_reason)
        if denominator:
            proportion = binomial_ci(
                numerator, denominator, method=ci_method, conf_level=conf_level
            )
        row = {"measure": measure, "numerator": numerator, "denominator": denominator}
        row.update(proportion.columns(keep=("estimate", "ci_low", "ci_high")))
        # Stated on every row, estimable or not: the interval the analysis asked for.
        row.update(ci_method=ci_method, conf_level=conf_level)
        row.update(proportion.columns(keep=("estimable", "reason")), **counts)
        rows.append({**row, "n_evaluable": tp + fp + fn + tn, "n_not_evaluable": n_not_evaluable})
    return pd.DataFrame(rows)


def mcnemar_table(
    patients: pd.DataFrame,
    *,
    subgroup: str,
    markers: list[dict],
    criteria: dict,
    reference: str,
    adjust_method: str,
    adjust_family: str = "marker",
) -> pd.DataFrame:
    """Exact McNemar tests of the reference criterion against each other marker's criterion.

    Sensitivity is compared on responders, specificity on non-responders, each on the patients
    evaluable for both criteria (discordant pairs only enter the test). Multiplicity family:
    "marker" adjusts the comparisons of one measure together, "subgroup" all rows of the table.
    """
    patients = patients[patients["responder"].notna()].reset_index(drop=True)
    results = criterion_results(patients, markers, criteria)
    rows = []
    for measure, flag in (("sensitivity", 1), ("specificity", 0)):
        members = (patients["responder"] == flag).to_numpy(bool)
        for marker in markers:
            if marker["key"] == reference:
                continue
            a = results[reference][members]
            b = results[marker["key"]][members]
            both_known = (a.notna() & b.notna()).to_numpy(bool)
            a = a[both_known].to_numpy(bool)
            b = b[both_known].to_numpy(bool)
            if measure == "specificity":
                a, b = ~a, ~b
            population = "responders" if flag == 1 else "non-responders"
            if a.size:
                test = mcnemar_exact(a, b)
            else:
                test = StatResult.not_estimable(
                    f"no {population} evaluable for both criteria",
                    **dict.fromkeys(("n", "a_only", "b_only", "both", "neither"), 0),
                )
            rows.append(
                {
                    "subgroup": subgroup,
                    "measure": measure,
                    "population": population,
                    "marker_a": reference,
                    "marker_b": marker["key"],
                    "estimate_a": a.mean() if a.size else float("nan"),
                    "estimate_b": b.mean() if b.size else float("nan"),
                    **test.columns(keep=("p_value", "method", "estimable", "reason")),
                }
            )
    table = pd.DataFrame(rows, columns=MCNEMAR_COLUMNS)
    table["p_adjusted"] = adjust_p_values(
        table, method=adjust_method, by=["measure"] if adjust_family == "marker" else []
    )
    table["adjust_method"] = adjust_method
    table["adjust_family"] = adjust_family
    return table
