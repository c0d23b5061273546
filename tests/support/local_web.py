"""A real HTTP server on 127.0.0.1 in a thread, for link cards and heartbeat pings.

Routes map a path to a function that writes the whole answer with the standard library's
``BaseHTTPRequestHandler`` (so a route can be slow, stream a huge body, or redirect);
every request is recorded (method, path, headers, body).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalWeb:
    server: ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    sent_bytes: dict[str, int] = field(default_factory=dict)  # bytes written per path

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def start() -> LocalWeb:
    web: LocalWeb

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            web.seen.append(Seen(self.command, self.path, dict(self.headers), body))
            route = web.routes.get(self.path.split("?")[0])
            if route is None:
                send(self, 404, b"not here", "text/plain")
                return
            # the client may stop reading: that is what the caps are for
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

        do_GET = do_POST = do_HEAD = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    web = LocalWeb(server)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return web


def stop(web: LocalWeb) -> None:
    web.server.shutdown()
    web.server.server_close()


def serving() -> Iterator[LocalWeb]:
    web = start()
    try:
        yield web
    finally:
        stop(web)


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def page(body: bytes | str, content_type: str = "text/html; charset=utf-8") -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda h: send(h, 200, data, content_type)


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", "text/plain", {"Location": location})


def slow(seconds: float, then: Route) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(h)

    return route


def drip(web: LocalWeb, path: str, chunk: bytes, every: float, times: int) -> Route:
    """Answers at once, then sends ``chunk`` every ``every`` seconds (a slow body)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(chunk) * times))
        h.end_headers()
        for _ in range(times):
            h.wfile.write(chunk)
            h.wfile.flush()
            web.sent_bytes[path] = web.sent_bytes.get(path, 0) + len(chunk)
            time.sleep(every)

    return route


def huge(web: LocalWeb, path: str, head: bytes, total: int, declare: bool = True) -> Route:
    """``head`` then filler up to ``total`` bytes, streamed; counts what was written."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if declare:
            h.send_header("Content-Length", str(total))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(head)
        written = len(head)
        filler = b"<p>" + b"x" * 65_000 + b"</p>\n"
        while written < total:
            piece = filler[: total - written]
            h.wfile.write(piece)
            written += len(piece)
            web.sent_bytes[path] = written
        h.close_connection = True

    return route
