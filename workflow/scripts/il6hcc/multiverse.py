"""The claims under every defensible combination of analytic choices (a multiverse analysis).

A specification is one value for each choice of :data:`CHOICES` (config ``robustness.choices``).
Under a specification the claims check is run from the ingested cohort exactly as the workflow
runs it (cleaning, subgroups, pre/post tests, criteria, the between-subgroup test, the claims
check), by calling the same package functions with the specification's values; nothing of the
analysis is written a second time here. Specifications that share a choice share its work: the
tables are cached by what they depend on (the cleaned cohort by substitution rule and
not-evaluable rule, the pre/post tests by the patients, scale and continuity correction, and
only the p-value adjustment is redone per multiplicity choice). The tables are built without
their effect sizes (``effect_sizes=False``): no verdict reads them, and their bootstrap
intervals would be most of the work; likewise only the reference marker's Hodges-Lehmann
interval is computed (``location_markers``), the one the claims read.

The grid is numbered in the order of :data:`CHOICES` and of each choice's values (a list in its
configured order; named alternatives by name, see :func:`choice_values`);
the number of a specification is its identity in every table. When the grid is larger than
``max_specifications``, a random sample of that size is drawn with the configured seed (the same
sample for any number of batches). Batch ``b`` of ``n`` takes the ``b``-th of ``n`` contiguous
slices of the selected numbers, so the rows written do not depend on how the work is split.

Reference: Steegen S, Tuerlinckx F, Gelman A, Vanpaemel W. Increasing transparency through a
multiverse analysis. Perspect Psychol Sci 2016;11:702-712. Simonsohn U, Simmons JP, Nelson LD.
Specification curve analysis. Nat Hum Behav 2020;4:1208-1214.
"""

from __future__ import annotations

import pandas as pd

from il6hcc.claims import check_claims
from il6hcc.clean import clean_cohort
from il6hcc.criteria import accuracy_table, mcnemar_table
from il6hcc.paired import adjust_prepost, prepost_table, subgroup_comparison_table
from il6hcc.specifications import (
    ALL_SPECIFICATIONS,
    CHOICES,
    SPECIFICATION_RESULT_COLUMNS,
    SUMMARY_COLUMNS,
    batch_specifications,
    full_grid,
    selected_specifications,
)
from il6hcc.subgroups import select_subgroup


