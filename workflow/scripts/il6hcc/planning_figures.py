"""The planning figure: power against total sample size per test, with Monte Carlo bands and
the target-power lines."""

from __future__ import annotations

import pandas as pd

from il6hcc.figures import COLUMN_WIDTH_IN, MARKER_COLOURS, despine, label_simulated, plt
from il6hcc.groups import PLANNING_TESTS

# What the report checks before placing the figure (il6hcc.identity).


def power_plot(power: pd.DataFrame, targets: list[float], labels: dict, *, simulated: bool):
    """One panel per test, one line per compared marker: the estimated power at each size
    evaluated with its Monte Carlo interval as a band, and a dotted line at each target."""
    tests = [test for test in PLANNING_TESTS if test in set(power["test"])]
    figure, _ = plt.subplots(
        len(tests),
        1,
        figsize=(COLUMN_WIDTH_IN * 1.6, 1.7 * len(tests)),
        sharex=True,
        layout="constrained",
    )
    for panel, test in zip(figure.axes, tests, strict=True):
        rows = power[power["test"] == test]
        for index, (marker, line) in enumerate(rows.groupby("marker", sort=True)):
            line = line.sort_values("n_patients")
            colour = MARKER_COLOURS[index % len(MARKER_COLOURS)]
            panel.fill_between(
                line["n_patients"], line["ci_low"], line["ci_high"], color=colour, alpha=0.25
            )
            panel.plot(
                line["n_patients"], line["power"], marker="o", color=colour,
                label=labels.get(marker, marker),
            )  # fmt: skip
        for target in targets:
            panel.axhline(target, color="grey", linestyle=":", linewidth=0.8)
        panel.set_ylim(0, 1.02)
        panel.set_ylabel("power")
        panel.set_title(
            f"claim {PLANNING_TESTS[test][0]}: {PLANNING_TESTS[test][1]}", fontsize=7, loc="left"
        )
        if rows["marker"].nunique() > 1:
            panel.legend(fontsize=6, frameon=False, loc="lower right")
    despine(figure.axes)
    figure.axes[-1].set_xlabel("total sample size (patients)")
    label_simulated(figure, simulated)
    return figure
