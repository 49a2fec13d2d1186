"""The study report: one self-contained HTML file rendered from the result tables with jinja2.

The template only formats; every number comes from a result table. Autoescaping is on, so any
text from the cohort file (a patient id, a free-text covariate) is shown as text, never run.
Figures are embedded as data URIs, CSS is inline: the file opens offline and makes no request.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path

import jinja2
import pandas as pd

from il6hcc.change import METRIC_LABELS, describe_criterion
from il6hcc.clean import BELOW_LLOQ_RULES

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


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_number(value, digits: int = 3) -> str:
    """Significant-digit formatting for tables; missing values print as an em dash."""
    if _is_missing(value):
        return "\u2014"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return str(value)
    value = float(value)
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}" if abs(value) >= 1 else f"{value:.{digits}f}".rstrip("0")


def format_p(value) -> str:
    """p-values as journals print them: '<0.001' below 0.001, else three decimals."""
    if _is_missing(value):
        return "\u2014"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_interval(low, high, digits: int = 3) -> str:
    if _is_missing(low) or _is_missing(high):
        return "\u2014"
    return f"{format_number(low, digits)} to {format_number(high, digits)}"


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


def methods_text(config: dict) -> list[str]:
    """The Methods paragraphs, generated from the configuration that was run."""
    stats = config["statistics"]
    adjust = stats["multiple_testing"]
    responders = "/".join(config["response"]["responder_codes"])
    not_evaluable = "/".join(config["response"]["not_evaluable_codes"]) or "none"
    correction = (
        "exact when there are fewer than 50 observations without ties (or zero differences), "
        "otherwise the normal approximation with continuity correction, as R's wilcox.test"
        if stats["continuity_correction"]
        else "the normal approximation without continuity correction"
    )
    criteria = "; ".join(
        describe_criterion(m["label"], config["criteria"][m["key"]]) for m in config["markers"]
    )
    limits = ", ".join(
        f"{m['label']} {m['lloq']:g} {m['unit']}" for m in config["markers"] if m["lloq"]
    )
    paragraphs = [
        f"Response was assessed by contrast-enhanced CT at 6 weeks; {responders} counted as "
        f"response and every other evaluable category as non-response; patients coded "
        f"{not_evaluable} were excluded from analyses needing the response, with the reason "
        "recorded.",
        f"Values below the lower limit of quantification ({limits}) were censored, not "
        f"missing, and analysed as {BELOW_LLOQ_RULES[config['censoring']['below_lloq']]}; "
        "values above the upper limit were analysed at the limit.",
        f"Pre/post changes were tested with the Wilcoxon signed-rank test (zero differences "
        f"dropped), {correction}; groups were compared with the Mann-Whitney U test under the "
        "same rule. The change used for prediction was the "
        f"{METRIC_LABELS[config['change_metric']]}.",
        f"p-values were adjusted by the {ADJUST_LABELS[adjust['method']]} method over "
        f"{FAMILY_LABELS[adjust['family']]}; raw and adjusted p-values are shown side by side; "
        f"significance level {stats['alpha']:g}.",
        "Each marker's change was oriented by its favourable direction (rise or fall) and its "
        f"ROC AUC reported with a {stats['conf_level']:.0%} DeLong confidence interval; "
        "correlated AUCs were compared with DeLong's test (fast algorithm of Sun and Xu, "
        "matching R's pROC); the Youden-optimal threshold is data-driven and optimistic."
        + (
            f" A stratified bootstrap CI ({stats['bootstrap']['replicates']} replicates, seed "
            f"{stats['seed']}) is also given."
            if stats["bootstrap"]["enabled"]
            else ""
        ),
        f"Pre-specified response criteria ({criteria}) were summarised by sensitivity, "
        f"specificity, PPV, NPV and accuracy with {CI_LABELS[stats['proportion_ci']]} "
        f"{stats['conf_level']:.0%} intervals; sensitivities (responders) and specificities "
        "(non-responders) were compared with an exact McNemar test on discordant pairs.",
        "Baseline characteristics were compared with Fisher's exact test (categories) and "
        "the Mann-Whitney U test (numbers).",
    ]
    if stats["logistic"]["enabled"]:
        adjusted = ", ".join(stats["logistic"]["adjust_for"]) or "nothing"
        paragraphs.append(
            "Logistic regression of response on each marker's change, adjusted for "
            f"{adjusted}, gave odds ratios with Wald {stats['conf_level']:.0%} CIs."
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
    environment.filters.update(num=format_number, p=format_p, ci=format_interval)
    return environment


def render_report(template_path, context: dict) -> str:
    template_path = Path(template_path)
    environment = make_environment(template_path.parent)
    return environment.get_template(template_path.name).render(**context)
