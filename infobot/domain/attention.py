"""What needs the team's attention, decided once for ``infobot status``, the web page, the
daemon's alerts and the health check.

The store gathers the facts (problem deliveries, troubled days, pins, the runway); this
module turns them into :class:`Attention` items. An item may carry an :class:`Alert`: what
the daemon raises (once, by its key) to the team's alert channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from infobot.domain.calendar import CampaignCalendar, DayOff, Runway
from infobot.domain.dates import clock_time, weekday_date
from infobot.domain.delivery import UNRESOLVED_DOUBT, DeliveryStatus
from infobot.domain.platform_names import display_name
from infobot.domain.schedule import PostingSchedule, SlotStatus
from infobot.domain.versions import missing_message


class AttentionKind(StrEnum):
    DEAD_MAN = "dead_man"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_IN_DOUBT = "delivery_in_doubt"
    DAY_MISSED = "day_missed"
    DAY_FAILED = "day_failed"
    DAY_PARTLY_POSTED = "day_partly_posted"
    PIN_PASSED = "pin_passed"
    PIN_OFF_DAY = "pin_off_day"
    RUNWAY = "runway"
    NOT_READY = "not_ready"  # approved, but lacking one of a bilingual campaign's languages


class AlertKind(StrEnum):
    DELIVERY_FAILED = "delivery_failed"
    CREDENTIALS_REJECTED = "credentials_rejected"
    IN_DOUBT = "in_doubt"
    MISSED_DAY = "missed_day"
    DEAD_MAN = "dead_man"
    RUNWAY = "runway"
    POST_GONE = "post_gone"  # a live post was deleted on the platform, not by infobot
    X_BUDGET = "x_budget"  # the X budget runs out before the queue does


@dataclass(frozen=True)
class Alert:
    """An alert for the team's channels; ``key`` makes it go out once."""

    key: str
    kind: AlertKind
    message: str


@dataclass(frozen=True)
class Attention:
    kind: AttentionKind
    message: str
    alert: Alert | None = None


@dataclass(frozen=True)
class ProblemDelivery:
    """A delivery that failed or is in doubt."""

    id: int
    story_id: int
    platform: str
    status: DeliveryStatus
    error: str
    updated_at: datetime
    credentials_refused: bool = False  # the platform refused the account's credentials


@dataclass(frozen=True)
class TroubledDay:
    day: date
    status: SlotStatus
    reason: str


@dataclass(frozen=True)
class Pin:
    story_id: int
    day: date
    essential: bool = False  # may post inside a pre-election period


@dataclass(frozen=True)
class NotReady:
    """An approved story lacking some of a bilingual campaign's languages."""

    story_id: int
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Situation:
    """The facts the read is made from, as the store found them."""

    now: datetime
    runway: Runway
    counted_from: date  # the first day the runway counts (see PostingSchedule.first_open_day)
    today_status: str | None = None  # today's slot status; None: no slot yet
    deliveries: Sequence[ProblemDelivery] = ()
    days: Sequence[TroubledDay] = ()
    pins: Sequence[Pin] = ()
    not_ready: Sequence[NotReady] = ()


def needs_attention(
    situation: Situation, schedule: PostingSchedule, calendar: CampaignCalendar
) -> list[Attention]:
    """Everything that needs a person, most urgent first."""
    items: list[Attention] = []
    if (dead := dead_man(schedule, calendar, situation.now, situation.today_status)) is not None:
        items.append(dead)
    items.extend(delivery_attention(d, situation.now) for d in situation.deliveries)
    items.extend(
        Attention(
            AttentionKind(f"day_{d.status.value}"),
            f"{weekday_date(d.day)}: {d.status.value.replace('_', ' ')} — {d.reason}",
        )
        for d in situation.days
    )
    for pin in situation.pins:
        if pin.day < situation.counted_from and schedule.is_missed(pin.day, situation.now):
            items.append(
                Attention(
                    AttentionKind.PIN_PASSED,
                    f"story #{pin.story_id} was pinned to {weekday_date(pin.day)}, which has "
                    "passed without it posting; pin it to a new date or unpin it",
                )
            )
        elif pin.essential and calendar.day_off(pin.day) is DayOff.ELECTION_PERIOD:
            continue  # an essential story posts inside a pre-election period
        elif (reason := calendar.off_reason(pin.day)) is not None:
            items.append(
                Attention(
                    AttentionKind.PIN_OFF_DAY,
                    f"story #{pin.story_id} is pinned to {weekday_date(pin.day)} but nothing "
                    f"posts that day ({reason})",
                )
            )
    items.extend(
        Attention(
            AttentionKind.NOT_READY,
            f"story #{item.story_id} is approved but {missing_message(item.missing)}. It does"
            " not post until it has them (an edit sends it back for approval)",
        )
        for item in situation.not_ready
    )
    items.extend(runway_attention(situation.runway))
    return items


