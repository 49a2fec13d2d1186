"""The report's Robustness section and claims-table column, from results/robustness/summary.tsv.

Rows are looked up by claim key (and choice and value), never by position; the choices and
their alternatives are described in words for the Methods.
"""

from __future__ import annotations

import base64

import pandas as pd

from il6hcc.change import describe_criterion
from il6hcc.claims import SCALE_LABELS
from il6hcc.clean import BELOW_LLOQ_RULES
from il6hcc.identity import check_figure
from il6hcc.report import ADJUST_LABELS, records
from il6hcc.report_context import describe_filters
from il6hcc.specifications import (
    ALL_SPECIFICATIONS,
    CHOICE_LABELS,
    CHOICES,
    NOT_EVALUABLE_RULES,
    choice_values,
    full_grid,
    selected_specifications,
)


def _criteria_words(overrides: dict, labels: dict[str, str]) -> str:
    if not overrides:
        return "as configured"
    return "; ".join(describe_criterion(labels[key], overrides[key]) for key in sorted(overrides))


def value_words(choice: str, value, choices: dict, labels: dict[str, str]) -> str:
    """One alternative of a choice in words (a named alternative: its name and what it is)."""
    if choice == "below_lloq":
        return BELOW_LLOQ_RULES[value]
    if choice == "not_evaluable":
        return NOT_EVALUABLE_RULES[value]
    if choice == "later_line":
        return f"{value}: {describe_filters(choices['later_line'][value])}"
    if choice == "criteria":
        return f"{value}: {_criteria_words(choices['criteria'][value], labels)}"
    if choice == "signed_rank_scale":
        return SCALE_LABELS[value]
    if choice == "continuity_correction":
        return "on" if value in (True, "True") else "off"
    return ADJUST_LABELS[value]


def choices_context(robustness: dict, markers: list[dict]) -> list[dict]:
    """Every choice with its alternatives in words, in grid order (for the Methods list)."""
    labels = {m["key"]: m["label"] for m in markers}
    choices = robustness["choices"]
    return [
        {
            "name": choice,
            "label": CHOICE_LABELS[choice],
            "alternatives": [
                value_words(choice, value, choices, labels)
                for value in choice_values(choices, choice)
            ],
        }
        for choice in CHOICES
    ]


def curves_by_claim(paths: list[str]) -> dict[str, str]:
    """Each specification curve's SVG text by the claim in its own identity (checked to be a
    specification curve): the report places a figure by what it says it is, not by its name."""
    curves = {}
    for path in paths:
        content, identity = check_figure(path, {"figure": "specification_curve"})
        curves[identity["claim"]] = base64.b64encode(content).decode("ascii")
    return curves


def robustness_context(
    summary: pd.DataFrame,
    influence: pd.DataFrame,
    fragility: pd.DataFrame,
    config: dict,
    curves: dict[str, str],
) -> dict:
    """Per claim: the share of specifications in which the main verdict holds, the choice
    that matters most (the largest spread of that share over its values; none when no choice
    moves it) with the share at each of its values, the leave-one-out influence
    (``influence``: results/robustness/influence.tsv) and the fragility index (``fragility``:
    results/robustness/fragility.tsv), each looked up by claim."""
    left_out = {str(row["claim"]): row for row in records(influence)}
    fragile = fragility_by_claim(fragility)
    robustness = config["robustness"]
    labels = {m["key"]: m["label"] for m in config["markers"]}
    choices = robustness["choices"]
    claims = []
    for claim, rows in summary.groupby("claim", sort=False):
        (overall,) = records(rows[rows["choice"] == ALL_SPECIFICATIONS])
        by_choice = rows[rows["choice"] != ALL_SPECIFICATIONS]
        spread = by_choice.drop_duplicates("choice").set_index("choice")["share_range"]
        most = str(spread.idxmax()) if len(spread) and spread.max() > 0 else None
        values = []
        if most is not None:
            values = [
                {**row, "words": value_words(most, row["value"], choices, labels)}
                for row in records(by_choice[by_choice["choice"] == most])
            ]
        claims.append(
            {
                **overall,
                "claim": str(claim),
                "most_choice": most,
                "most_choice_label": CHOICE_LABELS[most] if most else None,
                "most_values": values,
                "leave_one_out": left_out.get(str(claim)),
                "fragility": fragile.get(str(claim)),
                "curve": curves.get(str(claim)),
            }
        )
    selected = selected_specifications(
        choices, max_specifications=robustness["max_specifications"], seed=robustness["seed"]
    )
    return {
        "claims": claims,
        "n_grid": len(full_grid(choices)),
        "n_specifications": len(selected),
        "seed": robustness["seed"],
        "max_flips": robustness["fragility"]["max_flips"],
        "choices": choices_context(robustness, config["markers"]),
    }


def fragility_by_claim(fragility: pd.DataFrame | None) -> dict[str, dict]:
    """fragility.tsv's rows by claim key ({} without the table); the index a whole number
    (read back as a float beside the missing ones)."""
    if fragility is None:
        return {}
    return {
        str(row["claim"]): {
            **row,
            "fragility_index": None
            if row["fragility_index"] is None
            else int(row["fragility_index"]),
        }
        for row in records(fragility)
    }


def with_robustness(
    claims: list[dict], summary: pd.DataFrame | None, fragility: pd.DataFrame | None
) -> list[dict]:
    """The claims rows with ``holds_share`` (the share of specifications in which the row's
    verdict holds) and ``fragility`` (its fragility.tsv row), looked up by claim key (None for
    a claim the robustness stage does not rerun)."""
    shares = {}
    if summary is not None:
        overall = summary[summary["choice"] == ALL_SPECIFICATIONS]
        shares = overall.set_index(overall["claim"].astype(str))["share_holds"].to_dict()
    fragile = fragility_by_claim(fragility)
    return [
        {
            **row,
            "holds_share": shares.get(str(row["claim"])),
            "fragility": fragile.get(str(row["claim"])),
        }
        for row in claims
    ]
