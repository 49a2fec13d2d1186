"""Snakemake's command line for the tests, started without paying Python's start-up each time.

    run(workdir, ["-n"], env=..., timeout=...)                    # like `snakemake -n` in workdir
    run(workdir, ["--cores", "1"], ..., jobs_in_process=True)     # and every rule script inside it

A fresh `python -m snakemake` spends about 1.1 s of CPU on imports before it reads the Snakefile
(a dry run of this workflow: 1.7 s of CPU fresh, 0.6 s forked from the server below); the tests
start Snakemake about 45 times. Here a fork server (multiprocessing's "forkserver" start method)
imports Snakemake and the libraries the rule scripts use once per test process, and each run is
a new process forked from it that runs ``snakemake.cli.main`` as `python -m snakemake` would:
its own working directory, arguments, environment and process group, output to files, its exit
status. Nothing of one run reaches another: every run is a fresh fork of the server, which
never reads a Snakefile or the workflow's package (a run imports ``il6hcc`` from its own copy).
One thing they do share is the server's string-hash seed (drawn when an interpreter starts), so
a result that depended on set or dict order of strings would come out the same in every forked
run: two runs compared byte for byte must include one whose jobs are fresh processes (the
cluster run, the killed-and-resumed run, the default run).

With ``jobs_in_process``, where Snakemake would start `python <job script>` for a ``script:``
rule, the same generated file (its preamble builds the same ``snakemake`` object) is executed
inside Snakemake's process instead. The jobs then share one interpreter, so the imports a job
pays in a fresh process (pandas, scipy, statsmodels, matplotlib: 0.4-2 s a job) are paid once
per run. Tests use it for the runs that prove what the analyses do under other configurations;
the runs that prove how jobs run (the default run, a killed and resumed run, the cluster run,
failing runs) start a process per job as users do, and test_cluster checks that a run in one
process gives them byte-identical results. Only ``--cores 1`` is accepted then: the local
executor runs jobs in threads, and rule scripts are not written to share an interpreter
concurrently (pyplot, per-rule loggers).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Imported once by the server: Snakemake with what a run of it imports (its storage, profile and
# report modules pull in boto3, smart_open, docutils and pygments) and what the rule scripts
# import from outside the standard library; never the workflow's own package, which each run
# imports from its copy.
PRELOAD = [
    "snakemake.cli",
    "snakemake.api",
    "snakemake.profiles",
    "snakemake.report.html_reporter",
    "snakemake.script",
    "snakemake.storage",
    "boto3",
    "smart_open",
    "yte",
    "pandas",
    "scipy.stats",
    "statsmodels.api",
    "seaborn",
    "pingouin",
    "jinja2",
    "openpyxl",
]
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload(PRELOAD)


def execute_in_this_process(self, fname, edit=False) -> None:
    """PythonScript.execute_script without the subprocess: a failing script (an exit status or an
    exception, whose traceback is printed as the subprocess would) fails its job as the
    subprocess's exit status would. A ``benchmark:`` file records the running time only."""
    code = compile(Path(fname).read_text(encoding="utf-8"), fname, "exec")
    # The preamble extends sys.path by Snakemake's search path, which includes sys.path itself:
    # harmless once per fresh process, a doubling per job here, so it is restored after each.
    search_path, started = list(sys.path), time.perf_counter()
    try:
        exec(code, {"__name__": "__main__", "__file__": fname})
    except SystemExit as stop:
        if stop.code not in (None, 0):
            raise subprocess.CalledProcessError(stop.code, fname) from None
    except Exception:
        traceback.print_exc()
        raise subprocess.CalledProcessError(1, fname) from None
    finally:
        sys.path[:] = search_path
        if self.bench_record is not None:
            self.bench_record.running_time = time.perf_counter() - started


def _snakemake(workdir: str, args: list[str], env: dict, out: str, err: str, jobs_in_process):
    """The forked process: `python -m snakemake <args>` in ``workdir`` with ``env``, stdout and
    stderr (its jobs' too) into the files ``out`` and ``err``."""
    # Imported here (the server has them already): the test processes never need Snakemake.
    from snakemake.cli import main
    from snakemake.script import PythonScript

    os.setsid()
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(env)
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    # As `python -m`: the working directory first, and none of the test session's own entries
    # (tests/, the repository's workflow/scripts): the run can import only what `python -m
    # snakemake` in the copy could (its Snakefile puts the copy's workflow/scripts first).
    sys.path[:] = [workdir, *(p for p in sys.path if not Path(p).resolve().is_relative_to(REPO))]
    for fd, path in ((1, out), (2, err)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    if jobs_in_process:
        PythonScript.execute_script = execute_in_this_process
    sys.argv = ["snakemake", *args]
    main()


def run(
    workdir: Path, args: list[str], *, env: dict, timeout: float, jobs_in_process: bool = False
) -> subprocess.CompletedProcess:
    """Snakemake with ``args`` in ``workdir``, as ``subprocess.run([python, "-m", "snakemake",
    *args], capture_output=True, text=True, timeout=timeout)`` returns it: the exit status
    (negative for a signal), stdout, stderr; on timeout the run and every job it started are
    killed and ``subprocess.TimeoutExpired`` raised."""
    command = ["snakemake", *args]
    pairs = zip(args, args[1:], strict=False)
    cores = [value for flag, value in pairs if flag in ("--cores", "-c")]
    if jobs_in_process and cores != ["1"]:
        raise ValueError("jobs in Snakemake's process run one at a time: pass --cores 1")
    with tempfile.TemporaryDirectory(prefix="snakemake-output-") as scratch:
        out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
        target_args = (str(workdir), list(args), env, str(out), str(err), jobs_in_process)
        process = _SERVER.Process(target=_snakemake, args=target_args)
        process.start()
        try:
            process.join(timeout)
            timed_out = process.exitcode is None
        finally:
            # Timed out, or the test session interrupted: the run and its jobs stop here too.
            if process.exitcode is None:
                # The group exists once the run has called setsid, its first step.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.kill()
                process.join()
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout, _read(out), _read(err))
        return subprocess.CompletedProcess(command, process.exitcode, _read(out), _read(err))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""
