"""The specifications of the robustness multiverse: the analytic choices, their labels, the
grid of every combination, the seeded sample of it and its split into batches.

Apart from :mod:`il6hcc.multiverse`, which runs the claims check under a specification, so that
the report jobs can name and count specifications without importing the statistics (numpy and
pandas only).
"""

from __future__ import annotations

import itertools

import numpy as np

# The choices, in the order that numbers the grid (the last varies fastest, so that
# neighbouring specifications share the most cached work).
CHOICES = (
    "below_lloq",
    "not_evaluable",
    "later_line",
    "criteria",
    "signed_rank_scale",
    "continuity_correction",
    "multiple_testing",
)
CHOICE_LABELS = {
    "below_lloq": "substitution below the LLOQ",
    "not_evaluable": "not-evaluable patients",
    "later_line": "later-line subgroup",
    "criteria": "response criteria of the other markers (claim 5)",
    "signed_rank_scale": "paired test scale",
    "continuity_correction": "continuity correction",
    "multiple_testing": "multiplicity adjustment",
}
NOT_EVALUABLE_RULES = {
    "excluded": "excluded from response analyses",
    "non_responder": "counted as non-responders",
}
SPECIFICATION_RESULT_COLUMNS = [
    "claim",
    "subgroup",
    "statistic",
    "effect",
    "p_value",
    "p_adjusted",
    "verdict",
]
SUMMARY_COLUMNS = [
    "claim",
    "main_verdict",
    "choice",
    "value",
    "n_specifications",
    "n_holds",
    "share_holds",
    "share_range",
]
# The summary row of a claim over every specification (not one choice's value).
ALL_SPECIFICATIONS = "all"


def choice_values(choices: dict, name: str) -> list:
    """A choice's alternatives: the listed values in their order, or the names of a map of
    named alternatives (criteria sets, later-line filters) sorted, so that the numbering does
    not depend on the order in which a configuration's keys were written or read."""
    values = choices[name]
    return sorted(values) if isinstance(values, dict) else list(values)


def full_grid(choices: dict) -> list[dict]:
    """Every combination of the choices, numbered by position (see the module docstring)."""
    combinations = itertools.product(*(choice_values(choices, name) for name in CHOICES))
    return [dict(zip(CHOICES, values, strict=True)) for values in combinations]


def selected_specifications(choices: dict, *, max_specifications: int, seed: int) -> list[int]:
    """Numbers of the specifications run: all, or a seeded sample of ``max_specifications``."""
    size = len(full_grid(choices))
    if size <= max_specifications:
        return list(range(size))
    sample = np.random.default_rng(seed).choice(size, size=max_specifications, replace=False)
    return sorted(int(number) for number in sample)


def batch_specifications(numbers: list[int], *, batches: int, batch: int) -> list[int]:
    """The ``batch``-th of ``batches`` contiguous slices of ``numbers`` (possibly empty)."""
    if not 0 <= batch < batches:
        raise ValueError(f"batch {batch} is not one of 0..{batches - 1}")
    return [int(number) for number in np.array_split(np.asarray(numbers, int), batches)[batch]]
