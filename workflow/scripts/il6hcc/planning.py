"""Planning a confirmatory study: power and sample size of each claim's test by simulation.

A plan evaluates total sample sizes; at each size it simulates many studies, analyses each as
the workflow would (the claims' tests, at the configured alpha, multiple-testing method and
statistics settings) and counts the studies in which each test is significant: the power, with
its Monte Carlo standard error and interval. The smallest size reaching a target power is
interpolated between the sizes evaluated.

Design of every simulated study of one size: patients fall into four strata, line of therapy
(first-line or later) by response (responder or not), with the same stratum counts in every
study (:func:`stratum_counts`), and the columns of a study's arrays are the patients ordered by
stratum. So a batch of studies is one array per marker (studies x patients) in which the same
columns are the first-line responders in every study, and each test runs once over the batch.

Generative models:

- ``resample``: patients drawn with replacement from the analysed cohort within their stratum,
  which keeps the observed joint distribution of all markers;
- ``parametric``: each marker's pre value and change from :func:`il6hcc.simulate.marker_pairs`
  with the fold change and spread per stratum given in the configuration.

Random numbers: study r of size n uses its own stream, ``SeedSequence(seed, spawn_key=(n, r))``
(the key :meth:`numpy.random.SeedSequence.spawn` would give it as child r of child n). A chunk is
a range of studies, so the tables depend only on the seed and never on how the studies are
split into chunks, jobs, cores or nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from il6hcc.change import criterion_positive, marker_change, oriented_change
from il6hcc.config import ConfigError
from il6hcc.groups import PLANNING_TESTS
from il6hcc.simulate import marker_pairs
from il6hcc.stats.multiplicity import p_adjust_batch
from il6hcc.stats.nonparametric import mann_whitney_u, wilcoxon_signed_rank
from il6hcc.stats.proportions import binomial_ci, mcnemar_exact_batch
from il6hcc.stats.roc import delong_paired_test_batch, roc_auc_batch

STRATA = (
    "first_line_responder",
    "first_line_non_responder",
    "later_line_responder",
    "later_line_non_responder",
)
MODELS = ("resample", "parametric")
# Scale of the signed-rank test (statistics.signed_rank_scale) -> the change it tests.
SIGNED_RANK_METRICS = {"difference": "absolute", "log_ratio": "log2_ratio"}
MONTE_CARLO_CONF_LEVEL = 0.95


class PlanningError(ConfigError):
    """A plan that cannot be simulated (a stratum without patients, a size too small): the
    configuration must change, so the job ends with the message and no traceback."""


@dataclass(frozen=True)
class Studies:
    """A batch of simulated studies of one design: ``pre[marker]`` and ``post[marker]`` are
    (studies x patients) arrays whose columns are the patients of ``counts``' strata, in
    :data:`STRATA` order."""

    counts: dict
    pre: dict
    post: dict

    def columns(self, *strata: str) -> np.ndarray:
        """Boolean mask of the patient columns in ``strata``."""
        return np.concatenate([np.full(self.counts[s], s in strata) for s in STRATA])


def stratum_counts(n_patients: int, first_line_share: float, response_rates: dict) -> dict:
    """Patients per stratum in a study of ``n_patients``: first-line n * share, responders per
    line n_line * rate, each rounded half up. Every study of this size has these counts.

    A design whose first-line patients include fewer than 2 responders or 2 non-responders, or
    that has no later-line patient, cannot run the claims' tests: PlanningError.
    """
    first = math.floor(n_patients * first_line_share + 0.5)
    later = n_patients - first
    first_responders = math.floor(first * response_rates["first_line"] + 0.5)
    later_responders = math.floor(later * response_rates["later_line"] + 0.5)
    counts = {
        "first_line_responder": first_responders,
        "first_line_non_responder": first - first_responders,
        "later_line_responder": later_responders,
        "later_line_non_responder": later - later_responders,
    }
    if min(counts["first_line_responder"], counts["first_line_non_responder"]) < 2 or later < 1:
        raise PlanningError(
            f"a study of {n_patients} patients has strata {counts}: the claims' tests need at "
            "least 2 first-line responders, 2 first-line non-responders and 1 later-line "
            "patient (raise the size or change planning.allocation)"
        )
    return counts


def patient_strata(patients: pd.DataFrame) -> pd.Series:
    """Each analysed patient's stratum from ``line_of_therapy`` and ``responder`` (1/0)."""
    line = np.where(patients["line_of_therapy"] == 1, "first_line", "later_line")
    response = np.where(patients["responder"] == 1, "responder", "non_responder")
    return pd.Series(np.char.add(np.char.add(line, "_"), response), index=patients.index)


