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

from il6hcc.influence_screen import certified_cohorts
from il6hcc.multiverse import Multiverse, main_specification

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
    (comma-separated, in file order; "" when none).

    Cohorts that il6hcc.influence_screen certifies keep every verdict without a rerun; the
    others are rerun (:func:`rerun_verdicts`), so the table is that of a rerun per patient.
    """
    multiverse = Multiverse(cohort, settings)
    specification = main_specification(settings)
    main_claims = multiverse.claims(specification)
    main = main_claims.set_index("claim")["verdict"]
    source_rows = cohort["source_row"].astype(int).to_numpy()
    certified = certified_cohorts(multiverse, specification, main_claims)
    rerun = rerun_verdicts(multiverse, specification, source_rows[~certified])
    kept = pd.DataFrame([main.to_numpy()] * int(certified.sum()), columns=main.index)
    kept.index = source_rows[certified]
    table = pd.concat([kept, rerun]).reindex(source_rows)
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


def rerun_verdicts(multiverse: Multiverse, specification: dict, source_rows) -> pd.DataFrame:
    """The verdict of each claim (columns) in the cohort without each of ``source_rows``
    (index), by rerunning the claims check; tables the left-out patient does not enter are
    reused from ``multiverse``'s cache."""
    verdicts = []
    for source_row in source_rows:
        claims = multiverse.claims({**specification, "left_out": int(source_row)})
        verdicts.append(claims.set_index("claim")["verdict"].rename(int(source_row)))
    return pd.DataFrame(verdicts, columns=multiverse.claims(specification)["claim"])
