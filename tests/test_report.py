"""Unit tests of the study report's building blocks: number formatting, the Methods text, the
participant flow, the rule graph and the template environment (no workflow run, under a second).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from il6hcc.report import (
    format_interval,
    format_number,
    format_p,
    format_percent,
    make_environment,
    methods_text,
    participant_flow,
    records,
    svg_data_uri,
    verdict_class,
)

REPO = Path(__file__).resolve().parents[1]
EM_DASH = "\u2014"


@pytest.fixture
def config() -> dict:
    return yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (0.0, "0"),
        (44, "44"),
        (np.int64(12345), "12,345"),
        (0.5, "0.500"),
        (-0.04, "-0.040"),
        (0.0834, "0.083"),
        (1.64, "1.64"),
        (6.5, "6.5"),
        (122.4, "122"),
        (999.6, "1,000"),
        (1980.4, "1,980"),
        (-10734.2, "-10,700"),
        (1.07e6, "1.07e+06"),
        (7.7e-4, "7.70e-04"),
        (np.float64(0.931), "0.931"),
        (None, EM_DASH),
        (math.nan, EM_DASH),
        (pd.NA, EM_DASH),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_number_digits():
    assert format_number(3.14159, digits=2) == "3.1"
    assert format_number(0.123456, digits=4) == "0.1235"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7.407407, "7.4"), (0, "0.0"), (100.0, "100.0"), (25, "25.0"), (None, EM_DASH)],
)
def test_format_percent(value, expected):
    assert format_percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.000875, "<0.001"),
        (0.001, "0.001"),
        (0.0494, "0.049"),
        (0.05, "0.050"),
        (1.0, "1.000"),
        (math.nan, EM_DASH),
        (None, EM_DASH),
    ],
)
def test_format_p(value, expected):
    assert format_p(value) == expected


def test_format_interval():
    assert format_interval(0.834, 1.0) == "0.834 to 1"
    assert format_interval(-0.0093, 0.404) == "-0.009 to 0.404"
    assert format_interval(4.85, 723.2) == "4.85 to 723"
    assert format_interval(None, 0.5) == EM_DASH
    assert format_interval(0.5, math.nan) == EM_DASH


def test_quantiles_below_the_limit_print_as_below_the_limit():
    from il6hcc.report import format_quantile

    row = {
        "pre_median": 0.75,
        "pre_median_below_lloq": True,
        "lloq": 1.5,
        "pre_q3": 4.0,
        "pre_q3_below_lloq": False,
        "change_median": -1.0,
        "change_median_below_lloq": True,
    }
    assert format_quantile(row, "pre_median") == "<1.5"
    assert format_quantile(row, "pre_q3") == "4"
    assert format_quantile(row, "change_median") == "-1\u2020"
    assert format_quantile({"median": 71.0}, "median") == "71"
    # Interpolated between a substituted 0.75 and a measured 3.0: above the limit, marked.
    interpolated = {"q3": 2.4375, "q3_below_lloq": True, "lloq": 1.5}
    assert format_quantile(interpolated, "q3") == "2.44\u2020"


def test_verdict_class_covers_every_verdict_and_falls_back():
    from il6hcc.claims import VERDICTS
    from il6hcc.report import VERDICT_CLASSES

    # Every verdict the claims check can give has its own class (none falls back by accident).
    assert set(VERDICT_CLASSES) == set(VERDICTS)
    assert verdict_class("reproduced") == "reproduced"
    assert verdict_class("reproduced before adjustment only") == "partial"
    assert verdict_class("difference shown") == "reproduced"
    assert verdict_class("not reproduced") == "not-reproduced"
    assert verdict_class("difference not shown") == "not-checkable"
    assert verdict_class("not checkable") == "not-checkable"
    assert verdict_class("something new") == "not-checkable"


def test_records_turn_missing_values_into_none():
    table = pd.DataFrame({"a": [1.5, np.nan], "b": ["x", pd.NA]})
    assert records(table) == [{"a": 1.5, "b": "x"}, {"a": None, "b": None}]


def test_svg_data_uri_round_trips(tmp_path):
    import base64

    svg = tmp_path / "figure.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == svg.read_bytes()


def test_environment_escapes_text_and_formats_through_filters():
    environment = make_environment(REPO / "workflow" / "templates")
    template = environment.from_string("<td>{{ id }}</td><td>{{ x|num }}</td><td>{{ q|p }}</td>")
    html = template.render(id="<script>alert(1)</script>", x=1980.4, q=0.0004)
    assert html == "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>1,980</td><td>&lt;0.001</td>"


def test_environment_refuses_undefined_names():
    environment = make_environment(REPO / "workflow" / "templates")
    with pytest.raises(Exception, match="undefined"):
        environment.from_string("{{ missing }}").render()


def test_methods_text_follows_the_configuration(config):
    text = " ".join(methods_text(config))
    assert "CR/PR counted as response" in text
    assert "patients coded NE were excluded" in text
    assert "half the limit (LLOQ/2)" in text
    assert "IL-6 1.5 pg/mL" in text
    assert "continuity correction, as R's wilcox.test" in text
    assert "Holm method" in text
    assert "log2(post/pre)" in text or "log2" in text
    assert "exact (Clopper-Pearson)" in text
    assert "95%" in text
    assert "random seed (20250101) was not used" in text
    assert "adjusted for line_of_therapy" in text
    assert "on the paired differences post - pre" in text
    assert "Hodges-Lehmann estimate" in text and "95% confidence interval" in text
    assert "significant at 0.05 after the Holm adjustment" in text
    for verdict in ("Reproduced before adjustment only", "consistent, not significant"):
        assert verdict in text
    assert "inconclusive when it does not" in text


def test_methods_text_changes_when_the_configuration_changes(config):
    changed = copy.deepcopy(config)
    changed["censoring"]["below_lloq"] = "lloq"
    changed["statistics"]["continuity_correction"] = False
    changed["statistics"]["multiple_testing"] = {"method": "BH", "family": "subgroup"}
    changed["statistics"]["proportion_ci"] = "wilson"
    changed["statistics"]["conf_level"] = 0.9
    changed["statistics"]["bootstrap"] = {"enabled": True, "replicates": 500}
    changed["statistics"]["seed"] = 7
    changed["statistics"]["logistic"]["enabled"] = False
    changed["response"]["responder_codes"] = ["CR"]
    changed["statistics"]["signed_rank_scale"] = "log_ratio"
    text = " ".join(methods_text(changed))
    assert "on the log2 ratios log2(post/pre)" in text
    assert "post - pre" not in text
    assert "the limit itself (LLOQ)" in text
    assert "without continuity correction" in text
    assert "exact when there are fewer than 50 observations" in text, "exact p-values stay"
    assert "continuity correction, as R's wilcox.test" not in text
    assert "Benjamini-Hochberg" in text and "every p-value of one kind" in text
    assert "Wilson score 90% intervals" in text
    assert "90% DeLong confidence interval" in text
    assert "90% confidence interval of the difference" in text
    assert "95%" not in text
    assert "500 replicates, random seed 7" in text
    assert "Logistic regression" not in text
    assert "CR counted as response" in text
    assert text != " ".join(methods_text(config))


def test_methods_text_counts_values_below_the_lloq_per_marker_and_time_point(config):
    censoring = pd.DataFrame(
        {
            "marker": ["il6", "il6", "il6", "afp", "il6"],
            "timepoint": ["pre", "pre", "post", "post", "post"],
            "rule": ["below limit: half the limit (LLOQ/2)"] * 4
            + ["above limit: the upper limit (ULOQ)"],
        }
    )
    text = " ".join(methods_text(config, censoring))
    assert "IL-6 2 pre and 1 post, AFP 0 pre and 1 post, AFP-L3 0 pre and 0 post" in text
    assert "Values below the limit" not in " ".join(methods_text(config))


def flow_table(rows):
    return pd.DataFrame(rows, columns=["analysis", "step", "reason", "n"])


def test_participant_flow_splits_evaluable_patients_by_line_and_response():
    flow = flow_table(
        [
            ("response", "read", None, 6),
            ("response", "excluded", "response not evaluable (NE)", 1),
            ("response", "analysed", None, 5),
            ("il6 change", "read", None, 6),
            ("il6 change", "excluded", "il6 post value missing", 2),
            ("il6 change", "analysed", None, 4),
            ("response", "group", "responders", 2),
        ]
    )
    patients = pd.DataFrame(
        {
            "line_of_therapy": pd.array([1, 1, 1, 2, 3, pd.NA], dtype="Int64"),
            "responder": pd.array([1, 0, 0, 1, pd.NA, 0], dtype="Int64"),
        }
    )
    result = participant_flow(flow, patients)
    assert (result["read"], result["n_excluded"], result["analysed"]) == (6, 1, 5)
    assert result["excluded"] == [{"reason": "response not evaluable (NE)", "n": 1}]
    assert result["lines"] == [
        {
            "label": "first-line",
            "n": 3,
            "n_read": 3,
            "groups": [{"label": "responders", "n": 1}, {"label": "non-responders", "n": 2}],
        },
        {
            "label": "later-line",
            "n": 1,
            "n_read": 2,
            "groups": [{"label": "responders", "n": 1}, {"label": "non-responders", "n": 0}],
        },
        {
            "label": "line of therapy unknown",
            "n": 1,
            "n_read": 1,
            "groups": [{"label": "responders", "n": 0}, {"label": "non-responders", "n": 1}],
        },
    ]
    assert result["markers"] == [
        {
            "name": "il6 change",
            "read": 6,
            "excluded": [{"reason": "il6 post value missing", "n": 2}],
            "n_excluded": 2,
            "analysed": 4,
        }
    ]
