"""What a result is about: its subgroup, marker, endpoint or comparison, carried by the file.

Tables carry their identity in key columns (``subgroup``, ``marker``, ``endpoint``,
``comparison``); figures carry it in the file's own metadata (a JSON object in the SVG's Dublin
Core ``description`` and the PDF's ``Subject``) and in their visible title. Whatever puts results
together (the report sections, the report) checks these identities against the heading it is
filling and stops on a mismatch, so a result can never be shown under another's name, whatever
order the configuration lists subgroups, markers or endpoints in.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from il6hcc.config import ConfigError

DUBLIN_CORE = "{http://purl.org/dc/elements/1.1/}"


class IdentityError(ConfigError):
    """A table or figure that does not carry the identity of the place it is put in.

    A subclass of ConfigError so that rule scripts end with the message and no traceback.
    """


def identity_json(identity: dict) -> str:
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


def figure_metadata(identity: dict, title: str) -> dict[str, dict]:
    """Matplotlib ``savefig(metadata=...)`` per format: identity, title, and no time stamp."""
    text = identity_json(identity)
    return {
        "svg": {"Date": None, "Title": title, "Description": text},
        "pdf": {"CreationDate": None, "ModDate": None, "Title": title, "Subject": text},
    }


def svg_identity(svg: bytes | str, source) -> dict:
    """The identity written into an SVG by ``figure_metadata`` (IdentityError if there is none)."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise IdentityError(f"{source}: not a readable SVG file ({error})") from None
    description = root.find(f".//{DUBLIN_CORE}description")
    if description is None or not description.text:
        raise IdentityError(f"{source}: the figure carries no identity in its metadata")
    return json.loads(description.text)


def check_figure(path, expected: dict) -> tuple[bytes, dict]:
    """Read an SVG figure and check that its identity has every expected key and value.

    Returns the file's bytes and its whole identity, so a caller embeds exactly what it checked.
    """
    content = Path(path).read_bytes()
    found = svg_identity(content, path)
    wrong = {key: found.get(key) for key, value in expected.items() if found.get(key) != value}
    if wrong:
        raise IdentityError(
            f"{path}: the figure is about {identity_json(found)}, but it was to be shown "
            f"under {identity_json(expected)} (mismatched: {', '.join(sorted(wrong))})"
        )
    return content, found


def check_records(records: list[dict], expected: dict, source) -> list[dict]:
    """Check that every row has the expected value in each expected key column present."""
    for number, row in enumerate(records, start=1):
        for key, value in expected.items():
            if key in row and row[key] != value:
                raise IdentityError(
                    f"{source}: row {number} has {key} = {row[key]!r}, but the table was to be "
                    f"shown under {key} = {value!r}"
                )
    return records
