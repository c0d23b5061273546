"""``infobot status`` and the web page's summary, as the read side returns them (a part of
:mod:`infobot.service.read.models`, which re-exports these; the lean path imports them
without SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from infobot.service.read.omit import OMIT_NONE


# -- status --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LastPost:
    date: date
    status: str
    story_id: int | None
    title: str | None


@dataclass(frozen=True)
class NextPost:
    date: date
    at: datetime
    story_id: int
    title: str


@dataclass(frozen=True)
class AttentionLine:
    kind: str
    message: str


@dataclass(frozen=True)
class Status:
    """``infobot status``: the campaign, its runway, last and next post, and what needs
    attention."""

    campaign: str
    hashtag: str
    timezone: str
    post_time: str
    platforms: list[str]
    paused: bool
    paused_until: date | None
    today: date
    counts: dict[str, int]
    runway_days: int
    runs_dry_on: date | None
    campaign_days_left: int | None
    short_by: int
    runway: str
    last_post: LastPost | None
    next_post: NextPost | None
    attention: list[AttentionLine]
    overdue: OverdueLine | None = field(default=None, metadata=OMIT_NONE)
    first_figures: FirstFigures | None = None  # the latest post's counts so far
    #: "Pre-election period until 7 May (Senedd election): no posts", inside or just
    #: before one; None otherwise.
    election: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class OverdueLine:
    """Today's post is late (the dead man's switch), and why (``infobot.domain.overdue``)."""

    cause: str
    message: str
    due_at: datetime  # UTC
    last_heartbeat: datetime | None
    next_attempt: datetime | None


@dataclass(frozen=True)
class PlatformFigures:
    """One platform's counts of a post so far (None: unknown or not read yet)."""

    platform: str
    url: str
    state: str  # live, gone (deleted on the platform) or withdrawn
    read_at: datetime | None
    engagement: int | None  # likes + reposts + replies + quotes, over the known ones
    counts: dict[str, int | None]

    @property
    def text(self) -> str:
        """``22 likes, 5 reposts, 1 reply`` (the counts given), or what stands instead."""
        if self.state == "gone":
            return f"deleted on {self.platform}"
        if self.read_at is None:
            return "not read yet"
        shown = [
            f"{value:,} {name if value != 1 else one}"
            for name, one in _ONE.items()
            if (value := self.counts.get(name)) is not None
        ]
        return ", ".join(shown) or "no counts given"


_ONE = {"likes": "like", "reposts": "repost", "replies": "reply", "quotes": "quote"}


@dataclass(frozen=True)
class FirstFigures:
    """The first figures of the latest story that went out before today (usually
    yesterday's)."""

    date: date
    story_id: int
    title: str
    engagement: int | None
    platforms: list[PlatformFigures]
