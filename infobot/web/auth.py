"""Who is asking: a signed-in local account, or a person named by a trusted sign-on proxy.

Identity headers count **only** when the TCP peer is one of ``web_trusted_proxies``
(addresses or networks); from anyone else they are ignored, so a browser cannot claim to
be somebody by sending the header itself.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import deque
from collections.abc import Iterable, MutableMapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from infobot.domain.errors import UserError
from infobot.service.users import RANK, Account, Accounts, check_name

if TYPE_CHECKING:
    from infobot.clock import Clock

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SESSION_USER = "user"
SESSION_EPOCH = "epoch"


def parse_proxies(entries: Iterable[str]) -> list[Network]:
    networks: list[Network] = []
    for entry in entries:
        entry = entry.strip()
        if entry:
            networks.append(ipaddress.ip_network(entry, strict=False))
    return networks


def is_trusted(peer: str | None, proxies: list[Network]) -> bool:
    if not peer or not proxies:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in proxies)


class Identifier:
    """Turns a request's peer, headers and session into an account, or None."""

    def __init__(
        self,
        accounts: Accounts,
        proxies: list[Network],
        identity_header: str,
        role_header: str,
    ) -> None:
        self.accounts = accounts
        self.proxies = proxies
        self.identity_header = identity_header.lower()
        self.role_header = role_header.lower()

    def from_proxy(self, peer: str | None, headers: Any) -> Account | None:
        """The account the proxy names, when ``peer`` is a trusted proxy that names one."""
        if not is_trusted(peer, self.proxies):
            return None
        raw = headers.get(self.identity_header)
        if not raw:
            return None
        try:
            name = check_name(raw)
        except UserError:
            return None
        local = self.accounts.get(name)
        if local is not None and local.disabled:
            return local  # a disabled account stays disabled behind the proxy too
        role = (headers.get(self.role_header) or "").strip().lower()
        if role not in RANK:
            role = local.role if local is not None else ""
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
        if account is None or account.disabled or stale:  # signed out elsewhere, or gone
            session.pop(SESSION_USER, None)
            return None, False
        return account, False


class LoginLimiter:
    """At most ``limit`` failed sign-ins per name and address in ``window``.

    An address also gets at most ``per_address`` failures in the window over all names,
    so trying many names from one place is slowed down too. Kept in memory: a restart
    forgets it, which costs an attacker a restart they cannot cause.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        limit: int = 5,
        per_address: int = 50,
        window: timedelta = timedelta(minutes=15),
    ) -> None:
        self.clock = clock
        self.limit = limit
        self.per_address = per_address
        self.window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return (name.strip().casefold(), address), ("", address)

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, name: str, address: str) -> bool:
        now = self.clock.now()
        person, place = self._keys(name, address)
        with self._lock:
            return (
                len(self._recent(person, now)) >= self.limit
                or len(self._recent(place, now)) >= self.per_address
            )

    def failed(self, name: str, address: str) -> None:
        now = self.clock.now()
        with self._lock:
            for key in self._keys(name, address):
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 100_000:  # bounded memory under a flood
                for key in list(self._failures)[:50_000]:
                    del self._failures[key]

    def succeeded(self, name: str, address: str) -> None:
        person, _ = self._keys(name, address)
        with self._lock:
            self._failures.pop(person, None)