def resample_pools(patients: pd.DataFrame, markers: list[str]) -> tuple[dict, str]:
    """The patients that ``resample`` draws from, by stratum: evaluable (responder known) and
    complete (pre and post of every marker), as {stratum: {"<marker>_pre"|"_post": array}};
    and a sentence saying how many patients were left out and why."""
    columns = [f"{marker}_{side}" for marker in markers for side in ("pre", "post")]
    evaluable = patients[patients["responder"].notna()]
    complete = evaluable.dropna(subset=columns)
    strata = patient_strata(complete)
    pools = {
        stratum: {c: complete.loc[strata == stratum, c].to_numpy(dtype=float) for c in columns}
        for stratum in STRATA
    }
    note = (
        f"{len(complete)} of {len(patients)} patients resampled "
        f"({len(patients) - len(evaluable)} without an evaluable response, "
        f"{len(evaluable) - len(complete)} without every marker's pre and post value)"
    )
    return pools, note


def observed_allocation(patients: pd.DataFrame, markers: list[str]) -> dict:
    """Share of first-line patients and response rate per line among the resampled patients."""
    pools, _ = resample_pools(patients, markers)
    size = {stratum: len(next(iter(pool.values()))) for stratum, pool in pools.items()}
    first = size["first_line_responder"] + size["first_line_non_responder"]
    later = size["later_line_responder"] + size["later_line_non_responder"]
    return {
        "first_line_share": first / (first + later),
        "response_rates": {
            "first_line": size["first_line_responder"] / first if first else math.nan,
            "later_line": size["later_line_responder"] / later if later else math.nan,
        },
    }


def replicate_uniforms(seed: int, n_patients: int, replicates: range, width: int) -> np.ndarray:
    """Uniform draws (studies x ``width``) for the studies ``replicates`` of size
    ``n_patients``, study r from its own stream SeedSequence(seed, spawn_key=(n_patients, r))."""
    rows = [
        np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(n_patients, r))).random(width)
        for r in replicates
    ]
    return np.vstack(rows) if rows else np.empty((0, width))


def resample_studies(pools: dict, counts: dict, uniforms: np.ndarray, markers: list[str]):
    """Studies drawn with replacement within strata: column j of a study is patient
    floor(u * pool size) of its stratum's pool, u its uniform draw (``uniforms``: studies x
    patients)."""
    picks = {}
    start = 0
    for stratum in STRATA:
        count = counts[stratum]
        if count == 0:
            continue
        pool = pools[stratum]
        pool_size = len(next(iter(pool.values())))
        if pool_size == 0:
            raise PlanningError(
                f"no analysed patient is {stratum.replace('_', ' ')}: the cohort cannot be "
                "resampled in that stratum (use planning.model: parametric)"
            )
        picks[stratum] = np.floor(uniforms[:, start : start + count] * pool_size).astype(int)
        start += count

    def stacked(column: str) -> np.ndarray:
        return np.hstack([pools[s][column][index] for s, index in picks.items()])

    return Studies(
        counts=counts,
        pre={m: stacked(f"{m}_pre") for m in markers},
        post={m: stacked(f"{m}_post") for m in markers},
    )


