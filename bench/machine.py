"""How busy the machine is: on a shared machine every time drifts with the others' work."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import statistics
import time
from pathlib import Path

from bench.common import CLOCK_START, DATA, PYTHON


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min)"


class Noise:
    """CPU time the rest of the machine used while the benchmarks ran."""

    def __init__(self) -> None:
        self.busy0 = self._busy()
        self.own0 = self._own()

    @staticmethod
    def _busy() -> float | None:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def others(self, wall: float) -> str:
        """Busy CPU time of the machine less this process and its waited-for children.

        Children still running when read (the daemons, the web servers) are counted as
        "others" until they are waited for, so this is an upper bound.
        """
        busy = self._busy()
        if busy is None or self.busy0 is None:
            return "unknown (no /proc/stat)"
        other = max(0.0, (busy - self.busy0) - (self._own() - self.own0))
        return f"{other:.0f} CPU-seconds ({100 * other / wall:.0f}% of one CPU on average)"


def calibrate() -> str:
    """A fixed pure-Python loop: compare this line between runs to see the machine's speed."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for n in range(3_000_000):
            total += n
        times.append(time.perf_counter() - start)
    low, high = min(times), max(times)
    return f"3M-step Python loop: {statistics.median(times):.3f} s (runs {low:.3f}-{high:.3f})"


def context() -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    state = "SET" if "PYTHONDONTWRITEBYTECODE" in os.environ else "not set"
    return [
        f"python      {platform.python_version()} ({PYTHON})",
        f"SQLite      {sqlite3.sqlite_version}",
        f"CPUs        {os.cpu_count()} (usable by this process: {usable})",
        f"platform    {platform.platform()}",
        f"load avg    {load()} at the start",
        f"speed       {calibrate()}",
        f"PYTHONDONTWRITEBYTECODE is {state} in this shell. The children run with it UNSET,",
        "            after warm-up runs that write the bytecode, as for a normal install.",
        f"clock       INFOBOT_CLOCK_START={CLOCK_START} unless a figure says otherwise",
        f"data        {DATA}",
    ]
