"""Run one command and write its wall time, CPU time and peak RSS: the bench's stopwatch.

``python -S -m bench.spawn RESULT.json WORKDIR -- PROGRAM ARG...`` (started from the
repository's root, with the command's environment). Why a separate small process:
Linux counts, in a child's peak RSS (``ru_maxrss``), the peak of the process that
started it (exec records the old memory's high-water mark), so a child started straight
from the benchmark runner, which holds big data sets at times, would report the runner's
peak. Started from here, a command's peak is its own (or this interpreter's ~10 MiB).
"""

import json
import os
import sys
import time


def main(result: str, workdir: str, argv: list[str]) -> int:
    os.chdir(workdir)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    figures = {
        "seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_mib": usage.ru_maxrss / 1024,
        "returncode": code,
    }
    with open(result, "w", encoding="utf-8") as handle:
        json.dump(figures, handle)
    return 0


if __name__ == "__main__":
    separator = sys.argv.index("--")
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[separator + 1 :]))
