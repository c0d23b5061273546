"""Reading a web address safely: short timeouts, a size cap, no private addresses.

Used for link cards (the page behind a story's link and its picture, fetched at approval)
and for the heartbeat pings. Plain ``http.client`` from the standard library: no new
dependency, and control over the one thing that matters here, which address is dialled.

For every hop (the first request and each redirect) the host name is resolved, **every**
address it resolves to is checked, and the connection goes to a checked address (so a
name that resolves again differently between the check and the connection changes
nothing). Refused, whatever the settings: link-local addresses (169.254.0.0/16, where
cloud metadata services answer; fe80::/10), multicast, unspecified and reserved ones.
Refused unless ``allow_private`` (tests, or a heartbeat server on the local network):
loopback and private networks. IPv4 addresses inside IPv6 ones (``::ffff:127.0.0.1``,
6to4, Teredo) are checked as the IPv4 address they carry.

Every failure is a ``FetchRefused`` whose ``reason`` is a plain phrase for people ("the
site took too long to answer"); it names the host at most, never the path or query of an
address (a heartbeat URL's path is its secret).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import http.client

__all__ = [
    "Connector",
    "FetchLimits",
    "FetchRefused",
    "Fetched",
    "GuardedHttp",
    "Resolver",
    "address_problem",
]

#: host, port -> the IP addresses to try, as strings
Resolver = Callable[[str, int], list[str]]
#: ip, port, connect timeout -> a connected socket
Connector = Callable[[str, int, float], socket.socket]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class FetchRefused(Exception):
    """The address could not or would not be read; ``reason`` says why, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FetchLimits:
    connect_seconds: float = 3.0  # to open each connection
    read_seconds: float = 3.0  # longest wait for any part of an answer
    total_seconds: float = 8.0  # the whole request, redirects and body included
    max_redirects: int = 3


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str  # media type, lower case, without parameters ("text/html")
    charset: str  # from the Content-Type header, or ""
    body: bytes
    truncated: bool  # the body was longer than the cap and was cut there


