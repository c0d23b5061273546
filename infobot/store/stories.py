"""Stories: lookups, the ordered queue, pins, counts and the row a story input becomes.

The queue is the approved stories not pinned to a date, in ``QUEUE_ORDER`` (explicit
position, then id). Pinned approved stories take their own dates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Select, and_, bindparam, func, select, true, update
from sqlalchemy.orm import Session

from infobot.domain.story import STORY_FIELDS, StoryInput, StoryStatus
from infobot.domain.versions import is_bilingual
from infobot.store.models import Story
from infobot.store.queries.stories import no_story, version_columns
from infobot.store.queries.stories import to_input as to_input
from infobot.store.queries.stories import versions_of as versions_of

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

#: Spacing of sort keys, so that a move rarely renumbers.
GAP = 1024
QUEUE_ORDER = (Story.sort_key, Story.id)


def ready_in(languages: Sequence[str]) -> ColumnElement[bool]:
    """Stories with text in every one of ``languages`` (always true in a one-language
    campaign). ``Story.languages`` holds two-letter codes separated by spaces, so a code
    can only match itself."""
    if not is_bilingual(languages):
        return true()
    return and_(*(Story.languages.contains(language) for language in languages))


def queue_filter(
    campaign_id: int | ColumnElement[int], languages: Sequence[str] = ()
) -> ColumnElement[bool]:
    """Approved stories waiting in the ordered queue (not pinned to a date); in a bilingual
    campaign, only those ready in all of its ``languages``."""
    return and_(
        Story.campaign_id == campaign_id,
        Story.status == StoryStatus.APPROVED,
        Story.pin_date.is_(None),
        ready_in(languages),
    )


def approved_pinned_filter(
    campaign_id: int | ColumnElement[int], languages: Sequence[str] = ()
) -> ColumnElement[bool]:
    return and_(
        Story.campaign_id == campaign_id,
        Story.status == StoryStatus.APPROVED,
        Story.pin_date.is_not(None),
        ready_in(languages),
    )


# -- one story -----------------------------------------------------------------------------
def get(session: Session, story_id: int, campaign_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None or story.campaign_id != campaign_id:
        raise no_story(story_id)
    return story


def by_id(session: Session, story_id: int) -> Story:
    """The story with this id, whichever campaign it belongs to (it must exist)."""
    return session.get_one(Story, story_id)


def columns(story: StoryInput) -> dict[str, Any]:
    """The story input as column values of a row."""
    values: dict[str, Any] = {name: getattr(story, name) for name in STORY_FIELDS}
    values["versions"], values["languages"] = version_columns(story.language, story.versions)
    return values


def new_row(
    campaign_id: int,
    story: StoryInput,
    *,
    sort_key: int,
    actor: str,
    source: str,
    now: datetime,
) -> Story:
    return Story(
        campaign_id=campaign_id,
        fingerprint=story.fingerprint(),
        status=StoryStatus.DRAFT,
        sort_key=sort_key,
        source=source,
        status_reason="",
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
        **columns(story),
    )


def duplicate_of(session: Session, campaign_id: int, fingerprint: str) -> Story | None:
    return session.scalar(
        select(Story).where(Story.campaign_id == campaign_id, Story.fingerprint == fingerprint)
    )


def by_ids(session: Session, ids: Collection[int]) -> dict[int, Story]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(list(ids))))}


def titles(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Story.id, Story.title).where(Story.id.in_(list(ids))))
    return {story_id: title for story_id, title in rows}


# -- the queue -----------------------------------------------------------------------------
def next_sort_key(session: Session, campaign_id: int) -> int:
    """The key that puts a new story at the end (call with the campaign locked)."""
    top = session.scalar(select(func.max(Story.sort_key)).where(Story.campaign_id == campaign_id))
    return (int(top) if top is not None else 0) + GAP


def queue(
    session: Session,
    campaign_id: int,
    offset: int = 0,
    limit: int | None = None,
    languages: Sequence[str] = (),
) -> Sequence[Story]:
    """The queue in posting order (of stories ready in all of ``languages``, when given)."""
    return session.scalars(
        select(Story)
        .where(queue_filter(campaign_id, languages))
        .order_by(*QUEUE_ORDER)
        .offset(offset)
        .limit(limit)
    ).all()


def next_in_queue(
    session: Session, campaign_id: int, languages: Sequence[str] = ()
) -> Story | None:
    found = queue(session, campaign_id, limit=1, languages=languages)
    return found[0] if found else None


#: The runway's two reads, asked at every tick of the daemon: built once per set of
#: languages, the campaign (and the first day) bound at each call.
_CAMPAIGN = bindparam("campaign_id", type_=Integer)
_RUNWAY: dict[tuple[str, ...], tuple[Select[int], Select[date | None]]] = {}


def _runway_reads(
    languages: Sequence[str],
) -> tuple[Select[int], Select[date | None]]:
    key = tuple(languages)
    if key not in _RUNWAY:
        size = select(func.count()).select_from(Story).where(queue_filter(_CAMPAIGN, key))
        pins = select(Story.pin_date).where(
            approved_pinned_filter(_CAMPAIGN, key), Story.pin_date >= bindparam("first")
        )
        _RUNWAY[key] = (size, pins)
    return _RUNWAY[key]


def queue_size(session: Session, campaign_id: int, languages: Sequence[str] = ()) -> int:
    size, _ = _runway_reads(languages)
    return int(session.scalar(size, {"campaign_id": campaign_id}) or 0)


def not_ready(session: Session, campaign_id: int, languages: Sequence[str]) -> list[Story]:
    """Approved stories that lack one of a bilingual campaign's ``languages`` (they were
    approved before the campaign took the language): they do not post until they have it."""
    if not is_bilingual(languages):
        return []
    return list(
        session.scalars(
            select(Story)
            .where(
                Story.campaign_id == campaign_id,
                Story.status == StoryStatus.APPROVED,
                ~ready_in(languages),
            )
            .order_by(*QUEUE_ORDER)
            .limit(20)
        )
    )


def queue_ids(session: Session, campaign_id: int) -> Iterator[int]:
    """The queue's story ids in posting order."""
    yield from session.scalars(
        select(Story.id).where(queue_filter(campaign_id)).order_by(*QUEUE_ORDER)
    )


