"""Leave-one-out cohorts that provably keep the whole cohort's verdicts, found in batches.

Rerunning the claims check once per patient is n reruns of n patients: hours at 10,000
patients. But a verdict reads only a few comparisons: claims 1-4 a raw and an adjusted
signed-rank p-value against alpha (claim 3 also the sign of the Hodges-Lehmann estimate; claims
2 and 4, when not significant, its interval), claim 5 counts of criterion results, the
first-versus-later-line row a Mann-Whitney p-value. :func:`certified_cohorts` computes those
inputs for every leave-one-out cohort at once and certifies a cohort when each comparison
provably comes out as in the whole cohort; il6hcc.influence reruns the claims check only for
the others, so its table is the per-patient reruns' table.

- P-values without each patient: a group whose every leave-one-out test uses R's normal
  approximation (at least :data:`EXACT_SAMPLE_SIZE_LIMIT` non-zero differences, or values in the
  larger Mann-Whitney group, remain) is updated in closed form: removing one value lowers the
  average ranks above it by 1 and those tied with it by 1/2, and its tie group by one member.
  Smaller groups are tested as they are, by the batched rank tests over the matrix of
  leave-one-out samples (exact where R would be). The adjusted p-values are the real
  adjustment applied to each cohort's family.
- A comparison is certified only with a margin (:data:`RELATIVE_MARGIN` of alpha), far wider
  than the rounding by which a closed-form p-value can differ from the test's.
- The Hodges-Lehmann estimate and interval (claim 3's sign; claims 2 and 4, when not
  significant, graded on whether the interval excludes the comparison row's estimate):
  :class:`RootBounds` bounds R's root searches in every leave-one-out sample at once (a proof in
  its docstring); a "consistent" verdict is certified where the interval provably stays inside
  a lower bound of the comparison estimate's size, any other such verdict only where neither
  changes.
- Claim 5: the accuracy and McNemar tables count criterion results, so removing any of the
  patients with the same response and criterion results gives the same tables; they are
  computed once per such pattern, exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

from il6hcc.change import criterion_positive, marker_change
from il6hcc.claims import CONSISTENT
from il6hcc.paired import RESPONSE_GROUPS, SIGNED_RANK_SCALES
from il6hcc.stats.multiplicity import p_adjust_batch
from il6hcc.stats.nonparametric import (
    EXACT_SAMPLE_SIZE_LIMIT,
    ROOT_TOLERANCE,
    mann_whitney_u,
    wilcoxon_signed_rank,
)

# A p-value is certified on one side of alpha only beyond this relative distance from it.
RELATIVE_MARGIN = 1e-9
# Halvings of the search for the largest certified bound of an estimate's size.
BISECTION_STEPS = 40
# Leave-one-out samples tested together by the explicit (small-group) path.
CHUNK_ROWS = 256
# Claims 1-4: the pre/post row each one grades (subgroup role, response group).
PREPOST_CLAIMS = {
    "1": ("first_line", "all"),
    "2": ("later_line", "all"),
    "3": ("first_line", "responders"),
    "4": ("first_line", "non-responders"),
}
# Claims 2 and 4 compare their interval with the estimate of claim 1's and claim 3's row.
REFERENCE_ROWS = {"2": "1", "4": "3"}
INTERACTION_CLAIM = "1 vs 2"
SENSITIVITY_CLAIM = "5"


def _leave_one_out_rows(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The samples ``values`` without element ``rows[k]``, one per row."""
    keep = np.arange(values.size)[None, :] != rows[:, None]
    return np.broadcast_to(values, (rows.size, values.size))[keep].reshape(rows.size, -1)


