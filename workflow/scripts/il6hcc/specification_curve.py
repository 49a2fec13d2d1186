"""Specification curves: one claim's p-values over the multiverse, with the choices beneath.

As in Simonsohn, Simmons and Nelson (Nat Hum Behav 2020;4:1208-1214): the specifications are
sorted by their result (here the raw p-value of the claim's test, on a log scale, with the
significance level dashed), each marked by whether the main analysis's verdict holds in it, and
a panel beneath shows, for each value of each choice, which specifications use it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from il6hcc.figures import COLUMN_WIDTH_IN, GROUP_COLOURS, SIMULATED_LABEL, despine
from il6hcc.specifications import CHOICE_LABELS, CHOICES

# The smallest p-value drawn: a p-value of 0 (or below) is drawn here, on the axis's floor.
P_FLOOR = 1e-6


def specification_curve(
    specifications: pd.DataFrame,
    *,
    claim: str,
    main_verdict: str,
    alpha: float,
    simulated: bool,
):
    """The figure of ``claim``'s rows of specifications.tsv (by claim key)."""
    rows = specifications[specifications["claim"].astype(str) == claim]
    rows = rows.assign(
        sort_p=rows["p_value"].fillna(1.0), holds=rows["verdict"] == main_verdict
    ).sort_values(["sort_p", "holds", "specification"], kind="stable")
    holds = rows["holds"].to_numpy(bool)
    position = np.arange(len(rows))
    levels = [
        (choice, str(value)) for choice in CHOICES for value in pd.unique(rows[choice].astype(str))
    ]
    figure, (curve, panel) = plt.subplots(
        2,
        1,
        figsize=(COLUMN_WIDTH_IN * 2, 2.4 + 0.16 * len(levels)),
        sharex=True,
        gridspec_kw={"height_ratios": [2.2, 0.16 * len(levels) + 0.4]},
    )
    p_values = rows["p_value"].clip(lower=P_FLOOR).to_numpy(float)
    for kept, colour, label in (
        (holds, GROUP_COLOURS["responder"], f"verdict holds ({main_verdict})"),
        (~holds, GROUP_COLOURS["non-responder"], "verdict differs"),
    ):
        curve.scatter(position[kept], p_values[kept], s=6, color=colour, label=label)
    curve.axhline(alpha, linestyle="--", color="grey", linewidth=0.8)
    curve.set_yscale("log")
    curve.set_ylabel("raw p-value")
    curve.set_title(
        f"Claim {claim}: {holds.sum()} of {len(rows)} specifications hold"
        + (f" ({SIMULATED_LABEL})" if simulated else "")
    )
    curve.legend(loc="lower right", frameon=False)
    # The first row repeats where the verdict holds: equal p-values overlap in the curve.
    panel.scatter(position[holds], np.zeros(holds.sum()), s=2, marker="|",
                  color=GROUP_COLOURS["responder"])  # fmt: skip
    for row_number, (choice, value) in enumerate(levels, start=1):
        used = (rows[choice].astype(str) == value).to_numpy()
        panel.scatter(position[used], np.full(used.sum(), row_number), s=2, marker="|",
                      color="black")  # fmt: skip
    panel.set_yticks(range(len(levels) + 1))
    panel.set_yticklabels(
        ["main verdict holds"] + [f"{CHOICE_LABELS[c].split(' (')[0]}: {v}" for c, v in levels]
    )
    panel.invert_yaxis()
    panel.set_xlabel("specification, sorted by p-value")
    despine([curve, panel])
    figure.tight_layout()
    return figure
