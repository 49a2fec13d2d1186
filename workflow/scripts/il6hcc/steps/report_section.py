"""Rule report_section: one subgroup's tables and figures, checked and keyed, as JSON."""

from __future__ import annotations

from il6hcc.rulekit import File, Files
from il6hcc.sections import build_section


def report_section(
    figures: Files, *, subgroup: str, markers: list[dict], survival: dict, **tables: File
) -> dict:
    """``tables``: every other input, by the name the section shows it under."""
    section = build_section(
        subgroup,
        tables={name: str(path) for name, path in tables.items()},
        figures=[str(path) for path in figures],
        markers=[marker["key"] for marker in markers],
        endpoints=survival["endpoints"] if survival["enabled"] else [],
    )
    return {"section": section}
