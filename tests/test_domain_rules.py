"""The domain's named rules: lifecycle, posting schedule, dead man, runway and attention."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from infobot.domain.attention import (
    AlertKind,
    AttentionKind,
    Pin,
    ProblemDelivery,
    Situation,
    TroubledDay,
    needs_attention,
)
from infobot.domain.calendar import CampaignCalendar, DayOff, Runway, runway
from infobot.domain.delivery import DeliveryStatus, backoff, settled_story_status
from infobot.domain.schedule import PostingSchedule, SlotStatus, slot_is_finished
from infobot.domain.story import StoryAction, StoryStatus, allowed, status_after_edit

LONDON = ZoneInfo("Europe/London")
EVERY_DAY = frozenset(range(7))
SCHEDULE = PostingSchedule(LONDON, time(9, 0), timedelta(hours=6))


def test_an_edit_sends_only_an_approved_story_back_to_draft() -> None:
    assert status_after_edit("approved") is StoryStatus.DRAFT
    assert status_after_edit("draft") is StoryStatus.DRAFT
    assert status_after_edit("rejected") is StoryStatus.REJECTED


@pytest.mark.parametrize(
    ("action", "status", "ok"),
    [
        (StoryAction.EDIT, "posted", False),
        (StoryAction.APPROVE, "rejected", True),
        (StoryAction.APPROVE, "approved", False),
        (StoryAction.QUEUE, "draft", False),
        (StoryAction.PIN, "approved", True),
        (StoryAction.WITHDRAW, "posted", True),
        (StoryAction.WITHDRAW, "withdrawn", False),
        (StoryAction.CLAIM, "approved", True),
        (StoryAction.SEND_EXTRA, "posted", True),
        (StoryAction.SEND_EXTRA, "draft", False),
    ],
)
def test_the_lifecycle_allows_each_action_from_named_statuses(
    action: StoryAction, status: str, ok: bool
) -> None:
    assert allowed(action, status) is ok


def test_a_story_follows_its_deliveries() -> None:
    assert settled_story_status(["sent", "pending"]) is StoryStatus.SCHEDULED
    assert settled_story_status(["sent", "sent"]) is StoryStatus.POSTED
    assert settled_story_status(["sent", "failed"]) is StoryStatus.PARTLY_POSTED
    assert settled_story_status(["failed"]) is StoryStatus.FAILED
    assert backoff(1) == timedelta(minutes=1) and backoff(3) == timedelta(minutes=4)
    assert backoff(30) == timedelta(hours=1)


def test_days_off_have_names_and_words() -> None:
    cal = CampaignCalendar(
        frozenset({0, 1, 2, 3, 4}),
        start=date(2026, 11, 2),
        paused=True,
        paused_until=date(2026, 11, 4),
        blackouts=frozenset({date(2026, 11, 10)}),
    )
    assert cal.day_off(date(2026, 11, 1)) is DayOff.BEFORE_START
    assert cal.day_off(date(2026, 11, 3)) is DayOff.PAUSED
    assert cal.day_off(date(2026, 11, 7)) is DayOff.NOT_A_WEEKDAY
    assert cal.day_off(date(2026, 11, 10)) is DayOff.BLACKOUT
    assert cal.describe(DayOff.PAUSED) == "campaign paused until 4 November 2026"
    assert not DayOff.NOT_A_WEEKDAY.is_campaign_day and DayOff.BLACKOUT.is_campaign_day


def test_the_post_time_holds_its_wall_time_across_daylight_saving() -> None:
    assert SCHEDULE.due_at(date(2026, 3, 28)) == datetime(2026, 3, 28, 9, tzinfo=UTC)
    assert SCHEDULE.due_at(date(2026, 3, 29)) == datetime(2026, 3, 29, 8, tzinfo=UTC)
    early = PostingSchedule(LONDON, time(1, 30), timedelta(hours=1))  # 01:30 does not exist
    assert early.due_at(date(2026, 3, 29)) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_missed_day_and_late_rules() -> None:
    day = date(2026, 11, 23)
    assert not SCHEDULE.is_due(day, datetime(2026, 11, 23, 8, 59, tzinfo=UTC))
    assert not SCHEDULE.is_missed(day, datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    assert SCHEDULE.is_missed(day, datetime(2026, 11, 23, 15, 0, 1, tzinfo=UTC))
    noon = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert SCHEDULE.first_open_day(noon, today_taken=False) == day
    assert SCHEDULE.first_open_day(noon, today_taken=True) == day + timedelta(days=1)


def test_the_dead_man_speaks_half_an_hour_after_the_post_time() -> None:
    cal = CampaignCalendar(EVERY_DAY)
    at = datetime(2026, 11, 23, 9, 31, tzinfo=UTC)
    assert SCHEDULE.overdue(cal, at - timedelta(minutes=2), None) is None
    assert SCHEDULE.overdue(cal, at, None) == datetime(2026, 11, 23, 9, tzinfo=LONDON)
    assert SCHEDULE.overdue(cal, at, SlotStatus.CLAIMED) is not None
    assert SCHEDULE.overdue(cal, at, SlotStatus.POSTED) is None
    assert not slot_is_finished(None) and slot_is_finished("skipped")


def test_runway_alerts_at_the_tightest_threshold_reached() -> None:
    cal = CampaignCalendar(EVERY_DAY)
    assert runway(cal, date(2026, 11, 23), 20, []).alert_level is None
    assert runway(cal, date(2026, 11, 23), 14, []).alert_level == 14
    assert runway(cal, date(2026, 11, 23), 4, []).alert_level == 7
    assert runway(cal, date(2026, 11, 23), 0, []).alert_level == 1
    ends = Runway(approved=3, runway_days=3, runs_dry_on=None, days_left=3, short_by=0)
    assert ends.alert_level is None


def test_one_attention_read_serves_status_and_alerts() -> None:
    cal = CampaignCalendar(EVERY_DAY, blackouts=frozenset({date(2026, 11, 30)}))
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    situation = Situation(
        now=now,
        runway=runway(cal, date(2026, 11, 24), 2, []),
        counted_from=date(2026, 11, 24),
        today_status=None,
        deliveries=[
            ProblemDelivery(1, 7, "x", DeliveryStatus.FAILED, "401", now, True),
            ProblemDelivery(2, 7, "mastodon", DeliveryStatus.IN_DOUBT, "timeout", now),
        ],
        days=[TroubledDay(date(2026, 11, 20), SlotStatus.MISSED, "infobot was not running")],
        pins=[Pin(9, date(2026, 11, 30)), Pin(8, date(2026, 11, 21))],
    )
    items = needs_attention(situation, SCHEDULE, cal)
    kinds = [item.kind for item in items]
    assert kinds == [
        AttentionKind.DEAD_MAN,
        AttentionKind.DELIVERY_FAILED,
        AttentionKind.DELIVERY_IN_DOUBT,
        AttentionKind.DAY_MISSED,
        AttentionKind.PIN_OFF_DAY,
        AttentionKind.PIN_PASSED,
        AttentionKind.RUNWAY,
    ]
    alerts = [item.alert.kind for item in items if item.alert is not None]
    # doubt is raised only once it has lasted half an hour
    assert alerts == [AlertKind.DEAD_MAN, AlertKind.CREDENTIALS_REJECTED, AlertKind.RUNWAY]
    assert items[-1].message.startswith(
        "the queue runs dry on Thursday 26 November 2026 (2 posting days"
    )


def test_a_campaign_name_cannot_take_a_team_address() -> None:
    """``/stories/NAME`` is a campaign's public page: a number or ``new`` would be a story's
    page or the team's "Add a story" page instead."""
    import pytest

    from infobot.domain.campaign import read_name

    assert read_name("winter-2026") == "winter-2026"
    for taken in ("2026", "12", "new"):
        with pytest.raises(ValueError, match="cannot name a campaign"):
            read_name(taken)
