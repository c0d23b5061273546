"""Who is asking: a signed-in local account, or a person named by a trusted sign-on proxy.

Identity headers count **only** when the TCP peer is one of ``web_trusted_proxies``
(addresses or networks); from anyone else they are ignored, so a browser cannot claim to
be somebody by sending the header itself. The same goes for ``X-Forwarded-For``: the
client's address is the right-most one in it that is not a trusted proxy, and only when
the request came through one.

The proxy's role header can lower a person's role, never raise it above the role of
their local account, unless ``web_role_from_proxy`` is on. Headers are read as UTF-8
(Starlette hands them over as Latin-1); a name that is not UTF-8 is refused.

A local sign-in lasts ``web_session_hours`` from the moment the password was given,
however often the cookie is re-signed in between.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable, Mapping, MutableMapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from infobot.domain.accounts import name_key
from infobot.domain.errors import UserError
from infobot.service.users import RANK, Account, Accounts, check_name

if TYPE_CHECKING:
    from starlette.responses import Response

    from infobot.clock import Clock

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SESSION_USER = "user"
SESSION_EPOCH = "epoch"
SESSION_BEGAN = "began"  # when the password was given: Unix seconds from the injected clock
FORWARDED_FOR = "x-forwarded-for"
MAX_HOPS = 30


class UnreadableHeader(UserError):
    """The sign-on proxy sent a header that is not UTF-8."""


def parse_proxies(entries: Iterable[str]) -> list[Network]:
    networks: list[Network] = []
    for entry in entries:
        entry = entry.strip()
        if entry:
            networks.append(ipaddress.ip_network(entry, strict=False))
    return networks


def _address(text: str | None) -> Address | None:
    """An IP address from a peer or a forwarded hop (``1.2.3.4:80``, ``[::1]:80`` too)."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(peer: str | None, proxies: list[Network]) -> bool:
    address = _address(peer)
    if address is None or not proxies:
        return False
    return any(address in network for network in proxies)


def address_key(address: Address) -> str:
    """What sign-in limits count per address: an IPv6 client's /64 (one household or
    machine holds them all), an IPv4 address itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def utf8(raw: str) -> str:
    """A header value as the bytes the proxy sent, read as UTF-8; refused otherwise."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise UnreadableHeader(
            "the sign-on proxy sent a name that is not UTF-8 text, so infobot cannot tell "
            "who you are. Ask whoever runs the proxy to send names as UTF-8."
        ) from None


class Identifier:
    """Turns a request's peer, headers and session into an account, or None."""

    def __init__(
        self,
        accounts: Accounts,
        clock: Clock,
        proxies: list[Network],
        identity_header: str,
        role_header: str,
        *,
        role_from_proxy: bool = False,
        session_hours: float = 12.0,
    ) -> None:
        self.accounts = accounts
        self.clock = clock
        self.proxies = proxies
        self.identity_header = identity_header.lower()
        self.role_header = role_header.lower()
        self.role_from_proxy = role_from_proxy
        self.session_lifetime = timedelta(hours=session_hours)

    def client_address(self, peer: str | None, headers: Any) -> str:
        """The client's address as sign-in limits count it: the TCP peer, or behind a
        trusted proxy the right-most untrusted hop of ``X-Forwarded-For``."""
        address = _address(peer)
        if address is None:
            return "unknown"
        if not is_trusted(peer, self.proxies):
            return address_key(address)
        hops: list[str] = [h for v in headers.getlist(FORWARDED_FOR) for h in str(v).split(",")]
        for hop in reversed(hops[-MAX_HOPS:]):
            found = _address(hop)
            if found is None:
                return "unreadable:" + hop.strip()[:60]  # a proxy would not write this
            if not any(found in network for network in self.proxies):
                return address_key(found)
            address = found
        return address_key(address)  # every hop is a proxy: the left-most one is the client

    def from_proxy(self, peer: str | None, headers: Any) -> Account | None:
        """The account the proxy names, when ``peer`` is a trusted proxy that names one."""
        if not is_trusted(peer, self.proxies):
            return None
        raw = headers.get(self.identity_header)
        if not raw:
            return None
        try:
            name = check_name(utf8(raw))
        except UnreadableHeader:
            raise
        except UserError:
            return None
        local = self.accounts.get(name)
        if local is not None and local.disabled:
            return local  # a disabled account stays disabled behind the proxy too
        local_role = local.role if local is not None else ""
        given = utf8(headers.get(self.role_header) or "").strip().lower()
        role = given if given in RANK else local_role
        if not self.role_from_proxy and RANK.get(role, -1) > RANK.get(local_role, -1):
            role = local_role  # the local role is the ceiling
        return Account(name=local.name if local else name, role=role)

    def identify(
        self, peer: str | None, headers: Any, session: MutableMapping[str, Any]
    ) -> tuple[Account | None, bool]:
        """(account, came from the proxy)."""
        proxied = self.from_proxy(peer, headers)
        if proxied is not None:
            return proxied, True
        name = session.get(SESSION_USER)
        if not isinstance(name, str) or not name:
            return None, False
        account = self.accounts.get(name)
        stale = account is not None and session.get(SESSION_EPOCH) != account.session_epoch
        if account is None or account.disabled or stale or self._expired(session):
            session.pop(SESSION_USER, None)  # signed out elsewhere, gone, or too old
            return None, False
        return account, False

    def began(self) -> int:
        """The value a new sign-in stores under ``SESSION_BEGAN``."""
        return int(self.clock.now().timestamp())

    def _expired(self, session: MutableMapping[str, Any]) -> bool:
        began = session.get(SESSION_BEGAN)
        if not isinstance(began, int) or isinstance(began, bool):
            return True  # a session from before sign-ins had a lifetime
        return self.clock.now().timestamp() - began >= self.session_lifetime.total_seconds()


class KnownBrowsers:
    """Browsers that signed in as a name before carry a signed note of it (a cookie kept
    for ``days``). The per-name wait after failed sign-ins does not hold them up, so an
    attacker guessing someone's password from elsewhere slows down only browsers that
    never signed in as them: the person at their usual desk gets in at once.
    """

    SALT = "infobot-known-browser"

    def __init__(self, secret: str, clock: Clock, *, secure: bool, days: int = 90) -> None:
        from itsdangerous import Signer

        self.signer = Signer(secret, salt=self.SALT)
        self.clock = clock
        self.secure = secure
        self.lifetime = timedelta(days=days)
        self.cookie = "__Host-infobot-known" if secure else "infobot-known"

    def _key(self, name: str) -> str:
        return base64.urlsafe_b64encode(name_key(name).encode()).decode().rstrip("=")

    def knows(self, cookies: Mapping[str, str], name: str) -> bool:
        from itsdangerous import BadSignature

        value = cookies.get(self.cookie, "")
        try:
            key, _, when = self.signer.unsign(value).decode().partition(".")
            age = self.clock.now().timestamp() - int(when)
        except (BadSignature, ValueError):
            return False
        return key == self._key(name) and 0 <= age < self.lifetime.total_seconds()

    def remember(self, response: Response, name: str) -> None:
        note = f"{self._key(name)}.{int(self.clock.now().timestamp())}"
        response.set_cookie(
            self.cookie,
            self.signer.sign(note).decode(),
            max_age=int(self.lifetime.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
