"""A worker of ``infobot run`` (``infobot run --worker NAME --reply-fd N``): the whole
application, started by the supervisor (``infobot.runtime.supervisor``) when a tick has
work, and gone again when it has done it.

It opens the App (which brings the database's schema up to date and applies the settings),
loads the platforms' SDKs, then says ``ready`` on the reply pipe. Each ``tick WHEN`` line
on its standard input runs one round of the daemon (:meth:`Runner.tick`, every running
campaign) and is answered ``done``; ``WHEN`` is the supervisor's time, which a pretended
clock (``INFOBOT_CLOCK_START``) takes on so that both agree on what is due. The end of its
input (the supervisor closed it, or is gone) ends it.

Its heartbeat carries the supervisor's name, so one daemon is one row however many workers
it started. A stop (SIGINT from a terminal) is the supervisor's to handle: the worker
ignores it and finishes the delivery in flight, or is killed once the grace is over.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from infobot.clock import Clock, ShiftedClock

if TYPE_CHECKING:
    from infobot.runtime.runner import Runner

READY = "ready"
DONE = "done"
TICK = "tick"


def default_worker() -> str:
    """A daemon's name in the heartbeats: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def serve(runner: Runner, clock: Clock, replies: int) -> int:
    """Answer the supervisor's ticks until its input ends; the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    runner.platforms.prepare()
    with os.fdopen(replies, "w", encoding="utf-8", buffering=1) as out:
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
