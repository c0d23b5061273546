"""The engagement read of each adapter, through its real SDK against the local fakes:
counts that grow, deleted posts (404) noticed, 429s as RateLimited, batches, and for X
what every request cost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infobot.clock import FixedClock
from infobot.domain.costs import XRequest
from infobot.domain.engagement import Counts
from infobot.domain.errors import RateLimited, TransientError
from infobot.domain.render import Post
from infobot.platforms.base import PlatformBase, metrics_reader
from infobot.platforms.outbox import OutboxPlatform, demo_counts
from tests.harness_bluesky import BlueskyHarness
from tests.harness_bluesky import make_harness as bluesky_harness
from tests.harness_mastodon import MastodonHarness
from tests.harness_mastodon import make_harness as mastodon_harness
from tests.harness_x import XHarness
from tests.harness_x import make_harness as x_harness
from tests.support.metrics_fakes import GrowingCounts

START = datetime(2026, 11, 23, 9, tzinfo=UTC)


def post(text: str) -> Post:
    return Post(text=text, length=len(text), limit=280)


def publish(platform: PlatformBase, count: int, prefix: str = "Story") -> list[str]:
    made = []
    for n in range(count):
        text = f"{prefix} {n}: sharing the record helped. #infostory"
        made.append(platform.publish(post(text), idempotency_key=f"k{n}").remote_id)  # type: ignore[attr-defined]
    return made


class Clocked:
    """The fakes' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


# -- X --------------------------------------------------------------------------------------


@pytest.fixture
def x(tmp_path: Path) -> Iterator[XHarness]:
    with x_harness(tmp_path, clock=FixedClock(START)) as harness:
        yield harness


def test_x_reads_counts_by_id_and_notices_a_deleted_post(x: XHarness) -> None:
    clock = Clocked()
    x.fake.engagement.now = clock
    ids = publish(x.platform, 3)
    clock.now += timedelta(hours=5)
    x.fake.delete_elsewhere(ids[1])
    page = x.platform.metrics(ids)
    growth = GrowingCounts()
    assert page.counts == {i: growth.at(i, timedelta(hours=5)) for i in (ids[0], ids[2])}
    assert page.gone == {ids[1]}
    reads = x.received("GET", "/2/tweets")
    assert len(reads) == 1 and "public_metrics" in reads[0].query


def test_x_takes_the_timeline_when_it_is_cheaper(x: XHarness) -> None:
    ids = publish(x.platform, 4)
    page = x.platform.metrics(ids, recent=4)
    assert set(page.counts) == set(ids)
    timeline = [r for r in x.received("GET") if r.path.endswith("/tweets") and "users" in r.path]
    assert len(timeline) == 1 and "max_results=5" in timeline[0].query
    assert x.received("GET", "/2/tweets") == []
    # one post alone: 5 timeline posts ($0.005) are not cheaper than one by id ($0.005)
    x.platform.metrics(ids[:1], recent=1)
    assert len(x.received("GET", "/2/tweets")) == 1


def test_x_batches_of_100(x: XHarness) -> None:
    ids = [str(1_900_000_000_000_000_000 + n) for n in range(150)]  # none exist
    page = x.platform.metrics(ids)
    assert [
        len(r.query.split("ids=")[1].split("&")[0].split("%2C"))
        for r in x.received("GET", "/2/tweets")
    ] == [100, 50]
    assert page.gone == set(ids)


def test_x_429_is_rate_limited(x: XHarness) -> None:
    ids = publish(x.platform, 1)
    x.fake.engagement.faults.append("rate_limited")
    with pytest.raises(RateLimited) as raised:
        x.platform.metrics(ids)
    assert raised.value.retry_at is not None and raised.value.retry_at > START


def test_x_tells_the_recorder_what_each_request_cost(x: XHarness) -> None:
    charged: list[tuple[XRequest, int, int]] = []
    x.platform.record_requests(lambda kind, units, status: charged.append((kind, units, status)))
    ids = publish(x.platform, 2)
    x.platform.publish(post("A link: https://example.gov.uk/s #infostory"), idempotency_key="u")
    x.platform.metrics(ids)
    x.platform.metrics(ids, recent=2)  # the timeline: 5 posts needed, 3 exist
    x.fake.engagement.faults.append("rate_limited")
    with pytest.raises(RateLimited):
        x.platform.metrics(ids)
    x.platform.delete(x.platform.lookup(post("x"), idempotency_key="z") or _published(ids[0]))
    assert charged == [
        (XRequest.POST, 1, 201),
        (XRequest.POST, 1, 201),
        (XRequest.POST_WITH_URL, 1, 201),
        (XRequest.READ_BY_ID, 2, 200),
        (XRequest.ACCOUNT_READ, 1, 200),
        (XRequest.OWNED_READ, 3, 200),
        (XRequest.READ_BY_ID, 0, 429),
        (XRequest.OWNED_READ, 3, 200),  # lookup reads the timeline
        (XRequest.DELETE, 1, 200),
    ]
    assert [r.status for r in x.received()] == [c[2] for c in charged]


