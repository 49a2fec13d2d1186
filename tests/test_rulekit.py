"""The rule adapter (il6hcc.rulekit.perform_step) and the rules' params (il6hcc.ruleparams)."""

from __future__ import annotations

import copy
import inspect
import json
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from workflow_helpers import REPO, load_config, reversed_keys

from il6hcc import ruleparams
from il6hcc.config import canonical
from il6hcc.rulekit import (
    WARNINGS,
    FigureFiles,
    Files,
    Patients,
    Record,
    Records,
    Table,
    perform_step,
    run_rule,
)
from il6hcc.tables import read_tsv, write_tsv


@pytest.fixture
def config() -> dict:
    return load_config(REPO)


def test_canonical_sorts_every_dict_and_keeps_list_order():
    value = {"b": [{"y": 1, "x": 2}, 3], "a": {"d": None, "c": "text"}}
    assert repr(canonical(value)) == "{'a': {'c': 'text', 'd': None}, 'b': [{'x': 2, 'y': 1}, 3]}"
    assert canonical([2, 1]) == [2, 1]


# --- Params: config sections under their config names, each rule only what it reads -------------

# Each rule's params builder and the wildcards it takes (one subgroup, one comparison).
BUILDERS = {
    name: function
    for name, function in inspect.getmembers(ruleparams, inspect.isfunction)
    if function.__module__ == ruleparams.__name__
    and name not in ("markers", "statistics", "claims_rerun", "robustness_grid")
}


# One job's wildcards, for the builders of rules with wildcards other than the subgroup.
WILDCARDS = {
    "stratify": ("first_line",),
    "compare_subgroups": ("first_vs_later_line",),
    "planning_chunk": ("40", "0"),
}


def all_params(config: dict) -> dict[str, str]:
    """Every rule's params as Snakemake compares them: the sorted reprs of the values."""
    return {
        rule: repr(sorted(map(repr, build(config, *WILDCARDS.get(rule, ())).values())))
        for rule, build in BUILDERS.items()
    }


def rules_seeing(config: dict, edit) -> set[str]:
    """The rules whose params change when ``edit`` is applied to a copy of ``config``."""
    edited = copy.deepcopy(config)
    edit(edited)
    before, after = all_params(config), all_params(edited)
    return {rule for rule in before if before[rule] != after[rule]}


def test_every_rule_with_params_has_a_builder_named_after_it():
    rules = "".join(
        path.read_text(encoding="utf-8") for path in (REPO / "workflow/rules").glob("*")
    )
    assert set(BUILDERS) == {
        "ingest", "clean", "stratify", "table1", "paired_stats", "compare_subgroups", "roc",
        "criteria", "figures", "survival", "claims", "report_section", "robustness_batch",
        "robustness_summary", "robustness_influence", "robustness_figures", "planning_chunk",
        "planning_gather", "optimism_batch", "optimism_summary",
    }  # fmt: skip
    for rule in BUILDERS:
        assert f"ruleparams.{rule}(config)" in rules or f"ruleparams.{rule}," in rules, rule


def test_params_carry_config_names(config):
    assert set(ruleparams.criteria(config)) == {
        "markers", "criteria", "reference_marker", "statistics"
    }  # fmt: skip
    assert ruleparams.criteria(config)["statistics"]["proportion_ci"] == "clopper_pearson"
    assert set(ruleparams.survival(config)["survival"]) <= set(config["survival"])


