"""``infobot stories list`` and ``stories show`` read through the lean path
(``infobot.lean``): the light settings, the database driver and the same listing and story
page as the full application, with no SQLAlchemy or pydantic imported; they answer exactly
what the full application answers, on SQLite and PostgreSQL, and step aside to it whenever
they cannot."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infobot import lean
from infobot.store.db import Database
from infobot.store.migrate import HEAD, upgrade
from tests.conftest import QUEUE, Cli, story_row, write_csv

LISTS = (
    ("stories", "list"),
    ("stories", "list", "--json"),
    ("stories", "list", "--json", "--limit", "3"),
    ("stories", "list", "--status", "draft"),
    ("stories", "list", "--status", "approved", "--limit", "2"),
)
SHOWS = (
    ("stories", "show", "1"),  # posted: deliveries and history
    ("stories", "show", "3"),  # in the queue
    ("stories", "show", "7"),  # pinned
    ("stories", "show", "12"),  # a draft
    ("stories", "show", "3", "--json"),
    ("stories", "show", "1", "--json"),
    ("stories", "show", "99999"),  # no such story: the same message
)
STATUSES = (("status",), ("status", "--json"))
PREVIEWS = (("preview",), ("preview", "--json"), ("preview", "--days", "30"))
HEAVY = ("sqlalchemy", "pydantic", "pydantic_settings", "alembic", "regex", "twitter_text")
#: ``stories show`` renders the story as the platforms count it (``regex`` for graphemes).
HEAVY_SHOW = ("sqlalchemy", "pydantic", "pydantic_settings", "alembic", "twitter_text")
#: A setting the light reader leaves to ``Settings``: the command takes the full path.
FULL_PATH = {"INFOBOT_PLUGINS__NOBODY__COLOUR": "blue"}


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each command's lean path could open (True or False), then a False more when
    it stepped aside (:class:`~infobot.store.reader.Unsupported` or anything unexpected)
    and the full path answered."""
    from infobot.cli.common import Env
    from infobot.domain.errors import UserError

    served: list[bool] = []
    original, read = lean.open_lean, Env.read

    def watched(campaign: str | None = None) -> lean.Lean | None:
        found = original(campaign)
        served.append(found is not None)
        return found

    def watched_read(env: Env, quick: Any, full: Any) -> Any:
        def answered(found: lean.Lean) -> Any:
            try:
                return quick(found)
            except UserError:
                raise
            except Exception:
                served.append(False)
                raise

        return read(env, answered, full)

    monkeypatch.setattr(lean, "open_lean", watched)
    monkeypatch.setattr(Env, "read", watched_read)
    yield served


def campaign(cli: Cli) -> None:
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam")
    cli.ok("stories", "approve", *[str(n) for n in range(1, 11)], "--by", "alex", "--acknowledge")
    cli.ok("stories", "pin", "7", "2026-12-10", "--by", "alex")
    cli.ok("post-now")


