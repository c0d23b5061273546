"""Reading the campaign: its row, its blackout dates, and the calendar and schedule they make."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from infobot.domain.calendar import CampaignCalendar
from infobot.domain.schedule import PostingSchedule
from infobot.store.reader import Reader
from infobot.store.rows import BlackoutRow, CampaignRow, as_day

if TYPE_CHECKING:
    from infobot.store.models import Campaign

CAMPAIGN = f"SELECT {CampaignRow.COLUMNS} FROM campaigns"


@dataclass(frozen=True)
class CampaignConfig:
    """What the settings say a campaign is (pauses and blackouts live in the database)."""

    name: str
    hashtag: str
    timezone: str
    post_time: time
    weekdays: frozenset[int]
    start: date | None = None
    end: date | None = None

    def columns(self) -> dict[str, object]:
        return {
            "hashtag": self.hashtag,
            "timezone": self.timezone,
            "post_time": self.post_time.strftime("%H:%M"),
            "weekdays": "".join(str(d) for d in sorted(self.weekdays)),
            "start_date": self.start,
            "end_date": self.end,
        }


def matches(campaign: CampaignRow | Campaign, config: CampaignConfig) -> bool:
    """Does the campaign row say what the settings say (else it is synced, a write)?"""
    return campaign.name == config.name and all(
        getattr(campaign, key) == value for key, value in config.columns().items()
    )


@dataclass(frozen=True)
class CampaignState:
    """A campaign as one read found it: the row, its calendar and its posting schedule."""

    campaign: CampaignRow
    calendar: CampaignCalendar
    schedule: PostingSchedule


def get(r: Reader, campaign_id: int) -> CampaignRow:
    found = r.row(f"{CAMPAIGN} WHERE id = :id", id=campaign_id)
    if found is None:
        raise LookupError(f"no campaign #{campaign_id}")
    return CampaignRow.of(found)


def by_name(r: Reader, name: str) -> CampaignRow | None:
    found = r.row(f"{CAMPAIGN} WHERE name = :name", name=name)
    return CampaignRow.of(found) if found is not None else None


def calendar_of(campaign: CampaignRow | Campaign, blackouts: Iterable[date]) -> CampaignCalendar:
    return CampaignCalendar(
        weekdays=frozenset(int(ch) for ch in campaign.weekdays),
        start=campaign.start_date,
        end=campaign.end_date,
        paused=campaign.paused,
        paused_until=campaign.paused_until,
        blackouts=frozenset(blackouts),
    )


def schedule_of(campaign: CampaignRow | Campaign, late_window: timedelta) -> PostingSchedule:
    return PostingSchedule(
        ZoneInfo(campaign.timezone), time.fromisoformat(campaign.post_time), late_window
    )


def calendar(r: Reader, campaign_id: int) -> CampaignCalendar:
    return calendar_of(get(r, campaign_id), blackout_days(r, campaign_id))


def load(r: Reader, campaign_id: int, late_window: timedelta) -> CampaignState:
    campaign = get(r, campaign_id)
    return CampaignState(
        campaign,
        calendar_of(campaign, blackout_days(r, campaign_id)),
        schedule_of(campaign, late_window),
    )


# -- blackouts -----------------------------------------------------------------------------
def blackout_days(r: Reader, campaign_id: int) -> list[date]:
    rows = r.rows("SELECT day FROM blackouts WHERE campaign_id = :cid", cid=campaign_id)
    return [as_day(value) for (value,) in rows]


def blackouts(r: Reader, campaign_id: int) -> list[BlackoutRow]:
    sql = f"SELECT {BlackoutRow.COLUMNS} FROM blackouts WHERE campaign_id = :cid ORDER BY day"
    return [BlackoutRow.of(t) for t in r.rows(sql, cid=campaign_id)]


def blackout_reasons(r: Reader, campaign_id: int, first: date, last: date) -> dict[date, str]:
    rows = r.rows(
        "SELECT day, reason FROM blackouts"
        " WHERE campaign_id = :cid AND day >= :first AND day <= :last",
        cid=campaign_id,
        first=first,
        last=last,
    )
    return {as_day(day): reason for day, reason in rows}
