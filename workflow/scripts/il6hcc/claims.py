"""Check the paper's claims 1-5 (../shared/STUDY.md) against the workflow's result tables.

Each claim becomes one row with a graded verdict, the rule that gave it in words (``reason``),
the effect behind it with its confidence interval, and one plain sentence. Verdicts:

- ``reproduced``: significant after the configured multiplicity adjustment, in the claimed
  direction (claims 1 and 3; claim 1 states the direction observed);
- ``reproduced before adjustment only``: significant on the raw p-value only;
- ``consistent, not significant``: claim 5, IL-6's sensitivity is the highest but not every
  McNemar test is significant; claims 2 and 4, no significant change and the interval of the
  change excludes a change as large (either way) as the one in the comparison group (claim 1's
  for claim 2, claim 3's for claim 4);
- ``inconclusive``: claims 2 and 4, no significant change but the interval still includes a
  change as large as the comparison group's;
- ``not reproduced``: significant the other way, or the claimed effect absent (claims 1 and 3
  not significant; claims 2 and 4 significant on the raw p-value, since adjustment must not
  make an absence easier to claim; claim 5 another marker at least as sensitive);
- ``not checkable``: the table has no estimable result.

The effect of claims 1-4 is the Hodges-Lehmann estimate of the paired difference, on the scale
the signed-rank test used, with its interval; claim 5's is IL-6's sensitivity with its interval.
"Significant in one group and not in the other" is not a test of a difference, so the direct
between-subgroup test is reported as an extra row.
"""

from __future__ import annotations

import math

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
    "effect",
    "effect_label",
    "effect_ci_low",
    "effect_ci_high",
    "conf_level",
    "verdict",
    "reason",
    "sentence",
    "detail",
]

REPRODUCED = "reproduced"
BEFORE_ADJUSTMENT = "reproduced before adjustment only"
CONSISTENT = "consistent, not significant"
INCONCLUSIVE = "inconclusive"
NOT_REPRODUCED = "not reproduced"
NOT_CHECKABLE = "not checkable"
DIFFERENCE_SHOWN = "difference shown"
DIFFERENCE_SHOWN_BEFORE_ADJUSTMENT = "difference shown before adjustment only"
DIFFERENCE_NOT_SHOWN = "difference not shown"
VERDICTS = (
    REPRODUCED,
    BEFORE_ADJUSTMENT,
    CONSISTENT,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_CHECKABLE,
    DIFFERENCE_SHOWN,
    DIFFERENCE_SHOWN_BEFORE_ADJUSTMENT,
    DIFFERENCE_NOT_SHOWN,
)
# A reached confidence level below the configured one by more than rounding.
LEVEL_TOLERANCE = 1e-9
SCALE_LABELS = {"difference": "post - pre", "log_ratio": "log2(post/pre)"}
GROUP_WORDS = {"all": "", "responders": " with CR/PR", "non-responders": " with SD/PD"}


def claim_row(claim, statement, subgroup, analysis, **values) -> dict:
    """One row in :data:`COLUMNS`, missing values NaN."""
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(claim=claim, statement=statement, subgroup=subgroup, analysis=analysis)
    row.update(values)
    return row


def unchecked_row(claim, statement, subgroup, analysis, why: str, **values) -> dict:
    """A "not checkable" row saying why."""
    return claim_row(
        claim,
        statement,
        subgroup,
        analysis,
        verdict=NOT_CHECKABLE,
        reason=f"no estimable result: {why}",
        sentence=f"Claim {claim} could not be checked: {why}.",
        detail=why,
        **values,
    )


def number(value: float) -> str:
    """A number for a sentence: 3 significant digits, a sign on a change."""
    return f"{value:+.3g}" if value else "0"


def p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"


