"""Optimism-corrected prediction: how much of each marker's AUC and Youden cut-off is owed to
being judged on the data that chose them (issue 15, item 3).

For each subgroup, ``B`` bootstrap resamples of its evaluable patients (responder known),
stratified by response: each resample draws as many responders from the responders, and as
many non-responders from the non-responders, with replacement. Every marker is judged on the
same resamples (its patients without a score are left out of each, as in the roc table). A
resample is a row of multiplicities (how often each patient was drawn), so every statistic is a
weighted sum over the original patients, computed for a block of resamples at once.

What is refitted. The AUC's orientation is pre-specified (the marker's favourable direction,
pROC's ``direction = "<"`` on oriented scores), so the AUC fits nothing: its Harrell optimism,
mean over resamples of (AUC of the resample - AUC of the original data), is the bootstrap's
bias estimate and near zero. The Youden cut-off is fitted: in each resample it is chosen as the
roc table chooses it (maximum of sensitivity + specificity over pROC's thresholds, the lowest
threshold among tied optima; no cut-off when the best Youden index is <= 0), and its Youden
index, sensitivity and specificity in the resample minus those of the same cut-off on the
original data is that resample's optimism (Harrell, Lee and Mark, Stat Med 1996;15:361-387).
The out-of-bag sensitivity and specificity follow cutpointr (Thiele and Hirschfeld
2021): the cut-off chosen in the resample is applied to the patients it did not draw; a
resample without an out-of-bag responder (non-responder) gives no out-of-bag sensitivity
(specificity) and is left out of that mean, and each mean says over how many resamples it is.

Random streams: resample ``r`` of a subgroup comes from numpy's PCG64 seeded with (seed, a
SHA-256 key of the subgroup's name, r // RESAMPLE_BLOCK); within a block of RESAMPLE_BLOCK
resamples, responders then non-responders are drawn. A resample is thus the same whatever the
number of resamples, batches or jobs, and wherever its subgroup is listed.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from il6hcc.rocanalysis import evaluable, oriented_scores
from il6hcc.stats.roc import proc_threshold_between, roc_auc, youden_threshold

# Resamples drawn from one random stream. Fixed: changing it changes every resample.
RESAMPLE_BLOCK = 100
# Resample x patient elements per vectorised step: bounds memory at 10,000 patients.
BLOCK_ELEMENTS = 2_000_000
# A stratified bootstrap of fewer responders or non-responders resamples nothing.
MIN_PER_CLASS = 2
# Per-resample statistics of one marker (a batch job's output, gathered by resample number).
RESAMPLE_FIELDS = (
    "auc",
    "cutoff",
    "youden_j",
    "sensitivity",
    "specificity",
    "original_sensitivity",
    "original_specificity",
    "oob_sensitivity",
    "oob_specificity",
)
# One multiplicity per patient in the index-set file: 0-9 then a-z (R: strtoi(x, 36L)).
COUNT_DIGITS = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
# The optimism table's columns, in order.
OPTIMISM_COLUMNS = [
    "subgroup",
    "marker",
    "change_metric",
    "favourable",
    "n_cases",
    "n_controls",
    "resamples",
    "seed",
    "conf_level",
    "auc_apparent",
    "auc_optimism",
    "auc_corrected",
    "auc_ci_low",
    "auc_ci_high",
    "n_resamples_auc",
    "cutoff_apparent",
    "cutoff_median",
    "cutoff_ci_low",
    "cutoff_ci_high",
    "n_resamples_cutoff",
    *(
        f"{name}_{kind}"
        for name in ("youden_j", "sensitivity", "specificity")
        for kind in ("apparent", "optimism", "corrected")
    ),
    "oob_sensitivity",
    "n_resamples_oob_sensitivity",
    "oob_specificity",
    "n_resamples_oob_specificity",
    "method",
    "estimable",
    "reason",
]
METHOD = (
    "stratified bootstrap; AUC with pre-specified orientation (nothing refitted: its optimism is "
    "the bootstrap bias); Youden cut-off refitted in each resample (Harrell's optimism); "
    "out-of-bag accuracy of the cut-off selection (cutpointr)"
)


def subgroup_stream_key(subgroup: str) -> int:
    """A subgroup's part of its random streams: from its name, never its position in a list."""
    return int.from_bytes(hashlib.sha256(subgroup.encode("utf-8")).digest()[:8], "big")