def parametric_studies(changes: dict, counts: dict, uniforms: np.ndarray, markers: list[str]):
    """Studies from the simulator's model (:func:`il6hcc.simulate.marker_pairs`): for each
    marker, two uniforms per patient (baseline, change), in ``uniforms`` (studies x 2 * markers
    * patients); ``changes[marker][stratum]`` = [fold change, sd of the log change]."""
    n_patients = sum(counts.values())
    blocks = uniforms.reshape(len(uniforms), len(markers), 2, n_patients)
    pre, post = {}, {}
    for index, marker in enumerate(markers):
        fold = np.repeat([changes[marker][s][0] for s in STRATA], [counts[s] for s in STRATA])
        log_sd = np.repeat([changes[marker][s][1] for s in STRATA], [counts[s] for s in STRATA])
        pre[marker], post[marker] = marker_pairs(
            marker, fold, log_sd, blocks[:, index, 0], blocks[:, index, 1]
        )
    return Studies(counts=counts, pre=pre, post=post)


def _change(pre: np.ndarray, post: np.ndarray, metric: str) -> np.ndarray:
    flat = marker_change(pd.Series(pre.ravel()), pd.Series(post.ravel()), metric)
    return flat.to_numpy(dtype=float).reshape(pre.shape)


def _criterion(pre: np.ndarray, post: np.ndarray, criterion: dict) -> np.ndarray:
    flat = criterion_positive(pd.Series(pre.ravel()), pd.Series(post.ravel()), criterion)
    return flat.to_numpy(dtype=bool, na_value=False).reshape(pre.shape)


def _adjusted(p_values: np.ndarray, method: str) -> np.ndarray:
    """p-values (markers x studies) adjusted over the markers within each study."""
    return p_adjust_batch(p_values, method, axis=0)


def _significant(p_values: np.ndarray, alpha: float) -> np.ndarray:
    return np.nan_to_num(p_values, nan=1.0) < alpha


def analyse_studies(studies: Studies, settings: dict) -> pd.DataFrame:
    """Which simulated studies find each test significant, as one row per (test, marker) with
    ``replicates`` and ``significant`` (counts) and ``not_estimable`` (studies where the test
    could not be computed; never significant).

    ``settings``: ``markers`` (keys, the reference first), ``reference``, ``favourable``
    ({marker: rise|fall}), ``criteria`` ({marker: criterion}), ``metric`` (change metric),
    ``signed_rank_scale``, ``continuity_correction``, ``alpha``, ``adjust_method``,
    ``conf_level``.

    Each test as the workflow runs it (the PLANNING_TESTS descriptions); p-values of the same
    test over several markers are adjusted over those markers within each study (the ``marker``
    family).
    """
    markers = settings["markers"]
    reference = settings["reference"]
    comparators = [m for m in markers if m != reference]
    alpha = settings["alpha"]
    method = settings["adjust_method"]
    correct = settings["continuity_correction"]
    first_line = studies.columns("first_line_responder", "first_line_non_responder")
    first_responders = studies.columns("first_line_responder")
    later_line = studies.columns("later_line_responder", "later_line_non_responder")
    is_case = first_responders[first_line]
    replicates = len(studies.pre[reference])

    scale_metric = SIGNED_RANK_METRICS[settings["signed_rank_scale"]]
    tested = {m: _change(studies.pre[m], studies.post[m], scale_metric) for m in markers}
    change = {m: _change(studies.pre[m], studies.post[m], settings["metric"]) for m in markers}
    stacked = np.stack([tested[m] for m in markers])
    zeros = np.zeros_like(stacked)
    rows = []

    def add(test: str, marker: str, significant: np.ndarray, estimable: np.ndarray) -> None:
        rows.append(
            {
                "test": test,
                "marker": marker,
                "replicates": replicates,
                "significant": int(np.count_nonzero(significant)),
                "not_estimable": int(np.count_nonzero(~np.asarray(estimable, dtype=bool))),
            }
        )

    def reference_row(test: str, result, direction: np.ndarray | None = None) -> None:
        p = _adjusted(np.asarray(result.p_value, dtype=float), method)
        significant = _significant(p, alpha)
        if direction is not None:
            significant &= direction
        index = markers.index(reference)
        estimable = np.broadcast_to(result.estimable, p.shape)[index]
        add(test, reference, significant[index], estimable)

    reference_row(
        "prepost_first_line",
        wilcoxon_signed_rank(stacked[..., first_line], zeros[..., first_line], correct=correct),
    )
    responders = stacked[..., first_responders]
    reference_row(
        "prepost_first_line_responders",
        wilcoxon_signed_rank(responders, zeros[..., first_responders], correct=correct),
        direction=np.median(responders, axis=-1) > 0,
    )
    changes = np.stack([change[m] for m in markers])
    reference_row(
        "first_vs_later_line",
        mann_whitney_u(changes[..., first_line], changes[..., later_line], correct=correct),
    )

    positive = {
        m: _criterion(studies.pre[m], studies.post[m], settings["criteria"][m]) for m in markers
    }
    mcnemar = [
        mcnemar_exact_batch(
            positive[reference][:, first_responders], positive[m][:, first_responders]
        )
        for m in comparators
    ]
    p = _adjusted(np.stack([r.p_value for r in mcnemar]), method)
    for index, (marker, result) in enumerate(zip(comparators, mcnemar, strict=True)):
        more_sensitive = result.extra["a_only"] > result.extra["b_only"]
        add(
            "mcnemar_sensitivity",
            marker,
            _significant(p[index], alpha) & more_sensitive,
            result.estimable,
        )

    oriented = {
        m: oriented_change(change[m], settings["favourable"][m])[:, first_line] for m in markers
    }
    conf_level = settings["conf_level"]
    auc = roc_auc_batch(oriented[reference], is_case, conf_level=conf_level)
    add(
        "auc_above_half",
        reference,
        _significant(auc.p_value, alpha) & (auc.estimate > 0.5),
        auc.estimable,
    )
    delong = [
        delong_paired_test_batch(oriented[reference], oriented[m], is_case, conf_level=conf_level)
        for m in comparators
    ]
    p = _adjusted(np.stack([r.p_value for r in delong]), method)
    for index, (marker, result) in enumerate(zip(comparators, delong, strict=True)):
        add(
            "delong_auc",
            marker,
            _significant(p[index], alpha) & (result.estimate > 0),
            result.estimable,
        )
    return pd.DataFrame(rows)


