"""Why a local date posts nothing: one enum, for the calendar and the election periods."""

from __future__ import annotations

from enum import StrEnum


class DayOff(StrEnum):
    """Why a local date posts nothing. Strings are for people: see ``CampaignCalendar.describe``."""

    NOT_A_WEEKDAY = "not_a_weekday"
    BEFORE_START = "before_start"
    AFTER_END = "after_end"
    PAUSED = "paused"
    BLACKOUT = "blackout"
    ELECTION_PERIOD = "election_period"  # a pre-election period (infobot.domain.election)
    EMPTY_QUEUE = "empty_queue"

    @property
    def is_campaign_day(self) -> bool:
        """False for dates outside the campaign (nothing is recorded for them); True for
        campaign days that post nothing for a reason the team should see."""
        return self not in _OUTSIDE


_OUTSIDE = frozenset({DayOff.NOT_A_WEEKDAY, DayOff.BEFORE_START, DayOff.AFTER_END})
