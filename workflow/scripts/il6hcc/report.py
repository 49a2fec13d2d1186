"""The study report: one self-contained HTML file rendered from the result tables with jinja2.

The template only formats; every number comes from a result table. Autoescaping is on, so any
text from the cohort file (a patient id, a free-text covariate) is shown as text, never run.
Figures are embedded as data URIs, CSS is inline: the file opens offline and makes no request.
"""

from __future__ import annotations

import base64
import math
import numbers
from pathlib import Path

import jinja2
import pandas as pd

from il6hcc.change import METRIC_LABELS, describe_criterion
from il6hcc.clean import BELOW_LLOQ_RULES
from il6hcc.groups import GROUP_ORDER, LINE_GROUPS, RESPONSE_GROUPS, grouping

ADJUST_LABELS = {
    "holm": "Holm",
    "BH": "Benjamini-Hochberg",
    "bonferroni": "Bonferroni",
    "none": "no adjustment",
}
FAMILY_LABELS = {
    "marker": "the markers tested together within one subgroup, response group and test",
    "subgroup": "every p-value of one kind within a subgroup",
}
CI_LABELS = {"clopper_pearson": "exact (Clopper-Pearson)", "wilson": "Wilson score"}


VERDICT_CLASSES = {
    "reproduced": "reproduced",
    "reproduced before adjustment only": "partial",
    "consistent, not significant": "partial",
    "inconclusive": "not-checkable",
    "not reproduced": "not-reproduced",
    "not checkable": "not-checkable",
    "difference shown": "reproduced",
    "difference shown before adjustment only": "partial",
    "difference not shown": "not-checkable",
}


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_number(value, digits: int = 3) -> str:
    """A number for a table: ``digits`` significant digits; missing values print as an em dash.

    Integers print in full; 1,000 to 999,999 with a thousands separator (10,700, not 1.07e+04);
    below 1 with ``digits`` decimals (0.500, so a column reads evenly); very small or very
    large values in scientific notation.
    """
    if _is_missing(value):
        return "\u2014"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    value = float(value)
    if value == 0:
        return "0"
    # Decide the form on the rounded value, so 999.6 prints as 1,000 and not as 1e+03.
    rounded = float(f"{value:.{digits}g}")
    if abs(rounded) >= 1e6 or abs(value) < 1e-3:
        return f"{value:.{digits - 1}e}"
    if abs(rounded) >= 1000:
        return f"{rounded:,.0f}"
    if abs(rounded) >= 1:
        return f"{rounded:.{digits}g}"
    return f"{value:.{digits}f}"


def format_percent(value) -> str:
    """A percentage with one decimal (7.4), as Table 1 prints it."""
    if _is_missing(value):
        return "\u2014"
    return f"{float(value):.1f}"


def format_p(value) -> str:
    """p-values as journals print them: '<0.001' below 0.001, else three decimals."""
    if _is_missing(value):
        return "\u2014"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_interval(low, high, digits: int = 3) -> str:
    """A confidence interval as 'low to high' (a dash would read as a minus sign)."""
    if _is_missing(low) or _is_missing(high):
        return "\u2014"
    return f"{format_number(low, digits)} to {format_number(high, digits)}"


def verdict_class(verdict) -> str:
    """CSS class of a claims-check verdict (colour plus weight, never colour alone)."""
    return VERDICT_CLASSES.get(verdict, "not-checkable")


def format_quantile(row: dict, column: str) -> str:
    """A median or quartile, honest about the assay limit: '<1.5' when it falls on a value
    substituted below the LLOQ (it is not a measurement); a dagger on a number that rests on
    such a value without being below the limit (a change computed from one, a quartile
    interpolated between one and a measured value); the number otherwise (see the
    ``<column>_below_lloq`` flags)."""
    value = row.get(column)
    if not row.get(f"{column}_below_lloq"):
        return format_number(value)
    if column.startswith("change") or float(value) > float(row["lloq"]):
        # A change, or a quartile interpolated between a substituted value and a measured one:
        # a number, marked as resting on a value below the limit.
        return f"{format_number(value)}\u2020"
    return f"<{float(row['lloq']):g}"


def format_level(conf_level) -> str:
    """A confidence level as a percentage: 0.95 -> '95%', 0.975 -> '97.5%'."""
    return f"{round(100 * float(conf_level), 6):g}%"


def method_notes(rows: list[dict]) -> list[str]:
    """The distinct methods of a table's estimable rows, in order: printed once as numbered
    footnotes, each row pointing to its own."""
    notes: list[str] = []
    for row in rows:
        if row.get("estimable") and row["method"] not in notes:
            notes.append(row["method"])
    return notes


