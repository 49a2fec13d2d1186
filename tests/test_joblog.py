"""il6hcc.joblog: the error records of a rule's log and the summary printed when a run stops."""

import logging

from il6hcc.joblog import LOG_FORMAT, RULE_LINE, FailedJob, error_records, failure_summary


def write_log(path, records) -> str:
    """A log written the way rule scripts write theirs (LOG_FORMAT), from (level, message)."""
    log = logging.getLogger(f"test_joblog.{path.name}")
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    log.addHandler(handler)
    try:
        for level, message in records:
            log.log(level, "%s", message)
    finally:
        log.removeHandler(handler)
        handler.close()
    return str(path)


def test_error_records_keep_their_lines_and_drop_other_levels(tmp_path):
    write_log(
        tmp_path / "ingest.log",
        [
            (logging.INFO, "rule ingest, wildcards {}"),
            (logging.WARNING, "a warning\nof two lines"),
            (logging.ERROR, "c.csv: row 3, column 'x': found 'a'\nc.csv: row 4: found 2 fields"),
            (logging.INFO, "after"),
            (logging.ERROR, "second error"),
        ],
    )
    assert error_records((tmp_path / "ingest.log").read_text(encoding="utf-8")) == [
        "c.csv: row 3, column 'x': found 'a'\nc.csv: row 4: found 2 fields",
        "second error",
    ]


def test_error_records_of_a_log_without_errors_or_empty():
    assert error_records("") == []
    assert error_records("2026-01-31 12:00:00,123 INFO done in 1.00 s\n") == []
    assert error_records("a line written before any record\n") == []


def test_summary_gives_each_failed_job_its_messages_once(tmp_path):
    ingest_log = write_log(
        tmp_path / "ingest.log", [(logging.ERROR, "data/c.csv: did you mean 'IL-6 before'?")]
    )
    stratify_log = write_log(
        tmp_path / "broken.log",
        [(logging.INFO, "rule stratify"), (logging.ERROR, "unexpected failure\nTraceback ...")],
    )
    summary = failure_summary(
        [
            FailedJob("stratify", {"subgroup": "broken"}, [stratify_log]),
            FailedJob("ingest", {}, [ingest_log]),
        ]
    )
    assert summary.splitlines() == [
        RULE_LINE,
        "The workflow stopped: 2 jobs failed.",
        "",
        f"rule ingest failed (log: {ingest_log}):",
        "data/c.csv: did you mean 'IL-6 before'?",
        "",
        f"rule stratify (subgroup=broken) failed (log: {stratify_log}):",
        "unexpected failure",
        "Traceback ...",
        RULE_LINE,
    ]


def test_summary_of_a_job_that_left_no_error_message(tmp_path):
    empty_log = write_log(tmp_path / "roc.log", [(logging.INFO, "rule roc")])
    missing_log = str(tmp_path / "never_written.log")
    summary = failure_summary(
        [FailedJob("roc", {"subgroup": "all"}, [empty_log]), FailedJob("report", {}, [])]
    )
    assert f"rule roc (subgroup=all) failed without an error message in its log ({empty_log})" in (
        summary
    )
    assert "rule report failed without an error message in its log (no log)" in summary
    assert "The workflow stopped: 2 jobs failed." in summary
    summary = failure_summary([FailedJob("ingest", {}, [missing_log])])
    assert "The workflow stopped: 1 job failed." in summary
    assert f"without an error message in its log ({missing_log})" in summary