def bootstrap_patients(patients: pd.DataFrame) -> pd.DataFrame:
    """The patients a subgroup's resamples draw from: evaluable, in byte order of patient_id
    (R: ``order(patient_id, method = "radix")``), so a resample does not depend on row order."""
    patients = evaluable(patients)
    ids = patients["patient_id"].astype(str)
    order = sorted(range(len(ids)), key=lambda row: ids.iloc[row].encode("utf-8"))
    return patients.iloc[order].reset_index(drop=True)


def resample_counts(
    is_case: np.ndarray, *, seed: int, subgroup: str, start: int, stop: int
) -> np.ndarray:
    """Multiplicities of each patient (columns) in resamples ``start`` to ``stop - 1`` (rows)
    of a bootstrap stratified by ``is_case``; one random stream per block of resamples."""
    cases, controls = np.flatnonzero(is_case), np.flatnonzero(~is_case)
    if min(cases.size, controls.size) < MIN_PER_CLASS:
        raise ValueError(f"a stratified bootstrap needs {MIN_PER_CLASS} cases and controls")
    first_block, last_block = start // RESAMPLE_BLOCK, (stop - 1) // RESAMPLE_BLOCK
    n_blocks = last_block - first_block + 1
    counts = np.zeros((n_blocks * RESAMPLE_BLOCK, is_case.size), dtype=np.int64)
    key = subgroup_stream_key(subgroup)
    for offset, block in enumerate(range(first_block, last_block + 1)):
        rng = np.random.default_rng([seed, key, block])
        rows = np.arange(offset * RESAMPLE_BLOCK, (offset + 1) * RESAMPLE_BLOCK)[:, None]
        for stratum in (cases, controls):
            drawn = stratum[rng.integers(0, stratum.size, size=(RESAMPLE_BLOCK, stratum.size))]
            np.add.at(counts, (rows, drawn), 1)
    skip = start - first_block * RESAMPLE_BLOCK
    return counts[skip : skip + stop - start]


def _divide(numerator, denominator):
    """numerator / denominator, NaN where the denominator is 0 (an empty class)."""
    safe = np.where(denominator > 0, denominator, 1)
    return np.where(denominator > 0, numerator / safe, np.nan)


def _block_statistics(scores, is_case, first, distinct, counts) -> dict:
    """RESAMPLE_FIELDS for a block of resamples (rows of ``counts``); patients sorted by score,
    ``first``: where each distinct score begins."""
    case_weights = np.add.reduceat(counts * is_case, first, axis=1)
    control_weights = np.add.reduceat(counts * ~is_case, first, axis=1)
    n_cases, n_controls = case_weights.sum(axis=1), control_weights.sum(axis=1)
    controls_below = np.cumsum(control_weights, axis=1) - control_weights
    cases_below = np.cumsum(case_weights, axis=1) - case_weights
    twice_under = (case_weights * (2 * controls_below + control_weights)).sum(axis=1)
    auc = _divide(twice_under, 2.0 * n_cases * n_controls)
    # pROC's thresholds of a resample lie below each score it holds; at the one below distinct
    # score k a patient is positive when its score is >= score k. Same float arithmetic as
    # youden_threshold, so that tied optima tie here too.
    with np.errstate(invalid="ignore", divide="ignore"):
        sensitivity = (n_cases[:, None] - cases_below) / n_cases[:, None]
        specificity = controls_below / n_controls[:, None]
    held = (case_weights + control_weights) > 0
    criterion = np.where(held, sensitivity + specificity, -np.inf)
    best = np.argmax(criterion, axis=1)
    rows = np.arange(counts.shape[0])
    youden_j = criterion[rows, best] - 1
    has_cutoff = (youden_j > 0) & (n_cases > 0) & (n_controls > 0)
    held_index = np.where(held, np.arange(distinct.size), -1)
    below = np.maximum.accumulate(held_index, axis=1)[rows, np.maximum(best - 1, 0)]
    below = np.where(best > 0, below, -1)
    lower = np.where(below >= 0, distinct[np.maximum(below, 0)], -np.inf)
    cutoff = np.where(has_cutoff, proc_threshold_between(lower, distinct[best]), np.nan)
    positive = scores[None, :] >= cutoff[:, None]
    out_of_bag = counts == 0
    case_scores, control_scores = np.sort(scores[is_case]), np.sort(scores[~is_case])
    original_positive_cases = case_scores.size - np.searchsorted(case_scores, cutoff, "left")
    original_negative_controls = np.searchsorted(control_scores, cutoff, "left")
    oob_cases, oob_controls = out_of_bag & is_case, out_of_bag & ~is_case
    statistics = {
        "auc": auc,
        "cutoff": cutoff,
        "youden_j": youden_j,
        "sensitivity": sensitivity[rows, best],
        "specificity": specificity[rows, best],
        "original_sensitivity": original_positive_cases / case_scores.size,
        "original_specificity": original_negative_controls / control_scores.size,
        "oob_sensitivity": _divide((oob_cases & positive).sum(axis=1), oob_cases.sum(axis=1)),
        "oob_specificity": _divide(
            (oob_controls & ~positive).sum(axis=1), oob_controls.sum(axis=1)
        ),
    }
    for name in RESAMPLE_FIELDS[2:]:
        statistics[name] = np.where(has_cutoff, statistics[name], np.nan)
    return statistics


