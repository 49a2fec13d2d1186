"""Leave-one-out influence of single patients on the claims check.

The configured analysis (il6hcc.multiverse.main_specification) is rerun once per patient of the
cohort, without that patient; a claim's verdict "holds" in a leave-one-out cohort when it is the
verdict of the whole cohort. A patient whose removal reverses a verdict is named: with about a
dozen responders, a claim that rests on one patient is a claim about that patient. Tables that
the left-out patient does not enter are reused (il6hcc.multiverse caches them by the patients
they hold), so each rerun computes only what the patient changes.
"""

from __future__ import annotations

import pandas as pd

from il6hcc.multiverse import Multiverse, main_specification
from il6hcc.stats.multiplicity import frozen_heap

INFLUENCE_COLUMNS = [
    "claim",
    "main_verdict",
    "n_cohorts",
    "n_holds",
    "share_holds",
    "n_reversing",
    "reversing_patients",
]


def leave_one_out(cohort: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Per claim of the configured analysis: in how many of the leave-one-out cohorts (one per
    row of ``cohort``) its verdict holds, and the ids of the patients whose removal reverses it
    (comma-separated, in file order; "" when none)."""
    multiverse = Multiverse(cohort, settings)
    specification = main_specification(settings)
    main = multiverse.claims(specification).set_index("claim")["verdict"]
    verdicts = []
    for source_row in cohort["source_row"]:
        with frozen_heap():
            claims = multiverse.claims({**specification, "left_out": int(source_row)})
            verdicts.append(claims.set_index("claim")["verdict"].rename(int(source_row)))
    table = pd.DataFrame(verdicts)
    patient_ids = cohort.set_index("source_row")["patient_id"]
    rows = []
    for claim, main_verdict in main.items():
        holds = table[claim] == main_verdict
        reversing = [str(patient_ids[row]) for row in table.index[~holds]]
        rows.append(
            {
                "claim": claim,
                "main_verdict": main_verdict,
                "n_cohorts": int(holds.size),
                "n_holds": int(holds.sum()),
                "share_holds": float(holds.mean()),
                "n_reversing": len(reversing),
                "reversing_patients": ", ".join(reversing),
            }
        )
    return pd.DataFrame(rows, columns=INFLUENCE_COLUMNS)