def _published(remote_id: str):  # type: ignore[no-untyped-def]
    from infobot.platforms.base import Published

    return Published(remote_id)


# -- Mastodon -------------------------------------------------------------------------------


@pytest.fixture
def mastodon(tmp_path: Path) -> Iterator[MastodonHarness]:
    with mastodon_harness(tmp_path) as harness:
        yield harness


def test_mastodon_reads_in_batches_on_4_3(mastodon: MastodonHarness) -> None:
    clock = Clocked()
    mastodon.fake.engagement.now = clock
    ids = publish(mastodon.platform, 23)
    clock.now += timedelta(hours=2)
    mastodon.fake.delete_elsewhere(ids[4])
    page = mastodon.platform.metrics(ids)
    expected = GrowingCounts().at(ids[0], timedelta(hours=2))
    assert page.counts[ids[0]] == Counts(expected.likes, expected.reposts, expected.replies)
    assert page.gone == {ids[4]}
    assert set(page.counts) == set(ids) - {ids[4]}
    batches = [
        r for r in mastodon.fake.requests if r.method == "GET" and r.path == "/api/v1/statuses"
    ]
    assert [len(r.form["id[]"]) for r in batches] == [20, 3]
    singles = [
        r
        for r in mastodon.fake.requests
        if r.method == "GET" and r.path.startswith("/api/v1/statuses/")
    ]
    assert [r.path for r in singles] == [f"/api/v1/statuses/{ids[4]}"]  # confirmed gone


def test_mastodon_before_4_3_reads_one_status_at_a_time(mastodon: MastodonHarness) -> None:
    mastodon.fake.version = "4.2.1"
    ids = publish(mastodon.platform, 3)
    page = mastodon.platform.metrics(ids)
    assert set(page.counts) == set(ids)
    assert not [
        r for r in mastodon.fake.requests if r.path == "/api/v1/statuses" and r.method == "GET"
    ]


def test_mastodon_429_is_rate_limited(mastodon: MastodonHarness) -> None:
    ids = publish(mastodon.platform, 1)
    mastodon.fake.engagement.faults.append("rate_limited")
    with pytest.raises(RateLimited):
        mastodon.platform.metrics(ids)
    mastodon.fake.engagement.faults.append("server_error")
    with pytest.raises(TransientError):
        mastodon.platform.metrics(ids)


# -- Bluesky --------------------------------------------------------------------------------


@pytest.fixture
def bluesky(tmp_path: Path) -> Iterator[BlueskyHarness]:
    with bluesky_harness(tmp_path) as harness:
        yield harness


def test_bluesky_reads_25_at_a_time_and_confirms_a_deleted_post(bluesky: BlueskyHarness) -> None:
    clock = Clocked()
    bluesky.pds.engagement.now = clock
    ids = publish(bluesky.platform, 27)
    clock.now += timedelta(days=2)
    gone_uri = ids[3].split("|")[0]
    bluesky.pds.delete_elsewhere(gone_uri)
    page = bluesky.platform.metrics(ids)
    grown = GrowingCounts().at(ids[0].split("|")[0], timedelta(days=2))
    assert page.counts[ids[0]] == Counts(
        grown.likes, grown.reposts, grown.replies, grown.quotes, grown.bookmarks
    )
    assert page.gone == {ids[3]}
    assert set(page.counts) == set(ids) - {ids[3]}
    assert bluesky.pds.engagement.returned == [24, 2]


def test_bluesky_429_is_rate_limited(bluesky: BlueskyHarness) -> None:
    ids = publish(bluesky.platform, 1)
    bluesky.pds.engagement.faults.append("rate_limited")
    with pytest.raises(RateLimited):
        bluesky.platform.metrics(ids)


# -- the outbox and the default ------------------------------------------------------------


def test_outbox_counts_are_made_up_but_deterministic(tmp_path: Path) -> None:
    clock = FixedClock(START)
    outbox = OutboxPlatform(tmp_path / "out.jsonl", clock=clock)
    ids = publish(outbox, 2)
    clock.advance(timedelta(hours=30, minutes=59))
    outbox.delete(_published(ids[1]))
    page = outbox.metrics([*ids, "outbox-unknown"])
    assert page.counts == {ids[0]: demo_counts(ids[0], timedelta(hours=30))}
    assert page.gone == {ids[1], "outbox-unknown"}
    assert page.counts[ids[0]].bookmarks is None  # like Mastodon: not given


def test_an_adapter_without_a_read_offers_none() -> None:
    class Plain(PlatformBase):
        name = "plain"

    assert Plain().metrics(["1"]) is None
    assert metrics_reader(object()) is None