def simulate_chunk(
    *,
    model: str,
    n_patients: int,
    replicates: range,
    seed: int,
    allocation: dict,
    settings: dict,
    pools: dict | None = None,
    changes: dict | None = None,
) -> pd.DataFrame:
    """Simulate and analyse the studies ``replicates`` of size ``n_patients``: the rows of
    :func:`analyse_studies` with ``n_patients`` as their first key."""
    counts = stratum_counts(
        n_patients, allocation["first_line_share"], allocation["response_rates"]
    )
    markers = settings["markers"]
    if model == "resample":
        uniforms = replicate_uniforms(seed, n_patients, replicates, n_patients)
        studies = resample_studies(pools, counts, uniforms, markers)
    elif model == "parametric":
        uniforms = replicate_uniforms(seed, n_patients, replicates, 2 * len(markers) * n_patients)
        studies = parametric_studies(changes, counts, uniforms, markers)
    else:
        raise ValueError(f"unknown generative model '{model}' (known: {MODELS})")
    table = analyse_studies(studies, settings)
    table.insert(0, "n_patients", n_patients)
    return table


def resolved_allocation(configured: dict, observed: dict) -> dict:
    """The configured design, with each value left null taken from the cohort."""
    rates = configured["response_rates"]
    return {
        "first_line_share": configured["first_line_share"] or observed["first_line_share"],
        "response_rates": {line: rates[line] or observed["response_rates"][line] for line in rates},
    }


def design_columns(
    patients: pd.DataFrame, configured: dict, markers: list[str], sizes
) -> pd.DataFrame:
    """The design at each size, as columns for the power table: the ``configured`` allocation
    (nulls as observed among the patients complete for ``markers``) and the patients per
    stratum."""
    allocation = resolved_allocation(configured, observed_allocation(patients, markers))
    rows = []
    for size in sizes:
        counts = stratum_counts(size, allocation["first_line_share"], allocation["response_rates"])
        rows.append(
            {
                "n_patients": size,
                "first_line_share": allocation["first_line_share"],
                "response_rate_first_line": allocation["response_rates"]["first_line"],
                "response_rate_later_line": allocation["response_rates"]["later_line"],
                **{f"n_{stratum}": count for stratum, count in counts.items()},
            }
        )
    return pd.DataFrame(rows)


