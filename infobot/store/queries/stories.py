"""Reading stories: the ordered queue, pins and listings (``infobot stories list``).

The queue is the approved stories not pinned to a date, ordered by ``sort_key`` then
``id``; the indexes of migrations 0011 and 0012 serve every query here without a scan or a
sort (``tests/test_lean.py`` reads their plans).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, TypeVar

from infobot.domain.errors import Hint, NotFound
from infobot.domain.story import STORY_FIELDS, StoryInput, StoryStatus
from infobot.domain.versions import Version, is_bilingual
from infobot.store.queries import literal, literals
from infobot.store.reader import Reader, page, placeholders
from infobot.store.rows import Row, as_day

#: The row type a listing returns (``StoryBrief``: a story's line, without its text).
R = TypeVar("R", bound=Row)
APPROVED = literal(StoryStatus.APPROVED)
QUEUE = f"campaign_id = :cid AND status = {APPROVED} AND pin_date IS NULL"
PINNED = f"campaign_id = :cid AND status = {APPROVED} AND pin_date IS NOT NULL"
ORDER = " ORDER BY sort_key, id"


def ready_in(languages: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Stories with text in every one of ``languages`` (always true in a one-language
    campaign), as ``infobot.store.stories.ready_in`` compiles on SQLite and PostgreSQL:
    ``languages`` holds two-letter codes separated by spaces, so a code can only match
    itself. The condition ("" in a one-language campaign) and its parameters."""
    if not is_bilingual(languages):
        return "", {}
    params = {f"lang_{at}": language for at, language in enumerate(languages)}
    return " AND ".join(f"languages LIKE '%' || :{name} || '%'" for name in params), params


def _and(condition: str) -> str:
    return f" AND {condition}" if condition else ""


# -- the queue -----------------------------------------------------------------------------
def queue(
    r: Reader,
    campaign_id: int,
    row: type[R],
    offset: int = 0,
    limit: int | None = None,
    languages: Sequence[str] = (),
) -> list[R]:
    """The queue in posting order, as ``row`` (``StoryRow`` or ``StoryBrief``), of the
    stories ready in all of ``languages`` (a bilingual campaign's)."""
    ready, params = ready_in(languages)
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE {QUEUE}{_and(ready)}{ORDER}"
    rows = r.rows(sql + page(limit, offset), cid=campaign_id, limit=limit, offset=offset, **params)
    return [row.of(t) for t in rows]


def not_ready(r: Reader, campaign_id: int, languages: Sequence[str]) -> list[tuple[int, str]]:
    """The id and languages of the (first 20) approved stories that lack one of a bilingual
    campaign's ``languages``: they do not post until they have it."""
    if not is_bilingual(languages):
        return []
    ready, params = ready_in(languages)
    sql = f"SELECT id, languages FROM stories WHERE campaign_id = :cid AND status = {APPROVED}"
    rows = r.rows(f"{sql} AND NOT ({ready}){ORDER} LIMIT 20", cid=campaign_id, **params)
    return [(int(story_id), str(have)) for story_id, have in rows]


def position(
    r: Reader, campaign_id: int, story_id: int, status: str, pin_date: date | None, sort_key: int
) -> int | None:
    """1-based place of the story in the queue, or None for stories not in it."""
    if status != StoryStatus.APPROVED or pin_date is not None:
        return None
    ahead = r.scalar(
        f"SELECT count(*) FROM stories WHERE {QUEUE}"
        " AND (sort_key < :key OR (sort_key = :key AND id < :id))",
        cid=campaign_id,
        key=sort_key,
        id=story_id,
    )
    return int(ahead or 0) + 1


# -- one story -----------------------------------------------------------------------------
def no_story(story_id: int) -> NotFound:
    """What a command says of a story number that is not the campaign's."""
    return NotFound(f"there is no story #{story_id}", hint=Hint.LIST_STORIES)


def story(r: Reader, story_id: int, campaign_id: int, row: type[R]) -> R:
    """The campaign's story ``story_id`` as ``row``; :class:`NotFound` when there is none."""
    found = r.row(
        f"SELECT {row.COLUMNS} FROM stories WHERE id = :id AND campaign_id = :cid",
        id=story_id,
        cid=campaign_id,
    )
    if found is None:
        raise no_story(story_id)
    return row.of(found)


def campaign_of(r: Reader, story_id: int) -> int | None:
    """The campaign a story belongs to (None: no such story)."""
    found = r.scalar("SELECT campaign_id FROM stories WHERE id = :id", id=story_id)
    return int(found) if found is not None else None


