"""Which campaign a lean command serves: the one the settings made, or one by name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from infobot.domain.calendar import CampaignCalendar
from infobot.domain.campaign import CampaignSpec
from infobot.domain.campaign_times import first_day
from infobot.domain.election import ElectionPeriod
from infobot.domain.schedule import PostingSchedule
from infobot.store.reader import Reader
from infobot.store.rows import CampaignRow, as_day


def has_settings_periods(r: Reader) -> bool:
    """Whether any campaign holds a pre-election period that the settings made
    (``infobot.store.elections.sync_all``)."""
    found = r.scalar(
        "SELECT 1 FROM election_periods WHERE source = :source LIMIT 1", source="settings"
    )
    return found is not None


def seed(r: Reader) -> tuple[int, str] | None:
    """The id of the campaign the settings made and the settings last applied to it (JSON,
    ``infobot.store.campaigns.sync``), or None before the settings made one."""
    found = r.row(
        "SELECT id, settings_applied FROM campaigns WHERE from_settings = :yes ORDER BY id LIMIT 1",
        yes=True,
    )
    return (int(found[0]), str(found[1] or "")) if found is not None else None


def id_by_name(r: Reader, name: str) -> int | None:
    found = r.scalar("SELECT id FROM campaigns WHERE name = :name", name=name)
    return int(found) if found is not None else None


def every(r: Reader) -> list[CampaignRow]:
    """Every campaign, oldest first."""
    rows = r.rows(f"SELECT {CampaignRow.COLUMNS} FROM campaigns ORDER BY id")
    return [CampaignRow.of(t) for t in rows]


def spec(r: Reader, campaign_id: int) -> CampaignSpec | None:
    """What the team decided about the campaign ``campaign_id`` (None: there is none)."""
    found = r.row(f"SELECT {CampaignRow.COLUMNS} FROM campaigns WHERE id = :id", id=campaign_id)
    return spec_of(CampaignRow.of(found)) if found is not None else None


def spec_of(campaign: Any) -> CampaignSpec:
    """What the team decided about ``campaign`` (the model or a :class:`CampaignRow`), as
    the domain reads it."""
    return CampaignSpec(
        name=campaign.name,
        hashtag=campaign.hashtag,
        timezone=campaign.timezone,
        post_time=time.fromisoformat(campaign.post_time),
        weekdays=frozenset(int(ch) for ch in campaign.weekdays),
        start=campaign.start_date,
        end=campaign.end_date,
        platforms=_split(campaign.platforms),
        languages=_split(campaign.languages) or ("en",),
        share_form=bool(campaign.share_form),
        stories_page=bool(campaign.stories_page),
        active=bool(campaign.active),
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


# -- a campaign's state: its row, its calendar and its posting schedule ---------------------
@dataclass(frozen=True)
class CampaignState:
    """A campaign as one read found it: the row, its calendar and its posting schedule."""

    campaign: Any  # the model, or a CampaignRow
    calendar: CampaignCalendar
    schedule: PostingSchedule


def state(r: Reader, campaign_id: int, late_window: timedelta) -> CampaignState | None:
    """The campaign as this read finds it (None: there is none)."""
    found = r.row(f"SELECT {CampaignRow.COLUMNS} FROM campaigns WHERE id = :id", id=campaign_id)
    if found is None:
        return None
    campaign = CampaignRow.of(found)
    return CampaignState(campaign, _calendar(r, campaign), schedule_of(campaign, late_window))


def calendar(r: Reader, campaign_id: int) -> CampaignCalendar | None:
    """The campaign's calendar as this read finds it (None: there is no campaign)."""
    found = r.row(f"SELECT {CampaignRow.COLUMNS} FROM campaigns WHERE id = :id", id=campaign_id)
    return None if found is None else _calendar(r, CampaignRow.of(found))


def _calendar(r: Reader, campaign: CampaignRow) -> CampaignCalendar:
    days = r.rows("SELECT day FROM blackouts WHERE campaign_id = :cid", cid=campaign.id)
    periods = r.rows(
        "SELECT first_day, last_day, reason FROM election_periods WHERE campaign_id = :cid"
        " ORDER BY first_day, last_day",
        cid=campaign.id,
    )
    return calendar_of(
        campaign,
        [as_day(day) for (day,) in days],
        [ElectionPeriod(as_day(a), as_day(b), reason) for a, b, reason in periods],
    )


def blackout_reasons(r: Reader, campaign_id: int, first: date, last: date) -> dict[date, str]:
    """The campaign's blackouts from ``first`` to ``last`` (inclusive): day -> reason."""
    rows = r.rows(
        "SELECT day, reason FROM blackouts WHERE campaign_id = :cid"
        " AND day >= :first AND day <= :last",
        cid=campaign_id,
        first=first,
        last=last,
    )
    return {as_day(day): str(reason) for day, reason in rows}


def calendar_of(
    campaign: Any, blackouts: Iterable[date], elections: Iterable[ElectionPeriod] = ()
) -> CampaignCalendar:
    start = campaign.start_date
    if not campaign.from_settings:  # a campaign the team made starts once it exists
        made = first_day(
            ZoneInfo(campaign.timezone), time.fromisoformat(campaign.post_time), campaign.created_at
        )
        start = max(start, made) if start is not None else made
    return CampaignCalendar(
        weekdays=frozenset(int(ch) for ch in campaign.weekdays),
        start=start,
        end=campaign.end_date,
        paused=campaign.paused,
        paused_until=campaign.paused_until,
        blackouts=frozenset(blackouts),
        elections=tuple(elections),
    )


def schedule_of(campaign: Any, late_window: timedelta) -> PostingSchedule:
    return PostingSchedule(
        ZoneInfo(campaign.timezone), time.fromisoformat(campaign.post_time), late_window
    )
