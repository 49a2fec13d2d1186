"""Kaplan-Meier figures of the prognosis analysis: one endpoint, both IL-6 groups, from the
landmark, with 95% CI bands, censoring ticks and a numbers-at-risk table under the plot.

Drawn only from the prognosis result tables (km and at_risk), so the figure shows exactly
the numbers in the tables. Style, palette and deterministic SVG/PDF output as
:mod:`il6hcc.figures`; simulated data are labelled on the figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

# il6hcc.figures selects the headless backend and the deterministic SVG/PDF settings.
from il6hcc.figures import COLUMN_WIDTH_IN, PALETTE, despine, label_simulated
from il6hcc.groups import ENDPOINT_LABELS

GROUP_STYLES = (
    {"color": PALETTE[0], "linestyle": "-"},
    {"color": PALETTE[1], "linestyle": "--"},
)


def _step_curve(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The KM step function starting at time 0 with S = 1 (as R's survfit0 draws it)."""
    return {
        "time": np.concatenate(([0.0], rows["time"].to_numpy(float))),
        "survival": np.concatenate(([1.0], rows["survival"].to_numpy(float))),
        "ci_low": np.concatenate(([1.0], rows["ci_low"].to_numpy(float))),
        "ci_high": np.concatenate(([1.0], rows["ci_high"].to_numpy(float))),
    }


def km_plot(
    km: pd.DataFrame,
    at_risk: pd.DataFrame,
    *,
    endpoint: str,
    labels: tuple[str, str],
    subgroup: str,
    legend_title: str,
    landmark_months: float,
    conf_level: float,
    simulated: bool,
):
    """KM curves of one endpoint per group (rows of ``km`` for that endpoint), CI bands,
    censoring ticks, and the numbers at risk (rows of ``at_risk``) in a table underneath."""
    km = km[km["endpoint"] == endpoint]
    at_risk = at_risk[at_risk["endpoint"] == endpoint]
    figure, (axis, table_axis) = plt.subplots(
        2,
        1,
        figsize=(COLUMN_WIDTH_IN, 3.9),
        sharex=True,
        gridspec_kw={"height_ratios": [4, 1]},
        layout="constrained",
    )
    drawn = 0
    reasons = []
    for label, style in zip(labels, GROUP_STYLES, strict=True):
        rows = km[(km["group"] == label) & km["estimable"].astype(bool)]
        if rows.empty:
            reasons.extend(km.loc[km["group"] == label, "reason"].dropna().tolist())
            continue
        curve = _step_curve(rows)
        n, events = int(rows["n_risk"].iloc[0]), int(rows["n_event"].sum())
        axis.step(
            curve["time"],
            curve["survival"],
            where="post",
            linewidth=1.2,
            label=f"{label} (n={n}, events={events})",
            **style,
        )
        axis.fill_between(
            curve["time"],
            curve["ci_low"],
            curve["ci_high"],
            step="post",
            color=style["color"],
            alpha=0.18,
            linewidth=0,
        )
        censored = rows[rows["n_censor"] > 0]
        axis.plot(
            censored["time"],
            censored["survival"],
            linestyle="none",
            marker="|",
            markersize=5,
            color=style["color"],
        )
        drawn += 1
    times = sorted(at_risk["time"].dropna().unique())
    last = max([*times, *km["time"].dropna().tolist(), 1.0])
    axis.set_xlim(0, last * 1.03)
    axis.set_ylim(0, 1.02)
    axis.set_ylabel(f"{endpoint.upper()} probability")
    axis.set_title(f"{ENDPOINT_LABELS[endpoint]}, subgroup {subgroup}", loc="left")
    if drawn:
        # Lower left: curves start at 1 and fall to the right, so that corner stays empty.
        axis.legend(
            loc="lower left",
            frameon=True,
            framealpha=0.85,
            edgecolor="none",
            title=f"{legend_title} ({conf_level:.0%} CI bands)",
            title_fontsize=6,
            fontsize=6,
        )
    else:
        why = "; ".join(sorted(set(reasons))) or "no data"
        axis.text(
            0.5,
            0.5,
            f"not estimable:\n{why}",
            ha="center",
            va="center",
            wrap=True,
            fontsize=7,
            transform=axis.transAxes,
        )
    _risk_table(table_axis, at_risk, labels, times)
    table_axis.set_xlabel(f"months from the week-3 landmark ({landmark_months:g} months)")
    despine(figure.axes)
    despine([table_axis], left=True)
    label_simulated(figure, simulated)
    return figure


def _risk_table(axis, at_risk: pd.DataFrame, labels, times) -> None:
    """Numbers at risk, one row per group, in the group's colour, under the x ticks."""
    axis.set_ylim(-0.5, len(labels) - 0.5)
    axis.set_yticks(range(len(labels)), list(reversed(labels)))
    # The padding keeps the group names clear of the numbers at time 0.
    axis.tick_params(axis="y", length=0, labelsize=6, pad=12)
    axis.set_title("number at risk", fontsize=6, loc="left")
    for position, (label, style) in enumerate(zip(labels, GROUP_STYLES, strict=True)):
        rows = at_risk[at_risk["group"] == label]
        y = len(labels) - 1 - position
        for row in rows.itertuples():
            text = "NA" if pd.isna(row.n_risk) else f"{int(row.n_risk)}"
            axis.text(row.time, y, text, ha="center", va="center", fontsize=6, color=style["color"])
    axis.set_xticks(times)
