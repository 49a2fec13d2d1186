"""il6hcc.runlock: a lock is cleared only when provably stale; starts in one folder take turns.

Fast tests without Snakemake (the workflow-level tests, a second run refused while one works and
a SIGKILLed run resumed, are in tests/test_reruns.py). Processes are real: a sleeping Python whose
command line names snakemake stands for a live run.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from il6hcc.runlock import (
    RECORDS,
    SNAKEMAKE_LOCKS,
    judge_lock,
    open_gate,
    process_runs_snakemake_in,
    start_run,
)

HOST = socket.gethostname()
SLEEPER = "import sys, time; time.sleep(60)"


@pytest.fixture
def sleeper(tmp_path):
    """A live process whose command line names snakemake, working in tmp_path."""
    process = subprocess.Popen([sys.executable, "-c", SLEEPER, "snakemake"], cwd=tmp_path)
    started(process)
    yield process
    process.kill()
    process.wait()


def started(process: subprocess.Popen) -> None:
    """Wait until the new program has replaced the forked copy (its command line is readable)."""
    cmdline = Path("/proc") / str(process.pid) / "cmdline"
    while not cmdline.read_bytes():
        time.sleep(0.01)


def finished_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)  # fmt: skip
    return int(process.stdout)


def record(pid: int, host: str = HOST, started: str = "2026-01-01 00:00:00 UTC", folder="/x"):
    return {"pid": pid, "host": host, "started": started, "command": "snakemake", "folder": folder}


def write_record(folder: Path, entry: dict) -> Path:
    path = folder / RECORDS / f"{entry['host']}.{entry['pid']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entry), encoding="utf-8")
    return path


def write_snakemake_lock(folder: Path) -> Path:
    lock = folder / SNAKEMAKE_LOCKS / "0.output.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("results/report.html\n", encoding="utf-8")
    return lock


# --- The verdict -------------------------------------------------------------------------------


def judge(records, live_pids=(), own_run=()):
    return judge_lock(records, host=HOST, is_live=lambda r: r["pid"] in live_pids,
                      own_run=set(own_run))  # fmt: skip


def test_only_dead_records_of_this_host_make_a_lock_stale():
    verdict = judge([record(11), record(12, started="2026-01-02 00:00:00 UTC")])
    assert verdict.clear
    assert [r["pid"] for r in verdict.dead] == [11, 12]
    assert "Removed the lock left by an interrupted run" in verdict.message
    assert "pid 12" in verdict.message


def test_a_live_run_keeps_the_lock_and_says_not_to_unlock():
    verdict = judge([record(11), record(12)], live_pids={12})
    assert not verdict.clear and verdict.dead == ()
    assert verdict.message.startswith("Another Snakemake run is working in this folder (pid 12")
    assert "Do not use `snakemake --unlock` while it runs" in verdict.message


def test_a_run_of_another_host_is_never_cleared_automatically():
    verdict = judge([record(11), record(11, host="other-node")])
    assert not verdict.clear and verdict.dead == ()
    assert "on another host (pid 11 on other-node" in verdict.message
    assert "clear the lock with `snakemake --unlock`" in verdict.message


def test_a_lock_without_any_record_is_kept():
    verdict = judge([])
    assert not verdict.clear
    assert "left no run record" in verdict.message
    assert "`snakemake --unlock`" in verdict.message


def test_a_snakemake_started_by_a_job_of_the_live_run_is_told_nothing():
    verdict = judge([record(12)], live_pids={12}, own_run={12, 1})
    assert not verdict.clear and verdict.message == ""


# --- Is a process a live run of this folder? ---------------------------------------------------


def test_a_live_snakemake_process_of_the_folder_is_a_run(sleeper, tmp_path):
    assert process_runs_snakemake_in(sleeper.pid, tmp_path)


def test_another_folder_another_program_or_an_ended_process_is_not(sleeper, tmp_path):
    assert not process_runs_snakemake_in(sleeper.pid, tmp_path / "elsewhere")
    other = subprocess.Popen([sys.executable, "-c", SLEEPER], cwd=tmp_path)
    started(other)
    try:
        assert not process_runs_snakemake_in(other.pid, tmp_path)
    finally:
        other.kill()
        other.wait()
    assert not process_runs_snakemake_in(finished_pid(), tmp_path)


# --- start_run on a folder ------------------------------------------------------------------------


def test_start_run_clears_a_stale_lock_and_the_dead_record(tmp_path, capsys):
    lock = write_snakemake_lock(tmp_path)
    dead = write_record(tmp_path, record(finished_pid(), folder=str(tmp_path)))

    open_gate(start_run(tmp_path))

    assert not lock.exists() and not dead.exists()
    assert "Removed the lock left by an interrupted run" in capsys.readouterr().err


def test_start_run_keeps_the_lock_of_a_live_run(tmp_path, sleeper, capsys):
    lock = write_snakemake_lock(tmp_path)
    dead = write_record(tmp_path, record(finished_pid(), folder=str(tmp_path)))
    write_record(tmp_path, record(sleeper.pid, folder=str(tmp_path)))

    open_gate(start_run(tmp_path))

    # The dead record stays: once the live run is gone, it still proves the lock stale.
    assert lock.exists() and dead.exists()
    assert "Another Snakemake run is working in this folder" in capsys.readouterr().err


def test_start_run_records_itself_and_leaves_a_folder_without_lock_alone(tmp_path, capsys):
    open_gate(start_run(tmp_path))
    (own,) = (tmp_path / RECORDS).glob("*.json")
    assert json.loads(own.read_text(encoding="utf-8"))["host"] == HOST
    assert capsys.readouterr().err == ""


TRY_GATE = """
import fcntl, os, sys
gate = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(3)
"""


def test_the_start_gate_is_held_until_opened(tmp_path):
    gate = start_run(tmp_path)
    gate_file = str(tmp_path / RECORDS / "start.gate")

    def try_gate() -> int:
        return subprocess.run([sys.executable, "-c", TRY_GATE, gate_file], check=False).returncode

    assert try_gate() == 3
    open_gate(gate)
    assert try_gate() == 0
