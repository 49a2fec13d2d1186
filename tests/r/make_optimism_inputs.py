"""The small cohort and its bootstrap index sets that tests/r/make_optimism_fixtures.R reads.

Run from the repository root:  python3 tests/r/make_optimism_inputs.py
Writes tests/fixtures/optimism/patients.tsv (two subgroups; marker a rises, b falls; ties, a
missing value and a non-evaluable patient) and index_sets.tsv.gz (il6hcc.optimism.index_sets,
as the workflow writes it); tests/test_optimism.py checks that the module still draws them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

from il6hcc.optimism import index_sets  # noqa: E402
from il6hcc.tables import write_tsv  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "optimism"
SEED = 7
RESAMPLES = 200


def small_cohort() -> pd.DataFrame:
    """A 30-patient and a 10-patient subgroup; ids whose byte order differs from their order."""
    rng = np.random.default_rng(20261130)
    rows = []
    for subgroup, n_cases, n_controls in (("large", 10, 20), ("small", 4, 5)):
        responder = np.r_[np.ones(n_cases), np.zeros(n_controls)]
        n = responder.size
        # Marker a on a coarse grid (ties within and between classes); b continuous.
        a_change = np.round(rng.normal(0.8 * responder, 1.0) * 2) / 2
        b_change = rng.normal(-0.7 * responder, 1.0)
        # Halves: post - pre gives back a's change exactly, ties included.
        pre_a, pre_b = rng.integers(2, 20, n) / 2, rng.integers(2, 20, n) / 2
        ids = [f"{'Pp'[i % 2]}{subgroup[0]}{n - i}" for i in range(n)]
        rows.append(
            pd.DataFrame(
                {
                    "subgroup": subgroup,
                    "patient_id": ids,
                    "responder": responder,
                    "a_pre": pre_a,
                    "a_post": pre_a + a_change,
                    "b_pre": pre_b,
                    "b_post": pre_b + b_change,
                }
            )
        )
    cohort = pd.concat(rows, ignore_index=True)
    cohort.loc[3, "a_post"] = np.nan
    not_evaluable = cohort.iloc[[0]].assign(patient_id="NE1", responder=np.nan)
    return pd.concat([cohort, not_evaluable], ignore_index=True)


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    cohort = small_cohort()
    write_tsv(cohort, FIXTURES / "patients.tsv")
    tables = {name: rows for name, rows in cohort.groupby("subgroup", sort=False)}
    write_tsv(index_sets(tables, seed=SEED, resamples=RESAMPLES), FIXTURES / "index_sets.tsv.gz")


if __name__ == "__main__":
    main()