# The robustness rules that rerun the claims check from the cohort (the multiverse's batches and
# leave-one-out): they read whatever the claims check reads, and the substitution below the LLOQ.
RERUNS = {"robustness_batch", "robustness_influence"}
# The optimism rules: the markers' orientation, the change metric and their own section.
OPTIMISM = {"optimism_batch", "optimism_summary"}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c["statistics"].update(alpha=0.01),
         {"survival", "claims", *RERUNS, "robustness_figures", "planning_chunk"}),
        (lambda c: c["statistics"].update(proportion_ci="wilson"), {"criteria", *RERUNS}),
        (lambda c: c["statistics"].update(seed=7), {"table1", "roc"}),
        (lambda c: c["statistics"]["multiple_testing"].update(family="subgroup"),
         {"paired_stats", "criteria", *RERUNS}),
        (lambda c: c["statistics"]["multiple_testing"].update(method="BH"),
         {"paired_stats", "criteria", "roc", "compare_subgroups", "robustness_influence",
          "planning_chunk"}),
        (lambda c: c.update(change_metric="percent"),
         {"paired_stats", "compare_subgroups", "roc", *RERUNS, "planning_chunk", *OPTIMISM}),
        (lambda c: c["markers"][0].update(lloq=2.0),
         {"clean", "table1", "paired_stats", "figures", *RERUNS}),
        (lambda c: c["markers"][1].update(label="alpha-fetoprotein"),
         {"table1", "paired_stats", "compare_subgroups", "roc", "criteria", "figures", *RERUNS,
          "planning_gather"}),
        (lambda c: c["markers"][0].update(label="Interleukin 6"),
         {"table1", "paired_stats", "compare_subgroups", "roc", "criteria", "figures",
          "survival", *RERUNS, "planning_gather"}),
        (lambda c: c["subgroups"]["later_line"].append(
            {"column": "sex", "op": "eq", "value": "F"}), RERUNS),
        (lambda c: c["subgroups"]["first_line"].append(
            {"column": "sex", "op": "eq", "value": "F"}), {"stratify", *RERUNS}),
        (lambda c: c["subgroups"]["all"].append(
            {"column": "sex", "op": "eq", "value": "F"}), set()),
        (lambda c: c["censoring"].update(below_lloq="lloq"), {"clean", "robustness_influence"}),
        (lambda c: c["robustness"].update(batches=3), {"robustness_batch"}),
        (lambda c: c["robustness"]["fragility"].update(max_flips=3), {"robustness_influence"}),
        (lambda c: c["robustness"].update(seed=3), {"robustness_batch", "robustness_summary"}),
        (lambda c: c["robustness"]["optimism"].update(batches=3), {"optimism_batch"}),
        (lambda c: c["robustness"]["optimism"].update(seed=3), OPTIMISM),
        (lambda c: c["statistics"].update(conf_level=0.9),
         {"claims", "paired_stats", "compare_subgroups", "roc", "criteria", "survival", *RERUNS,
          "planning_chunk", "optimism_summary"}),
        (lambda c: c["cohort"].update(path="data/other.csv"), set()),
        (lambda c: c["cohort"].update(max_problems=3), {"ingest"}),
        (lambda c: c["survival"].update(claim_subgroup="later_line"), set()),
        (lambda c: c["survival"].update(landmark_months=1.0), {"survival"}),
        (lambda c: c["figures"].update(max_patients_per_line_plot=10), {"figures"}),
        (lambda c: c["planning"].update(seed=3), {"planning_chunk"}),
        (lambda c: c["planning"].update(target_powers=[0.9]), {"planning_gather"}),
        # The first chunk of size 40 keeps its studies [0, 500) when more are asked for.
        (lambda c: c["planning"].update(replicates=900), set()),
        (lambda c: c["planning"].update(chunk_replicates=100), {"planning_chunk"}),
        (lambda c: c["planning"]["parametric"]["il6"].update(
            first_line_responder=[9.0, 1.0]), set()),
        (lambda c: c.update(reference_marker="afp"),
         {"criteria", "claims", "roc", *RERUNS, "planning_chunk"}),
    ],
)  # fmt: skip
def test_an_edit_changes_the_params_of_exactly_the_rules_reading_it(config, edit, expected):
    assert rules_seeing(config, edit) == expected


def test_reordering_keys_changes_no_params(config):
    assert all_params(reversed_keys(config)) == all_params(config)


def test_params_are_plain_values(config):
    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(map(plain, value))
        return value is None or isinstance(value, (str, int, float, bool))

    for rule, build in BUILDERS.items():
        assert plain(build(config, *WILDCARDS.get(rule, ()))), rule


# --- The adapter: typed inputs, outputs by name, data_status, figures by stem -------------------


def toy_step(
    patients: Patients,
    selection: Record,
    selections: Records,
    scores: Table,
    extra: Files,
    *,
    subgroup: str,
    settings: dict,
) -> dict:
    assert patients["patient_id"].dtype == "string"
    return {
        "table": pd.DataFrame({"subgroup": [subgroup], "n": [len(patients)],
                               "first": [selections[0]["name"]], "scores": [len(scores)],
                               "extra": [extra[0].name]}),
        "record": {"subgroup": subgroup, "empty": selection["empty_reason"], **settings},
        "plot": FigureFiles(lambda: "drawn", save_stub, {"subgroup": subgroup}),
        WARNINGS: ["look"],
    }  # fmt: skip


def save_stub(figure, svg, pdf, identity):
    for path in (svg, pdf):
        Path(path).write_text(f"{figure} {identity['subgroup']}", encoding="utf-8")


