"""The publishing pipeline against scripted platforms and a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.store.models import Delivery, Event, Slot, Story
from tests.conftest import story_row, write_csv
from tests.fake_platform import ScriptedPlatform

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)
LONG = " ".join(f"Sentence {n} says why sharing notes helps people." for n in range(40))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    from infobot.settings import load_settings

    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        platforms="alpha,beta",
        outbox_path=tmp_path / "o.jsonl",
    )
    fakes = {name: ScriptedPlatform(name) for name in ("alpha", "beta")}
    application = App.open(settings, FixedClock(NOW), platforms=fakes)
    yield application
    application.close()


def fake(app: App, name: str) -> ScriptedPlatform:
    platform = app.platforms.get(name)
    assert isinstance(platform, ScriptedPlatform)
    return platform


def approved(app: App, tmp_path: Path, *bodies: str) -> list[int]:
    rows = [story_row(n, body=body) for n, body in enumerate(bodies, start=1)]
    report = app.importer().import_files([write_csv(tmp_path / "s.csv", rows)], actor="sam")
    app.editorial().approve(report.added_ids, actor="alex")
    return report.added_ids


def delivery(app: App, story_id: int, platform: str) -> Delivery:
    with app.db.read() as session:
        return session.scalars(
            select(Delivery).where(Delivery.story_id == story_id, Delivery.platform == platform)
        ).one()


def story_status(app: App, story_id: int) -> str:
    with app.db.read() as session:
        return session.get_one(Story, story_id).status


def test_claim_takes_the_next_story_once(app: App, tmp_path: Path) -> None:
    first, second = approved(app, tmp_path, "One story.", "Another story.")
    a = app.publisher("a").claim(DAY)
    b = app.publisher("b").claim(DAY)
    assert a.created and a.story_id == first
    assert not b.created and b.story_id == first
    assert app.publisher().claim(DAY + timedelta(days=1)).story_id == second
    with app.db.read() as session:
        assert len(session.scalars(select(Slot)).all()) == 2


def test_an_empty_queue_records_a_skipped_day(app: App) -> None:
    claim = app.publisher().claim(DAY)
    assert claim.status == "skipped" and claim.story_id is None
    status = app.reads.campaign.status()
    assert status.last_post is None


def test_pinned_story_wins_its_day(app: App, tmp_path: Path) -> None:
    _, second = approved(app, tmp_path, "One story.", "Pinned story.")
    app.editorial().pin(second, DAY, actor="sam")
    assert app.publisher().claim(DAY).story_id == second


def test_deliver_to_every_platform(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, "Short story.")
    publisher = app.publisher()
    publisher.claim(DAY)
    result = publisher.deliver(sid)
    assert result.ok and {o.platform for o in result.outcomes} == {"alpha", "beta"}
    assert story_status(app, sid) == "posted"
    assert [m.text.endswith("#infostory") for m in fake(app, "alpha").live()] == [True]
    # delivering again sends nothing
    assert publisher.deliver(sid).attempted == 0
    assert len(fake(app, "alpha").live()) == 1


def test_a_thread_is_sent_in_order_replying_to_the_previous_part(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, LONG)
    publisher = app.publisher()
    publisher.claim(DAY)
    publisher.deliver(sid)
    posts = fake(app, "alpha").live()
    assert len(posts) > 1 and posts[0].reply_to is None
    assert [p.reply_to for p in posts[1:]] == [p.id for p in posts[:-1]]
    keys = [p.key for p in posts]
    assert keys == [f"infobot:{app.campaign_id}:{sid}:alpha:{n}" for n in range(len(posts))]


def test_permanent_failure_stops_one_platform_only(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, "Short story.")
    fake(app, "beta").script = ["permanent"]
    publisher = app.publisher()
    publisher.claim(DAY)
    result = publisher.deliver(sid)
    by_platform = {o.platform: o.status for o in result.outcomes}
    assert by_platform == {"alpha": "sent", "beta": "failed"}
    assert story_status(app, sid) == "partly_posted"
    status = app.reads.campaign.status()
    assert any("beta" in item.message for item in status.attention)
    with app.db.read() as session:
        slot = session.scalars(select(Slot)).one()
        assert slot.status == "partly_posted" and "refused this post" in slot.reason


def test_transient_and_rate_limits_wait_then_retry(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, "Short story.")
    later = NOW + timedelta(minutes=15)
    fake(app, "alpha").script = ["rate_limited"]
    fake(app, "alpha").retry_at = later
    fake(app, "beta").script = ["transient"]
    publisher = app.publisher()
    publisher.claim(DAY)
    publisher.deliver(sid)
    a, b = delivery(app, sid, "alpha"), delivery(app, sid, "beta")
    assert a.status == b.status == "retry_wait"
    assert a.next_attempt_at == later
    assert b.next_attempt_at is not None and NOW < b.next_attempt_at <= NOW + timedelta(minutes=2)
    assert story_status(app, sid) == "scheduled"
    assert publisher.deliver(sid).attempted == 0  # not yet due
    assert isinstance(app.clock, FixedClock)
    app.clock.set(later + timedelta(seconds=1))
    assert publisher.deliver(sid).ok
    assert story_status(app, sid) == "posted"
    assert len(fake(app, "alpha").live()) == len(fake(app, "beta").live()) == 1


def test_in_doubt_is_reconciled_before_any_retry(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, "Short story.")
    fake(app, "alpha").script = ["accept_then_timeout"]
    fake(app, "beta").script = ["in_doubt"]
    publisher = app.publisher()
    publisher.claim(DAY)
    publisher.deliver(sid)
    assert delivery(app, sid, "alpha").status == "in_doubt"
    assert delivery(app, sid, "beta").status == "in_doubt"
    assert publisher.deliver(sid).attempted == 0  # doubt waits its back-off like a retry
    assert publisher.deliver(sid, retry_now=True).ok
    # alpha's post existed: found, not re-sent. beta's did not: sent once, same key
    assert len(fake(app, "alpha").live()) == 1
    key = f"infobot:{app.campaign_id}:{sid}:alpha:0"
    assert fake(app, "alpha").calls == [f"accept_then_timeout:{key}"]
    assert len(fake(app, "beta").live()) == 1
    assert [c.split(":", 1)[1] for c in fake(app, "beta").calls] == [
        f"infobot:{app.campaign_id}:{sid}:beta:0"
    ] * 2
    with app.db.read() as session:
        actions = session.scalars(select(Event.action)).all()
    assert "delivery.reconciled" in actions


def test_a_crash_mid_thread_resumes_without_forking(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, LONG)
    alpha = fake(app, "alpha")
    alpha.script = ["ok", "crash_after_accept"]
    publisher = app.publisher()
    publisher.claim(DAY)
    with pytest.raises(KeyboardInterrupt):
        publisher.deliver_one(delivery(app, sid, "alpha").id)
    # the process died after part 2 was accepted but before it was recorded
    stuck = delivery(app, sid, "alpha")
    assert stuck.status == "sending" and stuck.parts.count('"id"') == 1
    # while its sender might still be alive, nobody else touches it
    app.publisher("other").deliver(sid)
    assert delivery(app, sid, "alpha").status == "sending"
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(minutes=6))
    app.publisher("restarted").deliver(sid)
    posts = alpha.live()
    assert len(posts) == len({p.key for p in posts})  # no part twice
    assert [p.reply_to for p in posts[1:]] == [p.id for p in posts[:-1]]  # one chain
    assert delivery(app, sid, "alpha").status == "sent"


def test_a_named_story_goes_to_each_platform_at_most_once(app: App, tmp_path: Path) -> None:
    first, second = approved(app, tmp_path, "One story.", "Another story.")
    publisher = app.publisher()
    publisher.claim(DAY)
    publisher.deliver(first)
    publisher.schedule_extra(second, ["alpha", "beta"])
    publisher.deliver(second)
    publisher.schedule_extra(second, ["alpha", "beta"])
    publisher.deliver(second)
    assert len(fake(app, "alpha").live()) == 2
    with app.db.read() as session:
        assert len(session.scalars(select(Delivery)).all()) == 4


def test_record_missed(app: App) -> None:
    claim = app.publisher().record_missed(DAY, "daemon was down past the late window")
    assert claim.status == "missed"
    status = app.reads.campaign.status()
    assert any(item.kind == "day_missed" for item in status.attention)


def test_repeated_doubt_goes_to_a_person_not_a_loop(app: App, tmp_path: Path) -> None:
    [sid] = approved(app, tmp_path, "Short story.")
    fake(app, "alpha").script = ["in_doubt"] * 10
    publisher = app.publisher()
    publisher.claim(DAY)
    for _ in range(6):
        publisher.deliver(sid, ["alpha"], retry_now=True)
    alpha = delivery(app, sid, "alpha")
    assert alpha.status == "failed" and "check the account by hand" in alpha.error
    assert alpha.attempts == 5
    assert fake(app, "alpha").live() == []