def address_problem(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool = False
) -> str | None:
    """What kind of address ``ip`` is when infobot will not connect to it ("a private
    network address"), or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None:
            return address_problem(carried, allow_private)
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if ip.is_loopback:
        return None if allow_private else "this machine's own address"
    if ip.is_global:
        return None
    if ip.is_reserved:
        return "a reserved address"
    return None if allow_private else "a private network address"


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def _system_connector(ip: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((ip, port), timeout=timeout)


class GuardedHttp:
    """One small HTTP client with the guards above. Safe to share between threads."""

    def __init__(
        self,
        *,
        limits: FetchLimits | None = None,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        connector: Connector | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        user_agent: str = "infobot (link preview)",
    ) -> None:
        self.limits = limits or FetchLimits()
        self.allow_private = allow_private
        self._resolve = resolver or _system_resolver
        self._connect = connector or _system_connector
        self._monotonic = monotonic
        self.user_agent = user_agent

    def deadline(self) -> float:
        """A deadline ``total_seconds`` from now, to share between several requests."""
        return self._monotonic() + self.limits.total_seconds

    def request(
        self,
        method: str,
        url: str,
        *,
        max_bytes: int,
        truncate: bool = False,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
        deadline: float | None = None,
    ) -> Fetched:
        """Send one request and read at most ``max_bytes`` of the answer's body.

        A longer body is refused, or cut at ``max_bytes`` when ``truncate``. Redirects
        (at most ``max_redirects``) are followed for GET; every hop is checked again.
        Answers other than 2xx are refused. Raises ``FetchRefused``.
        """
        deadline = self.deadline() if deadline is None else deadline
        hops = 0
        while True:
            answer, location = self._one(method, url, body, headers, max_bytes, truncate, deadline)
            if location is None or not follow_redirects or method not in ("GET", "HEAD"):
                if answer is None:
                    raise FetchRefused("the site sent a redirect that was not followed")
                return answer
            hops += 1
            if hops > self.limits.max_redirects:
                raise FetchRefused(
                    f"the site redirected more than {self.limits.max_redirects} times"
                )
            url = urljoin(url, location)

    # -- one hop ---------------------------------------------------------------------

    def _one(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str] | None,
        max_bytes: int,
        truncate: bool,
        deadline: float,
    ) -> tuple[Fetched | None, str | None]:
        import http.client  # on first use: about 0.1 s with ssl, not for every CLI start

        scheme, host, port = _target(url)
        conn = self._open(scheme, host, port, deadline)
        try:
            split = urlsplit(url)
            path = (split.path or "/") + (f"?{split.query}" if split.query else "")
            sent = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
            sent.update(headers or {})
            if body or method in ("POST", "PUT"):
                sent["Content-Length"] = str(len(body))
            self._budget(conn, deadline)
            conn.request(method, path, body=body or None, headers=sent)
            response = conn.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                return None, location
            if not 200 <= response.status < 300:
                raise FetchRefused(f"the site answered {response.status} {response.reason}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes and not truncate:
                raise FetchRefused(f"the answer is larger than {_size(max_bytes)}")
            data, cut = self._read(conn, response, max_bytes, truncate, deadline)
            media, _, params = (response.getheader("Content-Type") or "").partition(";")
            return Fetched(
                url, response.status, media.strip().lower(), _charset(params), data, cut
            ), None
        except FetchRefused:
            raise
        except TimeoutError:
            raise FetchRefused("the site took too long to answer") from None
        except http.client.HTTPException:
            raise FetchRefused("the site's answer could not be understood") from None
        except OSError as exc:
            raise FetchRefused(_os_reason(exc)) from None
        finally:
            conn.close()

    def _open(
        self, scheme: str, host: str, port: int, deadline: float
    ) -> http.client.HTTPConnection:
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError):
            raise FetchRefused(f"the site's name {host} could not be found") from None
        if not addresses:
            raise FetchRefused(f"the site's name {host} could not be found")
        for text in addresses:
            try:
                ip = ipaddress.ip_address(text)
            except ValueError:
                raise FetchRefused(f"{host} resolved to something that is not an address") from None
            problem = address_problem(ip, self.allow_private)
            if problem is not None:
                where = f"{ip} is" if host == str(ip) else f"{host} is at {ip},"
                raise FetchRefused(f"{where} {problem}, which infobot does not read")
        last: OSError | None = None
        for ip_text in addresses:
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                raise FetchRefused("the site took too long to answer")
            timeout = min(self.limits.connect_seconds, remaining)
            conn = _connection_class()(
                host, port, scheme == "https", ip_text, timeout, self._connect
            )
            try:
                conn.connect()
            except TimeoutError:
                raise FetchRefused("the site took too long to answer") from None
            except OSError as exc:
                last = exc
                continue
            return conn
        assert last is not None
        raise FetchRefused(_os_reason(last))

    def _budget(self, conn: http.client.HTTPConnection, deadline: float) -> None:
        remaining = deadline - self._monotonic()
        if remaining <= 0:
            raise FetchRefused("the site took too long to answer")
        if conn.sock is not None:
            conn.sock.settimeout(min(self.limits.read_seconds, remaining))

    def _read(
        self,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        max_bytes: int,
        truncate: bool,
        deadline: float,
    ) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            self._budget(conn, deadline)
            chunk = response.read1(_CHUNK)
            if not chunk:
                return b"".join(chunks), False
            size += len(chunk)
            chunks.append(chunk)
            if size > max_bytes:
                if not truncate:
                    raise FetchRefused(f"the answer is larger than {_size(max_bytes)}")
                return b"".join(chunks)[:max_bytes], True


@cache
def _connection_class() -> Callable[
    [str, int, bool, str, float, Connector], http.client.HTTPConnection
]:
    import http.client

    class Connection(http.client.HTTPConnection):
        """An HTTP(S) connection to a host name, dialled at an address chosen beforehand."""

        def __init__(
            self, host: str, port: int, tls: bool, ip: str, timeout: float, connector: Connector
        ) -> None:
            super().__init__(host, port, timeout=timeout)
            self.default_port = 443 if tls else 80  # so the Host header leaves it out
            self._tls = tls
            self._ip = ip
            self._connector = connector

        def connect(self) -> None:
            sock = self._connector(self._ip, self.port, float(self.timeout or 3.0))
            if self._tls:
                import ssl

                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
            self.sock = sock

    return Connection


def _target(url: str) -> tuple[str, str, int]:
    try:
        split = urlsplit(url)
        port = split.port
    except ValueError:
        raise FetchRefused("the address is not a valid web address") from None
    scheme = split.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused("only addresses starting http:// or https:// are read")
    if split.username is not None or split.password is not None:
        raise FetchRefused("addresses with a user name or password in them are not read")
    host = (split.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused("the address has no site name")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise FetchRefused("the site's name is not a valid name") from None
    return scheme, host, port or (443 if scheme == "https" else 80)


def _charset(params: str) -> str:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'").lower()
    return ""


def _os_reason(exc: OSError) -> str:
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError):
        return "the site's security certificate is not valid"
    if isinstance(exc, ssl.SSLError):
        return "a secure connection to the site could not be made"
    if isinstance(exc, ConnectionRefusedError):
        return "the site refused the connection"
    if isinstance(exc, ConnectionResetError):
        return "the site closed the connection"
    return f"the site could not be reached ({exc.strerror or type(exc).__name__})"


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1000:
        return f"{n:,} bytes"
    return f"{n} bytes"