def toy_inputs(tmp_path: Path) -> dict:
    patients = pd.DataFrame({"data_status": ["simulated"] * 2, "patient_id": ["001", "002"]})
    write_tsv(patients, tmp_path / "patients.tsv")
    write_tsv(pd.DataFrame({"x": [1.0]}), tmp_path / "scores.tsv")
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_text(json.dumps({"name": name, "empty_reason": ""}))
    return {
        "patients": str(tmp_path / "patients.tsv"),
        "selection": str(tmp_path / "a.json"),
        "selections": [str(tmp_path / "b.json"), str(tmp_path / "a.json")],
        "scores": str(tmp_path / "scores.tsv"),
        "extra": [str(tmp_path / "scores.tsv")],
        "code": ["never_read.py"],
    }


def test_perform_step_reads_typed_inputs_and_writes_labelled_outputs(tmp_path):
    named = {"table": tmp_path / "out/table.tsv", "record": tmp_path / "out/record.json"}
    figures = [tmp_path / "out/plot.pdf", tmp_path / "out/plot.svg"]
    (tmp_path / "out").mkdir()
    result = perform_step(
        toy_step,
        toy_inputs(tmp_path),
        {"subgroup": "first_line", "settings": {"k": 1}},
        named,
        [*map(str, named.values()), *map(str, figures)],
    )
    assert result[WARNINGS] == ["look"]
    table = read_tsv(named["table"])
    assert list(table.columns)[0] == "data_status"
    assert table.iloc[0].to_dict() == {
        "data_status": "simulated", "subgroup": "first_line", "n": 2, "first": "b", "scores": 1,
        "extra": "scores.tsv",
    }  # fmt: skip
    assert json.loads(named["record"].read_text()) == {
        "subgroup": "first_line",
        "empty": "",
        "k": 1,
    }
    assert [path.read_text() for path in figures] == ["drawn first_line"] * 2


def test_an_output_the_step_does_not_write_is_an_error(tmp_path):
    (tmp_path / "out").mkdir()
    named = {"table": tmp_path / "out/table.tsv", "record": tmp_path / "out/record.json"}
    forgotten = tmp_path / "out/forgotten.tsv"
    with pytest.raises(RuntimeError, match="wrote no .*forgotten.tsv"):
        perform_step(toy_step, toy_inputs(tmp_path), {"subgroup": "s", "settings": {}}, named,
                     [*map(str, named.values()), str(forgotten), str(tmp_path / "out/plot.svg"),
                      str(tmp_path / "out/plot.pdf")])  # fmt: skip


def test_a_param_the_step_does_not_declare_is_an_error(tmp_path):
    with pytest.raises(TypeError, match="renamed"):
        perform_step(toy_step, toy_inputs(tmp_path),
                     {"subgroup": "s", "settings": {}, "renamed": 1}, {}, [])  # fmt: skip


def sections_step(patients: Patients, **sections: dict) -> dict:
    return {"record": {"n": len(patients), **sections}}


def test_a_keyword_parameter_without_an_input_type_takes_params_and_no_input(tmp_path):
    named = {"record": tmp_path / "record.json"}
    sections = {"statistics": {"alpha": 0.05}, "markers": [{"key": "il6"}]}
    perform_step(sections_step, toy_inputs(tmp_path), sections, named, [str(named["record"])])
    assert json.loads(named["record"].read_text()) == {"n": 2, **sections}


class _Job:
    """What run_rule reads of Snakemake's ``snakemake`` object."""

    def __init__(self, log_path):
        self.rule, self.log, self.wildcards = "example", [str(log_path)], {}
        self.output = {}


def test_two_jobs_of_a_rule_in_one_interpreter_each_log_to_their_own_file(tmp_path):
    # As tests/snakemake_in_process.py runs them: the first job's handler must not stay attached.
    for name in ("first", "second"):
        run_rule(_Job(tmp_path / f"{name}.log"), lambda _, log, name=name: log.info("job %s", name))
    first = (tmp_path / "first.log").read_text(encoding="utf-8")
    second = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert "job first" in first and "job second" not in first
    assert "job second" in second and "job first" not in second
    assert not logging.getLogger("il6hcc.example").handlers


def test_rules_that_draw_nothing_import_no_plotting_library():
    # planning_chunk and the robustness batches run as many fresh processes; matplotlib and
    # seaborn cost each about 0.4 s of CPU more, and only the figure rules use them.
    scripts = REPO / "workflow" / "scripts"
    probe = (
        f"import sys; sys.path.insert(0, {str(scripts)!r})\n"
        "import il6hcc.steps.planning, il6hcc.steps.robustness\n"
        "assert not {'matplotlib', 'seaborn'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
