"""The configuration: JSON Schema validation (as the Snakefile runs it) and il6hcc.config checks.

Each mistake must be caught before anything runs, with a message naming the key at fault and
what is allowed instead.
"""

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from il6hcc.config import (
    ConfigError,
    canonical_json,
    check_config,
    planning_chunks,
    planning_plan,
    roc_pairs,
    validate_once,
)

REPO = Path(__file__).resolve().parents[1]
SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")
CONFIG = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def config():
    return copy.deepcopy(CONFIG)


def schema_error(config) -> str:
    with pytest.raises(WorkflowError) as error:
        validate(config, SCHEMA)
    return str(error.value)


def config_error(config) -> str:
    with pytest.raises(ConfigError) as error:
        check_config(config)
    return str(error.value)


def marker_keys(config):
    return ", ".join(m["key"] for m in config["markers"])


# --------------------------------------------------------------------------- schema
def test_the_bundled_config_is_valid(config):
    validate(config, SCHEMA)
    check_config(config)


def test_schema_is_json_schema_2020_12_and_closed():
    schema = yaml.safe_load(Path(SCHEMA).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    assert set(CONFIG) == set(schema["properties"]), "every key is written in config.yaml"


def test_every_object_in_the_schema_rejects_unknown_keys():
    schema = yaml.safe_load(Path(SCHEMA).read_text(encoding="utf-8"))
    open_objects = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                if node.get("additionalProperties") is not False:
                    open_objects.append(where)
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for position, child in enumerate(node):
                walk(child, f"{where}[{position}]")

    walk(schema, "")
    assert open_objects == []


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda c: c.update(colour="blue"), "'colour' was unexpected"),
        (lambda c: c["statistics"].update(alhpa=0.05), "'alhpa' was unexpected"),
        (lambda c: c["markers"][0].update(lod=1), "'lod' was unexpected"),
        (
            lambda c: c["statistics"]["multiple_testing"].update(family="everything"),
            "'everything' is not one of ['marker', 'subgroup']",
        ),
        (
            lambda c: c["statistics"]["multiple_testing"].update(method="fdr"),
            "'fdr' is not one of ['holm', 'BH', 'bonferroni', 'none']",
        ),
        (
            lambda c: c["censoring"].update(below_lloq="zero"),
            "'zero' is not one of ['lloq', 'half_lloq', 'lloq_sqrt2']",
        ),
        (
            lambda c: c.update(change_metric="fold"),
            "'fold' is not one of ['ratio', 'log2_ratio', 'percent', 'absolute']",
        ),
        (lambda c: c["markers"][0].update(favourable="up"), "'up' is not one of ['rise', 'fall']"),
        (lambda c: c["markers"][0].update(key="IL-6"), "'IL-6' does not match"),
        (lambda c: c["markers"][0].update(lloq=0), "0 is less than or equal to the minimum"),
        (lambda c: c["statistics"].update(alpha=1.5), "1.5 is greater than or equal to"),
        (lambda c: c["response"].update(responder_codes=["CR", "OR"]), "'OR' is not one of"),
        (
            lambda c: c["statistics"].update(roc_pairs=[["il6", "afp", "dcp"]]),
            "['statistics']['roc_pairs']",
        ),
        (
            lambda c: c["subgroups"].update(bad=[{"column": "sex", "op": "like", "value": "M"}]),
            "'like' is not one of",
        ),
        (
            lambda c: c["criteria"]["il6"].update(comparison="=="),
            "'==' is not one of ['gt', 'ge', 'lt', 'le']",
        ),
        (lambda c: c["cohort"].update(path="cohort.sav"), "does not match"),
        (lambda c: c.pop("criteria"), "'criteria' is a required property"),
        (lambda c: c["planning"].update(model="bootstrap"), "'bootstrap' is not one of"),
        (lambda c: c["planning"].update(chunks=7), "'chunks' was unexpected"),
        (
            lambda c: c["planning"]["allocation"].update(first_line_share=1.2),
            "1.2 is greater than or equal to the maximum of 1",
        ),
        (
            lambda c: c["planning"]["parametric"]["il6"].update(first_line_responder=[0, 0.5]),
            "0 is less than or equal to the minimum of 0",
        ),
        (
            lambda c: c["planning"]["parametric"]["il6"].update(later_line_responders=[1, 1]),
            "'later_line_responders' does not match any of the regexes",
        ),
        (
            lambda c: c["robustness"]["choices"].update(below_lloq=["zero"]),
            "'zero' is not one of ['lloq', 'half_lloq', 'lloq_sqrt2']",
        ),
        (
            lambda c: c["robustness"]["choices"].update(multiple_testing=[]),
            "should be non-empty",
        ),
        (lambda c: c["robustness"].update(batches=0), "0 is less than the minimum of 1"),
        (
            lambda c: c["robustness"]["optimism"].update(resamples=0),
            "0 is less than the minimum of 1",
        ),
        (lambda c: c["robustness"]["optimism"].update(seeds=1), "'seeds' was unexpected"),
        (
            lambda c: c["robustness"]["fragility"].update(max_flips=0),
            "0 is less than the minimum of 1",
        ),
    ],
)
def test_schema_rejects_each_mistake_and_names_it(config, edit, named):
    edit(config)
    assert named in schema_error(config)


