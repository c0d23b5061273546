"""The rules of the team's accounts that need no I/O: how a name is matched, and how failed
sign-ins slow the next attempt down.

Names are matched by their **key**: the name with its spaces collapsed, in Unicode NFKC
form and case-folded, so ``ÉLODIE``, ``élodie`` and ``e\u0301lodie`` are one person however a
browser or a proxy spelt them. The key is computed here, once, and stored beside the name.

Failed sign-ins are counted per :class:`Scope`; each scope has its :class:`Backoff`:

- ``ADDRESS``: one client address (an IPv6 client's /64), over every name it tries;
- ``PAIR``: one name from one address;
- ``ACCOUNT``: one name, from anywhere. This one only ever *delays*: a wait that starts
  at one second and doubles with each further failure up to a cap, so an attacker can
  slow a named person down but never lock them out for longer than the cap.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


def name_key(name: str) -> str:
    """The form a name is matched by: spaces collapsed, NFKC, case-folded (then NFKC again,
    since case folding can leave a string that is no longer normalised)."""
    collapsed = " ".join(name.split())
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", collapsed).casefold())


class Scope(StrEnum):
    """What a count of failed sign-ins is kept for."""

    ADDRESS = "address"
    PAIR = "pair"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Backoff:
    """``free`` failures cost nothing; the next waits ``first``, doubling up to ``cap``.

    A count is forgotten after ``forget`` without a failure."""

    free: int
    first: timedelta
    cap: timedelta
    forget: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """How long sign-ins wait after ``failures`` failures in a row."""
        if failures < self.free:
            return timedelta(0)
        wait = self.first
        for _ in range(failures - self.free):
            if wait >= self.cap:
                break
            wait *= 2
        return min(wait, self.cap)


@dataclass(frozen=True)
class SignInLimits:
    """The three counts a sign-in is checked against."""

    address: Backoff = Backoff(
        free=50,
        first=timedelta(minutes=15),
        cap=timedelta(minutes=15),
        forget=timedelta(minutes=15),
    )
    pair: Backoff = Backoff(
        free=5,
        first=timedelta(minutes=15),
        cap=timedelta(minutes=15),
        forget=timedelta(minutes=15),
    )
    account: Backoff = Backoff(
        free=10,
        first=timedelta(seconds=1),
        cap=timedelta(minutes=15),
        forget=timedelta(hours=24),
    )

    def of(self, scope: Scope) -> Backoff:
        return {Scope.ADDRESS: self.address, Scope.PAIR: self.pair, Scope.ACCOUNT: self.account}[
            scope
        ]


def wait_words(wait: timedelta) -> str:
    """``15 minutes``, ``1 minute``, ``8 seconds``: a wait as a person reads it."""
    seconds = max(1, int(-(-wait.total_seconds() // 1)))  # rounded up
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
