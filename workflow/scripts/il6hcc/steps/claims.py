"""Rule claims: the paper's claims 1-5 checked against the result tables."""

from __future__ import annotations

import pandas as pd

from il6hcc.claims import check_claims
from il6hcc.rulekit import Table


def claims(
    prepost_first: Table,
    prepost_later: Table,
    accuracy: Table,
    mcnemar: Table,
    comparison: Table,
    *,
    claims: dict,
    reference_marker: str,
    statistics: dict,
) -> dict:
    checked = check_claims(
        prepost=pd.concat([prepost_first, prepost_later], ignore_index=True),
        accuracy=accuracy,
        mcnemar=mcnemar,
        comparison=comparison,
        reference_marker=reference_marker,
        first_line=claims["first_line"],
        later_line=claims["later_line"],
        accuracy_subgroup=claims["accuracy_subgroup"],
        alpha=statistics["alpha"],
        conf_level=statistics["conf_level"],
    )
    return {"claims": checked}
