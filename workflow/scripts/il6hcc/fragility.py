"""Fragility index: how many patients' response status must change to change a verdict.

For a 2x2 table, Walsh et al. (J Clin Epidemiol 2014;67:622-628) count the patients of the
group with fewer events whose outcome must change from non-event to event, one at a time, for
Fisher's exact two-sided p-value to reach alpha (:func:`fragility_2x2`).

The claims are rank tests and accuracy comparisons, not one 2x2 table, so the index is extended
here: the smallest number of patients whose response (responder <-> non-responder) must be
swapped for the claim's verdict to differ from the configured analysis's (a claim left
without an estimable test, "not checkable", is not reversed). Like Walsh's, the
search is greedy: at each step the single further swaps are scored in batches by the claim's
decisive statistic (:data:`DECISIVE_STATISTICS`; claims 3-4 score every swap in small cohorts
and a coarse grid refined around its best in large ones), the swap that moves it furthest
toward reversal is taken, and the verdict is re-evaluated by the claims check itself
(il6hcc.multiverse.Multiverse, the swapped patients as the specification's ``flipped`` rows).
A greedy search finds an upper bound of the true minimum; it stops at ``max_flips`` swaps and
then reports "> max_flips". Claims whose verdict does not depend on response status get no
number, and the row says why.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from il6hcc.change import marker_change
from il6hcc.claims import BEFORE_ADJUSTMENT, NOT_CHECKABLE, NOT_REPRODUCED, REPRODUCED
from il6hcc.criteria import criterion_results
from il6hcc.multiverse import Multiverse, main_specification
from il6hcc.paired import SIGNED_RANK_SCALES
from il6hcc.stats.nonparametric import wilcoxon_signed_rank
from il6hcc.stats.proportions import fisher_exact, mcnemar_exact_batch

FRAGILITY_COLUMNS = [
    "claim",
    "main_verdict",
    "applicable",
    "fragility_index",
    "reversed",
    "max_flips",
    "fragility",
    "verdict_after",
    "flipped_patients",
    "flipped_to",
    "decisive_statistic",
    "reason",
]
SIGNIFICANT = (REPRODUCED, BEFORE_ADJUSTMENT)
# What each claim's search moves, in words (the report's Methods and the table's column).
DECISIVE_STATISTICS = {
    "3": "signed evidence of a rise in responders: (1 - p) x sign of the rank-biserial "
    "correlation of the signed-rank test; lowered when the rise is shown, raised otherwise",
    "4": "evidence of a change in non-responders: 1 - p of the signed-rank test; lowered when "
    "a change is shown, raised otherwise",
    "5": "when the reference marker is significantly the most sensitive: the largest McNemar "
    "p-value over the other markers, raised; otherwise its sensitivity minus the best other "
    "marker's, lowered when it is the highest and raised when it is not",
}
# Claims 1 and 2 and the direct test take every patient of a line, whatever the response.
WHOLE_LINE = {
    "1": "tests every first-line patient, whatever the response",
    "2": "tests every later-line patient, whatever the response",
    "1 vs 2": "compares the change of first-line and later-line patients, whatever the response",
}
RESPONSE_WORDS = {1: "responder", 0: "non-responder"}
# Candidates scored per step and side before refining (_signed_rank_candidates): with at most
# twice as many, as in a cohort of about a hundred first-line patients, every one is scored.
COARSE_POINTS = 32


def fragility_2x2(events_a: int, total_a: int, events_b: int, total_b: int, *, alpha=0.05):
    """Walsh's fragility index of a 2x2 table: the number of patients of the group with fewer
    events (group a on a tie) whose outcome must change from non-event to event for Fisher's
    exact two-sided p-value (R's ``fisher.test``) to reach ``alpha``; 0 when it already does.
    None when even every non-event of that group changed does not reach it."""
    if events_b < events_a:
        events_a, total_a, events_b, total_b = events_b, total_b, events_a, total_a
    for changed in range(total_a - events_a + 1):
        events = events_a + changed
        table = [[events, total_a - events], [events_b, total_b - events_b]]
        if not fisher_exact(table).p_value < alpha:
            return changed
    return None


def claims_fragility(
    cohort: pd.DataFrame, settings: dict, *, max_flips: int, coarse_points: int = COARSE_POINTS
) -> pd.DataFrame:
    """Per claim of the configured analysis (il6hcc.multiverse.main_specification): its
    fragility index, found greedily with at most ``max_flips`` swapped responses
    (``coarse_points``: see :func:`_signed_rank_candidates`)."""
    multiverse = Multiverse(cohort, settings)
    specification = main_specification(settings)
    main = multiverse.claims(specification).set_index("claim")["verdict"]
    patient_ids = cohort.set_index("source_row")["patient_id"]
    rows = []
    for claim, main_verdict in main.items():
        why_not = _not_applicable(claim, main_verdict, settings)
        row = dict.fromkeys(FRAGILITY_COLUMNS, "")
        row.update(claim=claim, main_verdict=main_verdict, max_flips=max_flips)
        if why_not:
            row.update(
                applicable=False,
                fragility_index=np.nan,
                reversed=False,
                fragility="not applicable",
                verdict_after=main_verdict,
                reason=why_not,
            )
        else:
            row.update(
                _search(
                    multiverse,
                    specification,
                    claim,
                    main_verdict,
                    patient_ids,
                    max_flips=max_flips,
                    coarse=coarse_points,
                )
            )
        rows.append(row)
    table = pd.DataFrame(rows, columns=FRAGILITY_COLUMNS)
    table["fragility_index"] = table["fragility_index"].astype("Int64")
    return table


def _not_applicable(claim: str, main_verdict: str, settings: dict) -> str:
    if main_verdict == NOT_CHECKABLE:
        return "the configured analysis could not check the claim"
    if claim in WHOLE_LINE:
        if claim != "1 vs 2" and settings["adjust_family"] == "subgroup":
            return (
                f"{WHOLE_LINE[claim]}; the response groups enter only its multiplicity family "
                "(statistics.multiple_testing.family: subgroup), which the search does not move"
            )
        return WHOLE_LINE[claim]
    if claim not in DECISIVE_STATISTICS:
        return "the search has no decisive statistic for this claim"
    return ""


def _search(
    multiverse, specification, claim, main_verdict, patient_ids, *, max_flips, coarse
) -> dict:
    flipped: list[int] = []
    directions: list[int] = []
    verdict = main_verdict
    reason = f"not reversed by {max_flips} greedy swaps"
    while len(flipped) < max_flips:
        state = {**specification, "flipped": tuple(sorted(flipped))}
        candidates, becomes, order = _scored_candidates(
            multiverse, state, claim, main_verdict, coarse
        )
        if candidates.size == 0:
            reason = f"not reversed: no further patient to swap after {len(flipped)}"
            break
        best = order[0]
        flipped.append(int(candidates[best]))
        directions.append(int(becomes[best]))
        claims = multiverse.claims({**specification, "flipped": tuple(sorted(flipped))})
        verdict = claims.set_index("claim").loc[claim, "verdict"]
        if _reversed(verdict, main_verdict):
            reason = f"verdict '{main_verdict}' becomes '{verdict}'"
            break
    reversed_ = _reversed(verdict, main_verdict)
    return {
        "applicable": True,
        "fragility_index": len(flipped) if reversed_ else np.nan,
        "reversed": reversed_,
        "fragility": str(len(flipped)) if reversed_ else f"> {len(flipped)}",
        "verdict_after": verdict,
        "flipped_patients": ", ".join(str(patient_ids[row]) for row in flipped),
        "flipped_to": ", ".join(RESPONSE_WORDS[to] for to in directions),
        "decisive_statistic": DECISIVE_STATISTICS[claim],
        "reason": reason,
    }


def _reversed(verdict: str, main_verdict: str) -> bool:
    """Another verdict on the claim; a claim that can no longer be checked is not reversed."""
    return verdict not in (main_verdict, NOT_CHECKABLE)


def _scored_candidates(multiverse, state, claim, main_verdict, coarse):
    """The source rows that can still be swapped, the response each would take, and their
    positions best first (ties: file order)."""
    settings = multiverse.settings
    roles = settings["roles"]
    name = roles["accuracy_subgroup"] if claim == "5" else roles["first_line"]
    patients = multiverse.subgroup(state, name)
    known = patients["responder"].notna() & ~patients["source_row"].isin(state["flipped"])
    if claim == "5":
        return _sensitivity_candidates(patients, known, settings, main_verdict)
    return _signed_rank_candidates(patients, known, state, claim, main_verdict, settings, coarse)


def _signed_rank_candidates(patients, known, state, claim, main_verdict, settings, coarse):
    """Claims 3 and 4: one signed-rank test per scored swap, in batches (the tested group
    without one of its members, or with one other patient added).

    The test after removing (adding) one difference moves monotonically with that difference,
    so along the candidates sorted by their difference the score toward reversal is monotone
    (claim 3's signed evidence) or, for claim 4's evidence of a change either way, V-shaped
    when lowered and peaked when raised (then lowest at an end, which the grid includes).
    Each side is therefore scored at ``coarse`` evenly spaced candidates and its two ends, then
    at every candidate within one spacing of the best of them: all of them when there are at
    most 2 x ``coarse``, about 4 x ``coarse`` tests per step however many patients there are.
    Ties in the signed-rank variance can bend these shapes slightly; the search is greedy and
    approximate anyway.
    """
    key = settings["reference_marker"]
    metric = SIGNED_RANK_SCALES[state["signed_rank_scale"]]
    differences = marker_change(patients[f"{key}_pre"], patients[f"{key}_post"], metric)
    usable = (known & differences.notna()).to_numpy(bool)
    tested_flag = 1 if claim == "3" else 0
    in_group = (patients["responder"] == tested_flag).fillna(False).to_numpy(bool)
    values = differences.to_numpy(float)
    positions = np.flatnonzero(in_group & np.isfinite(values))
    group = values[positions]
    shown = main_verdict in SIGNIFICANT if claim == "3" else main_verdict == NOT_REPRODUCED
    correct = bool(state["continuity_correction"])

    def toward_reversal(leaving: bool, chosen: np.ndarray) -> np.ndarray:
        if leaving:
            rows = np.broadcast_to(group, (chosen.size, group.size))[
                positions[None, :] != chosen[:, None]
            ].reshape(chosen.size, max(group.size - 1, 0))
        else:
            rows = np.column_stack([np.broadcast_to(group, (chosen.size, group.size)),
                                    values[chosen]])  # fmt: skip
        evidence = _signed_rank_evidence(rows, correct, claim)
        # Less evidence for what the main analysis showed, more otherwise; a swap that leaves
        # no estimable test (not checkable, not a reversal) last.
        return np.where(np.isnan(evidence), np.inf, evidence if shown else -evidence)

    scored, scores, becomes = [], [], []
    for leaving, side in ((True, usable & in_group), (False, usable & ~in_group)):
        chosen = np.flatnonzero(side)
        by_value = chosen[np.argsort(values[chosen], kind="stable")]
        picked = _coarse_to_fine(by_value, partial(toward_reversal, leaving), coarse)
        scored.append(picked)
        scores.append(toward_reversal(leaving, picked))
        becomes.append(np.full(picked.size, 1 - tested_flag if leaving else tested_flag))
    scored, scores, becomes = map(np.concatenate, (scored, scores, becomes))
    in_file_order = np.argsort(scored, kind="stable")
    order = in_file_order[np.argsort(scores[in_file_order], kind="stable")]
    return patients["source_row"].to_numpy()[scored], becomes, order


def _coarse_to_fine(by_value: np.ndarray, score, coarse: int) -> np.ndarray:
    """The candidates (sorted by value) worth scoring: all of them when few, else those
    within one spacing of the best of ``coarse`` evenly spaced ones and the last (where a
    monotone, V-shaped or peaked score has its minimum)."""
    if by_value.size <= 2 * coarse:
        return by_value
    spacing = int(np.ceil(by_value.size / coarse))
    grid = np.unique(np.append(np.arange(0, by_value.size, spacing), by_value.size - 1))
    best = grid[int(np.argmin(score(by_value[grid])))]
    return by_value[max(0, best - spacing) : best + spacing + 1]


def _signed_rank_evidence(rows: np.ndarray, correct: bool, claim: str) -> np.ndarray:
    """Per row of differences: 1 - p of the signed-rank test, signed by the direction of the
    change for claim 3 (a rise claimed); NaN where the test is not estimable."""
    if rows.shape[0] == 0:
        return np.zeros(0)
    test = wilcoxon_signed_rank(rows, np.zeros_like(rows), correct=correct)
    evidence = 1.0 - np.asarray(test.p_value, dtype=float)
    if claim == "3":
        evidence = evidence * np.sign(np.asarray(test.extra["rank_biserial"], dtype=float))
    return evidence


def _sensitivity_candidates(patients, known, settings, main_verdict):
    """Claim 5: every candidate swap changes each marker's responders by one patient, so the
    sensitivities and the McNemar discordant counts after it follow from the current counts
    and that patient's criterion results, for all candidates at once."""
    criteria = criterion_results(patients, settings["markers"], settings["criteria"])
    reference = settings["reference_marker"]
    responder = (patients["responder"] == 1).fillna(False).to_numpy(bool)
    chosen = np.flatnonzero(known.to_numpy(bool))
    # +1: the candidate becomes a responder; -1: it stops being one.
    step = np.where(responder[chosen], -1, 1)
    ref_known = criteria[reference].notna().to_numpy(bool)
    ref_positive = criteria[reference].fillna(False).to_numpy(bool)
    sensitivity = {}
    worst_p = np.zeros(chosen.size)
    for key, result in criteria.items():
        marker_known = result.notna().to_numpy(bool)
        positive = result.fillna(False).to_numpy(bool)
        cases = (responder & marker_known).sum() + step * marker_known[chosen]
        hits = (responder & positive).sum() + step * positive[chosen]
        with np.errstate(invalid="ignore", divide="ignore"):
            sensitivity[key] = np.where(cases > 0, hits / np.maximum(cases, 1), np.nan)
        if key == reference:
            continue
        both = ref_known & marker_known
        a_only = both & ref_positive & ~positive
        b_only = both & ~ref_positive & positive
        p_value = _mcnemar_after(
            (responder & a_only).sum() + step * a_only[chosen],
            (responder & b_only).sum() + step * b_only[chosen],
        )
        worst_p = np.maximum(worst_p, np.nan_to_num(p_value, nan=1.0))
    others = [sensitivity[key] for key in criteria if key != reference]
    with np.errstate(invalid="ignore"):
        best_other = np.nanmax(np.vstack(others), axis=0) if others else np.full(chosen.size, 0.0)
    margin = np.nan_to_num(sensitivity[reference] - best_other, nan=0.0)
    if main_verdict in SIGNIFICANT:
        order = np.lexsort((margin, -worst_p))
    elif main_verdict == NOT_REPRODUCED:
        order = np.lexsort((worst_p, -margin))
    else:
        order = np.lexsort((-worst_p, margin))
    candidates = patients["source_row"].to_numpy()[chosen]
    return candidates, np.where(step > 0, 1, 0), order


def _mcnemar_after(a_only: np.ndarray, b_only: np.ndarray) -> np.ndarray:
    """The exact McNemar p-value of each candidate's discordant counts, by the batched test on
    rows holding just those discordant pairs (concordant pairs do not enter it)."""
    width = int(max(1, (a_only + b_only).max(initial=0)))
    slots = np.arange(width)[None, :]
    test_a = slots < a_only[:, None]
    test_b = (slots >= a_only[:, None]) & (slots < (a_only + b_only)[:, None])
    return np.asarray(mcnemar_exact_batch(test_a, test_b).p_value, dtype=float)