def svg_data_uri(path) -> str:
    """An SVG file as a data URI for an <img> (isolated from the page, no request)."""
    encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def records(table: pd.DataFrame) -> list[dict]:
    """Rows of a table as dicts with missing values as None (for the template)."""
    return [
        {k: (None if _is_missing(v) else v) for k, v in row.items()}
        for row in table.astype(object).to_dict(orient="records")
    ]


def participant_flow(flow: pd.DataFrame, patients: pd.DataFrame) -> dict:
    """The STARD participant flow: rows read, exclusions with reasons, analysed, then the split.

    ``flow`` is results/clean/flow.tsv (steps read / excluded / analysed per analysis);
    ``patients`` is results/clean/patients.tsv. The response analysis is the trunk of the
    diagram, split by line of therapy and, within each line, by response group; the per-marker
    analyses (patients with both values) are listed beside it.
    """

    def analysis_steps(name: str, rows: pd.DataFrame) -> dict:
        excluded = rows[rows["step"] == "excluded"]
        return {
            "name": name,
            "read": int(rows.loc[rows["step"] == "read", "n"].iloc[0]),
            "excluded": [{"reason": r.reason, "n": int(r.n)} for r in excluded.itertuples()],
            "n_excluded": int(excluded["n"].sum()),
            "analysed": int(rows.loc[rows["step"] == "analysed", "n"].iloc[0]),
        }

    steps = flow[flow["step"] != "group"]
    analyses = {name: rows for name, rows in steps.groupby("analysis", sort=False)}
    response = analysis_steps("response", analyses.pop("response"))
    evaluable = patients[patients["responder"].notna()]
    line = grouping(evaluable, LINE_GROUPS).fillna("line of therapy unknown")
    outcome = grouping(evaluable, RESPONSE_GROUPS)
    line_all = grouping(patients, LINE_GROUPS).fillna("line of therapy unknown")
    lines = []
    for label in [*GROUP_ORDER[LINE_GROUPS], "line of therapy unknown"]:
        members = line == label
        if not members.any():
            continue
        lines.append(
            {
                "label": label,
                "n": int(members.sum()),
                "n_read": int((line_all == label).sum()),
                "groups": [
                    {"label": group, "n": int((outcome[members] == group).sum())}
                    for group in GROUP_ORDER[RESPONSE_GROUPS]
                ],
            }
        )
    return {
        **response,
        "lines": lines,
        "markers": [analysis_steps(name, rows) for name, rows in analyses.items()],
    }


def _censored_counts(config: dict, censoring: pd.DataFrame) -> str:
    """'IL-6 3 pre and 1 post, AFP 0 pre and 2 post' from results/clean/censoring.tsv."""
    below = censoring[censoring["rule"].str.startswith("below")]
    counts = below.groupby(["marker", "timepoint"]).size()
    return ", ".join(
        f"{m['label']} {counts.get((m['key'], 'pre'), 0)} pre and "
        f"{counts.get((m['key'], 'post'), 0)} post"
        for m in config["markers"]
    )


