"""Snakemake's command line, with every rule script run inside Snakemake's own process.

    python tests/snakemake_in_process.py --cores 1 [snakemake arguments]

Everything is Snakemake's own (the DAG, params, wildcards, scheduling, output checks, metadata,
rerun triggers, the Snakefile's hooks, the log) except one step: where Snakemake would start
``python <job script>`` for a ``script:`` rule, the same generated file (its preamble builds the
same ``snakemake`` object) is executed here. The jobs then share one interpreter, so the imports
a job pays in a fresh process (pandas, scipy, statsmodels, matplotlib: 0.4-2 s a job) are paid
once per run. Tests use it for the runs that prove what the analyses do under other
configurations; the runs that prove how jobs run (the default run, a killed and resumed run, the
cluster run, failing runs) start a process per job as users do, and test_cluster checks that a
run in one process gives them byte-identical results.

Only ``--cores 1`` is accepted: the local executor runs jobs in threads, and rule scripts are
not written to share an interpreter concurrently (pyplot, per-rule loggers).
"""

import subprocess
import sys
import time
import traceback
from pathlib import Path

from snakemake.cli import main
from snakemake.script import PythonScript


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


if __name__ == "__main__":
    cores = [arg for i, arg in enumerate(sys.argv) if sys.argv[i - 1] in ("--cores", "-c")]
    if cores != ["1"]:
        sys.exit("snakemake_in_process.py runs jobs one at a time: pass --cores 1")
    PythonScript.execute_script = execute_in_this_process
    sys.argv[0] = "snakemake"
    main()
