"""The daemon's health endpoint: ``GET /health`` on 127.0.0.1, for ``infobot health``.

The container checks itself every minute; asking the running daemon costs the check
almost nothing (``infobot.healthcheck`` imports only the standard library), where
reading the database itself costs the whole stack. The answer is the same line the
database check gives (``CampaignReads.health``), with 200 when healthy and 503 when not.
Loopback only: it says nothing secret, but it is for this host's check alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infobot.domain.overdue import HEARTBEAT_STALE_AFTER, DaemonState

log = logging.getLogger("infobot.health")
HOST = "127.0.0.1"
PATH = "/health"

#: Answers (healthy, the one line to print).
Check = Callable[[], tuple[bool, str]]
#: A running campaign's day: its name, today's slot status, why its post is overdue.
Today = tuple[str, "str | None", "str | None"]


def health_line(
    now: datetime, beat: tuple[datetime, str] | None, today: Sequence[Today]
) -> tuple[bool, str]:
    """Is a scheduler alive (``beat``: the latest heartbeat and its state), and is no
    running campaign's post overdue today? One line for HEALTHCHECK (naming the campaign
    when there are several)."""
    if beat is None:
        return False, "unhealthy: no infobot daemon has run against this database"
    beat_at, state = beat
    age = now - beat_at
    if state != DaemonState.RUNNING or age > HEARTBEAT_STALE_AFTER:
        return False, (
            f"unhealthy: the scheduler is not running (last heartbeat "
            f"{int(age.total_seconds())} s ago, {state})"
        )
    several = len(today) > 1
    for name, _, overdue in today:
        if overdue is not None:
            return False, f"unhealthy: {f'{name}: ' if several else ''}{overdue}"
    states = [
        (f"{name} " if several else "")
        + (f"today: {status}" if status is not None else "today: not yet due")
        for name, status, _ in today
    ]
    return True, f"healthy: heartbeat {int(age.total_seconds())} s ago; {'; '.join(states)}"


def serve(check: Check, port: int) -> Callable[[], None]:
    """Serve ``check`` in a thread; return the function that stops it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != PATH:
                self.send_error(404)
                return
            try:
                ok, line = check()
            except Exception as exc:  # the check itself failed: say so, unhealthy
                log.warning("the health check failed: %s", exc)
                ok, line = False, f"unhealthy: the health check failed ({type(exc).__name__})"
            body = (line + "\n").encode()
            self.send_response(200 if ok else 503)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # one request a minute, every minute: not worth a log line

    server = ThreadingHTTPServer((HOST, port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="infobot-health", daemon=True)
    thread.start()
    log.info("answering health checks on http://%s:%d%s", HOST, port, PATH)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop


def serve_or_say(check: Check, port: int) -> Callable[[], None]:
    """:func:`serve`, or, when the port cannot be taken, an error in the log and nothing
    served: posting matters more, and the check will say unhealthy."""
    try:
        return serve(check, port)
    except OSError as exc:
        log.error("cannot answer health checks on 127.0.0.1:%d: %s", port, exc)
        return lambda: None
