"""A worker of ``infobot run`` (``infobot run --worker NAME --reply-fd N``): the whole
application, started by the supervisor (``infobot.runtime.supervisor``) when a tick has
work, and gone again when it has done it.

It opens the App (which brings the database's schema up to date and applies the settings),
loads the platforms' SDKs, then says ``ready`` on the reply pipe. Each ``tick WHEN`` line
on its standard input runs one round of the daemon (:meth:`Runner.tick`, every running
campaign) and is answered ``done``; ``WHEN`` is the supervisor's time, which a pretended
clock (``INFOBOT_CLOCK_START``) takes on so that both agree on what is due. The end of its
input (the supervisor closed it, or is gone) ends it.

The dead-man switch's pings (``INFOBOT_HEARTBEAT_URL``) are the supervisor's to send: a
worker relays them (:class:`RelayPinger`, one ``ping {json}`` line each on the reply
pipe), so the switch's state (a failed day holds the ticks back) lives as long as the
daemon, not as long as a worker.

Its heartbeat carries the supervisor's name, so one daemon is one row however many workers
it started. A stop (SIGINT from a terminal) is the supervisor's to handle: the worker
ignores it and finishes the delivery in flight, or is killed once the grace is over.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from infobot.clock import Clock, ShiftedClock

if TYPE_CHECKING:
    from infobot.runtime.runner import Runner

READY = "ready"
DONE = "done"
TICK = "tick"


PING = "ping"


class RelayPinger:
    """The dead-man switch of a worker: each ping goes to the supervisor
    (``infobot.runtime.heartbeat_ping.Pings``), which sends it. The minute's tick ping is
    the supervisor's own."""

    enabled = True

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def _relay(self, kind: str, note: str = "", key: str = "") -> None:
        self.out.write(f"{PING} {json.dumps({'kind': kind, 'note': note, 'key': key})}\n")

    def start(self) -> None:
        self._relay("start")

    def success(self, note: str = "", key: str = "") -> None:
        self._relay("success", note, key)

    def fail(self, reason: str, key: str = "") -> None:
        self._relay("fail", reason, key)

    def tick(self) -> None:
        pass


def default_worker() -> str:
    """A daemon's name in the heartbeats: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def replies(fd: int) -> TextIO:
    """The reply pipe (``--reply-fd``), a line at a time."""
    return os.fdopen(fd, "w", encoding="utf-8", buffering=1)


def serve(runner: Runner, clock: Clock, out: TextIO) -> int:
    """Answer the supervisor's ticks on ``out`` until its input ends; the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    runner.platforms.prepare()
    with out:
        out.write(READY + "\n")
        for line in sys.stdin:
            command, _, when = line.strip().partition(" ")
            if command != TICK:
                continue
            if when and isinstance(clock, ShiftedClock):
                clock.move_to(datetime.fromisoformat(when))
            runner.tick(wait=True)
            out.write(DONE + "\n")
    return 0
