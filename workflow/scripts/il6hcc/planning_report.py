"""The report's "Planning a confirmatory study": one sentence per claim's test, read from the
sample-size table by its keys (test, marker, target power), and the design it assumed."""

from __future__ import annotations

import math

import pandas as pd

from il6hcc.groups import PLANNING_FIGURE_IDENTITY, PLANNING_TESTS
from il6hcc.identity import check_figure
from il6hcc.report import records, svg_data_uri

# How each test's claim is named in a sentence (claims 1, 3 and 5 are STUDY.md's).
CLAIM_WORDS = {
    "1": "Claim 1",
    "3": "Claim 3",
    "5": "Claim 5",
    "difference": "First- versus later-line difference",
    "auc": "Prediction by the AUC",
    "delong": "Prediction, AUCs compared",
}

MODEL_WORDS = {
    "resample": "patients resampled with replacement from the analysed cohort within line of "
    "therapy and response",
    "parametric": "marker values drawn from the seeded simulator with the changes assumed in "
    "the configuration (planning.parametric)",
}


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _reaching(row: dict, largest_power: float) -> str:
    """How a target is reached, in the numbers of the row only."""
    target = _percent(row["target_power"])
    if row["n_required"] is None or math.isnan(row["n_required"]):
        return (
            f"{target} power is not reached at the largest size evaluated "
            f"({row['largest_size']:g} patients, power {largest_power:.2f})"
        )
    if row["note"]:
        return f"{target} power is reached at the smallest size evaluated ({row['n_required']:g})"
    interval = (
        f"{math.ceil(row['n_low'])}-{math.ceil(row['n_high'])}"
        if row["n_high"] is not None and not math.isnan(row["n_high"])
        else f"from {math.ceil(row['n_low'])}"
    )
    return (
        f"{target} power needs about {math.ceil(row['n_required'])} patients in total "
        f"(Monte Carlo interval {interval})"
    )


def planning_sentences(power: pd.DataFrame, sample_size: pd.DataFrame, labels: dict) -> list:
    """One entry per (test, marker) in :data:`PLANNING_TESTS` order: its claim, a sentence, and the
    sample-size rows it was read from (for full-precision attributes)."""
    entries = []
    largest = power.sort_values("n_patients").groupby(["test", "marker"]).tail(1)
    largest = largest.set_index(["test", "marker"])
    for test in PLANNING_TESTS:
        rows = sample_size[sample_size["test"] == test]
        for marker in sorted(rows["marker"].unique()):
            at_largest = largest.loc[(test, marker)]
            targets = records(
                rows[rows["marker"] == marker]
                .sort_values("target_power")
                .assign(largest_size=at_largest["n_patients"])
            )
            claim, description = PLANNING_TESTS[test]
            subject = labels.get(marker, marker)
            parts = "; ".join(_reaching(t, at_largest["power"]) for t in targets)
            entries.append(
                {
                    "test": test,
                    "marker": marker,
                    "claim": str(claim),
                    "sentence": f"{CLAIM_WORDS[claim]} ({description}; {subject}): {parts}.",
                    "targets": targets,
                }
            )
    return entries


def planning_context(power: pd.DataFrame, sample_size: pd.DataFrame, figure_path, labels):
    """What the template shows: the model and design (from the power table's own columns), the
    sentences, and the figure (checked to be the planning figure by its identity)."""
    check_figure(figure_path, PLANNING_FIGURE_IDENTITY)
    (model,) = power["model"].unique()
    first = power.iloc[0]
    return {
        "enabled": True,
        "model": model,
        "model_words": MODEL_WORDS[model],
        "replicates": int(power["replicates"].max()),
        "sizes": sorted(int(n) for n in power["n_patients"].unique()),
        "first_line_share": first["first_line_share"],
        "response_rate_first_line": first["response_rate_first_line"],
        "response_rate_later_line": first["response_rate_later_line"],
        "sentences": planning_sentences(power, sample_size, labels),
        "figure_uri": svg_data_uri(figure_path),
    }
