"""The link in the first reply and reply/quote controls on the fake X, Mastodon and Bluesky,
through the real SDKs, the real publisher and a real SQLite file; and the settings that
switch them on."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.errors import ConfigError, InDoubt
from infobot.domain.links import Tracking
from infobot.domain.render import Card, RenderOptions, render
from infobot.domain.replies import WhoCanQuote, WhoCanReply
from infobot.domain.story import StoryInput
from infobot.platforms.base import Platform, Published
from infobot.service.publisher import Publisher
from infobot.settings import load_settings
from tests import harness_bluesky, harness_mastodon, harness_x
from tests.conftest import story_row, write_csv

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)
LINK = "https://www.gov.wales/infostory/joined-up"
UTM = "utm_medium=social&utm_campaign=infostory"


def open_app(tmp_path: Path, name: str, platform: Platform) -> App:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'links.db'}",
        platforms=name,
        tracking_domains="gov.wales",
    )
    return App.open(settings, FixedClock(NOW), platforms={name: platform})


def approve_one(app: App, tmp_path: Path, **fields: str) -> int:
    row = story_row(1, link=LINK, **fields)
    report = app.importer().import_files([write_csv(tmp_path / "s.csv", [row])], actor="sam")
    app.editorial().approve(report.added_ids, actor="alex")
    return report.added_ids[0]


def parts_of_story(app: App, story_id: int) -> list[str]:
    """The ids of a story's confirmed parts (its only delivery)."""
    db = str(app.settings.database_url).removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        (parts,) = conn.execute(
            "SELECT parts FROM deliveries WHERE story_id = ?", (story_id,)
        ).fetchone()
    return [p["id"] for p in json.loads(parts)]


def parts_of(app: App, story_id: int) -> list[str]:
    rows = app.reads.stories.show(story_id).deliveries
    assert [d.status for d in rows] == ["sent"], rows
    return parts_of_story(app, story_id)


# --------------------------------------------------------------------------- X


@pytest.fixture
def x(tmp_path: Path) -> Iterator[harness_x.XHarness]:
    with harness_x.make_harness(
        tmp_path, link_in_reply=True, replies=WhoCanReply.FOLLOWING
    ) as harness:
        yield harness


def test_x_posts_the_link_in_a_reply_and_sets_who_may_reply(
    tmp_path: Path, x: harness_x.XHarness
) -> None:
    app = open_app(tmp_path, "x", x.platform)
    try:
        story_id = approve_one(app, tmp_path)
        shown = app.reads.stories.show(story_id).platforms["x"]
        assert [p.text for p in shown.posts][1] == f"{LINK}?utm_source=x&{UTM}"
        assert shown.notes == [
            "the link goes in a reply to the post",
            "who can reply: accounts the account follows",
        ]
        publisher = app.publisher()
        publisher.claim(DAY)
        publisher.deliver(story_id)
        first, second = (r.fields for r in x.received("POST", "/2/tweets"))
        assert first["reply_settings"] == "following"
        assert "reply" not in first and LINK not in first["text"]
        assert first["text"].endswith("#infostory")
        assert second["text"] == f"{LINK}?utm_source=x&{UTM}"
        assert "reply_settings" not in second  # the first post's setting covers the thread
        ids = parts_of(app, story_id)
        assert second["reply"] == {"in_reply_to_tweet_id": ids[0]}
        assert [p.reply_to for p in x.live_posts()] == [None, ids[0]]
    finally:
        app.close()


def test_x_reply_lost_in_a_timeout_is_found_not_sent_twice(
    tmp_path: Path, x: harness_x.XHarness
) -> None:
    """The post is confirmed, the reply's answer never comes: the next run looks the reply
    up on the timeline before sending anything, and continues from there."""
    app = open_app(tmp_path, "x", x.platform)
    try:
        story_id = approve_one(app, tmp_path)
        publisher = app.publisher()
        publisher.claim(DAY)
        x.fake.faults.extend([None, "timeout"])  # type: ignore[list-item]
        outcome = publisher.deliver(story_id).outcomes[0]
        assert outcome.status == "in_doubt" and outcome.parts_sent == 1
        assert len(x.live_posts()) == 2  # X made the reply; infobot did not hear of it
        outcome = publisher.deliver(story_id, retry_now=True).outcomes[0]
        assert outcome.status == "sent" and outcome.parts_sent == 2
        assert len(x.received("POST", "/2/tweets")) == 2  # looked up, not sent again
        first, reply = x.live_posts()
        assert parts_of(app, story_id) == [first.id, reply.id] and reply.reply_to == first.id
    finally:
        x.fake.release.set()
        app.close()


# --------------------------------------------------------------------------- Mastodon