def test_schema_accepts_documented_alternatives(config):
    config["claims"] = None
    config["statistics"]["roc_pairs"] = [["afp", "dcp"]]
    config["statistics"]["multiple_testing"] = {"method": "BH", "family": "subgroup"}
    config["censoring"]["below_lloq"] = "lloq_sqrt2"
    config["subgroups"]["hbv"] = [{"column": "etiology", "op": "in", "value": ["HBV"]}]
    validate(config, SCHEMA)


# --------------------------------------------------------------------------- cross-references
def test_unknown_marker_key_in_criteria_names_the_key_and_the_markers(config):
    config["criteria"]["il_6"] = config["criteria"].pop("il6")
    message = config_error(config)
    assert f"criteria: unknown marker key 'il_6' (markers: {marker_keys(config)})" in message
    assert "criteria: no response criterion for marker(s) il6" in message


def test_a_marker_without_a_criterion_is_named(config):
    del config["criteria"]["dcp"]
    assert "no response criterion for marker(s) dcp" in config_error(config)


def test_unknown_reference_marker(config):
    config["reference_marker"] = "crp"
    message = config_error(config)
    assert f"reference_marker: unknown marker key 'crp' (markers: {marker_keys(config)})" in message


def test_unknown_subgroup_in_a_comparison_names_the_side_and_the_subgroups(config):
    config["subgroup_comparisons"][0]["b"] = "second_line"
    message = config_error(config)
    names = ", ".join(config["subgroups"])
    assert (
        f"subgroup_comparisons[{config['subgroup_comparisons'][0]['name']}].b: unknown subgroup "
        f"'second_line' (subgroups: {names})"
    ) in message


def test_a_comparison_of_a_subgroup_with_itself(config):
    config["subgroup_comparisons"][0]["b"] = config["subgroup_comparisons"][0]["a"]
    assert "compares a subgroup with itself" in config_error(config)


def test_comparison_names_must_be_unique(config):
    config["subgroup_comparisons"].append(dict(config["subgroup_comparisons"][0]))
    assert "subgroup_comparisons: names must be unique" in config_error(config)


def test_unknown_marker_in_roc_pairs_and_a_marker_paired_with_itself(config):
    config["statistics"]["roc_pairs"] = [["il6", "crp"], ["afp", "afp"]]
    message = config_error(config)
    assert f"statistics.roc_pairs: unknown marker key 'crp' (markers: {marker_keys(config)})" in (
        message
    )
    assert "pair ['afp', 'afp'] compares a marker with itself" in message


def test_duplicate_marker_keys(config):
    config["markers"].append(dict(config["markers"][1]))
    assert "markers: key(s) afp defined more than once" in config_error(config)


def test_upper_limit_must_exceed_lower_limit(config):
    config["markers"][0]["uloq"] = config["markers"][0]["lloq"]
    assert "markers[il6]: uloq 1.5 must be greater than lloq 1.5" in config_error(config)


def test_claims_roles_must_name_configured_subgroups_and_comparison(config):
    config["claims"]["first_line"] = "firstline"
    config["claims"]["comparison"] = "first_vs_second"
    message = config_error(config)
    assert "claims.first_line: unknown subgroup 'firstline'" in message
    assert "claims.comparison: unknown subgroup comparison 'first_vs_second'" in message
    assert "(comparisons: first_vs_later_line)" in message


def test_parametric_planning_needs_a_change_for_every_marker(config):
    config["planning"]["model"] = "parametric"
    del config["planning"]["parametric"]["dcp"]
    assert "planning.parametric: no change given for marker(s) dcp" in config_error(config)
    config["planning"]["model"] = "resample"
    check_config(config)


def test_planning_plan_puts_the_reference_first_and_parametric_changes_only_when_used(config):
    config["reference_marker"] = "dcp"
    plan = planning_plan(config)
    assert plan["settings"]["markers"] == ["dcp", "il6", "afp", "afp_l3"]
    assert plan["settings"]["reference"] == "dcp"
    assert "parametric" not in plan
    config["planning"]["model"] = "parametric"
    assert planning_plan(config)["parametric"] == config["planning"]["parametric"]


