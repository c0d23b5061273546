"""A bilingual campaign (INFOBOT_LANGUAGES=cy,en) of 10 days in each of the three modes,
against the local fakes of Mastodon, Bluesky and X through their real SDKs
(tests/harness_*.py): the right posts, in the right languages and order, on each fake.

Mastodon and Bluesky are built from the settings through the registry, so the second
accounts of "accounts" mode (``mastodon_cy``, ``bluesky_cy``) come from their plug-in
sections exactly as an operator configures them; X has no setting for its API address, so
its adapters are handed in ready, with ``[plugins.x_cy] language = "cy"`` in the settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infobot.app import App
from infobot.clock import FixedClock
from infobot.settings import load_settings
from tests.conftest import story_row, write_csv
from tests.harness_bluesky import APP_PASSWORD, HANDLE, FakePds, fake_pds
from tests.harness_mastodon import FakeMastodonServer, fake_mastodon
from tests.harness_x import XHarness
from tests.harness_x import make_harness as x_harness

LONDON = ZoneInfo("Europe/London")
MON = date(2026, 11, 23)
DAYS = 10


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=LONDON).astimezone(UTC)


def welsh(n: int) -> str:
    return f"Stori {n}: helpodd rhannu cofnodion i'r gofal iawn gyrraedd yn gynt."


def english(n: int) -> str:
    return f"Story {n}: sharing records helped the right care arrive sooner."


@dataclass
class Fakes:
    mastodon: dict[str, FakeMastodonServer]  # account -> server
    bluesky: dict[str, FakePds]
    x: dict[str, XHarness]


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def start(stack: ExitStack, tmp_path: Path, accounts: tuple[str, ...]) -> Fakes:
    fakes = Fakes({}, {}, {})
    for suffix in accounts:
        fakes.mastodon[f"mastodon{suffix}"] = stack.enter_context(
            fake_mastodon(max_characters=1000)
        )
        fakes.bluesky[f"bluesky{suffix}"] = stack.enter_context(fake_pds())
        fakes.x[f"x{suffix}"] = stack.enter_context(x_harness(tmp_path / f"x{suffix}"))
    return fakes


def open_app(tmp_path: Path, fakes: Fakes, mode: str) -> App:
    names = [*fakes.mastodon, *fakes.bluesky, *fakes.x]
    plugins: dict[str, dict[str, Any]] = {}
    for name, server in fakes.mastodon.items():
        if name != "mastodon":
            plugins[name] = {
                "language": "cy",
                "api_base_url": server.url,
                "access_token": server.fake.token,
            }
    for name, pds in fakes.bluesky.items():
        if name != "bluesky":
            plugins[name] = {
                "language": "cy",
                "handle": HANDLE,
                "app_password": APP_PASSWORD,
                "service_url": pds.url,
            }
    if "x_cy" in fakes.x:
        plugins["x_cy"] = {"language": "cy"}
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'bilingual.db'}",
        platforms=",".join(names),
        languages="cy,en",
        bilingual_mode=mode,
        mastodon={
            "api_base_url": fakes.mastodon["mastodon"].url,
            "access_token": fakes.mastodon["mastodon"].fake.token,
        },
        bluesky={
            "handle": HANDLE,
            "app_password": APP_PASSWORD,
            "service_url": fakes.bluesky["bluesky"].url,
        },
        plugins=plugins,
    )
    ready = {name: harness.platform for name, harness in fakes.x.items()}
    return App.open(settings, FixedClock(at(MON, 8)), platforms=ready)


def run_ten_days(app: App, tmp_path: Path) -> list[int]:
    rows = [
        story_row(n, body=english(n), body_cy=welsh(n), title_cy=f"Stori {n}")
        for n in range(1, DAYS + 1)
    ]
    report = app.importer().import_files([write_csv(tmp_path / "stories.csv", rows)], actor="sam")
    assert not report.problems, report.problems
    app.editorial().approve(report.added_ids, actor="alex")
    daemon = app.daemon("bilingual")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    for offset in range(DAYS):
        clock.set(at(MON + timedelta(days=offset), 9))
        daemon.tick()
    with app.db.read() as session:
        from sqlalchemy import select

        from infobot.store.models import Slot

        statuses = [s.status for s in session.scalars(select(Slot).order_by(Slot.local_date))]
    assert statuses == ["posted"] * DAYS
    return report.added_ids


def mastodon_posts(server: FakeMastodonServer) -> list[tuple[str, str | None, str | None]]:
    """(text, language, in reply to) of every live status, oldest first."""
    fake = server.fake
    with fake.lock:
        return [
            (fake.sources[i], fake.statuses[i]["language"], fake.statuses[i]["in_reply_to_id"])
            for i in fake.live_ids()
        ]


def bluesky_posts(pds: FakePds) -> list[tuple[str, list[str], bool]]:
    """(text, langs, is a reply) of every live post, oldest first."""
    return [(p.value["text"], p.value.get("langs", []), "reply" in p.value) for p in pds.live()]


def x_posts(harness: XHarness) -> list[tuple[str, str | None]]:
    return [(p.text, p.reply_to) for p in harness.live_posts()]


def test_one_bilingual_post_welsh_first_each_day(stack: ExitStack, tmp_path: Path) -> None:
    fakes = start(stack, tmp_path, ("",))
    app = stack.enter_context(_closing(open_app(tmp_path, fakes, "post")))
    run_ten_days(app, tmp_path)
    for n, (text, language, reply) in enumerate(mastodon_posts(fakes.mastodon["mastodon"]), 1):
        assert text.startswith(welsh(n) + "\n\n" + english(n)), text
        assert text.count("#infostory") == 1 and text.endswith("#infostory")
        assert language == "cy" and reply is None
    posts = bluesky_posts(fakes.bluesky["bluesky"])
    assert len(posts) == DAYS
    for n, (text, langs, is_reply) in enumerate(posts, 1):
        assert text.index(welsh(n)) < text.index(english(n))
        assert text.count("#infostory") == 1
        assert langs == ["cy", "en"] and not is_reply
    tweets = x_posts(fakes.x["x"])
    assert [t.split("\n\n")[:2] for t, _ in tweets] == [
        [welsh(n), english(n)] for n in range(1, DAYS + 1)
    ]
    assert all(reply is None and t.count("#infostory") == 1 for t, reply in tweets)
    assert len(mastodon_posts(fakes.mastodon["mastodon"])) == DAYS


def test_a_thread_with_one_post_per_language(stack: ExitStack, tmp_path: Path) -> None:
    fakes = start(stack, tmp_path, ("",))
    app = stack.enter_context(_closing(open_app(tmp_path, fakes, "thread")))
    run_ten_days(app, tmp_path)
    toots = mastodon_posts(fakes.mastodon["mastodon"])
    assert len(toots) == 2 * DAYS
    ids = fakes.mastodon["mastodon"].fake.live_ids()
    for n in range(1, DAYS + 1):
        (cy, cy_lang, cy_reply), (en, en_lang, en_reply) = toots[2 * n - 2 : 2 * n]
        assert cy.startswith(welsh(n)) and cy_lang == "cy" and cy_reply is None
        assert en.startswith(english(n)) and en_lang == "en" and en_reply == ids[2 * n - 2]
        assert cy.count("#infostory") == en.count("#infostory") == 1
    posts = bluesky_posts(fakes.bluesky["bluesky"])
    assert [(text.split("\n")[0], langs, reply) for text, langs, reply in posts] == [
        item
        for n in range(1, DAYS + 1)
        for item in ((welsh(n), ["cy"], False), (english(n), ["en"], True))
    ]
    tweets = x_posts(fakes.x["x"])
    assert [t.split("\n")[0] for t, _ in tweets] == [
        text for n in range(1, DAYS + 1) for text in (welsh(n), english(n))
    ]
    assert [reply is None for _, reply in tweets] == [True, False] * DAYS


def test_each_language_from_its_own_account(stack: ExitStack, tmp_path: Path) -> None:
    fakes = start(stack, tmp_path, ("", "_cy"))
    app = stack.enter_context(_closing(open_app(tmp_path, fakes, "accounts")))
    assert dict(app.render_options.account_languages) == {
        "mastodon": "en",
        "mastodon_cy": "cy",
        "bluesky": "en",
        "bluesky_cy": "cy",
        "x": "en",
        "x_cy": "cy",
    }
    run_ten_days(app, tmp_path)
    expected = {"": (english, "en"), "_cy": (welsh, "cy")}
    for suffix, (text_of, language) in expected.items():
        toots = mastodon_posts(fakes.mastodon[f"mastodon{suffix}"])
        assert [(t.split("\n")[0], lang) for t, lang, _ in toots] == [
            (text_of(n), language) for n in range(1, DAYS + 1)
        ]
        assert all(t.count("#infostory") == 1 for t, _, _ in toots)
        posts = bluesky_posts(fakes.bluesky[f"bluesky{suffix}"])
        assert [(t.split("\n")[0], langs) for t, langs, _ in posts] == [
            (text_of(n), [language]) for n in range(1, DAYS + 1)
        ]
        tweets = x_posts(fakes.x[f"x{suffix}"])
        assert [t.split("\n")[0] for t, _ in tweets] == [text_of(n) for n in range(1, DAYS + 1)]
    # both accounts of a platform post in the same slot: one delivery each, same day
    with app.db.read() as session:
        from sqlalchemy import select

        from infobot.store.models import Delivery

        rows = session.execute(select(Delivery.platform, Delivery.slot_id)).all()
    by_slot: dict[int | None, set[str]] = {}
    for platform, slot_id in rows:
        by_slot.setdefault(slot_id, set()).add(platform)
    assert all(len(platforms) == 6 for platforms in by_slot.values())


class _closing:
    def __init__(self, app: App) -> None:
        self.app = app

    def __enter__(self) -> App:
        return self.app

    def __exit__(self, *exc: object) -> None:
        self.app.close()