def _heavy_imports(commands: tuple[tuple[str, ...], ...], heavy: tuple[str, ...]) -> str:
    code = (
        "import sys\n"
        "from infobot.cli.main import run\n"
        f"for args in {[list(a) for a in commands]!r}:\n"
        "    assert run(args) == 0, args\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_the_story_list_imports_no_database_toolkit(cli: Cli) -> None:
    campaign(cli)
    assert _heavy_imports(LISTS, HEAVY) == "HEAVY="


def test_a_story_page_imports_no_database_toolkit(cli: Cli) -> None:
    campaign(cli)
    assert _heavy_imports(SHOWS[:-1], HEAVY_SHOW) == "HEAVY="


def test_status_and_preview_import_no_database_toolkit(cli: Cli) -> None:
    campaign(cli)
    assert _heavy_imports((*STATUSES, *PREVIEWS), HEAVY_SHOW) == "HEAVY="


def _same(cli: Cli, spy: list[bool], *args: str) -> None:
    spy.clear()
    quick = cli(*args)
    assert spy == [True], args
    _as_full(cli, spy, quick, args)


def _as_full(cli: Cli, spy: list[bool], quick: Any, args: tuple[str, ...]) -> None:
    """``quick`` is what the full path answers to ``args``."""
    os.environ.update(FULL_PATH)
    try:
        spy.clear()
        full = cli(*args)
        assert True not in spy, args
    finally:
        for key in FULL_PATH:
            del os.environ[key]
    assert (quick.code, quick.out, quick.err) == (full.code, full.out, full.err), args


def test_the_lean_path_answers_what_the_full_one_does(
    db_url: str, cli: Cli, spy: list[bool]
) -> None:
    os.environ["INFOBOT_DATABASE_URL"] = db_url
    campaign(cli)
    for args in (*LISTS, *SHOWS, *STATUSES, *PREVIEWS):
        _same(cli, spy, *args)


def test_the_same_answers_with_several_campaigns(cli: Cli, spy: list[bool]) -> None:
    campaign(cli)
    cli.ok("campaign", "create", "second", "--hashtag", "#second", "--timezone", "Europe/Paris")
    cli.ok("import", str(QUEUE / "stories.csv"), "--by", "sam", "--campaign", "second")
    for args in (*LISTS, *SHOWS, ("stories", "show", "30"), *STATUSES, *PREVIEWS):
        _same(cli, spy, *args)
        _same(cli, spy, *args, "--campaign", "second")
    missing = cli("stories", "list", "--campaign", "nobody")
    assert missing.code != 0 and "nobody" in missing.err


#: X, Mastodon and Bluesky set up (no request is made: ``show`` and ``preview`` render).
PLATFORMS = {
    "INFOBOT_PLATFORMS": "x,mastodon,bluesky",
    "INFOBOT_X__CONSUMER_KEY": "lean-consumer-key",
    "INFOBOT_X__CONSUMER_SECRET": "lean-consumer-secret",
    "INFOBOT_X__ACCESS_TOKEN": "lean-access-token",
    "INFOBOT_X__ACCESS_TOKEN_SECRET": "lean-access-token-secret",
    "INFOBOT_X__LINK_IN_REPLY": "true",
    "INFOBOT_MASTODON__API_BASE_URL": "https://127.0.0.1:9",  # nothing listens
    "INFOBOT_MASTODON__ACCESS_TOKEN": "lean-mastodon-token",
    "INFOBOT_MASTODON__MAX_LENGTH": "180",  # long stories need a thread
    "INFOBOT_BLUESKY__HANDLE": "infostory.bsky.social",
    "INFOBOT_BLUESKY__APP_PASSWORD": "lean-app-password",
}
#: Not the database toolkit or the settings machinery (X's counting may load its own).
TOOLKIT = ("sqlalchemy", "pydantic", "pydantic_settings", "alembic")


def test_posts_for_x_mastodon_and_bluesky_are_rendered_by_the_lean_path(
    cli: Cli, spy: list[bool]
) -> None:
    """The story page and the preview render each platform's posts from the settings, as
    the adapters would: the same answer as the full path, without its toolkit; Mastodon
    with no limit set steps aside (its instance is asked)."""
    campaign(cli)
    os.environ.update(PLATFORMS)
    try:
        cli.ok("status")  # the full path applies the new platforms to the campaign
        for args in (*SHOWS, *PREVIEWS):
            _same(cli, spy, *args)
        assert "mastodon" in cli.ok("preview", "--json").out
        for args in (*SHOWS[:-1], *PREVIEWS):
            assert _heavy_imports((args,), TOOLKIT) == "HEAVY=", args
        del os.environ["INFOBOT_MASTODON__MAX_LENGTH"]
        cli.ok("status")
        assert "sqlalchemy" in _heavy_imports((("preview",),), TOOLKIT)
    finally:
        for key in PLATFORMS:
            os.environ.pop(key, None)


def test_the_full_path_takes_over_when_the_lean_one_cannot(cli: Cli, spy: list[bool]) -> None:
    cli.ok("stories", "list")  # no database yet: the full path creates and migrates it
    assert spy == [False]
    assert Path(cli.db_path).is_file()
    spy.clear()
    cli.ok("stories", "list")
    assert spy == [True]
    Path(cli.db_path).unlink()
    db = Database(f"sqlite:///{cli.db_path}")
    upgrade(db, "0005")  # an older schema: the full path migrates it
    db.dispose()
    spy.clear()
    cli.ok("stories", "list")
    assert spy == [False]
    assert cli.sql("SELECT version_num FROM alembic_version") == [(HEAD,)]
    os.environ["INFOBOT_HASHTAG"] = "#another"  # settings not applied yet: a write
    spy.clear()
    cli.ok("stories", "list")
    assert spy == [False]
    spy.clear()
    cli.ok("stories", "list")
    assert spy == [True]
    os.environ["INFOBOT_HASHTAG_DISPLAY"] = "#Another"  # a setting read by Settings alone
    spy.clear()
    cli.ok("stories", "list")
    assert spy == [False]


def test_the_listing_queries_use_the_indexes(cli: Cli) -> None:
    campaign(cli)
    from infobot.store.queries import stories
    from infobot.store.reader import Reader
    from infobot.store.rows import StoryBrief

    plans: list[str] = []

    class Explaining(Reader):
        def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
            plans.extend(str(r[-1]) for r in super().rows("EXPLAIN QUERY PLAN " + sql, **params))
            return super().rows(sql, **params)

    with sqlite3.connect(cli.db_path) as conn:
        r = Explaining(conn, "sqlite")
        stories.queue(r, 1, StoryBrief, limit=50)
        stories.queue(r, 1, StoryBrief, limit=50, languages=("cy", "en"))  # bilingual
        stories.not_ready(r, 1, ("cy", "en"))
        stories.with_status(r, 1, StoryBrief, but_not=stories.StoryStatus.APPROVED, limit=50)
    assert plans and not [p for p in plans if p.startswith("SCAN") or "TEMP B-TREE" in p], plans


def test_a_story_page_the_lean_path_cannot_render_is_the_full_paths(
    cli: Cli, spy: list[bool]
) -> None:
    """A platform whose rules the settings alone do not give (Mastodon without a limit:
    its instance is asked): the lean path opens, leaves the page to the full path."""
    campaign(cli)
    os.environ.update(PLATFORMS)
    del os.environ["INFOBOT_MASTODON__MAX_LENGTH"]
    try:
        cli.ok("status")  # the full path applies the new platforms to the campaign
        for args in (*SHOWS, *PREVIEWS):
            spy.clear()
            quick = cli(*args)
            assert spy == [True, False], args  # opened, stepped aside
            _as_full(cli, spy, quick, args)
            assert "Traceback" not in quick.err
    finally:
        for key in PLATFORMS:
            os.environ.pop(key, None)


WELSH = "Stori {n}: helpodd rhannu cofnodion i'r gofal iawn gyrraedd yn gynt."
#: The bilingual campaign's pages: a story in both languages (15, in the queue; 17, pinned)
#: and one in English alone (3, approved before the campaign took Welsh: not ready).
BILINGUAL = (
    *STATUSES,
    *PREVIEWS,
    ("stories", "show", "15"),
    ("stories", "show", "15", "--json"),
    ("stories", "show", "17"),
    ("stories", "show", "3"),
    ("stories", "show", "3", "--json"),
)


def bilingual_campaign(cli: Cli, tmp_path: Path) -> None:
    """The campaign made bilingual (Welsh first) after ten English stories were approved,
    then three stories in both languages added (15 to 17) and approved, one pinned."""
    campaign(cli)
    name = cli.ok("status", "--json").json()["campaign"]
    cli.ok("campaign", "edit", name, "--languages", "cy,en")
    rows = [story_row(n, title_cy=f"Stori {n}", body_cy=WELSH.format(n=n)) for n in (13, 14, 15)]
    cli.ok("import", str(write_csv(tmp_path / "cy.csv", rows)), "--by", "sam")
    drafts = cli.ok("stories", "list", "--status", "draft", "--json").json()
    ids = [str(s["id"]) for s in drafts if s["title"] in ("Story 13", "Story 14", "Story 15")]
    assert ids == ["15", "16", "17"], drafts
    cli.ok("stories", "approve", *ids, "--by", "alex", "--acknowledge")
    cli.ok("stories", "pin", "17", "2026-12-01", "--by", "alex")


def test_a_bilingual_campaign_is_read_by_the_lean_path(
    db_url: str, cli: Cli, spy: list[bool], tmp_path: Path
) -> None:
    """Welsh and English: only the stories ready in both count and post, the others are
    named in ``status``; each post shows both versions (one post, or a thread of one per
    language): the same answers as the full path, on SQLite and PostgreSQL."""
    os.environ["INFOBOT_DATABASE_URL"] = db_url
    bilingual_campaign(cli, tmp_path)
    status = cli.ok("status", "--json").json()
    assert status["counts"]["approved"] == 3 and "not_ready" in cli.ok("status", "--json").out
    preview = cli.ok("preview", "--json").json()
    assert [d["story_id"] for d in preview if d["story_id"]][:3] == [1, 15, 16]  # 1: posted
    assert preview[1]["platforms"]["outbox"]["posts"][0]["languages"] == ["cy", "en"]
    for args in BILINGUAL:
        _same(cli, spy, *args)
    os.environ["INFOBOT_BILINGUAL_MODE"] = "thread"
    assert len(cli.ok("preview", "--json").json()[1]["platforms"]["outbox"]["posts"]) == 2
    for args in BILINGUAL:
        _same(cli, spy, *args)
    os.environ["INFOBOT_LANGUAGES"] = "cy,en"  # the settings' languages, read lightly too
    cli.ok("status")  # the full path applies the settings to the campaign
    for args in BILINGUAL:
        _same(cli, spy, *args)


def test_a_bilingual_campaign_imports_no_database_toolkit(cli: Cli, tmp_path: Path) -> None:
    bilingual_campaign(cli, tmp_path)
    assert _heavy_imports(BILINGUAL, HEAVY_SHOW) == "HEAVY="


def test_a_bilingual_campaign_with_a_first_language_set_is_the_full_paths(
    cli: Cli, spy: list[bool], tmp_path: Path
) -> None:
    """``INFOBOT_BILINGUAL_FIRST`` is read by ``Settings`` alone: the full path answers."""
    bilingual_campaign(cli, tmp_path)
    os.environ["INFOBOT_LANGUAGES"] = "cy,en"
    os.environ["INFOBOT_BILINGUAL_FIRST"] = "en"
    for args in BILINGUAL:
        spy.clear()
        done = cli(*args)
        assert spy == [False] and done.code == 0, args
    assert cli.ok("preview", "--json").json()[1]["platforms"]["outbox"]["posts"][0][
        "languages"
    ] == ["en", "cy"]


def _all_same(cli: Cli, spy: list[bool]) -> None:
    for args in (*STATUSES, *PREVIEWS):
        _same(cli, spy, *args)


def test_status_and_preview_say_what_the_full_path_says_day_by_day(
    db_url: str, cli: Cli, spy: list[bool]
) -> None:
    """Paused, a blackout, an overdue day and one past its late window: the same status
    and preview through either path (on SQLite and PostgreSQL)."""
    os.environ["INFOBOT_DATABASE_URL"] = db_url
    cli.ok("status")  # the full path makes the database
    _all_same(cli, spy)  # an empty campaign
    campaign(cli)
    cli.ok("campaign", "blackout", "add", "2026-11-25", "--reason", "mourning", "--by", "alex")
    _all_same(cli, spy)
    for moment, said in (
        ("2026-11-24T10:30:00+00:00", "Overdue:"),
        ("2026-11-24T17:00:00+00:00", "Next post:"),  # past the late window
    ):
        os.environ["INFOBOT_CLOCK_START"] = moment
        _all_same(cli, spy)
        assert said in cli.ok("status").out
    cli.ok("campaign", "pause", "--until", "2026-11-28", "--reason", "review", "--by", "alex")
    _all_same(cli, spy)
    cli.ok("campaign", "resume", "--by", "alex")
    os.environ["INFOBOT_CLOCK_START"] = "2026-11-27T08:00:00+00:00"
    _all_same(cli, spy)


def test_status_and_preview_the_lean_path_cannot_read_are_the_full_paths(
    cli: Cli, spy: list[bool]
) -> None:
    """A delivery waiting for a person (status) and a pre-election period (status and
    preview): the full path answers."""
    campaign(cli)
    cli.sql("UPDATE deliveries SET status = 'failed', error = 'refused'")
    for args in STATUSES:
        spy.clear()
        quick = cli(*args)
        assert spy == [True, False], args  # opened, stepped aside
        _as_full(cli, spy, quick, args)
    cli.sql("UPDATE deliveries SET status = 'sent', error = ''")
    cli.ok("campaign", "election", "add", "2026-11-26", "2026-12-03", "--reason", "vote")
    for args in (*STATUSES, *PREVIEWS):
        spy.clear()
        quick = cli(*args)
        _as_full(cli, spy, quick, args)
        assert "vote" in quick.out or "election" in quick.out, quick.out