def queue_neighbours(session: Session, story: Story, position: int) -> tuple[int, list[int]]:
    """The queue's size without ``story``, and the sort keys of the (up to two) stories
    that would sit around it at ``position``."""
    others = select(Story.sort_key).where(queue_filter(story.campaign_id), Story.id != story.id)
    size = int(session.scalar(select(func.count()).select_from(others.subquery())) or 0)
    keys = list(
        session.scalars(others.order_by(*QUEUE_ORDER).offset(max(position - 2, 0)).limit(2))
    )
    return size, keys


def keys_between(
    session: Session, campaign_id: int, low: int | None, high: int | None, exclude: int
) -> list[int]:
    """The sort keys, in order, of the campaign's stories (but ``exclude``) strictly
    between ``low`` and ``high`` (None: no bound); whatever their status."""
    stmt = select(Story.sort_key).where(Story.campaign_id == campaign_id, Story.id != exclude)
    if low is not None:
        stmt = stmt.where(Story.sort_key > low)
    if high is not None:
        stmt = stmt.where(Story.sort_key < high)
    return list(session.scalars(stmt.order_by(Story.sort_key)))


def renumber(session: Session, campaign_id: int) -> None:
    """Spread the campaign's sort keys out again, ``GAP`` apart, keeping their order."""
    ids = session.scalars(
        select(Story.id).where(Story.campaign_id == campaign_id).order_by(Story.sort_key, Story.id)
    ).all()
    session.execute(
        update(Story),
        [{"id": sid, "sort_key": (index + 1) * GAP} for index, sid in enumerate(ids)],
    )


# -- pins ----------------------------------------------------------------------------------
def pinned_on(session: Session, campaign_id: int, day: date) -> Story | None:
    """The story pinned to ``day`` (whatever its status)."""
    return session.scalar(
        select(Story).where(Story.campaign_id == campaign_id, Story.pin_date == day)
    )


def approved_pinned_on(
    session: Session, campaign_id: int, day: date, languages: Sequence[str] = ()
) -> Story | None:
    return session.scalar(
        select(Story).where(approved_pinned_filter(campaign_id, languages), Story.pin_date == day)
    )


def approved_pinned(
    session: Session,
    campaign_id: int,
    first: date | None = None,
    last: date | None = None,
    languages: Sequence[str] = (),
) -> list[Story]:
    """Approved stories pinned to a date (between ``first`` and ``last``), soonest first."""
    stmt = select(Story).where(approved_pinned_filter(campaign_id, languages))
    if first is not None:
        stmt = stmt.where(Story.pin_date >= first)
    if last is not None:
        stmt = stmt.where(Story.pin_date <= last)
    return list(session.scalars(stmt.order_by(Story.pin_date)))


def approved_pin_dates(
    session: Session, campaign_id: int, first: date, languages: Sequence[str] = ()
) -> list[date]:
    _, pins = _runway_reads(languages)
    found = session.scalars(pins, {"campaign_id": campaign_id, "first": first})
    return [day for day in found if day is not None]


# -- counts and listings -------------------------------------------------------------------
def count_by_status(
    session: Session, campaign_id: int, statuses: Collection[StoryStatus]
) -> dict[str, int]:
    rows = session.execute(
        select(Story.status, func.count())
        .where(Story.campaign_id == campaign_id, Story.status.in_(list(statuses)))
        .group_by(Story.status)
    )
    return {status: int(n) for status, n in rows}


def count_with_status(session: Session, campaign_id: int, status: StoryStatus) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Story)
            .where(Story.campaign_id == campaign_id, Story.status == status)
        )
        or 0
    )


def with_status(
    session: Session,
    campaign_id: int,
    status: StoryStatus | None = None,
    *,
    but_not: StoryStatus | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Story]:
    """Stories with ``status`` (or any but ``but_not``), oldest place first."""
    stmt = select(Story).where(Story.campaign_id == campaign_id)
    if status is not None:
        stmt = stmt.where(Story.status == status)
    if but_not is not None:
        stmt = stmt.where(Story.status != but_not)
    return session.scalars(
        stmt.order_by(Story.sort_key, Story.id).offset(offset).limit(limit)
    ).all()


def all_of(session: Session, campaign_id: int) -> Iterator[Story]:
    """Every story of the campaign by id, read in batches (for exports)."""
    stmt = (
        select(Story)
        .where(Story.campaign_id == campaign_id)
        .order_by(Story.id)
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(stmt)