def interval_text(low: float, high: float, conf_level: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "no confidence interval"
    return f"{conf_level:.0%} CI {low:.3g} to {high:.3g}"


def significance_verdict(p_value: float, p_adjusted: float, alpha: float) -> str | None:
    """``reproduced`` / ``reproduced before adjustment only`` for a significant result in the
    claimed direction, None when not significant."""
    if not p_value < alpha:
        return None
    return REPRODUCED if p_adjusted < alpha else BEFORE_ADJUSTMENT


def _direction(estimate: float) -> str:
    if estimate > 0:
        return "rose"
    if estimate < 0:
        return "fell"
    return "did not shift"


def _prepost_result(prepost, *, subgroup, group, marker):
    # Compared as numpy arrays: the robustness stage checks the claims of every specification,
    # and three pandas masks per lookup cost about 1 s of bench/floor.py's 40 s of CPU.
    match = (
        (prepost["subgroup"].to_numpy() == subgroup)
        & (prepost["group"].to_numpy() == group)
        & (prepost["marker"].to_numpy() == marker)
    )
    if not match.any():
        return None, "no such result"
    result = prepost.iloc[int(np.argmax(match))]
    if not bool(result["estimable"]):
        return None, result["reason"]
    return result, ""


def _effect_values(result) -> dict:
    scale = result["hl_scale"]
    unit = f" ({result['unit']})" if scale == "difference" and str(result["unit"]) else ""
    return {
        "statistic": result["statistic"],
        "p_value": result["p_value"],
        "p_adjusted": result["p_adjusted"],
        "method": result["method"],
        "effect": result["hl_estimate"],
        "effect_label": f"Hodges-Lehmann pseudo-median of {SCALE_LABELS[scale]}{unit}",
        "effect_ci_low": result["hl_ci_low"],
        "effect_ci_high": result["hl_ci_high"],
        "conf_level": result["conf_level"],
    }


def _numbers(result, alpha) -> str:
    interval = interval_text(result["hl_ci_low"], result["hl_ci_high"], result["conf_level"])
    return (
        f"n = {int(result['n_pairs'])} pairs; V = {result['statistic']:g}; "
        f"{p_text(result['p_value'])} raw, p = {result['p_adjusted']:.2g} "
        f"{result['adjust_method']}-adjusted; alpha {alpha:g}; estimate "
        f"{number(result['hl_estimate'])} ({interval})"
    )


def _effect_text(result) -> str:
    """The Hodges-Lehmann estimate with its unit and scale, e.g. '+1.08 pg/mL (post - pre)'."""
    unit = f" {result['unit']}" if result["hl_scale"] == "difference" else ""
    return f"{number(result['hl_estimate'])}{unit} ({SCALE_LABELS[result['hl_scale']]})"


def _who(result, marker_label: str) -> str:
    return f"In {result['subgroup']} patients{GROUP_WORDS[result['group']]}, {marker_label}"


def _graded(result, alpha, verdict, reason, sentence) -> dict:
    """The graded columns of a claim on a pre/post result: effect, verdict, words, numbers."""
    return {
        **_effect_values(result),
        "verdict": verdict,
        "reason": reason,
        "sentence": sentence,
        "detail": _numbers(result, alpha),
    }


def _change_claim(prepost, *, claim, statement, subgroup, group, marker, alpha, expect_rise):
    """Claims 1 and 3: a significant change (claim 3: a rise; claim 1: either way)."""
    analysis = f"Wilcoxon signed-rank, {marker} post vs pre, {group}"
    result, why = _prepost_result(prepost, subgroup=subgroup, group=group, marker=marker)
    if result is None:
        return unchecked_row(claim, statement, subgroup, analysis, why)
    label = result["marker_label"]
    direction = _direction(result["hl_estimate"])
    effect = _effect_text(result)
    interval = interval_text(result["hl_ci_low"], result["hl_ci_high"], result["conf_level"])
    who = _who(result, label)
    verdict = significance_verdict(result["p_value"], result["p_adjusted"], alpha)
    wrong_way = expect_rise and not result["hl_estimate"] > 0
    if verdict is not None and wrong_way:
        verdict = NOT_REPRODUCED
        reason = f"significant (p < {alpha:g}) but the change {direction} instead of rising"
        sentence = (
            f"{who} {direction} significantly ({effect}, {interval}; "
            f"{p_text(result['p_value'])}): the opposite of the claimed rise."
        )
    elif verdict == REPRODUCED:
        reason = (
            f"significant after {result['adjust_method']} adjustment "
            f"(p = {result['p_adjusted']:.2g} < {alpha:g}), change {direction}"
        )
        sentence = (
            f"{who} {direction} significantly from pre to post ({effect}, {interval}; "
            f"{p_text(result['p_value'])}, {result['p_adjusted']:.2g} after adjustment)."
        )
    elif verdict == BEFORE_ADJUSTMENT:
        reason = (
            f"raw p < {alpha:g} but {result['adjust_method']}-adjusted "
            f"p = {result['p_adjusted']:.2g} >= {alpha:g}; change {direction}"
        )
        sentence = (
            f"{who} {direction} ({effect}, {interval}; {p_text(result['p_value'])}), but not "
            f"significantly once the markers tested together are accounted for "
            f"(adjusted p = {result['p_adjusted']:.2g})."
        )
    else:
        verdict = NOT_REPRODUCED
        reason = f"not significant (p = {result['p_value']:.2g} >= {alpha:g}): change not shown"
        sentence = (
            f"{who} showed no significant change ({effect}, {interval}; "
            f"{p_text(result['p_value'])}), so the claimed change is not shown."
        )
    return claim_row(
        claim, statement, subgroup, analysis, **_graded(result, alpha, verdict, reason, sentence)
    )


def _no_change_claim(
    prepost,
    *,
    claim,
    statement,
    subgroup,
    group,
    marker,
    alpha,
    conf_level,
    comparison,
    comparison_claim,
):
    """Claims 2 and 4: no significant change, graded by how narrow the interval is.

    Only an interval at the configured ``conf_level`` can exclude the comparison change: with
    very few pairs the Hodges-Lehmann interval reaches a lower level (the whole range of the
    differences), and what it excludes is weaker evidence, so such a row is inconclusive.
    """
    analysis = f"Wilcoxon signed-rank, {marker} post vs pre, {group}"
    result, why = _prepost_result(prepost, subgroup=subgroup, group=group, marker=marker)
    if result is None:
        return unchecked_row(claim, statement, subgroup, analysis, why)
    label = result["marker_label"]
    who = _who(result, label)
    effect = _effect_text(result)
    low, high = result["hl_ci_low"], result["hl_ci_high"]
    interval = interval_text(low, high, result["conf_level"])
    if result["p_value"] < alpha:
        adjusted = (
            "also after adjustment"
            if result["p_adjusted"] < alpha
            else f"not after adjustment (p = {result['p_adjusted']:.2g})"
        )
        verdict = NOT_REPRODUCED
        reason = (
            f"significant change (raw p = {result['p_value']:.2g} < {alpha:g}, {adjusted}); "
            "adjustment is not used to support an absence"
        )
        sentence = (
            f"{who} {_direction(result['hl_estimate'])} significantly ({effect}, {interval}; "
            f"{p_text(result['p_value'])}), contrary to the claim of no change."
        )
    else:
        reference = comparison[0]
        if reference is None or math.isnan(reference["hl_estimate"]):
            verdict = INCONCLUSIVE
            reason = (
                f"not significant (p = {result['p_value']:.2g}); no estimable change in the "
                f"comparison group (claim {comparison_claim}) to judge the interval against"
            )
            sentence = (
                f"{who} showed no significant change ({effect}, {interval}), but there is no "
                "comparison change to say whether a relevant change is excluded."
            )
        elif math.isnan(low) or math.isnan(high):
            verdict = INCONCLUSIVE
            reason = (
                f"not significant (p = {result['p_value']:.2g} >= {alpha:g}) but no confidence "
                f"interval of the change to judge against the change in claim {comparison_claim}"
            )
            sentence = (
                f"{who} showed no significant change ({effect}), but with no confidence "
                "interval it cannot be said whether a change as large as in the comparison "
                "group is excluded."
            )
        else:
            size = abs(float(reference["hl_estimate"]))
            compared = (
                f"the change in {reference['subgroup']} patients"
                f"{GROUP_WORDS[reference['group']]} ({_effect_text(reference)})"
            )
            excluded = size > 0 and -size < low and high < size
            reached = result["conf_level"]
            if excluded and reached < conf_level - LEVEL_TOLERANCE:
                verdict = INCONCLUSIVE
                reason = (
                    f"not significant (p = {result['p_value']:.2g} >= {alpha:g}); the "
                    f"{interval} excludes a change as large as {compared} (claim "
                    f"{comparison_claim}), but with {int(result['n_pairs'])} pairs the interval "
                    f"reaches only {reached:.3g}, not the configured {conf_level:g}"
                )
                sentence = (
                    f"{who} showed no significant change ({effect}, {interval}), but with so "
                    f"few pairs no {conf_level:.0%} interval can say whether a change as large "
                    f"as {compared} is excluded."
                )
            elif excluded:
                verdict = CONSISTENT
                reason = (
                    f"not significant (p = {result['p_value']:.2g} >= {alpha:g}) and the "
                    f"{interval} excludes a change as large as {compared} (claim "
                    f"{comparison_claim}) in either direction"
                )
                sentence = (
                    f"{who} showed no significant change ({effect}, {interval}), and the "
                    f"interval excludes a change as large as {compared}."
                )
            else:
                verdict = INCONCLUSIVE
                reason = (
                    f"not significant (p = {result['p_value']:.2g} >= {alpha:g}) but the "
                    f"{interval} still includes a change as large as {compared} (claim "
                    f"{comparison_claim})"
                )
                sentence = (
                    f"{who} showed no significant change ({effect}, {interval}), but the "
                    f"interval is too wide to exclude a change as large as {compared}."
                )
    return claim_row(
        claim, statement, subgroup, analysis, **_graded(result, alpha, verdict, reason, sentence)
    )


def _marker_label(prepost: pd.DataFrame, marker: str) -> str:
    """The marker's label as the tables print it (its key when no table has it)."""
    labels = prepost.loc[prepost["marker"] == marker, "marker_label"]
    return str(labels.iloc[0]) if len(labels) else marker


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
    conf_level: float,
) -> pd.DataFrame:
    """One row per claim (1-5) plus the direct first-line versus later-line test.

    ``conf_level`` is the configured confidence level (claims 2 and 4 need an interval at it).
    """
    marker = reference_marker
    label = _marker_label(prepost, marker)
    first_all = _prepost_result(prepost, subgroup=first_line, group="all", marker=marker)
    first_responders = _prepost_result(
        prepost, subgroup=first_line, group="responders", marker=marker
    )
    rows = [
        _change_claim(
            prepost,
            claim="1",
            subgroup=first_line,
            group="all",
            marker=marker,
            statement=f"{label} changes significantly from pre to post in first-line patients",
            alpha=alpha,
            expect_rise=False,
        ),
        _no_change_claim(
            prepost,
            claim="2",
            subgroup=later_line,
            group="all",
            marker=marker,
            statement=f"{label} does not change significantly in later-line patients",
            alpha=alpha,
            conf_level=conf_level,
            comparison=first_all,
            comparison_claim="1",
        ),
        _change_claim(
            prepost,
            claim="3",
            subgroup=first_line,
            group="responders",
            marker=marker,
            statement=f"within first-line patients, {label} rises significantly in CR/PR",
            alpha=alpha,
            expect_rise=True,
        ),
        _no_change_claim(
            prepost,
            claim="4",
            subgroup=first_line,
            group="non-responders",
            marker=marker,
            statement=f"within first-line patients, {label} does not change significantly in SD/PD",
            alpha=alpha,
            conf_level=conf_level,
            comparison=first_responders,
            comparison_claim="3",
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
    sensitivity = accuracy[
        (accuracy["subgroup"] == subgroup) & (accuracy["measure"] == "sensitivity")
    ].set_index("marker")
    name = sensitivity.loc[marker, "marker_label"] if marker in sensitivity.index else marker
    statement = f"for predicting response, {name} has a higher sensitivity than every other marker"
    analysis = "sensitivity of the pre-specified criteria"

    if marker not in sensitivity.index or not bool(sensitivity.loc[marker, "estimable"]):
        why = (
            "no such result"
            if marker not in sensitivity.index
            else sensitivity.loc[marker, "reason"]
        )
        return unchecked_row(
            "5",
            statement,
            subgroup,
            analysis,
            f"the sensitivity of {name} is not estimable: {why}",
        )
    reference = sensitivity.loc[marker]
    effect = {
        "effect": reference["estimate"],
        "effect_label": f"sensitivity of {reference['criterion']} (responders)",
        "effect_ci_low": reference["ci_low"],
        "effect_ci_high": reference["ci_high"],
        "conf_level": reference["conf_level"],
    }
    others = sensitivity.drop(index=marker)
    others = others[others["estimable"].astype(bool)]
    if others.empty:
        return unchecked_row(
            "5",
            statement,
            subgroup,
            analysis,
            "no other marker's sensitivity is estimable",
            **effect,
        )
    tests = mcnemar[(mcnemar["subgroup"] == subgroup) & (mcnemar["measure"] == "sensitivity")]
    tests = tests.set_index("marker_b").reindex(others.index)
    p_values = tests["p_value"].astype(float)
    p_adjusted = tests["p_adjusted"].astype(float)
    value = reference["estimate"]
    comparisons = ", ".join(
        f"{others.loc[key, 'marker_label']} {others.loc[key, 'estimate']:.2f} "
        + (
            f"(McNemar {p_text(p_values[key])})"
            if not math.isnan(p_values[key])
            else "(no McNemar test)"
        )
        for key in others.index
    )
    n_responders = int(reference["denominator"])
    label = reference["marker_label"]
    head = (
        f"In {subgroup} patients, {label} (sensitivity {value:.2f}, "
        f"{interval_text(reference['ci_low'], reference['ci_high'], reference['conf_level'])}, "
        f"{n_responders} responders) versus {comparisons}"
    )
    not_lower = others.index[others["estimate"] >= value].tolist()
    # The claim needs every comparison to hold, so the largest p-value decides (an
    # intersection-union test); a comparison without a test counts as not significant.
    worst_p = float(p_values.fillna(1.0).max())
    worst_adjusted = float(p_adjusted.fillna(1.0).max())
    if not_lower:
        higher_significant = [
            key
            for key in not_lower
            if others.loc[key, "estimate"] > value and p_values[key] < alpha
        ]
        verdict = NOT_REPRODUCED
        if higher_significant:
            reason = f"{', '.join(higher_significant)} significantly more sensitive"
        else:
            reason = f"{', '.join(not_lower)} at least as sensitive: the claimed effect is absent"
        sentence = f"{head}: {label} is not the most sensitive marker."
    else:
        verdict = significance_verdict(worst_p, worst_adjusted, alpha)
        if verdict == REPRODUCED:
            reason = "highest sensitivity and every McNemar test significant after adjustment"
            sentence = f"{head}: {label} is significantly more sensitive than each of them."
        elif verdict == BEFORE_ADJUSTMENT:
            reason = (
                f"highest sensitivity; every McNemar raw p < {alpha:g} but the largest "
                f"adjusted p = {worst_adjusted:.2g}"
            )
            sentence = (
                f"{head}: {label} is the most sensitive, significantly so only before "
                "adjustment for the comparisons made together."
            )
        else:
            verdict = CONSISTENT
            reason = (
                f"highest sensitivity but not every McNemar test significant (largest "
                f"p = {worst_p:.2g} >= {alpha:g})"
            )
            # NaN (no test) is not significant either.
            weak = [key for key in others.index if not p_values[key] < alpha]
            if len(weak) == len(others):
                which = "the differences are"
            else:
                names = " and ".join(others.loc[key, "marker_label"] for key in weak)
                which = f"the difference{'s' if len(weak) > 1 else ''} from {names} " + (
                    "are" if len(weak) > 1 else "is"
                )
            sentence = (
                f"{head}: {label} has the highest sensitivity, but with "
                f"{n_responders} responders {which} not significant."
            )
    return claim_row(
        "5",
        statement,
        subgroup,
        analysis,
        p_value=worst_p,
        p_adjusted=worst_adjusted,
        method="exact McNemar test on responders' discordant pairs; the largest p over the "
        "comparisons (every one must hold)",
        **effect,
        verdict=verdict,
        reason=reason,
        sentence=sentence,
        detail=f"{label} {value:.2f} versus {comparisons}",
    )


def _interaction_rows(comparison, *, marker, alpha) -> list[dict]:
    rows = comparison[comparison["marker"] == marker]
    out = []
    for result in rows.itertuples():
        analysis = f"Mann-Whitney U, change in {marker}, {result.group_a} vs {result.group_b}"
        statement = (
            f"(not in the paper) the change in {result.marker_label} differs between "
            f"{result.group_a} and "
            f"{result.group_b}: the direct test behind claims 1 and 2"
        )
        if not bool(result.estimable):
            out.append(
                claim_row(
                    "1 vs 2",
                    statement,
                    result.comparison,
                    analysis,
                    verdict=NOT_CHECKABLE,
                    reason=result.reason,
                    sentence=f"The direct comparison could not be made: {result.reason}.",
                    detail=result.reason,
                )
            )
            continue
        verdict = significance_verdict(result.p_value, result.p_adjusted, alpha)
        verdict = {
            REPRODUCED: DIFFERENCE_SHOWN,
            BEFORE_ADJUSTMENT: DIFFERENCE_SHOWN_BEFORE_ADJUSTMENT,
            None: DIFFERENCE_NOT_SHOWN,
        }[verdict]
        compared = f"{result.group_a} and {result.group_b} patients"
        label = result.marker_label
        sentence = {
            DIFFERENCE_SHOWN: f"The change in {label} differs significantly between {compared}",
            DIFFERENCE_SHOWN_BEFORE_ADJUSTMENT: f"The change in {label} differs between "
            f"{compared} before adjustment only",
            DIFFERENCE_NOT_SHOWN: f"A difference in the change in {label} between {compared} "
            "is not shown",
        }[verdict]
        out.append(
            claim_row(
                "1 vs 2",
                statement,
                result.comparison,
                analysis,
                statistic=result.statistic,
                p_value=result.p_value,
                p_adjusted=result.p_adjusted,
                method=result.method,
                effect=result.rank_biserial,
                effect_label=f"rank-biserial correlation of the change, positive = larger in "
                f"{result.group_a}",
                verdict=verdict,
                reason=f"raw {p_text(result.p_value)}, adjusted p = {result.p_adjusted:.2g}; "
                f"alpha {alpha:g}",
                sentence=f"{sentence} ({p_text(result.p_value)}).",
                detail=f"n = {result.n_a} vs {result.n_b}",
            )
        )
    return out