def test_planning_chunks_cover_every_study_of_every_size_once():
    plan = {"sizes": [60, 40], "replicates": 10, "chunk_replicates": 4}
    assert planning_chunks(plan) == [
        (60, 0, 0, 4),
        (60, 1, 4, 8),
        (60, 2, 8, 10),
        (40, 0, 0, 4),
        (40, 1, 4, 8),
        (40, 2, 8, 10),
    ]


def test_claims_may_be_left_out(config):
    config["claims"] = None
    check_config(config)


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"column": "sex", "op": "in", "value": "M"}, "op 'in' needs a list value"),
        ({"column": "sex", "op": "eq", "value": ["M", "F"]}, "op 'eq' needs a single value"),
    ],
)
def test_filter_value_shape_must_fit_the_operator(config, spec, named):
    config["subgroups"]["men"] = [spec]
    assert f"subgroups.men[0]: {named}" in config_error(config)


def test_every_problem_is_listed_at_once(config):
    config["reference_marker"] = "crp"
    config["criteria"]["xyz"] = {"metric": "percent", "comparison": "gt", "value": 0}
    config["subgroup_comparisons"][0]["a"] = "nobody"
    message = config_error(config)
    assert message.startswith("invalid configuration:")
    assert message.count("\n  ") == 3


# --------------------------------------------------------------------------- params values
def test_roc_pairs_default_to_the_reference_against_every_other_marker(config):
    config["statistics"]["roc_pairs"] = None
    config["reference_marker"] = "afp"
    assert roc_pairs(config) == [["afp", "il6"], ["afp", "afp_l3"], ["afp", "dcp"]]
    config["statistics"]["roc_pairs"] = [["dcp", "il6"]]
    assert roc_pairs(config) == [["dcp", "il6"]]


def test_canonical_json_ignores_key_order_but_not_values():
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert canonical_json({"a": [1, 2]}) == '{"a":[1,2]}'
    assert canonical_json({"a": 1, "b": 2}) != canonical_json({"a": 2, "b": 1})


# --- Validation once per configuration (a no-op run skips what already passed) -----------------


def keys_named(value, name: str) -> list:
    if isinstance(value, dict):
        return [name] * (name in value) + [k for v in value.values() for k in keys_named(v, name)]
    if isinstance(value, list):
        return [k for item in value for k in keys_named(item, name)]
    return []


def test_the_schema_declares_no_defaults():
    # Validating may fill schema defaults into the configuration; with none, skipping a
    # validation that passed before cannot change the configuration a run sees.
    schema = yaml.safe_load(Path(SCHEMA).read_text(encoding="utf-8"))
    assert keys_named(schema, "default") == []


def test_a_configuration_is_validated_again_only_when_it_or_the_schema_changes(config, tmp_path):
    validated = []

    def counting_validate(value, schema):
        validated.append(canonical_json(value))
        validate(value, schema)

    schema = tmp_path / "schema.yaml"
    schema.write_bytes(Path(SCHEMA).read_bytes())
    record = tmp_path / "metadata" / "validated"
    validate_once(config, schema, record, counting_validate)
    validate_once(copy.deepcopy(config), schema, record, counting_validate)
    assert len(validated) == 1

    config["statistics"]["alpha"] = 0.01
    validate_once(config, schema, record, counting_validate)
    schema.write_text(schema.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    validate_once(config, schema, record, counting_validate)
    assert len(validated) == 3


def test_an_invalid_configuration_is_never_recorded_as_validated(config, tmp_path):
    config["statistics"]["alpha"] = "five percent"
    record = tmp_path / "validated"
    for _ in range(2):
        with pytest.raises(WorkflowError):
            validate_once(config, Path(SCHEMA), record, validate)
    assert not record.exists()


def test_robustness_alternatives_name_known_markers_and_fit_their_operators(config):
    choices = config["robustness"]["choices"]
    choices["criteria"]["typo"] = {"afq": {"metric": "percent", "comparison": "le", "value": -30}}
    choices["later_line"]["listed"] = [{"column": "line_of_therapy", "op": "eq", "value": [2]}]
    message = config_error(config)
    assert "robustness.choices.criteria.typo: unknown marker key 'afq'" in message
    assert "robustness.choices.later_line.listed[0]: op 'eq' needs a single value" in message


def test_more_optimism_batches_than_resamples_is_named(config):
    config["robustness"]["optimism"].update(resamples=3, batches=4)
    assert "robustness.optimism.batches: 4 batches of 3 resamples would leave a batch empty" in (
        config_error(config)
    )
