"""The dead-man switch: pings received by a local healthchecks-style server."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from infobot.clock import FixedClock
from infobot.runtime.heartbeat_ping import HeartbeatPinger, PingOutcome, masked
from tests.support import local_web, transcript
from tests.support.local_web import LocalWeb, page, redirect, slow

KEY = transcript.secret("5f0c3a1e-9b7d-4c2a-8e61-0d4b2f7a9c13")


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    server = local_web.start()
    for path in (f"/{KEY}", f"/{KEY}/start", f"/{KEY}/fail"):
        server.routes[path] = page(b"OK", "text/plain")
    yield server
    local_web.stop(server)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def pinger(web: LocalWeb, clock: FixedClock, **options: object) -> HeartbeatPinger:
    return HeartbeatPinger(SecretStr(web.url(f"/{KEY}/")), clock, **options)  # type: ignore[arg-type]


def test_the_days_run_pings_start_then_success(web: LocalWeb, clock: FixedClock) -> None:
    ping = pinger(web, clock)
    assert ping.start() is PingOutcome.SENT
    clock.advance(timedelta(seconds=40))
    assert ping.success() is PingOutcome.SENT
    assert ping.success("posted story 12 to x, mastodon") is PingOutcome.SENT
    assert [(s.method, s.path, s.body) for s in web.seen] == [
        ("GET", f"/{KEY}/start", b""),
        ("GET", f"/{KEY}", b""),
        ("POST", f"/{KEY}", b"posted story 12 to x, mastodon"),
    ]
    assert web.seen[2].headers["Content-Type"] == "text/plain; charset=utf-8"


def test_a_failure_ping_carries_the_reason_without_secrets(
    web: LocalWeb, clock: FixedClock
) -> None:
    token = transcript.secret("xoxb-planted-token-777")
    ping = pinger(web, clock, secrets=[token])
    reason = (
        f"bluesky: login failed with {token}; x: 401 (Authorization: Bearer abc.def);"
        f" pinged {web.url('/' + KEY)}"
    )
    assert ping.fail(reason) is PingOutcome.SENT
    [seen] = web.seen
    assert (seen.method, seen.path) == ("POST", f"/{KEY}/fail")
    body = seen.body.decode()
    assert body.startswith("bluesky: login failed with [redacted]; x: 401 (Authorization: Bearer")
    assert token not in body and KEY not in body and "abc.def" not in body


def test_ticks_ping_at_most_every_5_minutes(web: LocalWeb, clock: FixedClock) -> None:
    ping = pinger(web, clock)
    outcomes = []
    for _ in range(11):  # a minute tick for 10 minutes
        outcomes.append(ping.tick())
        clock.advance(timedelta(minutes=1))
    assert outcomes == [PingOutcome.SENT] + [PingOutcome.TOO_SOON] * 4 + [PingOutcome.SENT] + [
        PingOutcome.TOO_SOON
    ] * 4 + [PingOutcome.SENT]
    assert len(web.seen) == 3


def test_the_days_result_always_goes_and_a_failure_holds_the_ticks(
    web: LocalWeb, clock: FixedClock
) -> None:
    ping = pinger(web, clock)
    assert ping.tick() is PingOutcome.SENT
    assert ping.start() is PingOutcome.SENT  # not rate limited
    assert ping.fail("x: the post was refused") is PingOutcome.SENT
    clock.advance(timedelta(minutes=10))
    assert ping.tick() is PingOutcome.HELD  # the check stays failed
    clock.advance(timedelta(days=1))
    assert ping.tick() is PingOutcome.HELD
    assert ping.success() is PingOutcome.SENT
    clock.advance(timedelta(minutes=5))
    assert ping.tick() is PingOutcome.SENT
    assert [s.path.rsplit("/", 1)[-1] for s in web.seen] == [KEY, "start", "fail", KEY, KEY]


def test_without_a_url_nothing_is_sent(clock: FixedClock) -> None:
    ping = HeartbeatPinger(None, clock)
    assert not ping.enabled
    assert {ping.start(), ping.success(), ping.fail("x"), ping.tick()} == {PingOutcome.DISABLED}


def test_a_ping_that_cannot_be_sent_is_logged_never_raised(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ping = HeartbeatPinger(f"http://127.0.0.1:{port}/{KEY}", clock)
    with caplog.at_level(logging.WARNING):
        assert ping.fail("the day failed") is PingOutcome.FAILED
        assert ping.tick() is PingOutcome.HELD
    assert ping.failures == 1
    [record] = caplog.records
    assert record.getMessage() == (
        "heartbeat fail to http://127.0.0.1/… could not be sent: the site refused the connection"
    )
    assert KEY not in caplog.text


def test_a_slow_server_is_given_up_on_quickly(web: LocalWeb, clock: FixedClock) -> None:
    web.routes[f"/{KEY}/start"] = slow(10.0, page(b"OK", "text/plain"))
    ping = pinger(web, clock, timeout_seconds=0.5)
    began = time.monotonic()
    assert ping.start() is PingOutcome.FAILED
    assert time.monotonic() - began < 4  # well under the 10 s answer, even on a busy host


def test_a_server_error_or_redirect_counts_as_a_failed_ping(
    web: LocalWeb, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    web.routes[f"/{KEY}"] = redirect("/elsewhere")
    ping = pinger(web, clock)
    with caplog.at_level(logging.WARNING):
        assert ping.tick() is PingOutcome.FAILED
        assert ping.fail("x") is PingOutcome.SENT
    assert "the site sent a redirect that was not followed" in caplog.text
    assert KEY not in caplog.text


def test_the_url_is_masked_in_logs() -> None:
    assert masked(f"https://hc-ping.com/{KEY}") == "https://hc-ping.com/…"
    assert masked(f"https://hc-ping.com/ping/{KEY}/infobot?create=1") == "https://hc-ping.com/…"
    assert masked("not a url [") == "(heartbeat URL)"
    assert masked("http://[::1/x") == "(heartbeat URL)"
