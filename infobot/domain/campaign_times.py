"""When a campaign posts: its first day and its next posting instants (a part of
:mod:`infobot.domain.campaign`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from infobot.domain.calendar import CampaignCalendar
from infobot.domain.schedule import PostingSchedule

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from infobot.domain.campaign import CampaignSpec

#: How many coming posting times the check page shows.
NEXT_POSTS_SHOWN = 5


def first_day(timezone: ZoneInfo, post_time: time, created: datetime) -> date:
    """The first day a campaign the team made can post: the first whose post time comes
    after it was made. Days before it are outside the campaign, so nothing is missed or
    caught up for them (the campaign the settings made keeps its own start date alone)."""
    schedule = PostingSchedule(timezone, post_time, timedelta(0))
    day = schedule.local_date(created)
    return day if schedule.due_at(day) >= created else day + timedelta(days=1)


def next_posts(
    spec: CampaignSpec,
    now: datetime,
    *,
    count: int = NEXT_POSTS_SHOWN,
    paused: bool = False,
    paused_until: date | None = None,
    blackouts: Iterable[date] = (),
) -> list[datetime]:
    """The next ``count`` instants (UTC) the campaign posts at, from ``now`` on: its own
    post time on each posting day, in its own time zone (daylight saving included)."""
    if not spec.active:
        return []
    calendar = CampaignCalendar(
        weekdays=spec.weekdays,
        start=spec.start,
        end=spec.end,
        paused=paused,
        paused_until=paused_until,
        blackouts=frozenset(blackouts),
    )
    schedule = PostingSchedule(spec.tz, spec.post_time, timedelta(0))
    day = schedule.local_date(now)
    found: list[datetime] = []
    for _ in range(400):
        if len(found) == count or (spec.end is not None and day > spec.end):
            break
        due = schedule.due_at(day)
        if due > now and calendar.is_posting_day(day):
            found.append(due)
        day += timedelta(days=1)
    return found
