"""Report sections: one JSON fragment per subgroup, merged by key into the report.

Each subgroup's ``report_section`` job reads that subgroup's result tables (named inputs) and
figures (an unordered list: each figure is placed by the identity in its own metadata), checks
that every one of them is about that subgroup, and writes the subgroup's fragment
(``results/report/sections/<subgroup>.json``): its identity, its tables as rows and its figures
as SVG text, each with the file it came from.
The report rule only merges fragments by their ``subgroup`` key and checks every table and
figure again while it renders (``check_section``), so no list order can put one subgroup's
results under another's heading.
"""

from __future__ import annotations

from il6hcc.identity import IdentityError, check_figure, check_records, svg_identity
from il6hcc.report import records
from il6hcc.tables import read_tsv

# The figure kinds of a section and the key that tells two figures of one kind apart.
FIGURE_KEYS = {"paired": "marker", "roc": None, "km": "endpoint"}


def build_section(
    subgroup: str,
    *,
    tables: dict[str, str],
    figures: list[str],
    markers: list[str],
    endpoints: list[str],
) -> dict:
    """The fragment of one subgroup from its table files (by name) and figure files (any order).

    ``markers`` and ``endpoints`` are the configured keys, in config order: each must have
    exactly one figure of its kind, and figures are listed in that order.
    """
    expected = {"subgroup": subgroup}
    section_tables = {}
    for name, path in sorted(tables.items()):
        rows = records(read_tsv(path))
        section_tables[name] = {"source": str(path), "rows": check_records(rows, expected, path)}
    found: dict[tuple, dict] = {}
    for path in sorted(map(str, figures)):
        content, identity = check_figure(path, expected)
        kind = identity.get("figure")
        if kind not in FIGURE_KEYS:
            raise IdentityError(f"{path}: unknown figure kind {kind!r}")
        key = (kind, identity.get(FIGURE_KEYS[kind]) if FIGURE_KEYS[kind] else None)
        if key in found:
            raise IdentityError(f"{path} and {found[key]['source']}: two figures of {identity}")
        found[key] = {"identity": identity, "source": path, "svg": content.decode("utf-8")}
    wanted = [("paired", marker) for marker in markers] + [("roc", None)]
    wanted += [("km", endpoint) for endpoint in endpoints]
    missing = [key for key in wanted if key not in found]
    extra = [key for key in found if key not in wanted]
    if missing or extra:
        raise IdentityError(
            f"figures of subgroup {subgroup}: missing {missing or 'none'}, unexpected "
            f"{extra or 'none'} (from {', '.join(sorted(map(str, figures)))})"
        )
    section_figures = {kind: [] for kind in FIGURE_KEYS}
    for kind, key in wanted:
        section_figures[kind].append(found[(kind, key)])
    return {"subgroup": subgroup, "tables": section_tables, "figures": section_figures}


def check_section(section: dict, subgroup: str) -> dict:
    """Check, at render time, that every table row and figure of a section is about
    ``subgroup`` (and each figure about the marker or endpoint it is listed under)."""
    if section["subgroup"] != subgroup:
        raise IdentityError(
            f"the section of subgroup {section['subgroup']!r} was to be shown under {subgroup!r}"
        )
    expected = {"subgroup": subgroup}
    for table in section["tables"].values():
        check_records(table["rows"], expected, table["source"])
    for kind, figures in section["figures"].items():
        for figure in figures:
            identity = svg_identity(figure["svg"], figure["source"])
            wanted = {**figure["identity"], **expected, "figure": kind}
            if identity != wanted:
                raise IdentityError(
                    f"{figure['source']}: the figure is about {identity}, but it was to be shown "
                    f"as {wanted}"
                )
    return section


def merge_sections(sections: list[dict], order: list[str]) -> list[dict]:
    """Sections keyed by subgroup, in ``order`` (the configured subgroups), each checked."""
    by_key: dict[str, dict] = {}
    for section in sections:
        name = section["subgroup"]
        if name in by_key:
            raise IdentityError(f"two report sections for subgroup {name!r}")
        by_key[name] = section
    if sorted(by_key) != sorted(order):
        raise IdentityError(
            f"report sections for {sorted(by_key)}, but the configured subgroups are {order}"
        )
    return [check_section(by_key[name], name) for name in order]
