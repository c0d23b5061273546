"""Long-running children (daemons, web servers, idle interpreters) and what /proc says of them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import BenchError

READY_TIMEOUT = 60.0


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


@dataclass(eq=False)
class Child:
    """One process under test: its output goes to NAME.out and NAME.err in ``workdir``."""

    name: str
    workdir: Path
    env: dict[str, str]
    argv: list[str]
    markers: Sequence[str] = ()  # any of these in its output means it is ready
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0  # time.time() just before the process was created
    ready: float | None = None
    stop_seconds: float | None = None
    exit_code: int | None = None
    notes: list[str] = field(default_factory=list)

    def out(self) -> str:
        return read_text(self.workdir / f"{self.name}.out")

    def err(self) -> str:
        return read_text(self.workdir / f"{self.name}.err")

    def start(self) -> None:
        with (
            (self.workdir / f"{self.name}.out").open("wb") as out,
            (self.workdir / f"{self.name}.err").open("wb") as err,
        ):
            self.started = time.time()
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def check_ready(self) -> bool:
        """Has it said it is ready? Raises BenchError if it died or took too long."""
        if self.ready is None and self.proc is not None:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.proc.returncode} before it was "
                    f"ready:\n{(self.out() + self.err())[-3000:]}"
                )
            text = self.err() + self.out()
            if any(marker in text for marker in self.markers):
                self.ready = time.time()
            elif time.time() - self.started > READY_TIMEOUT:
                raise BenchError(f"{self.name} not ready after {READY_TIMEOUT:.0f} s")
        return self.ready is not None

    def wait_ready(self) -> None:
        while not self.check_ready():
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, then wait (up to 15 s) for the exit; SIGKILL only if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        begin = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.exit_code = self.proc.wait()
            self.notes.append("did not stop within 15 s of SIGTERM: killed")
        self.stop_seconds = time.perf_counter() - begin


def proc_status(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def rss_mib(pid: int) -> tuple[float, int]:
    """(VmRSS in MiB, number of threads) of a running process and every process it started
    that still runs (``infobot run``'s worker, while it has one)."""
    total, threads = 0.0, 0
    for each in tree(pid):
        try:
            status = proc_status(Path(f"/proc/{each}/status"))
        except OSError:
            continue  # it ended meanwhile
        if "VmRSS" not in status:
            continue  # ended, not yet waited for: it holds no memory
        total += int(status["VmRSS"].split()[0]) / 1024
        threads += int(status["Threads"])
    return total, threads


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants now running."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        each = todo.pop()
        found.append(each)
        todo += parents.get(each, [])
    return found


def cpu_sample(pid: int) -> tuple[float, float, int]:
    """(now, user + system CPU seconds, context switches of every thread) of a process, the
    CPU of the children it has waited for included (``infobot run``'s workers)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    after = stat.rsplit(")", 1)[1].split()  # after "(comm)": field 3 (state) is index 0
    ticks = sum(int(after[n]) for n in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = proc_status(task / "status")
        except OSError:
            continue  # the thread ended meanwhile
        switches += int(status.get("voluntary_ctxt_switches", 0))
        switches += int(status.get("nonvoluntary_ctxt_switches", 0))
    return time.time(), ticks / os.sysconf("SC_CLK_TCK"), switches
