"""Sign-in limits: failed attempts counted per address, per name and address, and per name,
in the database, so every web replica sees the same counts (rules in
:mod:`infobot.domain.accounts`).

An attempt is counted as failed *before* the password is checked and forgiven when it
succeeds, so a burst of parallel guesses cannot slip in before the first one is counted.
A count that starts a wait is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from infobot.domain.accounts import Scope, SignInLimits, name_key, wait_words
from infobot.service import audit
from infobot.store import signin

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from infobot.clock import Clock
    from infobot.store.db import Database

KEY_LENGTH = 200
#: A count with no failure for this long is deleted (the longest ``forget`` of the limits).
KEEP = timedelta(hours=24)
ACTOR = "sign-in"


@dataclass(frozen=True)
class Refusal:
    """Sign-ins for this name or from this address wait ``wait`` more."""

    wait: timedelta
    scope: Scope

    @property
    def words(self) -> str:
        return wait_words(self.wait)


@dataclass(frozen=True)
class Attempt:
    """A sign-in being tried: its keys, and the scopes whose wait it started."""

    name: str
    address: str
    keys: dict[Scope, str]
    started: tuple[Scope, ...] = ()
    waits: dict[Scope, timedelta] = field(default_factory=dict)


def keys_of(name: str, address: str) -> dict[Scope, str]:
    account = name_key(name[: KEY_LENGTH * 2])[:KEY_LENGTH]
    place = address[:KEY_LENGTH]
    return {
        Scope.ADDRESS: place,
        Scope.PAIR: f"{account}\n{place}"[: KEY_LENGTH + 100],
        Scope.ACCOUNT: account,
    }


class SignInGuard:
    """Decides whether a sign-in may be tried now, and counts how it went."""

    def __init__(self, db: Database, clock: Clock, limits: SignInLimits | None = None) -> None:
        self.db = db
        self.clock = clock
        self.limits = limits or SignInLimits()

    def begin(self, name: str, address: str, *, known_browser: bool = False) -> Attempt | Refusal:
        """Count the attempt as failed, or refuse it while a wait is running.

        ``known_browser``: the browser signed in as this name before, so the name's own
        wait (kept for guesses from anywhere) does not hold it up, and its success does
        not forgive the guesses made elsewhere. Its address and the pair still count."""
        now = self.clock.now()
        keys = keys_of(name, address)
        if known_browser:
            del keys[Scope.ACCOUNT]
        wanted = [(scope.value, key) for scope, key in keys.items()]
        with self.db.write() as session:
            signin.prune(session, now - KEEP, now)
            rows = signin.locked(session, wanted, now)
            running: list[tuple[timedelta, Scope]] = []
            for scope, key in keys.items():
                row = rows[(scope.value, key)]
                quiet = row.last_at <= now - self.limits.of(scope).forget
                if quiet and (row.wait_until is None or row.wait_until <= now):
                    row.failures, row.wait_until = 0, None
                if row.wait_until is not None and row.wait_until > now:
                    running.append((row.wait_until - now, scope))
            if running:
                wait, scope = max(running)
                return Refusal(wait, scope)
            started: list[Scope] = []
            waits: dict[Scope, timedelta] = {}
            for scope, key in keys.items():
                row = rows[(scope.value, key)]
                row.failures += 1
                row.last_at = now
                wait = self.limits.of(scope).wait_after(row.failures)
                row.wait_until = now + wait if wait else None
                if wait:
                    waits[scope] = wait
                if row.failures == self.limits.of(scope).free:
                    started.append(scope)
        return Attempt(name.strip()[:100], address, keys, tuple(started), waits)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: forget the name's failures (those it was checked
        against), take this one back from the address."""
        with self.db.write() as session:
            mine = [(s.value, key) for s, key in attempt.keys.items() if s is not Scope.ADDRESS]
            signin.clear(session, mine)
            address = (Scope.ADDRESS.value, attempt.keys[Scope.ADDRESS])
            row = signin.locked(session, [address], self.clock.now())[address]
            row.failures -= 1
            if row.failures <= 0:
                session.delete(row)
            elif not self.limits.address.wait_after(row.failures):
                row.wait_until = None

    def failed(self, attempt: Attempt) -> Refusal | None:
        """The attempt failed (it is counted already): record a wait it started in the
        audit trail; return the wait that now holds, if any."""
        if attempt.started:
            with self.db.write() as session:
                for scope in attempt.started:
                    self._report(session, scope, attempt)
        if not attempt.waits:
            return None
        scope, wait = max(attempt.waits.items(), key=lambda item: item[1])
        return Refusal(wait, scope)

    def _report(self, session: Session, scope: Scope, attempt: Attempt) -> None:
        backoff = self.limits.of(scope)
        if scope is Scope.ACCOUNT:
            message = (
                f"{backoff.free} failed sign-ins in a row as {attempt.name!r}, the last from "
                f"{attempt.address}: each further sign-in as this name now waits, from "
                f"{wait_words(backoff.first)} doubling up to {wait_words(backoff.cap)}"
            )
        elif scope is Scope.ADDRESS:
            message = (
                f"{backoff.free} failed sign-ins from {attempt.address} within "
                f"{wait_words(backoff.forget)}: sign-ins from there wait {wait_words(backoff.cap)}"
            )
        else:
            message = (
                f"{backoff.free} failed sign-ins as {attempt.name!r} from {attempt.address}: "
                f"that pair waits {wait_words(backoff.cap)}"
            )
        audit.record(
            session,
            at=self.clock.now(),
            actor=ACTOR,
            action=f"signin.{scope.value}_waits",
            after={"name": attempt.name, "address": attempt.address, "failures": backoff.free},
            message=message,
        )