def run_chunk(patients: pd.DataFrame, plan: dict, n_patients: int, replicates: range):
    """One chunk of a configured plan on the analysed cohort ``patients``: the plan's design
    (``allocation``, nulls as observed), ``model`` with its ``seed`` (and ``parametric``
    changes), analysed with ``settings`` (see :func:`analyse_studies`).

    Returns the rows of :func:`simulate_chunk` and the sentence of :func:`resample_pools`.
    """
    markers = plan["settings"]["markers"]
    pools, note = resample_pools(patients, markers)
    allocation = resolved_allocation(plan["allocation"], observed_allocation(patients, markers))
    table = simulate_chunk(
        model=plan["model"],
        n_patients=n_patients,
        replicates=replicates,
        seed=plan["seed"],
        allocation=allocation,
        settings=plan["settings"],
        pools=pools if plan["model"] == "resample" else None,
        changes=plan.get("parametric"),
    )
    return table, note


def power_table(chunks: pd.DataFrame) -> pd.DataFrame:
    """Power per (n_patients, test, marker) from the chunks' counts (summed by key, so the
    order and number of chunks do not matter): the share of significant studies, its Monte
    Carlo standard error sqrt(p (1 - p) / R) and Wilson 95% interval."""
    keys = ["n_patients", "test", "marker"]
    summed = (
        chunks.groupby(keys, sort=True)[["replicates", "significant", "not_estimable"]]
        .sum()
        .reset_index()
    )
    power = summed["significant"] / summed["replicates"]
    intervals = [
        binomial_ci(s, r, method="wilson", conf_level=MONTE_CARLO_CONF_LEVEL)
        for s, r in zip(summed["significant"], summed["replicates"], strict=True)
    ]
    summed["claim"] = summed["test"].map(lambda test: PLANNING_TESTS[test][0])
    summed["power"] = power
    summed["mc_se"] = np.sqrt(power * (1 - power) / summed["replicates"])
    summed["ci_low"] = [interval.ci_low for interval in intervals]
    summed["ci_high"] = [interval.ci_high for interval in intervals]
    summed["mc_conf_level"] = MONTE_CARLO_CONF_LEVEL
    summed["description"] = summed["test"].map(lambda test: PLANNING_TESTS[test][1])
    return summed


def _first_crossing(sizes: np.ndarray, power: np.ndarray, target: float) -> float:
    """The size where ``power`` first reaches ``target``, linear between the sizes evaluated;
    the smallest size when it is already reached there, NaN when it never is."""
    reached = np.flatnonzero(power >= target)
    if reached.size == 0:
        return math.nan
    i = reached[0]
    if i == 0:
        return float(sizes[0])
    n0, n1, p0, p1 = sizes[i - 1], sizes[i], power[i - 1], power[i]
    return float(n0 + (target - p0) * (n1 - n0) / (p1 - p0))


def sample_size_table(power: pd.DataFrame, targets: list[float]) -> pd.DataFrame:
    """The smallest total size reaching each target power per (test, marker), interpolated
    between the sizes evaluated, with an interval from the Monte Carlo bands: where the upper
    band reaches the target (n_low) and where the lower band does (n_high)."""
    rows = []
    for (test, marker), group in power.groupby(["test", "marker"], sort=True):
        group = group.sort_values("n_patients")
        sizes = group["n_patients"].to_numpy(dtype=float)
        for target in targets:
            n_required = _first_crossing(sizes, group["power"].to_numpy(), target)
            if math.isnan(n_required):
                note = f"not reached at the largest size evaluated ({sizes[-1]:g})"
            elif n_required == sizes[0]:
                note = f"reached at the smallest size evaluated ({sizes[0]:g}) or below"
            else:
                note = ""
            rows.append(
                {
                    "test": test,
                    "marker": marker,
                    "claim": PLANNING_TESTS[test][0],
                    "target_power": target,
                    "n_required": n_required,
                    "n_low": _first_crossing(sizes, group["ci_high"].to_numpy(), target),
                    "n_high": _first_crossing(sizes, group["ci_low"].to_numpy(), target),
                    "note": note,
                }
            )
    return pd.DataFrame(rows)
