"""Read results/report.html back into keyed values: what each subgroup's section shows.

The report writes every headline number in full precision in a data attribute beside its
rounded text (data-p, data-auc, data-estimate, data-hr, data-effect-size and its interval) and
marks each section, table and row with its keys (data-subgroup, data-table, data-marker, ...).
This parser turns that into ``{(subgroup, table, row keys, attribute): value}`` and collects
each section's figure identities from the SVGs embedded in it, so tests compare sections by
identity, never by position on the page.
"""

from __future__ import annotations

import base64
from html.parser import HTMLParser

from il6hcc.identity import svg_identity

VALUE_ATTRIBUTES = (
    "data-p",
    "data-auc",
    "data-estimate",
    "data-hr",
    "data-effect-size",
    "data-effect-size-ci-low",
    "data-effect-size-ci-high",
)
ROW_KEYS = (
    "data-marker",
    "data-group",
    "data-measure",
    "data-term",
    "data-endpoint",
    "data-model",
)
SVG_PREFIX = "data:image/svg+xml;base64,"


class ReportParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section = None  # (part, subgroup): part "subgroup" or "prognosis"
        self.table = None
        self.row: dict = {}
        self.row_section = None
        self.values: dict[tuple, float] = {}
        self.figures: dict[tuple, list[dict]] = {}
        self.tables: dict[tuple, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "details" and "data-subgroup" in attributes:
            part = attributes["id"].split("-", 1)[0]
            self.section = (part, attributes["data-subgroup"])
        elif tag == "table":
            table = attributes.get("data-table")
            if table == "comparison":
                table = f"comparison:{attributes['data-comparison']}"
            self.table = table
            if table and self.section is not None:
                self.tables.setdefault(self.section, set()).add(table)
        elif tag == "tr":
            self.row = {k: v for k, v in attributes.items() if k in ROW_KEYS}
            self.row_section = self.section
            if self.section is None and "data-subgroup" in attributes:
                # A summary row outside the sections (the forest plot) names its subgroup.
                self.row_section = ("summary", attributes["data-subgroup"])
        elif tag == "td":
            row = dict(self.row)
            if "data-measure" in attributes:
                row["data-measure"] = attributes["data-measure"]
            for name in VALUE_ATTRIBUTES:
                if name in attributes and self.table:
                    key = (self.row_section, self.table, tuple(sorted(row.items())), name)
                    if key in self.values:
                        raise AssertionError(f"the report shows {key} twice")
                    self.values[key] = float(attributes[name])
        elif tag == "img" and attributes.get("src", "").startswith(SVG_PREFIX):
            svg = base64.b64decode(attributes["src"].removeprefix(SVG_PREFIX))
            if self.section is not None:
                self.figures.setdefault(self.section, []).append(svg_identity(svg, "report"))

    def handle_endtag(self, tag):
        if tag == "details":
            self.section = None
        elif tag == "table":
            self.table = None


def parse_report(html: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(html)
    parser.close()
    return parser


def sections(parser: ReportParser, rename: dict[str, str] | None = None) -> dict:
    """Per section, its values and figure identities, with subgroup keys renamed by ``rename``
    (so a run whose subgroup was renamed compares with the default run)."""
    rename = rename or {}
    by_section: dict[tuple, dict] = {}
    for (section, table, row, attribute), value in parser.values.items():
        if section is None:
            continue
        part, name = section
        entry = by_section.setdefault((part, rename.get(name, name)), {"values": {}, "figures": []})
        entry["values"][(table, row, attribute)] = value
    for (part, name), identities in parser.figures.items():
        entry = by_section.setdefault((part, rename.get(name, name)), {"values": {}, "figures": []})
        renamed = [{**i, "subgroup": rename.get(i["subgroup"], i["subgroup"])} for i in identities]
        entry["figures"] = sorted(renamed, key=lambda i: sorted(i.items()))
    return by_section