def test_mastodon_posts_the_link_in_a_reply_with_the_quote_policy(tmp_path: Path) -> None:
    with harness_mastodon.fake_mastodon() as server:
        platform = harness_mastodon.make_platform(
            server, link_in_reply=True, quotes=WhoCanQuote.NOBODY, max_length=500
        )
        app = open_app(tmp_path, "mastodon", platform)
        try:
            story_id = approve_one(app, tmp_path)
            notes = app.reads.stories.show(story_id).platforms["mastodon"].notes
            assert notes == [
                "the link goes in a reply to the post",
                "who can quote: nobody (quoting is off)",
            ]
            publisher = app.publisher()
            publisher.claim(DAY)
            publisher.deliver(story_id)
            creates = [
                r.form
                for r in server.fake.requests
                if (r.method, r.path) == ("POST", "/api/v1/statuses")
            ]
            first, second = creates
            assert first["quote_approval_policy"] == second["quote_approval_policy"] == ["nobody"]
            assert "in_reply_to_id" not in first and LINK not in first["status"][0]
            assert second["status"] == [f"{LINK}?utm_source=mastodon&{UTM}"]
            ids = parts_of(app, story_id)
            assert second["in_reply_to_id"] == [ids[0]]
            assert server.fake.statuses[ids[0]]["quote_approval"]["automatic"] == []
        finally:
            app.close()
            platform.close()


def second_day_same_link(app: App, tmp_path: Path) -> tuple[Publisher, int]:
    """Two stories with the same link: the first posted on Monday, the second claimed for
    Tuesday and not sent yet."""
    rows = [story_row(n, link=LINK) for n in (1, 2)]
    report = app.importer().import_files([write_csv(tmp_path / "two.csv", rows)], actor="sam")
    first, second = report.added_ids
    app.editorial().approve([first, second], actor="alex")
    publisher = app.publisher()
    publisher.claim(DAY)
    publisher.deliver(first)
    publisher.claim(date(2026, 11, 24), story_id=second)
    return publisher, second


def test_a_reply_in_doubt_is_not_mistaken_for_yesterdays_reply_with_the_same_link(
    tmp_path: Path,
) -> None:
    """Two days, one landing page: the replies have the same text. Today's post is out and
    the process dies while asking for the reply, before Mastodon made it (the delivery is
    left ``sending``, as a crash leaves it). The restart looks the reply up first, finds
    yesterday's under yesterday's post, and must not take it for today's."""
    with harness_mastodon.fake_mastodon() as server:
        platform = harness_mastodon.make_platform(server, link_in_reply=True, max_length=500)
        app = open_app(tmp_path, "mastodon", platform)
        try:
            publisher, second = second_day_same_link(app, tmp_path)
            server.fake.faults.extend(["", "server_error"])  # the reply: nothing made
            assert publisher.deliver(second).outcomes[0].parts_sent == 1
            db = str(app.settings.database_url).removeprefix("sqlite:///")
            with sqlite3.connect(db) as conn:  # what a kill after the intent leaves behind
                conn.execute(
                    "UPDATE deliveries SET status = 'sending', updated_at = ? WHERE story_id = ?",
                    ("2026-11-23 08:00:00.000000", second),
                )
            outcome = publisher.deliver(second, retry_now=True).outcomes[0]
            assert outcome.status == "sent" and outcome.parts_sent == 2
            statuses = server.fake.statuses
            post, reply = parts_of_story(app, second)
            assert statuses[reply]["in_reply_to_id"] == post  # today's, not yesterday's
            assert len(server.fake.live_ids()) == 4
            reconciled = [e.message for e in app.reads.stories.show(second).history]
            assert "mastodon: reconciled: not on the platform" in reconciled
        finally:
            app.close()
            platform.close()


def test_x_refuses_a_repeated_link_reply_and_says_so(tmp_path: Path, x: harness_x.XHarness) -> None:
    """X does not take the same text twice: yesterday's reply is not taken for today's,
    and the delivery fails with a reason the team can act on (the post itself is out)."""
    app = open_app(tmp_path, "x", x.platform)
    try:
        publisher, second = second_day_same_link(app, tmp_path)
        outcome = publisher.deliver(second).outcomes[0]
        assert outcome.status == "failed" and outcome.parts_sent == 1
        assert "already posted the same text" in outcome.error
        assert "X does not take the same text twice" in outcome.error
        assert len(x.live_posts()) == 3
    finally:
        app.close()


# --------------------------------------------------------------------------- Bluesky