def resample_statistics(scores, is_case, counts) -> pd.DataFrame:
    """Per resample (row of ``counts``, multiplicities of the patients): the AUC, the Youden
    cut-off chosen in the resample (oriented scale; NaN when no threshold has a positive Youden
    index), its Youden index, sensitivity and specificity in the resample, on the original
    patients and out of bag. Patients without a score are left out; a resample without a
    responder or non-responder with a score has no AUC."""
    scores = np.asarray(scores, dtype=float)
    is_case = np.asarray(is_case, dtype=bool)
    present = ~np.isnan(scores)
    order = np.argsort(scores[present], kind="stable")
    scores, is_case = scores[present][order], is_case[present][order]
    counts = np.asarray(counts)[:, present][:, order]
    distinct, first = np.unique(scores, return_index=True)
    step = max(1, BLOCK_ELEMENTS // max(1, scores.size))
    blocks = [
        _block_statistics(scores, is_case, first, distinct, counts[start : start + step])
        for start in range(0, counts.shape[0], step)
    ]
    return pd.DataFrame(
        {name: np.concatenate([block[name] for block in blocks]) for name in RESAMPLE_FIELDS}
    )


def _bootstrap_subgroups(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each subgroup's bootstrap patients, for the subgroups with enough of each class."""
    chosen = {}
    for subgroup, patients in tables.items():
        patients = bootstrap_patients(patients)
        n_cases = int((patients["responder"] == 1).sum())
        if min(n_cases, len(patients) - n_cases) >= MIN_PER_CLASS:
            chosen[subgroup] = patients
    return chosen


def batch_range(resamples: int, batches: int, batch: int) -> tuple[int, int]:
    """Resamples ``start`` to ``stop - 1`` of batch ``batch`` (0-based) of ``batches``."""
    return resamples * batch // batches, resamples * (batch + 1) // batches


def resampled_batch(
    tables: dict[str, pd.DataFrame],
    *,
    markers: list[dict],
    metric: str,
    seed: int,
    start: int,
    stop: int,
) -> pd.DataFrame:
    """RESAMPLE_FIELDS of resamples ``start`` to ``stop - 1``, per subgroup (``tables``: the
    stratify patients by subgroup key) and marker, keyed by subgroup, marker and resample."""
    frames = []
    for subgroup, patients in _bootstrap_subgroups(tables).items():
        is_case = (patients["responder"] == 1).to_numpy(bool)
        counts = resample_counts(is_case, seed=seed, subgroup=subgroup, start=start, stop=stop)
        for marker in markers:
            scores = oriented_scores(patients, marker, metric).to_numpy(float)
            if not_estimable_reason(is_case, scores):
                continue
            frame = resample_statistics(scores, is_case, counts)
            frame.insert(0, "resample", np.arange(start, stop))
            frame.insert(0, "marker", marker["key"])
            frame.insert(0, "subgroup", subgroup)
            frames.append(frame)
    columns = ["subgroup", "marker", "resample", *RESAMPLE_FIELDS]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def index_sets(tables: dict[str, pd.DataFrame], *, seed: int, resamples: int) -> pd.DataFrame:
    """Every resample of every bootstrapped subgroup: its multiplicities, one base-36 digit per
    patient in the order of ``bootstrap_patients`` (byte order of patient_id)."""
    frames = []
    for subgroup, patients in _bootstrap_subgroups(tables).items():
        is_case = (patients["responder"] == 1).to_numpy(bool)
        counts = resample_counts(is_case, seed=seed, subgroup=subgroup, start=0, stop=resamples)
        if counts.max() >= COUNT_DIGITS.size:
            raise ValueError("a patient drawn 36 times or more cannot be written as one digit")
        digits = COUNT_DIGITS[counts].view(f"S{counts.shape[1]}")[:, 0].astype(str)
        frames.append(
            pd.DataFrame({"subgroup": subgroup, "resample": np.arange(resamples), "counts": digits})
        )
    if not frames:
        return pd.DataFrame(columns=["subgroup", "resample", "counts"])
    return pd.concat(frames, ignore_index=True)


def not_estimable_reason(is_case: np.ndarray, scores: np.ndarray) -> str:
    """Why a marker of a subgroup has no optimism figures, or ''."""
    n_cases, n_controls = int(is_case.sum()), int((~is_case).sum())
    if min(n_cases, n_controls) < MIN_PER_CLASS:
        return (
            f"{n_cases} responders and {n_controls} non-responders: a stratified bootstrap "
            f"needs at least {MIN_PER_CLASS} of each"
        )
    if np.isinf(scores).any():
        return "infinite score(s): pROC refuses to build a ROC curve"
    with_score = ~np.isnan(scores)
    if not (with_score & is_case).any() or not (with_score & ~is_case).any():
        return "no responder or no non-responder has a score: no ROC curve"
    return ""


def _change_scale(favourable: str, low: float, high: float) -> tuple[float, float]:
    """An interval of oriented cut-offs on the scale of the change (a fall marker's negated)."""
    return (low, high) if favourable == "rise" else (-high, -low)


def _percentiles(values: np.ndarray, conf_level: float) -> tuple[float, float]:
    """The bootstrap percentile interval (R's quantile type 7); NaN without values."""
    if not values.size:
        return np.nan, np.nan
    alpha = 1 - conf_level
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _mean(values) -> float:
    """The mean over the resamples that have a value; NaN when none has."""
    return float(np.mean(values)) if len(values) else np.nan


def _summary_row(patients, marker, metric, resampled: pd.DataFrame, conf_level) -> dict:
    """One marker's apparent, optimism-corrected and bootstrap figures in one subgroup."""
    scores = oriented_scores(patients, marker, metric).to_numpy(float)
    is_case = (patients["responder"] == 1).to_numpy(bool)
    auc = roc_auc(scores, is_case)
    youden = youden_threshold(scores, is_case)
    sign = 1.0 if marker["favourable"] == "rise" else -1.0
    with_cutoff = resampled[resampled["cutoff"].notna()]
    auc_values = resampled["auc"].dropna().to_numpy()
    auc_optimism = _mean(auc_values - auc.estimate)
    auc_low, auc_high = _percentiles(auc_values, conf_level)
    cutoffs = with_cutoff["cutoff"].to_numpy()
    cutoff_low, cutoff_high = _change_scale(
        marker["favourable"], *_percentiles(cutoffs, conf_level)
    )
    row = {
        "auc_apparent": auc.estimate,
        "auc_optimism": auc_optimism,
        "auc_corrected": auc.estimate - auc_optimism,
        "auc_ci_low": auc_low,
        "auc_ci_high": auc_high,
        "n_resamples_auc": auc_values.size,
        "cutoff_apparent": sign * youden.estimate if youden.estimable else np.nan,
        "cutoff_median": sign * float(np.median(cutoffs)) if cutoffs.size else np.nan,
        "cutoff_ci_low": cutoff_low,
        "cutoff_ci_high": cutoff_high,
        "n_resamples_cutoff": cutoffs.size,
    }
    original_j = with_cutoff["original_sensitivity"] + with_cutoff["original_specificity"] - 1
    in_resample_and_original = {
        "youden_j": (youden.extra["youden_j"], with_cutoff["youden_j"], original_j),
        "sensitivity": (
            youden.extra["sensitivity"],
            with_cutoff["sensitivity"],
            with_cutoff["original_sensitivity"],
        ),
        "specificity": (
            youden.extra["specificity"],
            with_cutoff["specificity"],
            with_cutoff["original_specificity"],
        ),
    }
    for name, (apparent, in_resample, on_original) in in_resample_and_original.items():
        optimism = _mean(in_resample - on_original)
        apparent = apparent if youden.estimable else np.nan
        row.update(
            {
                f"{name}_apparent": apparent,
                f"{name}_optimism": optimism,
                f"{name}_corrected": apparent - optimism,
            }
        )
    for name in ("oob_sensitivity", "oob_specificity"):
        values = with_cutoff[name].dropna()
        row[name] = _mean(values)
        row[f"n_resamples_{name}"] = len(values)
    reason = (
        ""
        if youden.estimable
        else (
            "no threshold has a positive Youden index in the original data: no apparent cut-off, "
            "so its apparent and corrected accuracy are not given"
        )
    )
    return {
        "n_cases": auc.extra["n_cases"],
        "n_controls": auc.extra["n_controls"],
        **row,
        "reason": reason,
    }


def check_resamples(resampled: pd.DataFrame, resamples: int) -> None:
    """Every subgroup and marker gathered holds resamples 0 to ``resamples - 1``, once each."""
    for (subgroup, marker), rows in resampled.groupby(["subgroup", "marker"]):
        if sorted(rows["resample"].tolist()) != list(range(resamples)):
            raise ValueError(
                f"optimism batches of {subgroup}/{marker} do not hold resamples 0-{resamples - 1} "
                "once each (batches from different settings?)"
            )


def optimism_table(
    resampled: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    *,
    markers: list[dict],
    metric: str,
    conf_level: float,
    resamples: int,
    seed: int,
) -> pd.DataFrame:
    """One row per subgroup (``tables``: stratify patients by subgroup key) and marker: the
    apparent, optimism and optimism-corrected AUC, Youden index, sensitivity and specificity,
    the AUC's bootstrap percentile interval, the cut-off's bootstrap median and percentile
    interval (scale of the change), the out-of-bag sensitivity and specificity. ``resampled``:
    the batches' per-resample rows, looked up by subgroup and marker and taken in resample
    order (so the figures do not depend on how the resamples were batched)."""
    check_resamples(resampled, resamples)
    resampled = resampled.sort_values(["subgroup", "marker", "resample"], kind="stable")
    by_key = {key: rows for key, rows in resampled.groupby(["subgroup", "marker"], sort=False)}
    rows = []
    for subgroup, patients in tables.items():
        patients = bootstrap_patients(patients)
        for marker in markers:
            identity = {
                "subgroup": subgroup,
                "marker": marker["key"],
                "change_metric": metric,
                "favourable": marker["favourable"],
                "resamples": resamples,
                "seed": seed,
                "conf_level": conf_level,
            }
            is_case = (patients["responder"] == 1).to_numpy(bool)
            scores = oriented_scores(patients, marker, metric).to_numpy(float)
            reason = not_estimable_reason(is_case, scores)
            if reason:
                rows.append({**identity, "estimable": False, "reason": reason})
                continue
            key = (subgroup, marker["key"])
            if key not in by_key:
                raise ValueError(f"the optimism batches hold no resamples of {subgroup}/{key[1]}")
            summary = _summary_row(patients, marker, metric, by_key[key], conf_level)
            rows.append({**identity, **summary, "method": METHOD, "estimable": True})
    return pd.DataFrame(rows).reindex(columns=OPTIMISM_COLUMNS)