def dead_man(
    schedule: PostingSchedule, calendar: CampaignCalendar, now: datetime, today_status: str | None
) -> Attention | None:
    """Today's post has not gone out half an hour after its time."""
    due = schedule.overdue(calendar, now, today_status)
    if due is None:
        return None
    return Attention(
        AttentionKind.DEAD_MAN,
        f"today's post was due at {clock_time(due)} and has not gone out",
        Alert(
            f"deadman:{due.date()}",
            AlertKind.DEAD_MAN,
            f"Today's post was due at {clock_time(due)} and has not gone out yet.",
        ),
    )


def delivery_attention(d: ProblemDelivery, now: datetime) -> Attention:
    failed = d.status is DeliveryStatus.FAILED
    alert: Alert | None
    if failed and d.credentials_refused:
        alert = Alert(
            f"delivery:{d.id}",
            AlertKind.CREDENTIALS_REJECTED,
            f"{display_name(d.platform)} refused infobot's credentials, so story #{d.story_id} "
            "did not go "
            f"out there: {d.error}",
        )
    elif failed:
        alert = Alert(
            f"delivery:{d.id}",
            AlertKind.DELIVERY_FAILED,
            f"Story #{d.story_id} did not go out on {display_name(d.platform)}: {d.error}",
        )
    elif now - d.updated_at > UNRESOLVED_DOUBT:  # the next ticks usually settle it
        alert = Alert(
            f"doubt:{d.id}",
            AlertKind.IN_DOUBT,
            f"infobot cannot tell whether story #{d.story_id} went out on "
            f"{display_name(d.platform)} "
            f"({d.error}); it keeps checking before any retry. Look at the account.",
        )
    else:
        alert = None
    return Attention(
        AttentionKind(f"delivery_{d.status.value}"),
        f"story #{d.story_id} on {display_name(d.platform)}: "
        f"{d.status.value.replace('_', ' ')} — "
        f"{d.error or 'no detail'}",
        alert,
    )


def runway_attention(run: Runway) -> list[Attention]:
    """The runway rule: say so when the queue lasts 14, 7, 3 or 1 posting days, and when
    the campaign has more days left than approved stories."""
    items = []
    level = run.alert_level
    if level is not None and run.runs_dry_on is not None:
        items.append(
            Attention(
                AttentionKind.RUNWAY,
                f"the queue runs dry on {weekday_date(run.runs_dry_on)} "
                f"({run.runway_days} posting days left): approve more stories",
                Alert(
                    f"runway:{level}:{run.runs_dry_on}",
                    AlertKind.RUNWAY,
                    f"The queue runs dry on {weekday_date(run.runs_dry_on)} "
                    f"({run.runway_days} posting days left): approve more stories.",
                ),
            )
        )
    if run.short_by > 0:
        items.append(Attention(AttentionKind.RUNWAY, run.summary()))
    return items


def missed_day_alert(day: date, reason: str) -> Alert:
    return Alert(
        f"missed:{day}",
        AlertKind.MISSED_DAY,
        f"No story was posted on {weekday_date(day)}: {reason}.",
    )


def empty_day_alert(day: date) -> Alert:
    return Alert(
        f"empty:{day}",
        AlertKind.MISSED_DAY,
        f"No story was posted on {weekday_date(day)}: the queue is empty. Approve more stories.",
    )