class Multiverse:
    """Runs the claims check under specifications of one cohort, caching shared work.

    ``settings`` holds the configuration the analysis needs beside the choices: ``markers``,
    ``response`` (responder_codes, not_evaluable_codes), ``criteria``, ``reference_marker``,
    ``subgroups`` (name: filters), ``comparison`` ({name, a, b}), ``roles`` (first_line,
    later_line, accuracy_subgroup), ``change_metric``, ``alpha``, ``conf_level``,
    ``adjust_family``, ``proportion_ci`` and ``choices`` (config ``robustness.choices``).
    """

    def __init__(self, cohort: pd.DataFrame, settings: dict):
        self.cohort = cohort
        self.settings = settings
        self._cleaned = {}
        self._subgroups = {}
        # Pre/post tests before adjustment, and adjusted per multiplicity choice.
        self._tested = {}
        self._prepost = {}
        self._criteria = {}
        self._comparison = {}

    def patients(self, specification: dict) -> pd.DataFrame:
        key = (specification["below_lloq"], specification["not_evaluable"])
        if key not in self._cleaned:
            response = self.settings["response"]
            counted = specification["not_evaluable"] == "non_responder"
            self._cleaned[key] = clean_cohort(
                self.cohort,
                markers=self.settings["markers"],
                below_lloq=specification["below_lloq"],
                responder_codes=response["responder_codes"],
                # A not-evaluable code that is not a responder code is then non-response.
                not_evaluable_codes=[] if counted else response["not_evaluable_codes"],
            ).patients
        return self._cleaned[key]

    def subgroup(self, specification: dict, name: str) -> pd.DataFrame:
        """The patients of subgroup ``name``; the later-line role takes the specification's
        filters (and so does a comparison side that is the later-line subgroup), the configured
        ones when its ``later_line`` is None. A ``left_out`` source row (leave-one-out) is not
        selected: cleaning is row by row, so that is the analysis of the cohort without it.
        The ``flipped`` source rows (fragility, a sorted tuple) have their evaluable response
        swapped (responder <-> non-responder)."""
        named_later_line = (
            name == self.settings["roles"]["later_line"] and specification["later_line"] is not None
        )
        left_out = specification.get("left_out")
        flipped = specification.get("flipped", ())
        key = (
            specification["below_lloq"],
            specification["not_evaluable"],
            name,
            specification["later_line"] if named_later_line else "",
            left_out,
            flipped,
        )
        if key not in self._subgroups:
            if named_later_line:
                filters = self.settings["choices"]["later_line"][specification["later_line"]]
            else:
                filters = self.settings["subgroups"][name]
            selected = select_subgroup(self.patients(specification), filters, subgroup=name)
            if left_out is not None:
                selected = selected[selected["source_row"] != left_out].reset_index(drop=True)
            if flipped:
                selected = flip_responses(selected, flipped)
            self._subgroups[key] = selected
        return self._subgroups[key]

    def _patients_key(
        self, specification: dict, patients: pd.DataFrame, *, responses: bool = True
    ) -> tuple:
        # The same patients with the same cleaning give the same tables, whatever the filters
        # that selected them (line >= 2 and line == 2 coincide without third-line patients).
        # A table split by response also depends on the flipped responses among them.
        cleaning = (specification["below_lloq"], specification["not_evaluable"])
        rows = tuple(patients["source_row"])
        flipped = specification.get("flipped", ()) if responses else ()
        return cleaning, rows, tuple(sorted(set(flipped) & set(rows)))

    def prepost(self, specification: dict, name: str) -> pd.DataFrame:
        patients = self.subgroup(specification, name)
        correct = bool(specification["continuity_correction"])
        scale = specification["signed_rank_scale"]
        key = (self._patients_key(specification, patients), name, scale, correct)
        if key not in self._tested:
            self._tested[key] = prepost_table(
                patients,
                subgroup=name,
                markers=self.settings["markers"],
                metric=self.settings["change_metric"],
                correct=correct,
                adjust_method="none",
                adjust_family=self.settings["adjust_family"],
                scale=scale,
                conf_level=self.settings["conf_level"],
                effect_sizes=False,
                location_markers=[self.settings["reference_marker"]],
            )
        method = specification["multiple_testing"]
        if (key, method) not in self._prepost:
            self._prepost[key, method] = adjust_prepost(
                self._tested[key],
                adjust_method=method,
                adjust_family=self.settings["adjust_family"],
            )
        return self._prepost[key, method]

    def criteria(self, specification: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
        name = self.settings["roles"]["accuracy_subgroup"]
        patients = self.subgroup(specification, name)
        method = specification["multiple_testing"]
        key = (self._patients_key(specification, patients), specification["criteria"], method)
        if key not in self._criteria:
            named = specification["criteria"]
            overrides = {} if named is None else self.settings["choices"]["criteria"][named]
            criteria = {**self.settings["criteria"], **overrides}
            options = {"subgroup": name, "markers": self.settings["markers"], "criteria": criteria}
            accuracy = accuracy_table(
                patients,
                **options,
                ci_method=self.settings["proportion_ci"],
                conf_level=self.settings["conf_level"],
            )
            mcnemar = mcnemar_table(
                patients,
                **options,
                reference=self.settings["reference_marker"],
                adjust_method=method,
                adjust_family=self.settings["adjust_family"],
            )
            self._criteria[key] = (accuracy, mcnemar)
        return self._criteria[key]

    def comparison(self, specification: dict) -> pd.DataFrame:
        spec = self.settings["comparison"]
        group_a = self.subgroup(specification, spec["a"])
        group_b = self.subgroup(specification, spec["b"])
        correct = bool(specification["continuity_correction"])
        method = specification["multiple_testing"]
        # The change is compared between subgroups, whatever the responses.
        key = (
            self._patients_key(specification, group_a, responses=False),
            self._patients_key(specification, group_b, responses=False),
            correct,
            method,
        )
        if key not in self._comparison:
            self._comparison[key] = subgroup_comparison_table(
                group_a,
                group_b,
                comparison=spec,
                markers=self.settings["markers"],
                metric=self.settings["change_metric"],
                correct=correct,
                adjust_method=method,
                effect_sizes=False,
            )
        return self._comparison[key]

    def claims(self, specification: dict, criteria_specification: dict | None = None):
        """The claims table (il6hcc.claims.COLUMNS) under one specification; the accuracy and
        McNemar tables under ``criteria_specification`` when given (claim 5 alone reread)."""
        roles = self.settings["roles"]
        accuracy, mcnemar = self.criteria(criteria_specification or specification)
        return check_claims(
            prepost=pd.concat(
                [
                    self.prepost(specification, roles["first_line"]),
                    self.prepost(specification, roles["later_line"]),
                ],
                ignore_index=True,
            ),
            accuracy=accuracy,
            mcnemar=mcnemar,
            comparison=self.comparison(specification),
            reference_marker=self.settings["reference_marker"],
            first_line=roles["first_line"],
            later_line=roles["later_line"],
            accuracy_subgroup=roles["accuracy_subgroup"],
            alpha=self.settings["alpha"],
            conf_level=self.settings["conf_level"],
        )


def flip_responses(patients: pd.DataFrame, source_rows: tuple) -> pd.DataFrame:
    """``patients`` with the evaluable response of the given source rows swapped (1 <-> 0);
    a response that is not evaluable stays missing."""
    flipped = patients.copy()
    chosen = flipped["source_row"].isin(source_rows) & flipped["responder"].notna()
    flipped.loc[chosen, "responder"] = 1 - flipped.loc[chosen, "responder"]
    return flipped


def main_specification(settings: dict) -> dict:
    """The configured analysis as a specification: the configured substitution, scale,
    correction and adjustment, not-evaluable patients excluded, and the configured later-line
    filters and criteria (None: no named alternative)."""
    return {**settings["main"], "not_evaluable": "excluded", "later_line": None, "criteria": None}


def run_batch(cohort: pd.DataFrame, settings: dict, *, batches: int, batch: int) -> pd.DataFrame:
    """specifications.tsv's rows of one batch: one per specification and claim."""
    choices = settings["choices"]
    grid = full_grid(choices)
    numbers = selected_specifications(
        choices,
        max_specifications=settings["max_specifications"],
        seed=settings["seed"],
    )
    multiverse = Multiverse(cohort, settings)
    tables = []
    for number in batch_specifications(numbers, batches=batches, batch=batch):
        specification = grid[number]
        claims = multiverse.claims(specification)[SPECIFICATION_RESULT_COLUMNS]
        tables.append(claims.assign(specification=number, **specification))
    columns = ["specification", *CHOICES, *SPECIFICATION_RESULT_COLUMNS]
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True)[columns]


