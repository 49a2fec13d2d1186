"""The simulated power of the planning stage's tests against analytic answers computed in R
(tests/r/make_planning_fixtures.R; fixtures in tests/fixtures/planning/ with the R and pROC
versions): Obuchowski's power of an AUC against 0.5 and of two correlated AUCs (pROC's
power.roc.test), Noether's power of the signed-rank test, the exact power of McNemar's test.

Each case simulates enough studies that the Monte Carlo standard error is below 0.01, and the
simulated power must lie within 4 standard errors of R's value.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from il6hcc.stats.nonparametric import wilcoxon_signed_rank
from il6hcc.stats.proportions import mcnemar_exact_batch
from il6hcc.stats.roc import delong_paired_test_batch, roc_auc_batch

FIXTURES = Path(__file__).parent / "fixtures" / "planning"
KNOWN = pd.read_csv(FIXTURES / "known_power.tsv", sep="\t")
STUDIES = 2500


def binormal_scores(rng, row, shifts, correlations):
    """Scores of STUDIES studies, cases first, one array per marker (at most two): cases
    N(shift, 1), controls N(0, 1), the two markers correlated (controls, cases) ``correlations``
    in each group."""
    ncases, ncontrols = int(row.ncases), int(row.ncontrols)
    is_case = np.arange(ncases + ncontrols) < ncases
    rho = np.where(is_case, correlations[1], correlations[0])
    first = rng.standard_normal((STUDIES, is_case.size))
    second = rho * first + np.sqrt(1 - rho**2) * rng.standard_normal((STUDIES, is_case.size))
    scores = [first, second][: len(shifts)]
    shifted = [z + np.where(is_case, s, 0.0) for z, s in zip(scores, shifts, strict=True)]
    return shifted, is_case


def simulated_power(case, row, rng):
    if case == "auc_vs_half":
        (scores,), is_case = binormal_scores(rng, row, [row.a1], (0.0, 0.0))
        result = roc_auc_batch(scores, is_case)
    elif case == "auc_paired":
        (a, b), is_case = binormal_scores(rng, row, [row.a1, row.a2], (row.rn, row.ra))
        result = delong_paired_test_batch(a, b, is_case)
    elif case == "signed_rank":
        differences = rng.normal(row.delta, 1.0, size=(STUDIES, int(row.n)))
        result = wilcoxon_signed_rank(differences, np.zeros_like(differences))
    else:
        category = rng.random((STUDIES, int(row.n)))
        a_only = category < row.p10
        b_only = (category >= row.p10) & (category < row.p10 + row.p01)
        both = category >= 1 - (1 - row.p10 - row.p01) / 2
        result = mcnemar_exact_batch(a_only | both, b_only | both)
    return float(np.mean(np.nan_to_num(result.p_value, nan=1.0) < row.alpha))


@pytest.mark.parametrize("index", KNOWN.index, ids=[f"{c}-{i}" for i, c in KNOWN["case"].items()])
def test_simulated_power_agrees_with_the_analytic_power(index):
    row = KNOWN.loc[index]
    power = simulated_power(row.case, row, np.random.default_rng(1000 + index))
    standard_error = math.sqrt(row.power * (1 - row.power) / STUDIES)
    assert standard_error < 0.01
    assert abs(power - row.power) <= 4 * standard_error, (power, row.power)
