"""The rule scripts' log format, and the summary of failed jobs printed when a run stops.

Every rule script logs to its own file (``logs/<rule>/...``) in :data:`LOG_FORMAT`; a job that
fails logs its error as an ERROR record (the message of an invalid cohort file or configuration,
or "unexpected failure" and the traceback of a bug). When a run stops, the Snakefile's
``onerror`` handler prints :func:`failure_summary` of the failed jobs: each job's error records,
read back from its log, so that the last thing on screen is what went wrong, said once.

Only the standard library is imported: the handler runs inside Snakemake's own process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
# The start of a record written in LOG_FORMAT ("2026-01-31 12:00:00,123 ERROR "); any line that
# does not start so continues the record above it (a message or traceback of several lines).
_RECORD_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) ")
RULE_LINE = "=" * 80


@dataclass(frozen=True)
class FailedJob:
    """A job that failed: its rule, its wildcards and the paths of its log files."""

    rule: str
    wildcards: dict[str, str]
    logs: list[str]


def error_records(log_text: str) -> list[str]:
    """Messages of the ERROR records of a log written in :data:`LOG_FORMAT`, in order, each
    with its continuation lines and without the time stamp and level."""
    records: list[tuple[str, list[str]]] = []
    for line in log_text.splitlines():
        start = _RECORD_START.match(line)
        if start:
            records.append((start["level"], [line[start.end() :]]))
        elif records:
            records[-1][1].append(line)
    return ["\n".join(lines).rstrip() for level, lines in records if level == "ERROR"]


def job_label(job: FailedJob) -> str:
    """ "rule ingest" or "rule stratify (subgroup=first_line)"."""
    if not job.wildcards:
        return f"rule {job.rule}"
    values = ", ".join(f"{name}={value}" for name, value in job.wildcards.items())
    return f"rule {job.rule} ({values})"


def failure_summary(jobs: list[FailedJob]) -> str:
    """What to print last when a run stops: for each failed job, its label and log path, then
    its error messages as logged, jobs in the order of their labels. A job whose logs hold no
    error record (killed, or failed outside its script) is named with a pointer to Snakemake's
    messages above.
    """
    blocks = []
    for job in sorted(jobs, key=job_label):
        messages = []
        for log in job.logs:
            path = Path(log)
            if path.is_file():
                messages.extend(error_records(path.read_text(encoding="utf-8", errors="replace")))
        where = ", ".join(job.logs) if job.logs else "no log"
        if messages:
            blocks.append(f"{job_label(job)} failed (log: {where}):\n" + "\n".join(messages))
        else:
            blocks.append(
                f"{job_label(job)} failed without an error message in its log ({where}); "
                "see Snakemake's messages above"
            )
    count = f"{len(jobs)} jobs" if len(jobs) != 1 else "1 job"
    heading = f"The workflow stopped: {count} failed."
    return "\n".join([RULE_LINE, heading, "", "\n\n".join(blocks), RULE_LINE])
