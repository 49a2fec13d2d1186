"""Median and quartiles as R's quantile(type = 7), saying which rest on a censored value.

A value written "<1.5" is analysed as a substitute (1.5/2 with the LLOQ/2 rule), which is not a
measurement. A median or quartile computed from such a substitute is only known to lie below the
limit, so the tables carry, beside each number, whether it falls on (or is interpolated from) a
substituted value, and the report prints it as "<limit" instead of the number.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

QUARTILES = {"median": 0.5, "q1": 0.25, "q3": 0.75}
BELOW_LLOQ = "below"


def below_lloq_mask(patients: pd.DataFrame, column: str) -> pd.Series:
    """True where the value of ``column`` was written below the LLOQ and substituted in cleaning."""
    return (patients[f"{column}_censored"] == BELOW_LLOQ).fillna(False).astype(bool)


def quartiles(values, below_lloq, prefix: str = "") -> dict:
    """Median, q1 and q3 of ``values`` (R's type 7), each with a ``<stat>_below_lloq`` flag.

    Type 7 puts quantile p at position h = (n - 1) p of the sorted values and interpolates
    between the order statistics floor(h) and ceil(h). The flag is True when one of the order
    statistics used equals a value flagged in ``below_lloq`` (a substitute). Comparing values,
    not positions, makes the flag independent of how ties are ordered: with the LLOQ rule a
    substitute equals a measured value at the limit, and such a quantile is flagged.
    Numbers are NaN and flags False when there is no value. Series or arrays, of equal length.
    """
    values = np.asarray(values, dtype="float64")
    present = ~np.isnan(values)
    data = values[present]
    substitutes = data[np.asarray(below_lloq, dtype=bool)[present]]
    ordered = np.sort(data)
    numbers, flags = {}, {}
    for name, probability in QUARTILES.items():
        if ordered.size == 0:
            number, flagged = math.nan, False
        else:
            position = (ordered.size - 1) * probability
            used = ordered[[math.floor(position), math.ceil(position)]]
            number = float(np.quantile(ordered, probability))
            flagged = bool(np.isin(used, substitutes).any())
        numbers[f"{prefix}{name}"] = number
        flags[f"{prefix}{name}_below_lloq"] = flagged
    return {**numbers, **flags}