def gather_batches(tables: list[pd.DataFrame], settings: dict) -> pd.DataFrame:
    """The batches' rows in specification order, checked to hold every selected specification
    exactly once (a batch missing or run with other settings is an error, not a gap)."""
    rows = pd.concat(tables, ignore_index=True)
    expected = selected_specifications(
        settings["choices"],
        max_specifications=settings["max_specifications"],
        seed=settings["seed"],
    )
    found = sorted(rows["specification"].unique().tolist())
    if found != expected:
        raise ValueError(
            f"the batches hold specifications {found[:5]}... ({len(found)}), not the "
            f"{len(expected)} selected ones"
        )
    return rows.sort_values("specification", kind="stable", ignore_index=True)


def summarise(specifications: pd.DataFrame, main_claims: pd.DataFrame) -> pd.DataFrame:
    """Per claim, the share of specifications whose verdict is the main analysis's, overall
    (``choice`` = "all") and at each value of each choice; ``share_range`` is the spread of
    that share over a choice's values (0: the choice never moves the verdict)."""
    main = main_claims.set_index("claim")["verdict"]
    rows = []
    for claim, results in specifications.groupby("claim", sort=True):
        if claim not in main.index:
            continue
        main_verdict = main[claim]
        holds = results["verdict"] == main_verdict
        rows.append(_share_row(claim, main_verdict, ALL_SPECIFICATIONS, "", holds, 0.0))
        for choice in CHOICES:
            values = results[choice].astype(str)
            shares = holds.groupby(values, sort=False).mean()
            spread = float(shares.max() - shares.min())
            for value in pd.unique(values):
                rows.append(
                    _share_row(claim, main_verdict, choice, value, holds[values == value], spread)
                )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _share_row(claim, main_verdict, choice, value, holds: pd.Series, spread: float) -> dict:
    return {
        "claim": claim,
        "main_verdict": main_verdict,
        "choice": choice,
        "value": value,
        "n_specifications": int(holds.size),
        "n_holds": int(holds.sum()),
        "share_holds": float(holds.mean()),
        "share_range": spread,
    }
