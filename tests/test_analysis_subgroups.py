"""il6hcc.subgroups: structured filters, never evaluated; a mistake names the column and values."""

import pandas as pd
import pytest

from il6hcc.config import ConfigError
from il6hcc.subgroups import (
    filter_mask,
    mark_empty_subgroup,
    select_subgroup,
    selection_record,
    unmatched_values,
)


@pytest.fixture
def patients():
    return pd.DataFrame(
        {
            "source_row": pd.array([2, 3, 4, 5, 6, 7], dtype="Int64"),
            "line_of_therapy": pd.array([1, 1, 2, 3, 2, 1], dtype="Int64"),
            "sex": pd.array(["M", "F", "M", "M", pd.NA, "F"], dtype="string"),
            "age": [70.0, 65.5, 80.0, float("nan"), 59.0, 72.0],
            "albi_grade": pd.array(["1", "2", "10", "2", "1", "1"], dtype="string"),
        }
    )


def rows(patients, filters):
    return patients.loc[filter_mask(patients, filters, subgroup="s"), "source_row"].tolist()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"column": "line_of_therapy", "op": "eq", "value": 1}, [2, 3, 7]),
        ({"column": "line_of_therapy", "op": "ne", "value": 1}, [4, 5, 6]),
        ({"column": "line_of_therapy", "op": "ge", "value": 2}, [4, 5, 6]),
        ({"column": "line_of_therapy", "op": "gt", "value": 2}, [5]),
        ({"column": "line_of_therapy", "op": "lt", "value": 2}, [2, 3, 7]),
        ({"column": "line_of_therapy", "op": "le", "value": 2}, [2, 3, 4, 6, 7]),
        ({"column": "age", "op": "ge", "value": 70}, [2, 4, 7]),
        ({"column": "line_of_therapy", "op": "in", "value": [2, 3]}, [4, 5, 6]),
        ({"column": "sex", "op": "eq", "value": "F"}, [3, 7]),
        ({"column": "sex", "op": "in", "value": ["F"]}, [3, 7]),
        ({"column": "albi_grade", "op": "eq", "value": 1}, [2, 6, 7]),
    ],
)
def test_each_operator_selects_the_right_patients(patients, spec, expected):
    assert rows(patients, [spec]) == expected


def test_missing_values_match_neither_a_filter_nor_its_negation(patients):
    # Patient 6 has no recorded sex, patient 5 no age: they are in no sex / age subgroup.
    assert 6 not in rows(patients, [{"column": "sex", "op": "ne", "value": "F"}])
    assert 6 not in rows(patients, [{"column": "sex", "op": "not_in", "value": ["F"]}])
    assert rows(patients, [{"column": "sex", "op": "not_in", "value": ["F"]}]) == [2, 4, 5]
    assert 5 not in rows(patients, [{"column": "age", "op": "lt", "value": 100}])


def test_filters_combine_with_and(patients):
    filters = [
        {"column": "line_of_therapy", "op": "eq", "value": 1},
        {"column": "sex", "op": "eq", "value": "F"},
    ]
    assert rows(patients, filters) == [3, 7]


def test_no_filter_is_everyone_and_the_index_is_reset(patients):
    selected = select_subgroup(patients, [], subgroup="all")
    assert selected["source_row"].tolist() == patients["source_row"].tolist()
    later = select_subgroup(
        patients, [{"column": "line_of_therapy", "op": "ge", "value": 2}], subgroup="later_line"
    )
    assert later.index.tolist() == [0, 1, 2]


def test_unknown_column_names_the_column_and_lists_the_columns(patients):
    with pytest.raises(ConfigError) as error:
        filter_mask(patients, [{"column": "line", "op": "eq", "value": 1}], subgroup="first_line")
    message = str(error.value)
    assert "subgroups.first_line[0]" in message
    assert "unknown column 'line'" in message
    assert "line_of_therapy" in message and "albi_grade" in message


@pytest.mark.parametrize(
    ("spec", "named", "n_selected"),
    [
        ({"column": "line_of_therapy", "op": "eq", "value": 7}, "value 7 never occurs", 0),
        ({"column": "line_of_therapy", "op": "ne", "value": 7}, "value 7 never occurs", 6),
        ({"column": "sex", "op": "eq", "value": "f"}, "value 'f' never occurs", 0),
        ({"column": "sex", "op": "in", "value": ["F", "X"]}, "value 'X' never occurs", None),
        ({"column": "sex", "op": "not_in", "value": ["X"]}, "value 'X' never occurs", None),
    ],
)
def test_a_value_that_never_occurs_is_named_with_the_known_values(
    patients, spec, named, n_selected
):
    """Not a configuration error (a cohort may lack a level): the subgroup is what the filter
    selects, and the note says which value matched nobody and what the column holds."""
    selected = select_subgroup(patients, [spec], subgroup="s")
    if n_selected is not None:
        assert len(selected) == n_selected
    (note,) = unmatched_values(patients, [spec])
    assert named in note and f"column '{spec['column']}'" in note
    known = "1, 2, 3" if spec["column"] == "line_of_therapy" else "F, M"
    assert f"known values: {known}" in note
    effect = "matches no patient" if spec["op"] in ("eq", "in") else "excludes no patient"
    assert note.endswith(f"so the filter {effect}")
    record = selection_record(len(selected), len(patients), [spec], subgroup="s", notes=[note])
    assert record["notes"] == [note]
    if len(selected) == 0:
        assert record["empty_reason"] == (
            f"no patient matches the subgroup's filters (0 of {len(patients)}); {note}"
        )
    assert unmatched_values(patients, [{"column": "sex", "op": "eq", "value": "F"}]) == []


