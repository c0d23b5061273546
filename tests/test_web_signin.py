"""Sign-in limits (issue 12, item 2), over HTTP and on each store.

The two attacks of the issue: made-up names through the single-sign-on proxy locked out
everyone behind it, and one account's password guessed from many addresses was never
slowed down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from infobot.clock import FixedClock
from infobot.domain.accounts import Backoff, Scope, SignInLimits
from infobot.service.signin import Attempt, Refusal, SignInGuard
from infobot.store.db import Database
from infobot.store.migrate import ensure_current
from tests.web_support import PASSWORD, Site, TestClient, csrf_of, site_fixture

PROXY = "10.0.0.1"
FORWARDED_FOR_COLLEAGUE = {"X-Forwarded-For": "198.51.100.20"}
LIMITS = SignInLimits()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, web_trusted_proxies=PROXY)


def sign_in(client: TestClient, name: str, password: str, **headers: str) -> httpx.Response:
    token = csrf_of(client, "/login")
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token},
        headers=headers,
    )


def test_made_up_names_through_the_proxy_lock_out_only_their_own_client(site: Site) -> None:
    site.add_user("Sam", "editor")
    attacker = site.browser(peer=PROXY)
    answers = []
    for n in range(110):
        # The attacker forges the left part; the proxy appends the address it saw.
        forwarded = {"X-Forwarded-For": f"198.18.{n}.1, 203.0.113.66"}
        answers.append(sign_in(attacker, f"made-up {n}", "wrong password", **forwarded))
    # Someone else behind the same proxy signs in at once.
    colleague = site.browser(peer=PROXY)
    assert sign_in(colleague, "Sam", PASSWORD, **FORWARDED_FOR_COLLEAGUE).status_code == 303
    codes = [a.status_code for a in answers]
    assert codes[:49] == [400] * 49
    assert codes[49:] == [429] * 61  # the 50th failure from one address starts a wait
    assert "Wait 15 minutes" in answers[-1].text
    assert answers[-1].headers["retry-after"] == "900"
    # The attacker's own address waits, whatever it forges on the left.
    forged = {"X-Forwarded-For": "198.51.100.20, 203.0.113.66"}
    assert sign_in(attacker, "Sam", PASSWORD, **forged).status_code == 429
    # A client that is not the proxy cannot pass the blame on with the header.
    direct = site.browser(peer="192.0.2.50")
    sign_in(direct, "Sam", "wrong password", **FORWARDED_FOR_COLLEAGUE)
    counted = dict(site.sql("SELECT key, failures FROM signin_failures WHERE scope = 'address'"))
    assert counted == {"203.0.113.66": 50, "192.0.2.50": 1}
    events = site.sql("SELECT action, message FROM events WHERE action LIKE 'signin.%'")
    assert [action for action, _ in events] == ["signin.address_waits"]
    assert "50 failed sign-ins from 203.0.113.66" in events[0][1]


def test_an_account_guessed_from_many_addresses_waits_and_is_never_locked_for_long(
    site: Site,
) -> None:
    site.add_user("Sam", "editor")
    attackers = [site.browser(peer=f"192.0.2.{n}") for n in range(1, 7)]
    for n in range(30):  # five wrong passwords from each of six addresses
        if n:
            site.clock.advance(LIMITS.account.wait_after(n))  # a patient attacker
        answer = sign_in(attackers[n // 5], "Sam", f"guess number {n} is wrong")
        assert answer.status_code in (400, 429), (n, answer.status_code)
    seventh = site.browser(peer="198.51.100.7")
    held = sign_in(seventh, "Sam", PASSWORD)
    assert held.status_code == 429  # the right password waits too, while the wait holds
    assert "Wait 15 minutes" in held.text
    assert site.sql("SELECT failures FROM signin_failures WHERE scope = 'account'") == [(30,)]
    site.clock.advance(timedelta(minutes=14))
    assert sign_in(seventh, "Sam", PASSWORD).status_code == 429
    site.clock.advance(timedelta(minutes=1))  # the longest wait there is: no hard lock
    assert sign_in(seventh, "Sam", PASSWORD).status_code == 303
    assert site.count("signin_failures", "scope = 'account'") == 0  # forgiven on success
    [(message,)] = site.sql("SELECT message FROM events WHERE action = 'signin.account_waits'")
    assert "10 failed sign-ins in a row as 'Sam'" in message
    assert "guess number" not in str(site.sql("SELECT * FROM events"))


def test_the_person_at_their_usual_browser_is_never_held_up_by_guesses_elsewhere(
    site: Site,
) -> None:
    site.add_user("Sam", "editor")
    laptop = site.browser(peer="198.51.100.7")
    assert sign_in(laptop, "Sam", PASSWORD).status_code == 303
    assert "__Host-infobot-known=" in str(laptop.cookies.jar)
    laptop.cookies.delete("__Host-infobot")  # signed out; the browser is still known
    for n in range(30):
        if n:
            site.clock.advance(LIMITS.account.wait_after(n))
        sign_in(site.browser(peer=f"192.0.2.{n // 5 + 1}"), "Sam", f"guess number {n} is wrong")
    assert sign_in(site.browser(peer="198.51.100.8"), "Sam", PASSWORD).status_code == 429
    # The known browser gets in at once, from wherever it is now, and its success does
    # not forgive the guesses: the next unknown browser still waits.
    roaming = site.browser(peer="203.0.113.9")
    roaming.cookies.set("__Host-infobot-known", laptop.cookies["__Host-infobot-known"])
    assert sign_in(roaming, "sam", PASSWORD).status_code == 303
    assert sign_in(site.browser(peer="198.51.100.8"), "Sam", PASSWORD).status_code == 429
    # The note is for one name and cannot be forged or moved to another.
    site.add_user("Kim", "editor")
    for name, cookie in (("Kim", laptop.cookies["__Host-infobot-known"]), ("Sam", "x.y.z")):
        other = site.browser(peer="203.0.113.10")
        other.cookies.set("__Host-infobot-known", cookie)
        assert site.app.accounts().get(name) is not None
        known = site.web.state.web.known
        assert not known.knows(other.cookies, name if name == "Kim" else "Sam")


def test_waits_grow_from_one_second_and_stop_at_the_cap() -> None:
    waits = [LIMITS.account.wait_after(n).total_seconds() for n in range(8, 24)]
    assert waits[:6] == [0, 0, 1, 2, 4, 8]
    assert max(waits) == 900 and waits[-1] == 900
    assert Backoff(free=1, first=timedelta(1), cap=timedelta(2), forget=timedelta(1)).wait_after(
        10**6
    ) == timedelta(2)


def test_a_correct_sign_in_forgives_the_names_failures(site: Site) -> None:
    site.add_user("Sam", "editor")
    browser = site.browser(peer="192.0.2.9")
    for n in range(4):
        assert sign_in(browser, "Sam", f"typo number {n} here").status_code == 400
    assert sign_in(browser, "sam", PASSWORD).status_code == 303
    assert site.sql("SELECT scope, failures FROM signin_failures") == [("address", 4)]


# -- every store, several replicas --------------------------------------------------------
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_replicas_share_the_counts(db_url: str) -> None:
    """Two web replicas (two engines on one database) count the same failures, and
    parallel attempts are each counted: none slips in before another is recorded."""
    first, second = Database(db_url), Database(db_url)
    try:
        ensure_current(first)
        clock = FixedClock(NOW)
        guards = [SignInGuard(first, clock), SignInGuard(second, clock)]
        results: list[Attempt | Refusal] = []
        lock = threading.Lock()

        def attempt(guard: SignInGuard, address: str) -> None:
            outcome = guard.begin("Sam", address)
            with lock:
                results.append(outcome)

        threads = [
            threading.Thread(target=attempt, args=(guards[n % 2], f"192.0.2.{n}"))
            for n in range(16)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        allowed = [r for r in results if isinstance(r, Attempt)]
        assert len(allowed) == LIMITS.account.free  # the 10th starts the wait
        assert all(r.scope is Scope.ACCOUNT for r in results if isinstance(r, Refusal))
        for outcome in allowed:
            guards[1].failed(outcome)
        refused = guards[0].begin("SAM", "198.51.100.1")
        assert isinstance(refused, Refusal) and refused.wait == timedelta(seconds=1)
        clock.advance(timedelta(seconds=1))
        retry = guards[1].begin("sam", "198.51.100.1")
        assert isinstance(retry, Attempt)
        guards[0].succeeded(retry)
        assert isinstance(guards[1].begin("Sam", "198.51.100.1"), Attempt)
    finally:
        first.dispose()
        second.dispose()
