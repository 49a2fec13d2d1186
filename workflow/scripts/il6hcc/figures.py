"""Manuscript figures: paired pre/post plots per marker and the ROC curves of all markers.

Seaborn on a headless matplotlib backend, its colour-blind-safe palette, units on every axis,
sized for a journal column (3.5 in wide). SVG and PDF are written without dates and with a fixed
hash salt, so two runs on the same data give identical files. Simulated data are labelled on
the figure itself.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from il6hcc.identity import figure_metadata  # noqa: E402

COLUMN_WIDTH_IN = 3.5
# Seaborn's colour-blind-safe palette (Okabe-Ito-like hues that stay distinct under the common
# colour-vision deficiencies).
PALETTE = sns.color_palette("colorblind")
# Blue and orange stay distinct under every common colour-vision deficiency (green and
# vermillion do not under deuteranopia); grey for patients without a response.
GROUP_COLOURS = {
    "responder": PALETTE[0],
    "non-responder": PALETTE[1],
    "not evaluable": PALETTE[7],
}
# Marker curves: blue, orange, bluish green, reddish purple, sky blue, vermillion, ... (no two
# orange-red hues next to each other), each with its own line style as a second cue.
MARKER_COLOURS = [PALETTE[i] for i in (0, 1, 2, 4, 9, 3, 5, 8)]
MARKER_STYLES = ["-", "--", "-.", ":"]
SIMULATED_LABEL = "SIMULATED DATA"

plt.rcParams.update(
    {
        "svg.hashsalt": "il6hcc",
        "svg.fonttype": "none",
        "font.size": 8,
        "axes.titlesize": 9,
        "legend.fontsize": 7,
        "pdf.fonttype": 42,
    }
)


def despine(axes, *, left: bool = False) -> None:
    """Hide the top and right spines of each axes (and the left one with ``left``)."""
    for axis in axes:
        sns.despine(ax=axis, left=left)


def response_group(responder: pd.Series) -> pd.Series:
    labels = pd.Series("not evaluable", index=responder.index, dtype=object)
    labels[responder == 1] = "responder"
    labels[responder == 0] = "non-responder"
    return labels


def label_simulated(figure, simulated: bool) -> None:
    if simulated:
        # A suptitle, not free text: constrained layout keeps room for it, so it never covers
        # a tick label or an axis label.
        figure.suptitle(
            SIMULATED_LABEL, x=0.99, ha="right", fontsize=7, color="0.35", weight="bold"
        )


def censored_counts(patients: pd.DataFrame, key: str, side: str) -> dict[str, int]:
    """How many pre and post values of a marker were censored on ``side`` ("below", "above")."""
    counts = {}
    for time in ("pre", "post"):
        column = f"{key}_{time}_censored"
        counts[time] = int((patients[column] == side).sum()) if column in patients else 0
    return counts


def paired_plot(
    patients: pd.DataFrame,
    marker: dict,
    *,
    subgroup: str,
    max_lines: int,
    simulated: bool,
):
    """Pre/post values of one marker, log axis, coloured by response, assay limits drawn.

    Up to ``max_lines`` patients one line per patient; above that, each response group's median
    with its interquartile range at pre and post (one line per patient would be unreadable).
    """
    key = marker["key"]
    data = pd.DataFrame(
        {
            "pre": patients[f"{key}_pre"],
            "post": patients[f"{key}_post"],
            "group": response_group(patients["responder"]),
        }
    ).dropna(subset=["pre", "post"])
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 3.3), layout="constrained")
    positions = np.array([0.0, 1.0])
    summary_form = len(data) > max_lines
    for group, colour in GROUP_COLOURS.items():
        members = data[data["group"] == group]
        if members.empty:
            continue
        label = f"{group} (n={len(members)})"
        if summary_form:
            q = members[["pre", "post"]].quantile([0.25, 0.5, 0.75]).to_numpy()
            axis.errorbar(
                positions,
                q[1],
                yerr=[q[1] - q[0], q[2] - q[1]],
                color=colour,
                marker="o",
                capsize=3,
                label=label,
            )
        else:
            segments = members[["pre", "post"]].to_numpy()
            for index, (pre, post) in enumerate(segments):
                axis.plot(
                    positions,
                    [pre, post],
                    color=colour,
                    alpha=0.7,
                    linewidth=0.8,
                    marker="o",
                    markersize=2.5,
                    label=label if index == 0 else None,
                )
    below = censored_counts(patients.loc[data.index], key, "below")
    for limit, name in ((marker.get("lloq"), "LLOQ"), (marker.get("uloq"), "ULOQ")):
        if limit is not None and not data.empty and limit <= data[["pre", "post"]].max().max():
            axis.axhline(limit, color="0.4", linestyle=":", linewidth=0.8)
            axis.annotate(
                f"{name} {limit:g}",
                (1.02, limit),
                xycoords=("axes fraction", "data"),
                fontsize=6,
                color="0.4",
                va="center",
            )
    if not data.empty and (data[["pre", "post"]] > 0).all().all():
        axis.set_yscale("log")
    if sum(below.values()):
        # Values below the limit are drawn where the analysis put them (the substituted value):
        # say so on the figure, since a point there is not a measurement.
        axis.text(
            0.0,
            -0.16,
            f"below LLOQ, drawn at the substituted value: {below['pre']} before, "
            f"{below['post']} at week 3",
            transform=axis.transAxes,
            fontsize=6,
            color="0.35",
        )
    axis.set_xticks(positions, ["before treatment", "week 3"])
    axis.set_xlim(-0.3, 1.3)
    axis.set_ylabel(f"{marker['label']} ({marker['unit']})")
    form = "median and IQR per group" if summary_form else "one line per patient"
    axis.set_title(f"{marker['label']}, subgroup {subgroup} ({form})")
    if data.empty:
        axis.text(0.5, 0.5, "no patient with both values", ha="center", transform=axis.transAxes)
    else:
        # Below the axes, so no patient's line is hidden behind it.
        figure.legend(loc="outside lower center", ncols=2, frameon=False, handlelength=1.5)
    despine(figure.axes)
    label_simulated(figure, simulated)
    return figure


def roc_plot(
    curves: pd.DataFrame, auc: pd.DataFrame, markers: list[dict], *, subgroup: str, simulated: bool
):
    """ROC curves of every marker's change on one plot, AUC and DeLong CI in the legend."""
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 3.3), layout="constrained")
    axis.plot([0, 1], [0, 1], color="0.7", linewidth=0.8, linestyle=":")
    drawn = 0
    for index, marker in enumerate(markers):
        curve = curves[curves["marker"] == marker["key"]]
        row = auc[auc["marker"] == marker["key"]]
        if curve.empty or row.empty or not bool(row["estimable"].iloc[0]):
            continue
        row = row.iloc[0]
        curve = curve.sort_values(["specificity", "sensitivity"], ascending=[False, True])
        axis.plot(
            1 - curve["specificity"],
            curve["sensitivity"],
            color=MARKER_COLOURS[index % len(MARKER_COLOURS)],
            linestyle=MARKER_STYLES[index % len(MARKER_STYLES)],
            linewidth=1.2,
            label=(
                f"{marker['label']}: AUC {row['auc']:.2f} "
                f"({row['ci_low']:.2f}-{row['ci_high']:.2f})"
            ),
        )
        drawn += 1
    axis.set_xlabel("1 - specificity (false-positive fraction)")
    axis.set_ylabel("sensitivity (true-positive fraction)")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1.01)
    axis.set_aspect("equal")
    axis.set_title(f"ROC of the change, subgroup {subgroup}")
    if drawn:
        axis.legend(loc="lower right", frameon=False, title="AUC (95% CI, DeLong)")
    else:
        axis.text(0.5, 0.5, "ROC not estimable", ha="center", transform=axis.transAxes)
    despine(figure.axes)
    label_simulated(figure, simulated)
    return figure


def save(figure, svg_path, pdf_path, identity: dict) -> None:
    """Write SVG and PDF without time stamps (reruns give identical bytes), each carrying its
    identity (figure kind, subgroup, marker or endpoint) in its metadata for the report's check.
    """
    title = "; ".join(f"{key} {value}" for key, value in sorted(identity.items()))
    metadata = figure_metadata(identity, title)
    figure.savefig(svg_path, format="svg", metadata=metadata["svg"])
    figure.savefig(pdf_path, format="pdf", metadata=metadata["pdf"])
    plt.close(figure)
