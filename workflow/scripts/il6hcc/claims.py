"""Check the paper's claims 1-5 (../shared/STUDY.md) against the workflow's result tables.

Each claim becomes one row: where it was tested, the statistic and p-value behind it, and the
verdict "reproduced" or "not reproduced" (or "not checkable" when the table has no estimable
result). Verdicts use the raw p-value at the configured alpha, as the paper did; the adjusted
p-value stands beside it. "Significant in one group and not in the other" is not a test of a
difference, so the direct between-subgroup test is reported as an extra row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = [
    "claim",
    "statement",
    "subgroup",
    "analysis",
    "statistic",
    "p_value",
    "p_adjusted",
    "method",
    "estimate",
    "verdict",
    "detail",
]


# The change meaning "no change" in each metric: a rise is a ratio above 1, other metrics above 0.
NO_CHANGE = {"ratio": 1.0, "log2_ratio": 0.0, "percent": 0.0, "absolute": 0.0}


def _row(claim, statement, subgroup, analysis, **values) -> dict:
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(claim=claim, statement=statement, subgroup=subgroup, analysis=analysis)
    row.update(values)
    return row


def _prepost_claim(
    prepost,
    *,
    claim,
    statement,
    subgroup,
    group,
    marker,
    alpha,
    expect_significant,
    expect_rise=None,
) -> dict:
    rows = prepost[
        (prepost["subgroup"] == subgroup)
        & (prepost["group"] == group)
        & (prepost["marker"] == marker)
    ]
    analysis = f"Wilcoxon signed-rank, {marker} post vs pre, {group}"
    if rows.empty or not bool(rows["estimable"].iloc[0]):
        reason = "no such result" if rows.empty else rows["reason"].iloc[0]
        return _row(claim, statement, subgroup, analysis, verdict="not checkable", detail=reason)
    result = rows.iloc[0]
    significant = result["p_value"] < alpha
    holds = significant == expect_significant
    direction = ""
    if expect_rise is not None:
        no_change = NO_CHANGE[result["change_metric"]]
        rose = result["change_median"] > no_change
        holds = holds and bool(rose == expect_rise)
        direction = f"; median change {result['change_median']:.3g} ({result['change_metric']})"
    return _row(
        claim,
        statement,
        subgroup,
        analysis,
        statistic=result["statistic"],
        p_value=result["p_value"],
        p_adjusted=result["p_adjusted"],
        method=result["method"],
        estimate=result["change_median"],
        verdict="reproduced" if holds else "not reproduced",
        detail=f"n = {int(result['n_pairs'])} pairs, "
        f"{'p < ' if significant else 'p >= '}{alpha:g}{direction}",
    )


def check_claims(
    *,
    prepost: pd.DataFrame,
    accuracy: pd.DataFrame,
    mcnemar: pd.DataFrame,
    comparison: pd.DataFrame,
    reference_marker: str,
    first_line: str,
    later_line: str,
    accuracy_subgroup: str,
    alpha: float,
) -> pd.DataFrame:
    """One row per claim (1-5) plus the direct first-line versus later-line test."""
    marker = reference_marker
    rows = [
        _prepost_claim(
            prepost,
            claim="1",
            subgroup=first_line,
            group="all",
            marker=marker,
            statement=f"{marker} changes significantly from pre to post in first-line patients",
            alpha=alpha,
            expect_significant=True,
        ),
        _prepost_claim(
            prepost,
            claim="2",
            subgroup=later_line,
            group="all",
            marker=marker,
            statement=f"{marker} does not change significantly in later-line patients",
            alpha=alpha,
            expect_significant=False,
        ),
        _prepost_claim(
            prepost,
            claim="3",
            subgroup=first_line,
            group="responders",
            marker=marker,
            statement=f"within first-line patients, {marker} rises significantly in CR/PR",
            alpha=alpha,
            expect_significant=True,
            expect_rise=True,
        ),
        _prepost_claim(
            prepost,
            claim="4",
            subgroup=first_line,
            group="non-responders",
            marker=marker,
            statement=f"within first-line patients, {marker} does not "
            "change significantly in SD/PD",
            alpha=alpha,
            expect_significant=False,
        ),
    ]
    rows.append(
        _sensitivity_claim(
            accuracy, mcnemar, marker=marker, subgroup=accuracy_subgroup, alpha=alpha
        )
    )
    rows.extend(_interaction_rows(comparison, marker=marker, alpha=alpha))
    return pd.DataFrame(rows, columns=COLUMNS)


def _sensitivity_claim(accuracy, mcnemar, *, marker, subgroup, alpha) -> dict:
    statement = (
        f"for predicting response, {marker} has a higher sensitivity than every other marker"
    )
    analysis = "sensitivity of the pre-specified criteria"
    sensitivity = accuracy[
        (accuracy["subgroup"] == subgroup) & (accuracy["measure"] == "sensitivity")
    ].set_index("marker")
    if marker not in sensitivity.index or not bool(sensitivity.loc[marker, "estimable"]):
        why = (
            "no such result"
            if marker not in sensitivity.index
            else sensitivity.loc[marker, "reason"]
        )
        return _row(
            "5",
            statement,
            subgroup,
            analysis,
            verdict="not checkable",
            detail=f"sensitivity not estimable: {why}",
        )
    reference = sensitivity.loc[marker, "estimate"]
    others = sensitivity.drop(index=marker)
    others = others[others["estimable"].astype(bool)]
    if others.empty:
        return _row(
            "5",
            statement,
            subgroup,
            analysis,
            estimate=reference,
            verdict="not checkable",
            detail="no other marker's sensitivity is estimable",
        )
    higher = bool((reference > others["estimate"]).all())
    tests = mcnemar[(mcnemar["subgroup"] == subgroup) & (mcnemar["measure"] == "sensitivity")]
    tests = tests[tests["marker_b"].isin(others.index)]
    comparisons = ", ".join(f"{key} {others.loc[key, 'estimate']:.2f}" for key in others.index)
    significant = tests.loc[tests["p_value"] < alpha, "marker_b"].tolist()
    if significant:
        tested = f"McNemar p < {alpha:g} against {', '.join(significant)}"
    else:
        tested = f"no McNemar p < {alpha:g}"
    p_values = ", ".join(f"{row.marker_b} {row.p_value:.3g}" for row in tests.itertuples())
    return _row(
        "5",
        statement,
        subgroup,
        analysis,
        estimate=reference,
        method="exact McNemar test on responders' discordant pairs",
        verdict="reproduced" if higher else "not reproduced",
        detail=f"{marker} {reference:.2f} versus {comparisons}; {tested} "
        f"(McNemar p: {p_values or 'none estimable'})",
    )


def _interaction_rows(comparison, *, marker, alpha) -> list[dict]:
    rows = comparison[comparison["marker"] == marker]
    out = []
    for result in rows.itertuples():
        analysis = f"Mann-Whitney U, change in {marker}, {result.group_a} vs {result.group_b}"
        statement = (
            f"(not in the paper) the change in {marker} differs between {result.group_a} and "
            f"{result.group_b}: the direct test behind claims 1 and 2"
        )
        if not bool(result.estimable):
            out.append(
                _row(
                    "1 vs 2",
                    statement,
                    result.comparison,
                    analysis,
                    verdict="not checkable",
                    detail=result.reason,
                )
            )
            continue
        significant = result.p_value < alpha
        out.append(
            _row(
                "1 vs 2",
                statement,
                result.comparison,
                analysis,
                statistic=result.statistic,
                p_value=result.p_value,
                p_adjusted=result.p_adjusted,
                method=result.method,
                verdict="difference shown" if significant else "difference not shown",
                detail=f"n = {result.n_a} vs {result.n_b}; "
                f"{'p < ' if significant else 'p >= '}{alpha:g}",
            )
        )
    return out