def picture(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def publish_all(platform: Platform, posts: Any) -> list[Published]:
    done: list[Published] = []
    for n, post in enumerate(posts):
        done.append(
            platform.publish(post, idempotency_key=f"k:{n}", reply_to=done[-1] if done else None)
        )
    return done


def test_bluesky_picture_on_the_post_card_on_the_reply_gates_written_with_each(
    tmp_path: Path,
) -> None:
    with harness_bluesky.make_harness(tmp_path) as harness:
        pds = harness.pds
        platform = harness.make_platform(
            link_in_reply=True, replies=(WhoCanReply.MENTIONED,), quotes=WhoCanQuote.NOBODY
        )
        story = StoryInput(
            body="The ward and the GP saw the same notes.",
            link=LINK,
            image=str(picture(tmp_path / "ward.png")),
            image_alt="A hospital ward",
        )
        card = Card(
            url=LINK, title="Joined-up care", thumb=picture(tmp_path / "t.png").read_bytes()
        )
        options = RenderOptions(tracking=Tracking(("gov.wales",), "infostory"))
        rendered = render(story, platform.rules(), options, card)
        assert rendered.ok and len(rendered.posts) == 2
        first, reply = publish_all(platform, rendered.posts)
        (post_write, gate, quote_gate), (reply_write, reply_gate) = (
            body["writes"] for body in pds.apply_bodies
        )
        assert post_write["value"]["embed"]["$type"] == "app.bsky.embed.images"
        assert gate["value"]["allow"] == [{"$type": "app.bsky.feed.threadgate#mentionRule"}]
        assert quote_gate["collection"] == reply_gate["collection"] == "app.bsky.feed.postgate"
        external = reply_write["value"]["embed"]["external"]
        assert external["uri"] == f"{LINK}?utm_source=bluesky&{UTM}"
        assert external["title"] == "Joined-up care"
        assert reply_write["value"]["reply"]["root"]["uri"] == first.remote_id.split("|")[0]
        assert len(pds.records) == 3  # one threadgate, two postgates
        for published in (reply, first):
            platform.delete(published)
        assert pds.live() == [] and pds.records == {}


def test_bluesky_a_timeout_on_the_gated_write_is_in_doubt_and_found_with_its_gates(
    tmp_path: Path,
) -> None:
    with harness_bluesky.make_harness(tmp_path) as harness:
        platform = harness.make_platform(replies=(WhoCanReply.NOBODY,))
        rendered = render(StoryInput(body="A short story."), platform.rules(), RenderOptions())
        (post,) = rendered.posts
        harness.inject("timeout")
        with pytest.raises(InDoubt):
            platform.publish(post, idempotency_key="k:0")
        found = platform.lookup(post, idempotency_key="k:0")
        assert found is not None
        rkey = found.remote_id.split("|")[0].rsplit("/", 1)[1]
        gate = harness.pds.records[f"at://{harness.pds.did}/app.bsky.feed.threadgate/{rkey}"]
        assert gate["allow"] == []  # nobody may reply: never a moment without the gate


# --------------------------------------------------------------------------- settings


def test_the_settings_reach_each_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from infobot.platforms import registry

    for name, value in {
        "PLATFORMS": "x,mastodon,bluesky,outbox",
        "X__CONSUMER_KEY": "k1",
        "X__CONSUMER_SECRET": "s1",
        "X__ACCESS_TOKEN": "t1",
        "X__ACCESS_TOKEN_SECRET": "ts1",
        "X__LINK_IN_REPLY": "true",
        "X__REPLIES": "mentioned",
        "MASTODON__API_BASE_URL": "https://social.example.org",
        "MASTODON__ACCESS_TOKEN": "tok-en",
        "MASTODON__MAX_LENGTH": "500",
        "MASTODON__QUOTES": "followers",
        "BLUESKY__HANDLE": "team.bsky.social",
        "BLUESKY__APP_PASSWORD": "app-pass-word",
        "BLUESKY__REPLIES": "followers,mentioned",
        "BLUESKY__QUOTES": "nobody",
        "BLUESKY__SESSION_FILE": str(tmp_path / "s.json"),
        "OUTBOX__LINK_IN_REPLY": "true",
        "LINK_CARDS": "false",
    }.items():
        monkeypatch.setenv(f"INFOBOT_{name}", value)
    settings = load_settings()
    rules = {name: registry.create(name, settings).rules() for name in settings.platforms}
    assert rules["x"].link_in_reply and rules["outbox"].link_in_reply
    assert rules["x"].audience.replies == (WhoCanReply.MENTIONED,)
    assert rules["mastodon"].audience.quotes == WhoCanQuote.FOLLOWERS
    assert not rules["mastodon"].link_in_reply
    assert rules["bluesky"].audience.replies == (WhoCanReply.MENTIONED, WhoCanReply.FOLLOWERS)
    assert rules["bluesky"].audience.quotes == WhoCanQuote.NOBODY
    assert not rules["bluesky"].link_cards  # INFOBOT_LINK_CARDS=false
    assert rules["bluesky"].links_behind_text and not rules["x"].links_behind_text


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("X__REPLIES", "nobody", "X has no 'nobody'"),
        ("BLUESKY__REPLIES", "verified", "cannot limit replies to verified"),
        ("BLUESKY__QUOTES", "followers", "cannot limit quotes to followers"),
        ("MASTODON__QUOTES", "friends", "INFOBOT_MASTODON__QUOTES (from environment)"),
    ],
)
def test_a_control_the_platform_cannot_enforce_is_refused_by_name(
    name: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"INFOBOT_{name}", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert message in str(caught.value)
    assert f"INFOBOT_{name} (from environment)" in str(caught.value)