def to_input(story: Any) -> StoryInput:
    """The story's editable content (a model or a :class:`StoryRow`), as the domain sees it."""
    values = {name: getattr(story, name) for name in STORY_FIELDS}
    return StoryInput(**values, versions=versions_of(story.versions))


def versions_of(text: str) -> tuple[Version, ...]:
    """The ``versions`` column as the domain's versions, by language."""
    if not text:
        return ()
    data: dict[str, dict[str, str]] = json.loads(text)
    return tuple(
        Version(lang, part.get("body", ""), part.get("title", ""), part.get("image_alt", ""))
        for lang, part in sorted(data.items())
    )


def version_columns(language: str, versions: Sequence[Version]) -> tuple[str, str]:
    """The ``versions`` (JSON) and ``languages`` columns of a story in ``language`` with
    ``versions`` in other languages."""
    if not versions:
        return "", language
    data = {
        v.language: {"title": v.title, "body": v.body, "image_alt": v.image_alt} for v in versions
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text, " ".join(sorted({language, *(v.language for v in versions)}))


# -- pins ----------------------------------------------------------------------------------
def approved_pinned(
    r: Reader,
    campaign_id: int,
    row: type[R],
    first: date | None = None,
    last: date | None = None,
    languages: Sequence[str] = (),
) -> list[R]:
    """Approved stories pinned to a date (between ``first`` and ``last``), soonest first;
    of those ready in all of ``languages``."""
    ready, params = ready_in(languages)
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE {PINNED}{_and(ready)}"
    if first is not None:
        sql += " AND pin_date >= :first"
    if last is not None:
        sql += " AND pin_date <= :last"
    rows = r.rows(sql + " ORDER BY pin_date", cid=campaign_id, first=first, last=last, **params)
    return [row.of(t) for t in rows]


# -- listings -------------------------------------------------------------------
def with_status(
    r: Reader,
    campaign_id: int,
    row: type[R],
    status: StoryStatus | None = None,
    *,
    but_not: StoryStatus | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[R]:
    """Stories with ``status`` (or any but ``but_not``), oldest place first."""
    sql = f"SELECT {row.COLUMNS} FROM stories WHERE campaign_id = :cid"
    if status is not None:
        sql += f" AND status = {literal(status)}"
    if but_not is not None:
        sql += f" AND status <> {literal(but_not)}"
    sql += ORDER + page(limit, offset)
    return [row.of(t) for t in r.rows(sql, cid=campaign_id, limit=limit, offset=offset)]


# -- what ``infobot status`` counts --------------------------------------------------------
def queue_size(r: Reader, campaign_id: int, languages: Sequence[str] = ()) -> int:
    ready, params = ready_in(languages)
    sql = f"SELECT count(*) FROM stories WHERE {QUEUE}{_and(ready)}"
    return int(r.scalar(sql, cid=campaign_id, **params) or 0)


def count_with_status(r: Reader, campaign_id: int, status: StoryStatus) -> int:
    sql = f"SELECT count(*) FROM stories WHERE campaign_id = :cid AND status = {literal(status)}"
    return int(r.scalar(sql, cid=campaign_id) or 0)


def approved_pin_dates(
    r: Reader, campaign_id: int, first: date, languages: Sequence[str] = ()
) -> list[date]:
    ready, params = ready_in(languages)
    rows = r.rows(
        f"SELECT pin_date FROM stories WHERE {PINNED}{_and(ready)} AND pin_date >= :first",
        cid=campaign_id,
        first=first,
        **params,
    )
    return [as_day(day) for (day,) in rows]


def count_by_status(
    r: Reader, campaign_id: int, statuses: Collection[StoryStatus]
) -> dict[str, int]:
    rows = r.rows(
        "SELECT status, count(*) FROM stories WHERE campaign_id = :cid"
        f" AND status IN {literals(statuses)} GROUP BY status",
        cid=campaign_id,
    )
    return {str(status): int(n) for status, n in rows}


def by_ids(r: Reader, ids: Collection[int], row: type[R]) -> dict[int, R]:
    if not ids:
        return {}
    listed, params = placeholders("s", sorted(set(ids)))
    sql = f"SELECT id, {row.COLUMNS} FROM stories WHERE id IN {listed}"
    return {int(t[0]): row.of(t[1:]) for t in r.rows(sql, **params)}
