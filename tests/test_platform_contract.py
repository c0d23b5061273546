"""One contract, every adapter: real SDKs against local fakes, never a mocked SDK method."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infobot.domain.errors import (
    CredentialsRejected,
    InDoubt,
    PermanentError,
    RateLimited,
    TransientError,
)
from infobot.domain.render import PlatformRules, Post, RenderOptions, render
from infobot.domain.story import StoryInput
from infobot.platforms.base import Account, Published
from tests.platform_harness import FAULTS, Harness, make_outbox_harness

IMAGE = Path(__file__).parent / "data" / "platforms" / "card.png"
PLATFORMS = ("outbox", "mastodon", "x", "bluesky")


@pytest.fixture(params=PLATFORMS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "outbox":
        with make_outbox_harness(tmp_path) as h:
            yield h
        return
    try:
        module = importlib.import_module(f"tests.harness_{request.param}")
    except ModuleNotFoundError as exc:
        if exc.name != f"tests.harness_{request.param}":
            raise
        pytest.skip(f"the {request.param} adapter is not built yet")
    with module.make_harness(tmp_path) as h:
        yield h


def post(text: str, **kw: str) -> Post:
    return Post(text=text, length=len(text), limit=500, **kw)


def test_rules_name_the_platform(harness: Harness) -> None:
    rules = harness.platform.rules()
    assert isinstance(rules, PlatformRules) and rules.name == harness.name
    assert rules.max_length > 0


def test_publish_one_post(harness: Harness) -> None:
    result = harness.platform.publish(
        post("Sharing notes got help there sooner. #infostory"),
        idempotency_key="infobot:1:" + harness.name,
    )
    assert isinstance(result, Published) and result.remote_id
    assert [p.text for p in harness.live_posts()] == [
        "Sharing notes got help there sooner. #infostory"
    ]
    assert harness.live_posts()[0].id == result.remote_id


def test_publish_a_thread(harness: Harness) -> None:
    story = StoryInput(body=("A sentence about sharing information well. " * 30).strip())
    rendered = render(story, harness.platform.rules(), RenderOptions())
    assert rendered.ok and len(rendered.posts) > 1
    previous: Published | None = None
    ids = []
    for n, part in enumerate(rendered.posts):
        previous = harness.platform.publish(
            part, idempotency_key=f"infobot:2:{n}", reply_to=previous
        )
        ids.append(previous.remote_id)
    live = harness.live_posts()
    assert [p.id for p in live] == ids
    assert live[0].reply_to is None
    assert [p.reply_to for p in live[1:]] == ids[:-1]


def test_publish_an_image_with_alt_text(harness: Harness) -> None:
    harness.platform.publish(
        post(
            "A picture. #infostory",
            image=str(IMAGE),
            image_alt="Four squares joined to a central square.",
        ),
        idempotency_key="infobot:3",
    )
    assert harness.live_posts()[0].image_alt == "Four squares joined to a central square."


def test_lookup_finds_the_post_and_delete_removes_it(harness: Harness) -> None:
    the_post = post("Findable story. #infostory")
    made = harness.platform.publish(the_post, idempotency_key="infobot:4")
    found = harness.platform.lookup(the_post, idempotency_key="infobot:4")
    assert found is not None and found.remote_id == made.remote_id
    assert harness.platform.lookup(post("Never posted."), idempotency_key="infobot:5") is None
    harness.platform.delete(made)
    assert harness.live_posts() == []
    harness.platform.delete(made)  # already gone: not an error
    assert harness.platform.lookup(the_post, idempotency_key="infobot:4") is None


def test_verify_names_the_account(harness: Harness) -> None:
    account = harness.platform.verify()
    assert isinstance(account, Account) and account.name and account.can_post


EXPECTED = {
    "rate_limited": RateLimited,
    "unauthorized": CredentialsRejected,
    "server_error": TransientError,
    "timeout": InDoubt,
    "connection_reset": InDoubt,
    "too_long": PermanentError,
    "payment_required": PermanentError,
}


@pytest.mark.parametrize("fault", [f for f in FAULTS if f != "duplicate"])
def test_faults_map_to_the_taxonomy(harness: Harness, fault: str) -> None:
    if not harness.supports(fault):
        pytest.skip(f"{harness.name} has no {fault} case")
    harness.inject(fault)
    with pytest.raises(EXPECTED[fault]) as info:
        harness.platform.publish(post("Fault test. #infostory"), idempotency_key="infobot:6")
    error = info.value
    assert type(error) is EXPECTED[fault] or fault == "rate_limited"
    assert harness.secret not in str(error)
    if fault == "rate_limited":
        assert isinstance(error, RateLimited)
        assert error.retry_at is not None and error.retry_at.tzinfo is not None
        assert error.retry_at > datetime(2020, 1, 1, tzinfo=UTC)
    if fault == "payment_required":
        assert "credit" in str(error).lower()
    # a failed create leaves nothing live, except after an ambiguous failure
    if not isinstance(error, InDoubt):
        assert harness.live_posts() == []


def test_in_doubt_then_reconcile_never_posts_twice(harness: Harness) -> None:
    if not harness.supports("connection_reset"):
        pytest.skip(f"{harness.name} cannot drop a connection")
    the_post = post("In doubt. #infostory")
    harness.inject("connection_reset")
    with pytest.raises(InDoubt):
        harness.platform.publish(the_post, idempotency_key="infobot:7")
    # the reconciler looks first, and only publishes what is not there
    found = harness.platform.lookup(the_post, idempotency_key="infobot:7")
    if found is None:
        harness.platform.publish(the_post, idempotency_key="infobot:7")
    assert len(harness.live_posts()) <= 1
    keys = {r.idempotency_key for r in harness.create_requests()}
    assert len(keys) == 1  # the same key on every attempt


def test_duplicate_content_is_evidence_of_an_earlier_post(harness: Harness) -> None:
    if not harness.supports("duplicate"):
        pytest.skip(f"{harness.name} has no duplicate-content answer")
    the_post = post("Posted once. #infostory")
    first = harness.platform.publish(the_post, idempotency_key="infobot:8")
    harness.inject("duplicate")
    again = harness.platform.publish(the_post, idempotency_key="infobot:8")
    assert again.remote_id == first.remote_id
    assert len(harness.live_posts()) == 1
