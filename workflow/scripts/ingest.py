"""Rule ingest: read and validate the raw cohort, write it canonically with its sha256."""

import json
from pathlib import Path

from il6hcc.cohort_io import read_cohort
from il6hcc.rulekit import (
    DATA_STATUS,
    load_json_param,
    run_rule,
    sha256_of,
    warn_on_screen,
    write_result,
)
from il6hcc.tables import write_tsv


def main(snakemake, log):
    path = Path(snakemake.input.cohort)
    reading = load_json_param(snakemake.params.reading)
    loaded = read_cohort(
        path,
        markers=load_json_param(snakemake.params.markers),
        column_map=reading["column_map"],
        sheet=reading["sheet"],
        encoding=reading["encoding"],
        decimal=reading["decimal"],
        max_problems=reading["max_problems"],
    )
    sidecar = {}
    if snakemake.input.sidecar:
        sidecar = json.loads(Path(snakemake.input.sidecar[0]).read_text(encoding="utf-8"))
    simulated = bool(sidecar.get("simulated", False))
    status = "simulated" if simulated else "observed"
    table = loaded.table.copy()
    table.insert(0, DATA_STATUS, status)
    manifest = {
        "file": path.name,
        "path": str(path),
        "sha256": sha256_of(path),
        "size_bytes": path.stat().st_size,
        "rows": len(table),
        "simulated": simulated,
        "sidecar": sidecar,
    }
    write_tsv(table, snakemake.output.cohort)
    write_result(loaded.audit, snakemake.output.normalisations, status)
    Path(snakemake.output.manifest).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    log.info("read %d rows from %s (sha256 %s)", len(table), path, manifest["sha256"])
    log.info("%d normalisations recorded", len(loaded.audit))
    for warning in loaded.warnings:
        warn_on_screen(log, warning)
    if simulated:
        log.warning("the cohort is SIMULATED (sidecar %s)", snakemake.input.sidecar[0])


run_rule(snakemake, main)  # noqa: F821 (snakemake is injected by the script directive)