def methods_text(config: dict, censoring: pd.DataFrame | None = None) -> list[str]:
    """The Methods paragraphs, generated from the configuration that was run.

    ``censoring`` is results/clean/censoring.tsv (one row per substituted value); when given,
    the number of values below the LLOQ per marker and time point is stated.
    """
    scale_words = {
        "difference": "paired differences post - pre (as R's wilcox.test(post, pre, paired = "
        "TRUE))",
        "log_ratio": "log2 ratios log2(post/pre), tested against 0 (a multiplicative change)",
    }
    stats = config["statistics"]
    adjust = stats["multiple_testing"]
    level = format_level(stats["conf_level"])
    (reference_label,) = [
        m["label"] for m in config["markers"] if m["key"] == config["reference_marker"]
    ]
    responders = "/".join(config["response"]["responder_codes"])
    not_evaluable = "/".join(config["response"]["not_evaluable_codes"]) or "none"
    approximation = (
        "the normal approximation with continuity correction"
        if stats["continuity_correction"]
        else "the normal approximation without continuity correction (R's correct = FALSE)"
    )
    correction = (
        "exact when there are fewer than 50 observations without ties (or zero differences), "
        f"otherwise {approximation}, as R's wilcox.test"
    )
    criteria = "; ".join(
        describe_criterion(m["label"], config["criteria"][m["key"]]) for m in config["markers"]
    )
    limits = ", ".join(
        f"{m['label']} {m['lloq']:g} {m['unit']}" for m in config["markers"] if m["lloq"]
    )
    censored = (
        ""
        if censoring is None
        else f" Values below the limit, per marker and time point (all patients): "
        f"{_censored_counts(config, censoring)}. A median or quartile resting on such a value "
        "is printed as below the limit, not as a number."
    )
    paragraphs = [
        f"Response was assessed by contrast-enhanced CT at 6 weeks; {responders} counted as "
        f"response and every other evaluable category as non-response; patients coded "
        f"{not_evaluable} were excluded from analyses needing the response, with the reason "
        "recorded.",
        f"Values below the lower limit of quantification ({limits}) were censored, not "
        f"missing, and analysed as {BELOW_LLOQ_RULES[config['censoring']['below_lloq']]}; "
        "values above the upper limit were analysed at the limit." + censored,
        f"Pre/post changes were tested with the Wilcoxon signed-rank test (zero differences "
        f"dropped) on the {scale_words[stats['signed_rank_scale']]}, {correction}; beside "
        "each test is the Hodges-Lehmann estimate of the paired difference on the same scale "
        f"(pseudo-median) with its {level} confidence interval, as R's "
        "wilcox.test(conf.int = TRUE) (exact from the Walsh averages where the test is exact, "
        "otherwise by inverting the normal approximation; with very few pairs the level "
        "actually reached is reported). Groups were compared with the Mann-Whitney U test "
        "under the same rule. The change used for prediction, and given as a separately "
        f"labelled descriptive median, was the {METRIC_LABELS[config['change_metric']]}.",
        f"p-values were adjusted by the {ADJUST_LABELS[adjust['method']]} method over "
        f"{FAMILY_LABELS[adjust['family']]}; raw and adjusted p-values are shown side by side; "
        f"significance level {stats['alpha']:g}.",
        "Each marker's change was oriented by its favourable direction (rise or fall) and its "
        f"ROC AUC reported with a {level} DeLong confidence interval; "
        "correlated AUCs were compared with DeLong's test (fast algorithm of Sun and Xu, "
        f"matching R's pROC), with a {level} confidence interval of the difference; the "
        "Youden-optimal threshold is data-driven and optimistic."
        + (
            f" A stratified bootstrap CI ({stats['bootstrap']['replicates']} replicates, random "
            f"seed {stats['seed']}) is also given."
            if stats["bootstrap"]["enabled"]
            else f" No bootstrap was run, so the random seed ({stats['seed']}) was not used."
        ),
        f"Pre-specified response criteria ({criteria}) were summarised by sensitivity, "
        f"specificity, PPV, NPV and accuracy with {CI_LABELS[stats['proportion_ci']]} "
        f"{level} intervals; sensitivities (responders) and specificities "
        "(non-responders) were compared with an exact McNemar test on discordant pairs.",
        "Baseline characteristics were compared with Fisher's exact test (categories) and "
        f"the Mann-Whitney U test (numbers; exact or {approximation}, as above).",
    ]
    alpha = f"{stats['alpha']:g}"
    paragraphs.append(
        "Each claim of the paper received a graded verdict. Reproduced: significant at "
        f"{alpha} after the {ADJUST_LABELS[adjust['method']]} adjustment, in the claimed "
        "direction (claim 1 states the direction observed; the effect is the Hodges-Lehmann "
        "estimate). Reproduced before adjustment only: significant on the raw p-value only. "
        "Claims of no change (2 and 4): a significant raw p-value means not reproduced "
        "(adjustment is not used to support an absence); otherwise consistent, not "
        "significant when the confidence interval of the change, at the configured level, "
        "excludes a change as large, in either direction, as the one in the comparison group "
        "(claim 1's for claim 2, claim 3's for claim 4), and inconclusive when it does not, "
        "when there is no interval, or when too few pairs let the interval reach only a lower "
        "level. Claim 5: the "
        f"{reference_label}'s "
        "sensitivity must exceed every other marker's; the largest McNemar p-value decides "
        "(every comparison must hold), and a higher sensitivity without significance is "
        "consistent, not significant. Claim 6: a hazard ratio below 1 with a significant "
        "log-rank test is reproduced, below 1 without significance consistent, not "
        "significant. Not reproduced: significant the other way, or the claimed effect absent; "
        "not checkable: no estimable result."
    )
    if stats["logistic"]["enabled"]:
        adjusted = ", ".join(stats["logistic"]["adjust_for"]) or "nothing"
        paragraphs.append(
            "Logistic regression of response on each marker's change, adjusted for "
            f"{adjusted}, gave odds ratios with Wald {level} CIs."
        )
    return paragraphs


def make_environment(template_dir) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        num=format_number,
        pct=format_percent,
        p=format_p,
        ci=format_interval,
        verdict_class=verdict_class,
        level=format_level,
        quantile=format_quantile,
        method_notes=method_notes,
    )
    return environment


def render_report(template_path, context: dict) -> str:
    template_path = Path(template_path)
    environment = make_environment(template_path.parent)
    return environment.get_template(template_path.name).render(**context)
