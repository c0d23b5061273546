"""The supervisor's side of a worker (``infobot.runtime.worker``): start it, wait until it is
ready, send it a tick and wait for the answer, end it.

The worker runs in a session of its own, so a Ctrl-C at a terminal reaches the supervisor
only (which decides how the delivery in flight ends), and its output goes where the
supervisor's goes (one log). Its answers come on a pipe of their own, never mixed with
its log lines.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from infobot.runtime.worker import DONE, PING, READY, TICK

log = logging.getLogger("infobot.run")
#: How long a worker may take to start (imports, the schema, the SDKs).
START_WITHIN = 120.0
#: How long an idle worker may take to end once its input is closed.
END_WITHIN = 10.0


class WorkerGone(Exception):
    """The worker ended (or was ended) before it answered."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"the worker stopped (exit code {code})")
        self.code = code


class WorkerProcess:
    """One running worker."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*argv, "--reply-fd", str(write)],
                env=dict(env),
                stdin=subprocess.PIPE,
                pass_fds=(write,),
                start_new_session=True,
                text=True,
            )
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self._replies = read
        self._buffer = b""
        #: Sends a ping the worker relays (``infobot.runtime.worker.RelayPinger``).
        self.on_ping: Callable[[str, str, str], object] | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self, give_up: Callable[[], bool]) -> None:
        """Wait until the worker is ready (:class:`WorkerGone` if it ends first)."""
        self._answer(READY, time.monotonic() + START_WITHIN, give_up)

    def tick(self, now: datetime, give_up: Callable[[], bool]) -> None:
        """One round of the daemon in the worker, at the supervisor's ``now``; returns when
        it is done (:class:`WorkerGone` if the worker ends first or ``give_up`` says so)."""
        stdin = self.process.stdin
        if stdin is None or not self.alive():
            raise WorkerGone(self.process.poll())
        try:
            stdin.write(f"{TICK} {now.isoformat()}\n")
            stdin.flush()
        except (BrokenPipeError, ValueError):
            raise WorkerGone(self.process.poll()) from None
        self._answer(DONE, None, give_up)

    def _answer(self, expected: str, deadline: float | None, give_up: Callable[[], bool]) -> None:
        """Wait for the ``expected`` line, passing on the pings relayed meanwhile."""
        line = self._line(deadline, give_up)
        while line.startswith(PING + " "):
            self._ping(line.removeprefix(PING + " "))
            line = self._line(deadline, give_up)
        if line != expected:
            self.kill()
            raise WorkerGone(self.process.poll())

    def _ping(self, relayed: str) -> None:
        try:
            ping = json.loads(relayed)
            kind, note, key = str(ping["kind"]), str(ping["note"]), str(ping["key"])
        except (ValueError, KeyError, TypeError):
            log.warning("a worker relayed a ping that could not be read")
            return
        if self.on_ping is not None:
            self.on_ping(kind, note, key)

    def _line(self, deadline: float | None, give_up: Callable[[], bool]) -> str:
        while b"\n" not in self._buffer:
            if give_up() or (deadline is not None and time.monotonic() > deadline):
                self.kill()
                raise WorkerGone(self.process.poll())
            ready, _, _ = select.select([self._replies], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(self._replies, 4096)
            if not chunk:  # the pipe closed: the worker ended
                self.process.wait()
                raise WorkerGone(self.process.returncode)
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace").strip()

    def end(self) -> None:
        """Close its input: it ends once its round is done (killed if it does not)."""
        stdin = self.process.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()
        try:
            self.process.wait(END_WITHIN)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close()

    def kill(self) -> None:
        """End it at once (a delivery in flight is left for reconciliation: its intent is
        committed before anything is sent)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._close()

    def _close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # a pipe to a killed worker may fail to flush
                self.process.stdin.close()
        if self._replies >= 0:
            os.close(self._replies)
            self._replies = -1
