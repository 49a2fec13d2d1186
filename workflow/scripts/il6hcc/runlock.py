"""One run at a time in a folder, and a run killed by SIGKILL or a power loss resumes by itself.

Snakemake's lock (files under ``.snakemake/locks`` listing a run's inputs and outputs) stops a
second run that would write the same files. A run killed with SIGKILL, or a machine that loses
power, cannot remove it, and the next run stops with "Directory cannot be locked" until
``snakemake --unlock``. This module tells a stale lock from a live one, before Snakemake checks it:

- every Snakemake process started in the folder (not the job processes of a cluster executor)
  writes a run record, ``.snakemake/il6hcc-runs/<host>.<pid>.json``, before Snakemake takes its
  lock, and removes it when it exits; a killed process leaves it behind;
- a record is live when its host is this host and its process still runs Snakemake in this
  folder; a record of another host cannot be checked from here and counts as live;
- Snakemake's lock is stale when every record is of this host and dead: its files are removed
  (what ``snakemake --unlock`` does), with a message, and the run resumes (the default profile's
  ``rerun-incomplete`` redoes the jobs the killed run left incomplete). Any other lock is left
  in place, with a message saying what to do.

Start gate: Snakemake checks for a lock and then writes its own, so two runs started at the same
moment could both find none. An exclusive ``flock`` on ``.snakemake/il6hcc-runs/start.gate`` is
held from the reading of the Snakefile until Snakemake's lock is written (the ``onstart``
handler, ``open_gate``) or the process ends: starts in one folder take turns, and the second finds
the first one's lock. The kernel releases a flock when its process dies, so the gate is never
stale.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RECORDS = Path(".snakemake") / "il6hcc-runs"
SNAKEMAKE_LOCKS = Path(".snakemake") / "locks"
GATE = "start.gate"
GATE_WAIT_SECONDS = 120.0
UNLOCK = "snakemake --unlock"


@dataclass(frozen=True)
class LockVerdict:
    """What to do about Snakemake's lock files found when a run starts."""

    clear: bool  # True only when the lock is provably stale
    message: str
    # When clearing: the records of the killed runs, removed with the lock. Otherwise they are
    # kept: they are what proves a lock stale once the live or unknown run is gone.
    dead: tuple[dict, ...] = ()