def test_text_for_a_numeric_column_is_an_error(patients):
    with pytest.raises(ConfigError, match=r"value '1' is not a number.*known values: 1, 2, 3"):
        filter_mask(
            patients, [{"column": "line_of_therapy", "op": "eq", "value": "1"}], subgroup="s"
        )
    with pytest.raises(ConfigError, match="is not a number"):
        filter_mask(patients, [{"column": "age", "op": "ge", "value": True}], subgroup="s")


def test_an_order_on_a_text_column_is_an_error(patients):
    # As text, "10" < "2": albi_grade ge "2" would silently drop grade 10.
    with pytest.raises(ConfigError) as error:
        filter_mask(patients, [{"column": "albi_grade", "op": "ge", "value": 2}], subgroup="s")
    message = str(error.value)
    assert "op 'ge' needs a numeric column" in message
    assert "'albi_grade'" in message and "known values: 1, 10, 2" in message


def test_filters_matching_nobody_give_an_empty_subgroup_that_says_why(patients):
    filters = [
        {"column": "line_of_therapy", "op": "eq", "value": 1},
        {"column": "age", "op": "gt", "value": 90},
    ]
    selected = select_subgroup(patients, filters, subgroup="old")
    assert selected.empty and list(selected.columns) == list(patients.columns)
    record = selection_record(len(selected), len(patients), filters, subgroup="old")
    assert record == {
        "subgroup": "old",
        "filters": filters,
        "n_selected": 0,
        "n_cohort": 6,
        "notes": [],
        "empty_reason": "no patient matches the subgroup's filters (0 of 6)",
    }
    assert selection_record(3, 6, [], subgroup="all")["empty_reason"] == ""


def test_an_empty_subgroup_marks_result_rows_and_claims_but_not_labels():
    reason = "no patient matches the subgroup's filters (0 of 6)"
    results = pd.DataFrame(
        {"marker": ["il6", "afp"], "estimable": [False, False], "reason": ["no pairs", "n < 2"]}
    )
    marked = mark_empty_subgroup(results, reason)
    assert marked["reason"].tolist() == [reason, reason]
    assert marked["marker"].tolist() == ["il6", "afp"]
    assert results["reason"].tolist() == ["no pairs", "n < 2"]
    # A flow table's "reason" labels its steps; it has no estimable column and stays as it is.
    flow = pd.DataFrame({"step": ["group"], "reason": ["rise"], "n": [0]})
    assert mark_empty_subgroup(flow, reason).equals(flow)
    claim = pd.DataFrame({"claim": ["6"], "verdict": ["reproduced"], "detail": ["p < 0.05"]})
    marked_claim = mark_empty_subgroup(claim, reason).iloc[0]
    assert marked_claim["verdict"] == "not checkable"
    assert marked_claim["detail"] == f"not estimable: {reason}"
    # A subgroup with patients: nothing changes.
    assert mark_empty_subgroup(results, "") is results


def test_nothing_in_a_filter_is_evaluated(patients):
    # Expressions are plain text: as a value it is matched verbatim (and matches nobody), as a
    # column it is unknown.
    for value in ("__import__('os').getcwd()", "M' or 'F"):
        spec = {"column": "sex", "op": "eq", "value": value}
        assert select_subgroup(patients, [spec], subgroup="s").empty
        (note,) = unmatched_values(patients, [spec])
        assert f"value {value!r} never occurs" in note
    with pytest.raises(ConfigError, match="unknown column 'line_of_therapy == 1'"):
        filter_mask(
            patients, [{"column": "line_of_therapy == 1", "op": "eq", "value": 1}], subgroup="s"
        )


def test_long_lists_of_known_values_are_shortened():
    many = pd.DataFrame({"age": [float(v) for v in range(50)]})
    (note,) = unmatched_values(many, [{"column": "age", "op": "eq", "value": 99}])
    assert "26.0, ... (30 more))" in note and "27.0" not in note