def _tested_without_each(
    values: np.ndarray, test, removed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """P-value and estimability of ``test`` (a batched rank test of a 2-D array of samples) on
    ``values`` without each element (of ``removed``, positions; None: all), in chunks of
    :data:`CHUNK_ROWS` samples."""
    removed = np.arange(values.size) if removed is None else removed
    p_value = np.empty(removed.size)
    estimable = np.empty(removed.size, dtype=bool)
    for start in range(0, removed.size, CHUNK_ROWS):
        chunk = slice(start, start + CHUNK_ROWS)
        result = test(_leave_one_out_rows(values, removed[chunk]))
        p_value[chunk] = np.asarray(result.p_value, dtype=float)
        estimable[chunk] = np.asarray(result.estimable, dtype=bool)
    return p_value, estimable


def _counts_of_each(sorted_values: np.ndarray, values: np.ndarray) -> tuple:
    """Per value: how many of ``sorted_values`` are below it and how many equal it."""
    below = np.searchsorted(sorted_values, values, side="left")
    return below, np.searchsorted(sorted_values, values, side="right") - below


def _tie_terms_without_each(tie_sizes: np.ndarray) -> np.ndarray:
    """sum(t^3 - t) over tie groups after removing one member of a group of size t, from the
    total over all groups; ``tie_sizes`` is the size of each element's own group."""
    tie_sizes = tie_sizes.astype(float)
    total = float(np.sum(tie_sizes**2 - 1))
    return total - (tie_sizes**3 - tie_sizes) + ((tie_sizes - 1) ** 3 - (tie_sizes - 1))


def signed_rank_p_without_each(differences, *, correct: bool) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided p-value (and estimability) of R's signed-rank test of ``differences``
    (complete, 1-D) without each difference in turn, as :func:`wilcoxon_signed_rank` gives it.

    With at least EXACT_SAMPLE_SIZE_LIMIT + 1 non-zero differences every leave-one-out test is
    the normal approximation, updated in closed form (V, n and the tie term without each
    difference; a zero difference leaves them unchanged); otherwise each sample is tested.
    """
    differences = np.asarray(differences, dtype=float)
    nonzero = differences != 0
    n = int(nonzero.sum())
    if n - 1 < EXACT_SAMPLE_SIZE_LIMIT:
        # Without any one zero difference the sample is the same (the test ignores order):
        # test the non-zero removals and one zero's, however many zeros there are.
        distinct = np.flatnonzero(nonzero | (np.cumsum(~nonzero) == 1))
        zero = np.flatnonzero(~nonzero)
        p_value = np.empty(differences.size)
        estimable = np.empty(differences.size, dtype=bool)
        tested = _tested_without_each(
            differences,
            lambda samples: wilcoxon_signed_rank(samples, np.zeros_like(samples), correct=correct),
            distinct,
        )
        p_value[distinct], estimable[distinct] = tested
        if zero.size:
            p_value[zero], estimable[zero] = p_value[zero[0]], estimable[zero[0]]
        return p_value, estimable
    absolute = np.abs(differences[nonzero])
    positive = differences[nonzero] > 0
    ranks = rankdata(absolute)
    sorted_absolute = np.sort(absolute)
    sorted_positive = np.sort(absolute[positive])
    tied = _counts_of_each(sorted_absolute, absolute)[1]
    positive_below, positive_tied = _counts_of_each(sorted_positive, absolute)
    positive_above = sorted_positive.size - positive_below - positive_tied
    positive_tied_others = positive_tied - positive
    rank_sum = float(ranks[positive].sum())
    n_without = n - 1
    rank_sum_without = (
        rank_sum - np.where(positive, ranks, 0.0) - positive_above - 0.5 * positive_tied_others
    )
    variance = (
        n_without * (n_without + 1) * (2 * n_without + 1) - _tie_terms_without_each(tied) / 2
    ) / 24
    p_nonzero = _normal_two_sided(
        rank_sum_without - n_without * (n_without + 1) / 4, np.sqrt(variance), correct
    )
    tie_total = float(np.sum(tied.astype(float) ** 2 - 1))
    p_whole = _normal_two_sided(
        np.array([rank_sum - n * (n + 1) / 4]),
        np.sqrt((n * (n + 1) * (2 * n + 1) - tie_total / 2) / 24),
        correct,
    )
    p_value = np.full(differences.size, p_whole[0])
    p_value[nonzero] = p_nonzero
    return p_value, np.ones(differences.size, dtype=bool)


def _normal_two_sided(centred: np.ndarray, sigma, correct: bool) -> np.ndarray:
    """2 P(Z > |z|) of the centred statistic, continuity-corrected towards 0 when ``correct``."""
    if correct:
        centred = centred - 0.5 * np.sign(centred)
    return np.minimum(2 * ndtr(-np.abs(centred / sigma)), 1.0)


def rank_sum_p_without_each(x, y, *, correct: bool) -> tuple[tuple, tuple]:
    """Two-sided p-value and estimability of R's Mann-Whitney test of ``x`` versus ``y``
    (complete, 1-D) without each value of x, and without each value of y, as
    :func:`mann_whitney_u` gives them.

    When the larger group keeps at least EXACT_SAMPLE_SIZE_LIMIT values in every leave-one-out
    test and the pooled values take at least 3 distinct values (so no cohort has them all
    identical), each test is the normal approximation, updated in closed form (x's rank sum, the
    group sizes and the tie term); otherwise each sample is tested.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n_x, n_y = x.size, y.size
    pooled = np.concatenate([x, y])
    if max(n_x, n_y) - 1 < EXACT_SAMPLE_SIZE_LIMIT or np.unique(pooled).size < 3:
        without_x = _tested_without_each(
            x,
            lambda samples: mann_whitney_u(
                samples, np.broadcast_to(y, (samples.shape[0], n_y)), correct=correct
            ),
        )
        without_y = _tested_without_each(
            y,
            lambda samples: mann_whitney_u(
                np.broadcast_to(x, (samples.shape[0], n_x)), samples, correct=correct
            ),
        )
        return without_x, without_y
    ranks = rankdata(pooled)
    x_rank_sum = float(ranks[:n_x].sum())
    sorted_pooled = np.sort(pooled)
    sorted_x = np.sort(x)
    pooled_tie_sizes = _counts_of_each(sorted_pooled, pooled)[1]
    tie_terms = _tie_terms_without_each(pooled_tie_sizes)
    x_below, x_tied = _counts_of_each(sorted_x, pooled)
    x_above = n_x - x_below - x_tied
    is_x = np.arange(pooled.size) < n_x
    # Without a value: x's rank sum loses that value's rank if it is x's, and each other x
    # above it moves down by 1, each other x tied with it by 1/2.
    x_rank_sum_without = x_rank_sum - np.where(is_x, ranks, 0.0) - x_above - 0.5 * (x_tied - is_x)
    n_x_without = np.where(is_x, n_x - 1, n_x)
    n_y_without = np.where(is_x, n_y, n_y - 1)
    u_x = x_rank_sum_without - n_x_without * (n_x_without + 1) / 2
    u_larger = np.maximum(u_x, n_x_without * n_y_without - u_x)
    total = pooled.size - 1
    sigma = np.sqrt(
        n_x_without * n_y_without / 12 * ((total + 1) - tie_terms / (total * (total - 1)))
    )
    centred = u_larger - n_x_without * n_y_without / 2 - (0.5 if correct else 0.0)
    # Removing a group's only value leaves nothing to compare (sigma 0), as R says.
    estimable = (n_x_without > 0) & (n_y_without > 0)
    z = np.divide(centred, sigma, out=np.full(pooled.size, np.nan), where=estimable)
    p_value = np.minimum(2 * ndtr(-z), 1.0)
    return (p_value[:n_x], estimable[:n_x]), (p_value[n_x:], estimable[n_x:])


def walsh_sign_balance(nonzero, location: float) -> int:
    """sum over pairs j <= k of sign(s_j + s_k), s = ``nonzero`` - ``location`` as computed in
    floating point (the comparison s_k > -s_j is exact).

    Over the non-zero s this is T+ - T-, the positive minus the negative average-rank sum of the
    signed-rank statistic at ``location`` (a pair of unequal |s| counts for the larger one's
    sign, a tied pair half each, and each s its own rank's 1); it never increases with
    ``location``, since each s_j does not.
    """
    shifted = np.asarray(nonzero, dtype=float) - location
    ordered = np.sort(shifted)
    above = ordered.size - np.searchsorted(ordered, -shifted, side="right")
    below = np.searchsorted(ordered, -shifted, side="left")
    # Ordered pairs count every j != k pair twice and each j = k pair once.
    return int((above.sum() + (shifted > 0).sum()) // 2 - (below.sum() + (shifted < 0).sum()) // 2)


class RootBounds:
    """Bounds that hold for R's root searches (il6hcc.stats.nonparametric: the Hodges-Lehmann
    estimate and interval) in every leave-one-out sample of one group's ``differences``.

    Proof. Let d be the n non-zero differences, every leave-one-out sample keeping at least
    EXACT_SAMPLE_SIZE_LIMIT of them (so each search is the normal approximation's root, never the
    exact Walsh median) and m >= 1 besides its smallest or largest value's ties: at those ends
    all m differences left have one sign, so |z| >= (m (m+1)/4 - 1/2) / sqrt(m (m+1) (2m+1) / 24),
    and where that exceeds the quantile searched for, R's search keeps the configured level
    (:meth:`_ends_beyond`). At location mu the standardised statistic of a sample d' is
    z = (G/2 - c sign G) / sigma, c = 1/2 with continuity correction (else 0), sigma at most
    s = sqrt(n (n+1) (2n+1) / 24), and G(mu) = T+ - T- of d' - mu (zeros d'_j = mu dropped) is
    W'(mu) - Z(mu) S(mu): W' is :func:`walsh_sign_balance` of d' (never increasing with mu),
    Z(mu) the number of d'_j equal to mu (at most the largest tie count t of d), |S(mu)| < n.
    Removing one difference removes at most n pairs, so W'(mu) >= W(mu) - n and, for every
    mu <= L + delta, G(mu) >= W(L + delta) - n - t (n - 1). If that exceeds 2 q s + 2c, then
    z > q there. A search for z = q stops with f(best) and f(opposite) of opposite signs (or
    f(best) = 0) and |opposite - best| <= 2 (2 eps |best| + tol / 2) < delta (|best| <= max |d|);
    were best <= L, f(best) > 0 would put opposite beyond L + delta, too far away: best > L.
    :meth:`below` is the mirror image. (The search is assumed to stop by its tolerance, not
    after its 1000 iterations.)
    """

    def __init__(self, differences):
        differences = np.asarray(differences, dtype=float)
        self.nonzero = differences[differences != 0]
        n = self.nonzero.size
        largest_tie = int(np.unique(self.nonzero, return_counts=True)[1].max()) if n else 0
        self.usable = n - 1 >= EXACT_SAMPLE_SIZE_LIMIT
        self.one_signed_at_ends = n - 1 - largest_tie
        self.delta = (
            4 * np.finfo(float).eps * float(np.abs(self.nonzero).max()) + 2 * ROOT_TOLERANCE
            if n
            else 0.0
        )
        self.pairs_removed = n + largest_tie * (n - 1)
        self.sigma_bound = float(np.sqrt(n * (n + 1) * (2 * n + 1) / 24))

    def _ends_beyond(self, quantile: float) -> bool:
        m = self.one_signed_at_ends
        return m >= 1 and (m * (m + 1) / 4 - 0.5) / np.sqrt(m * (m + 1) * (2 * m + 1) / 24) > max(
            quantile, 0.0
        )

    def _margin(self, quantile: float, correct: bool) -> float:
        return self.pairs_removed + 2 * quantile * self.sigma_bound + (1.0 if correct else 0.0)

    def above(self, location: float, quantile: float = 0.0, correct: bool = False) -> bool:
        """Every leave-one-out root of z = ``quantile`` (>= 0; 0 without correction: the
        estimate) lies above ``location``."""
        return (
            self.usable
            and self._ends_beyond(quantile)
            and walsh_sign_balance(self.nonzero, location + self.delta)
            > self._margin(quantile, correct)
        )

    def below(self, location: float, quantile: float = 0.0, correct: bool = False) -> bool:
        """Every leave-one-out root of z = -``quantile`` lies below ``location``."""
        return (
            self.usable
            and self._ends_beyond(quantile)
            and walsh_sign_balance(self.nonzero, location - self.delta)
            < -self._margin(quantile, correct)
        )

    def smallest_estimate_size(self) -> float:
        """A lower bound of |estimate| in every leave-one-out sample (0: none found), by
        bisection on the monotone certificates."""
        if not self.usable:
            return 0.0
        for certified, sign in ((self.above, 1.0), (self.below, -1.0)):
            if certified(0.0):
                low, high = 0.0, float(np.abs(self.nonzero).max())
                for _ in range(BISECTION_STEPS):
                    middle = (low + high) / 2
                    low, high = (middle, high) if certified(sign * middle) else (low, middle)
                return low
        return 0.0


def estimate_sign_kept(differences, sign: int) -> bool:
    """True when the Hodges-Lehmann estimate of ``differences`` without any one of them
    provably has ``sign`` (+1: > 0, -1: < 0); see :class:`RootBounds`."""
    bounds = RootBounds(differences)
    return bounds.above(0.0) if sign > 0 else bounds.below(0.0)


def _side_kept(values: np.ndarray, main_value: float, alpha: float) -> np.ndarray:
    """Where ``values`` are certainly on the same side of alpha as ``main_value`` (below, or
    not below), with the margin; NaN is never certified."""
    if np.isnan(main_value):
        return np.zeros(values.shape, dtype=bool)
    if main_value < alpha:
        return values < alpha * (1 - RELATIVE_MARGIN)
    return values >= alpha * (1 + RELATIVE_MARGIN)


class _Cohorts:
    """The leave-one-out cohorts of one specification: one per source row of the cohort."""

    def __init__(self, multiverse, specification: dict):
        self.multiverse = multiverse
        self.specification = specification
        self.source_rows = multiverse.cohort["source_row"].to_numpy(int)
        self.position = pd.Series(np.arange(self.source_rows.size), index=self.source_rows)
        self.settings = multiverse.settings

    def positions(self, source_rows) -> np.ndarray:
        return self.position.loc[np.asarray(source_rows, dtype=int)].to_numpy()

    def in_subgroup(self, name: str) -> np.ndarray:
        patients = self.multiverse.subgroup(self.specification, name)
        members = np.zeros(self.source_rows.size, dtype=bool)
        members[self.positions(patients["source_row"])] = True
        return members

    def group_members(self, name: str, group: str) -> pd.DataFrame:
        patients = self.multiverse.subgroup(self.specification, name)
        flag = RESPONSE_GROUPS[group]
        return patients if flag is None else patients[patients["responder"] == flag]

    def differences(self, name: str, group: str, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The complete paired differences of a pre/post row, on the test's scale, with the
        cohort positions of their patients."""
        members = self.group_members(name, group)
        scale = SIGNED_RANK_SCALES[self.specification["signed_rank_scale"]]
        change = marker_change(members[f"{key}_pre"], members[f"{key}_post"], scale)
        complete = change.notna().to_numpy(bool)
        return (
            change.to_numpy(float)[complete],
            self.positions(members["source_row"].to_numpy()[complete]),
        )

    def prepost_p(self, name: str, main_table: pd.DataFrame) -> dict:
        """Per (group, marker) of subgroup ``name``'s pre/post table: raw p-value, adjusted
        p-value and estimability in every leave-one-out cohort (arrays over cohorts)."""
        markers = [marker["key"] for marker in self.settings["markers"]]
        groups = list(RESPONSE_GROUPS)
        main = main_table.set_index(["group", "marker"])
        shape = (self.source_rows.size, len(groups), len(markers))
        p_value = np.empty(shape)
        estimable = np.empty(shape, dtype=bool)
        correct = bool(self.specification["continuity_correction"])
        for g, group in enumerate(groups):
            for m, key in enumerate(markers):
                p_value[:, g, m] = main.loc[(group, key), "p_value"]
                estimable[:, g, m] = bool(main.loc[(group, key), "estimable"])
                differences, positions = self.differences(name, group, key)
                if positions.size:
                    tested, usable = signed_rank_p_without_each(differences, correct=correct)
                    p_value[positions, g, m] = np.where(usable, tested, np.nan)
                    estimable[positions, g, m] = usable
        method = self.specification["multiple_testing"]
        # Cohorts without a patient of the subgroup keep its adjusted p-values.
        adjusted = np.broadcast_to(
            main_table.set_index(["group", "marker"])
            .loc[[(group, key) for group in groups for key in markers], "p_adjusted"]
            .to_numpy(float)
            .reshape(shape[1:]),
            shape,
        ).copy()
        changed = self.in_subgroup(name)
        families = p_value[changed]
        if self.settings["adjust_family"] == "subgroup":
            families = families.reshape(families.shape[0], -1)
        adjusted[changed] = p_adjust_batch(families, method).reshape(-1, *shape[1:])
        return {
            (group, key): (p_value[:, g, m], adjusted[:, g, m], estimable[:, g, m])
            for g, group in enumerate(groups)
            for m, key in enumerate(markers)
        }


def _prepost_claims_kept(cohorts: _Cohorts, main_claims: pd.DataFrame) -> dict:
    """Claims 1-4: per claim, the cohorts certified to keep the whole cohort's verdict."""
    settings = cohorts.settings
    roles = settings["roles"]
    reference = settings["reference_marker"]
    alpha = settings["alpha"]
    main = main_claims.set_index("claim")
    tables = {}
    kept = {}
    for claim, (role, group) in PREPOST_CLAIMS.items():
        name = roles[role]
        if name not in tables:
            tables[name] = cohorts.prepost_p(
                name, cohorts.multiverse.prepost(cohorts.specification, name)
            )
        p_value, adjusted, estimable = tables[name][group, reference]
        row = main.loc[claim]
        touching = np.zeros(cohorts.source_rows.size, dtype=bool)
        touching[cohorts.differences(name, group, reference)[1]] = True
        if np.isnan(row["p_value"]):
            kept[claim] = ~touching
            continue
        raw_kept = estimable & _side_kept(p_value, row["p_value"], alpha)
        significant = row["p_value"] < alpha
        if claim in REFERENCE_ROWS:
            if significant:
                kept[claim] = raw_kept
            else:
                kept[claim] = raw_kept & _interval_claim_kept(cohorts, claim, main, touching)
            continue
        kept[claim] = raw_kept
        if significant:
            kept[claim] &= _side_kept(adjusted, row["p_adjusted"], alpha)
            if claim == "3":
                sign = 1 if row["effect"] > 0 else -1
                differences = cohorts.differences(name, group, reference)[0]
                if not (row["effect"] != 0 and estimate_sign_kept(differences, sign)):
                    kept[claim] &= ~touching
    return kept


def _interval_claim_kept(
    cohorts: _Cohorts, claim: str, main: pd.DataFrame, touching: np.ndarray
) -> np.ndarray:
    """Claims 2 and 4, not significant: graded on whether the interval of the estimate
    excludes a change as large as the comparison row's estimate. A "consistent" verdict is
    certified where the interval provably stays inside (-s, s), s a lower bound of that
    estimate's size (its exact size where the comparison row is unchanged); any other verdict
    only where neither the interval nor the comparison estimate changes."""
    settings = cohorts.settings
    reference = settings["reference_marker"]
    reference_role, reference_group = PREPOST_CLAIMS[REFERENCE_ROWS[claim]]
    reference_differences, reference_positions = cohorts.differences(
        settings["roles"][reference_role], reference_group, reference
    )
    reference_touching = np.zeros_like(touching)
    reference_touching[reference_positions] = True
    row = main.loc[claim]
    if row["verdict"] != CONSISTENT:
        return ~(touching | reference_touching)
    role, group = PREPOST_CLAIMS[claim]
    bounds = RootBounds(cohorts.differences(settings["roles"][role], group, reference)[0])
    quantile = -float(ndtri((1 - settings["conf_level"]) / 2))
    correct = bool(cohorts.specification["continuity_correction"])
    size_bound = RootBounds(reference_differences).smallest_estimate_size()
    sizes = np.where(reference_touching, size_bound, abs(main.loc[REFERENCE_ROWS[claim], "effect"]))
    kept = sizes > 0
    for size in np.unique(sizes[kept]):
        at_size = sizes == size
        # Cohorts that keep the claim's row keep its interval; the others' is bounded.
        unchanged = (-size < row["effect_ci_low"]) and (row["effect_ci_high"] < size)
        bounded = bounds.above(-size, quantile, correct) and bounds.below(size, quantile, correct)
        kept[at_size & ~touching] = unchanged
        kept[at_size & touching] = bounded
    return kept


def _interaction_kept(cohorts: _Cohorts, main_claims: pd.DataFrame) -> np.ndarray:
    """The first- versus later-line row of the reference marker: certified cohorts."""
    settings = cohorts.settings
    comparison = settings["comparison"]
    main_table = cohorts.multiverse.comparison(cohorts.specification)
    touching = cohorts.in_subgroup(comparison["a"]) | cohorts.in_subgroup(comparison["b"])
    row = main_claims.set_index("claim").loc[INTERACTION_CLAIM]
    if not main_table["estimable"].astype(bool).all():
        return ~touching
    correct = bool(cohorts.specification["continuity_correction"])
    markers = [marker["key"] for marker in settings["markers"]]
    p_value = np.empty((cohorts.source_rows.size, len(markers)))
    estimable = np.ones(p_value.shape, dtype=bool)
    main = main_table.set_index("marker")
    sides = {}
    for side in ("a", "b"):
        sides[side] = cohorts.multiverse.subgroup(cohorts.specification, comparison[side])
    for m, key in enumerate(markers):
        p_value[:, m] = main.loc[key, "p_value"]
        changes, positions = [], []
        for side in ("a", "b"):
            patients = sides[side]
            change = marker_change(
                patients[f"{key}_pre"], patients[f"{key}_post"], settings["change_metric"]
            )
            complete = change.notna().to_numpy(bool)
            changes.append(change.to_numpy(float)[complete])
            positions.append(cohorts.positions(patients["source_row"].to_numpy()[complete]))
        without = rank_sum_p_without_each(*changes, correct=correct)
        for (tested, usable), where in zip(without, positions, strict=True):
            p_value[where, m] = np.where(usable, tested, np.nan)
            estimable[where, m] = usable
    adjusted = p_adjust_batch(p_value, cohorts.specification["multiple_testing"])
    reference = markers.index(settings["reference_marker"])
    alpha = settings["alpha"]
    return (
        estimable[:, reference]
        & _side_kept(p_value[:, reference], row["p_value"], alpha)
        & _side_kept(adjusted[:, reference], row["p_adjusted"], alpha)
    )


def _sensitivity_kept(
    cohorts: _Cohorts, main_claims: pd.DataFrame, candidates: np.ndarray
) -> np.ndarray:
    """Claim 5: each pattern of response and criterion results checked once, exactly (only
    the patterns of ``candidates``, the cohorts that every other claim certifies)."""
    multiverse, specification = cohorts.multiverse, cohorts.specification
    settings = cohorts.settings
    roles = settings["roles"]
    name = roles["accuracy_subgroup"]
    patients = multiverse.subgroup(specification, name)
    evaluable = patients[patients["responder"].notna()]
    named = specification["criteria"]
    overrides = {} if named is None else settings["choices"]["criteria"][named]
    criteria = {**settings["criteria"], **overrides}
    pattern = pd.DataFrame({"responder": evaluable["responder"].astype(int).to_numpy()})
    for marker in settings["markers"]:
        key = marker["key"]
        positive = criterion_positive(
            evaluable[f"{key}_pre"], evaluable[f"{key}_post"], criteria[key]
        )
        pattern[key] = positive.astype("string").fillna("missing").to_numpy()
    main_verdict = main_claims.set_index("claim").loc[SENSITIVITY_CLAIM, "verdict"]
    kept = np.ones(cohorts.source_rows.size, dtype=bool)
    positions = cohorts.positions(evaluable["source_row"])
    for _, members in pattern.groupby(list(pattern.columns), sort=False):
        if not candidates[positions[members.index]].any():
            continue
        left_out = int(evaluable["source_row"].iloc[members.index[0]])
        left_out_criteria = {**specification, "left_out": left_out}
        claims = multiverse.claims(specification, left_out_criteria).set_index("claim")
        kept[positions[members.index]] = claims.loc[SENSITIVITY_CLAIM, "verdict"] == main_verdict
    return kept


def certified_cohorts(multiverse, specification: dict, main_claims: pd.DataFrame) -> np.ndarray:
    """Per source row of ``multiverse.cohort`` (in its order): True when the cohort without
    that row provably has every verdict of ``main_claims`` (the claims of ``specification`` on
    the whole cohort); False means "rerun it", not "reversed". A claim this module does not
    know certifies no cohort."""
    cohorts = _Cohorts(multiverse, specification)
    kept = _prepost_claims_kept(cohorts, main_claims)
    kept[INTERACTION_CLAIM] = _interaction_kept(cohorts, main_claims)
    certified = np.ones(cohorts.source_rows.size, dtype=bool)
    for claim in main_claims["claim"]:
        if claim != SENSITIVITY_CLAIM:
            certified &= kept.get(claim, np.zeros_like(certified))
    # Claim 5 last: its check is the costly one, and needless for cohorts already rerun.
    if (main_claims["claim"] == SENSITIVITY_CLAIM).any():
        certified &= _sensitivity_kept(cohorts, main_claims, certified)
    return certified
