"""The rows the read queries return: plain frozen dataclasses named after the tables' columns.

They carry the same attribute names as the SQLAlchemy models (``story.title``,
``delivery.remote_url`` ...), so templates and read models work with either. Each type
knows its column list (``COLUMNS``, in the order of its fields) and builds itself from a
DB-API tuple with :meth:`of`, converting what the drivers return differently: SQLite gives
dates and instants as text, PostgreSQL as naive values; both become ``date`` and aware UTC
``datetime`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Row")


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value))


def as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: naive UTC text
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _utc(value: Any) -> datetime:
    found = as_utc(value)
    assert found is not None
    return found


def as_day(value: Any) -> date:
    """A date that is never NULL."""
    found = as_date(value)
    assert found is not None
    return found


_CONVERT = {
    "date": as_day,
    "date | None": as_date,
    "datetime": _utc,
    "datetime | None": as_utc,
    "bool": bool,
}


class Row:
    """Base of the row types: ``COLUMNS`` and ``of(tuple)``."""

    COLUMNS: ClassVar[str]
    _converters: ClassVar[tuple[tuple[int, Any], ...]]  # (position, converter)

    @classmethod
    def of(cls: type[R], values: tuple[Any, ...]) -> R:
        found = list(values)
        for at, convert in cls._converters:
            found[at] = convert(found[at])
        return cls(*found)


def row_type(cls: type[R]) -> type[R]:
    """Finish a row dataclass: its column list and converters from its fields' types."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    cls.COLUMNS = ", ".join(names)
    cls._converters = tuple(
        (at, _CONVERT[str(f.type)])
        for at, f in enumerate(fields(cls))  # type: ignore[arg-type]
        if str(f.type) in _CONVERT
    )
    return cls


@row_type
@dataclass(frozen=True, slots=True)
class StoryBrief(Row):
    """A story's line in a list: what ``StorySummary`` shows, without the text."""

    id: int
    campaign_id: int
    status: str
    sort_key: int
    title: str
    author: str
    organisation: str
    pin_date: date | None
    approved_by: str | None
    created_at: datetime


@row_type
@dataclass(frozen=True, slots=True)
class StoryRow(Row):
    """A whole story (``infobot stories show``), with the attribute names of the model."""

    id: int
    campaign_id: int
    status: str
    sort_key: int
    title: str
    body: str
    author: str
    role: str
    organisation: str
    link: str
    image: str
    image_alt: str
    language: str
    consent_by: str
    consent_date: date | None
    consent_scope: str
    pin_date: date | None
    notes: str
    source: str
    status_reason: str
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    essential_reason: str
    essential_by: str
    versions: str


@row_type
@dataclass(frozen=True, slots=True)
class DeliveryBrief(Row):
    """A delivery as a story's page lists it."""

    platform: str
    status: str
    remote_url: str
    error: str


@row_type
@dataclass(frozen=True, slots=True)
class EventRow(Row):
    """An audit event (``before`` and ``after`` still JSON text)."""

    id: int
    at: datetime
    actor: str
    action: str
    story_id: int | None
    before: str | None
    after: str | None
    message: str


@row_type
@dataclass(frozen=True, slots=True)
class CampaignRow(Row):
    """What the team decided about a campaign (``queries.campaigns.spec_of`` reads it)."""

    id: int
    name: str
    hashtag: str
    timezone: str
    post_time: str
    weekdays: str
    start_date: date | None
    end_date: date | None
    platforms: str
    languages: str
    share_form: bool
    stories_page: bool
    active: bool
    paused: bool
    paused_until: date | None
    created_at: datetime
    from_settings: bool


@row_type
@dataclass(frozen=True, slots=True)
class SlotRow(Row):
    """A campaign day's slot."""

    id: int
    campaign_id: int
    local_date: date
    story_id: int | None
    status: str
    reason: str


@row_type
@dataclass(frozen=True, slots=True)
class DayDelivery(Row):
    """A delivery as ``status`` says why a day's post is late."""

    platform: str
    status: str
    next_attempt_at: datetime | None
    error: str


@row_type
@dataclass(frozen=True, slots=True)
class StoryPin(Row):
    """A story as the plan of coming days places it."""

    id: int
    title: str
    pin_date: date | None
    essential_reason: str


@row_type
@dataclass(frozen=True, slots=True)
class StoryLine(Row):
    """A story's line on the queue page: its number, its title (or its text when it has
    none), its author and its pin date."""

    id: int
    title: str
    body: str
    author: str
    pin_date: date | None


@row_type
@dataclass(frozen=True, slots=True)
class HistoryDelivery(Row):
    """A delivery as the post history lists it."""

    story_id: int
    platform: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    remote_url: str
    error: str
    created_at: datetime
    sent_at: datetime | None


@row_type
@dataclass(frozen=True, slots=True)
class AccountRow(Row):
    """A local account as a request's sign-in check reads it (never its password hash:
    only whether it has one)."""

    name: str
    role: str
    disabled: bool
    has_password: bool
    created_by: str
    created_at: datetime
    session_epoch: int
