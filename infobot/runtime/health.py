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
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("infobot.health")
HOST = "127.0.0.1"
PATH = "/health"

#: Answers (healthy, the one line to print).
Check = Callable[[], tuple[bool, str]]


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