def process_runs_snakemake_in(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` is alive, runs Snakemake and works in ``folder`` (this host).

    Without ``/proc`` (not Linux), a living process of that id counts as such: a lock is never
    cleared on a guess.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc") / str(pid)
    if not Path("/proc/self").exists():
        return True
    try:
        command = (proc / "cmdline").read_bytes()
        cwd = Path(os.readlink(proc / "cwd"))
    except FileNotFoundError:
        return False
    except PermissionError:
        return True
    return b"snakemake" in command and cwd.resolve() == folder.resolve()


def ancestors(pid: int) -> set[int]:
    """Parent, grandparent, ... of process ``pid`` (empty without ``/proc``)."""
    found = set()
    while pid > 1:
        try:
            stat = (Path("/proc") / str(pid) / "stat").read_text(encoding="utf-8")
        except OSError:
            break
        # The command name (2nd field) is in parentheses and may hold spaces; ppid follows it.
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        found.add(pid)
    return found


def describe(record: dict) -> str:
    return f"pid {record['pid']} on {record['host']}, started {record['started']}"


def judge_lock(records: list[dict], *, host: str, is_live, own_run: set[int]) -> LockVerdict:
    """Decide about Snakemake's lock given the other processes' run records (pure but ``is_live``).

    ``is_live(record)`` says whether a record of this host still runs; ``own_run`` holds the ids
    of this process's ancestors: a Snakemake started by a job of a run (the rule graph) belongs
    to that run and is told nothing.
    """
    foreign = [r for r in records if r["host"] != host]
    local = [r for r in records if r["host"] == host]
    live = [r for r in local if is_live(r)]
    dead = tuple(r for r in local if r not in live)
    if any(r["pid"] in own_run for r in live):
        return LockVerdict(clear=False, message="")
    if live:
        return LockVerdict(
            clear=False,
            message=(
                f"Another Snakemake run is working in this folder ({describe(live[0])}: "
                f"{live[0]['command']}). Two runs would write the same files: Snakemake stops "
                "this one, unless it only plans (-n). Wait for that run to finish, or stop it, "
                f"then run the same command again. Do not use `{UNLOCK}` while it runs."
            ),
        )
    if foreign:
        return LockVerdict(
            clear=False,
            message=(
                f"This folder is locked by a Snakemake run on another host ({describe(foreign[0])})"
                f", which cannot be checked from {host}, so the lock is left in place. If no run "
                "works in this folder any more (it was killed, or its machine went down), clear "
                f"the lock with `{UNLOCK}` and run the same command again."
            ),
        )
    if not dead:
        return LockVerdict(
            clear=False,
            message=(
                "This folder is locked by a Snakemake run that left no run record, so the lock "
                "is left in place. If no run works in this folder any more, clear the lock with "
                f"`{UNLOCK}` and run the same command again."
            ),
        )
    return LockVerdict(
        clear=True,
        dead=dead,
        message=(
            "Removed the lock left by an interrupted run in this folder "
            f"({describe(dead[-1])}, no longer running); resuming."
        ),
    )


def read_records(folder: Path, *, skip: Path) -> list[dict]:
    records = []
    for path in sorted((folder / RECORDS).glob("*.json")):
        if path == skip:
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # removed meanwhile by its exiting run, or being written: not a lock holder
        records.append({**record, "path": str(path)})
    return sorted(records, key=lambda r: r["started"])


def record_path(folder: Path, host: str, pid: int) -> Path:
    return folder / RECORDS / f"{host}.{pid}.json"


def close_gate(folder: Path) -> int:
    """Hold the start gate (see the module docstring); returns its file descriptor."""
    (folder / RECORDS).mkdir(parents=True, exist_ok=True)
    gate = os.open(folder / RECORDS / GATE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + GATE_WAIT_SECONDS
    told = False
    while True:
        try:
            fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return gate
        except BlockingIOError:
            if time.monotonic() > deadline:
                # Only a run that never reaches onstart (--no-hooks) holds it this long; its
                # Snakemake lock is written, so Snakemake's own check still applies.
                return gate
            if not told:
                print(
                    "Waiting for another Snakemake run in this folder to start ...", file=sys.stderr
                )
                told = True
            time.sleep(0.1)


def open_gate(gate: int) -> None:
    """Release the start gate (Snakemake's lock is written: the next start will see it)."""
    os.close(gate)


def start_run(folder: Path) -> int:
    """Before Snakemake takes its lock: gate, record this run, and clear a provably stale lock.

    Returns the gate's file descriptor, for ``open_gate`` in the ``onstart`` handler.
    """
    folder = folder.resolve()
    gate = close_gate(folder)
    host, pid = socket.gethostname(), os.getpid()
    own = record_path(folder, host, pid)
    record = {
        "pid": pid,
        "host": host,
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": shlex.join(["snakemake", *sys.argv[1:]]),
        "folder": str(folder),
    }
    own.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    atexit.register(own.unlink, missing_ok=True)
    locks = list((folder / SNAKEMAKE_LOCKS).glob("*.lock"))
    if not locks:
        return gate
    verdict = judge_lock(
        read_records(folder, skip=own),
        host=host,
        is_live=lambda r: process_runs_snakemake_in(r["pid"], Path(r["folder"])),
        own_run=ancestors(pid),
    )
    if verdict.clear:
        for lock in locks:
            lock.unlink(missing_ok=True)
    for dead in verdict.dead:
        Path(dead["path"]).unlink(missing_ok=True)
    if verdict.message:
        print(verdict.message, file=sys.stderr)
    return gate
