"""A signed-in HTTP client of the team's web page, and a closed-loop load of N of them.

Standard library only (``http.client``, one kept-alive connection per client), so the
load costs little next to the server it measures. Cookies are kept by hand: the session
cookie is marked Secure, and the server is plain HTTP on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import math
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from bench.common import INFOBOT, BenchError, Place
from bench.processes import Child

CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Sample:
    seconds: float
    status: int
    size: int


@dataclass
class Client:
    """One browser: its own connection and cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def _send(self, method: str, path: str, body: str | None = None) -> tuple[Sample, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection the server closed: open again
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - start
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Sample(seconds, response.status, len(data)), data
        raise AssertionError("unreachable")

    def get(self, path: str) -> tuple[Sample, bytes]:
        return self._send("GET", path)

    def sign_in(self, name: str, password: str) -> None:
        _, page = self.get("/login")
        found = CSRF.search(page.decode("utf-8", "replace"))
        if found is None:
            raise BenchError("the sign-in page has no csrf_token field")
        form = {"username": name, "password": password, "csrf_token": found[1], "next": "/queue"}
        sample, page = self._send("POST", "/login", urllib.parse.urlencode(form))
        if sample.status != 303:
            raise BenchError(f"signing in answered {sample.status}: {page[-500:]!r}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def start_server(place: Place, name: str) -> tuple[Child, int]:
    """``infobot web`` on a free port of 127.0.0.1, answering (its sign-in page) already."""
    port = free_port()
    argv = [str(INFOBOT), "web", "--host", "127.0.0.1", "--port", str(port)]
    server = Child(name, place.workdir, place.env(), argv)
    server.start()
    client = Client(port)
    while True:
        if server.proc is not None and server.proc.poll() is not None:
            tail = (server.out() + server.err())[-2000:]
            raise BenchError(f"infobot web exited with {server.proc.returncode}:\n{tail}")
        try:
            sample, _ = client.get("/login")
            if sample.status == 200:
                break
        except OSError:
            pass
        if time.time() - server.started > 60:
            server.stop()
            raise BenchError("infobot web did not answer within 60 s")
        time.sleep(0.2)
    client.close()
    server.ready = time.time()
    return server, port


def load(clients: list[Client], path: str, requests: int) -> list[Sample]:
    """Every client asks for ``path`` ``requests`` times, one after another, all clients
    at once (a closed loop: each asks again as soon as its answer arrives)."""
    samples: list[Sample] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(clients))

    def one(client: Client) -> None:
        mine = []
        try:
            gate.wait()
            for _ in range(requests):
                sample, _ = client.get(path)
                mine.append(sample)
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"GET {path} under load failed: {failures[0]!r}")
    return samples


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]
