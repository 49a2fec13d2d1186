"""Rule ingest: read and validate the raw cohort, canonically, with its sha256 and status."""

from __future__ import annotations

import json

from il6hcc.cohort_io import read_cohort
from il6hcc.rulekit import DATA_STATUS, WARNINGS, File, Files, sha256_of


def ingest(raw: File, sidecar: Files, *, cohort: dict, markers: list[dict]) -> dict:
    """The cohort as read (led by data_status, from the sidecar), its normalisations and a
    manifest of the file read; the reader's warnings go on screen."""
    loaded = read_cohort(raw, markers=markers, **cohort)
    description = json.loads(sidecar[0].read_text(encoding="utf-8")) if sidecar else {}
    simulated = bool(description.get("simulated", False))
    table = loaded.table.copy()
    table.insert(0, DATA_STATUS, "simulated" if simulated else "observed")
    manifest = {
        "file": raw.name,
        "path": str(raw),
        "sha256": sha256_of(raw),
        "size_bytes": raw.stat().st_size,
        "rows": len(table),
        "simulated": simulated,
        "sidecar": description,
    }
    return {
        "cohort": table,
        "normalisations": loaded.audit,
        "manifest": manifest,
        WARNINGS: list(loaded.warnings),
    }
