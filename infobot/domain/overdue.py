"""Why today's post is late, in the team's words.

The dead man's switch (:meth:`PostingSchedule.overdue`) says *that* today's post has not
gone out half an hour after its time; :func:`why_overdue` says *why*, from the daemon's
last heartbeat and today's deliveries, so the queue page and ``infobot status`` can say
"overdue: the daemon is not running (last heartbeat 8:12am)" instead of "Next post today".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from infobot.domain.dates import clock_time, date_time
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.platform_names import display_name

#: A daemon ticks every minute: three missed ticks and it is taken for not running.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


class OverdueCause(StrEnum):
    NO_DAEMON = "no_daemon"  # no daemon has ever run against this database
    DAEMON_STOPPED = "daemon_stopped"  # stopped, or its heartbeat is stale
    RETRYING = "retrying"  # a platform failed for now: a retry is due
    IN_DOUBT = "in_doubt"  # infobot cannot tell yet whether it went out
    SENDING = "sending"  # being sent right now
    NOT_POSTED = "not_posted"  # the daemon runs, yet it has not posted: look at its log


class DaemonState(StrEnum):
    """What a daemon's heartbeat says of it."""

    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Beat:
    """The latest heartbeat of any daemon: when, and whether it said it was running."""

    at: datetime
    running: bool


@dataclass(frozen=True)
class TodaysDelivery:
    platform: str
    status: DeliveryStatus
    next_attempt: datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class Overdue:
    due: datetime  # today's post time, local
    cause: OverdueCause
    last_beat: datetime | None = None
    next_attempt: datetime | None = None
    platforms: tuple[str, ...] = ()  # the platforms it waits for
    error: str = ""

    @property
    def message(self) -> str:
        """One paragraph: what is late, why, and what to do."""
        tz = self.due.tzinfo
        head = f"Today's post was due at {clock_time(self.due)} and has not gone out"
        where = " and ".join(display_name(p) for p in self.platforms) or "a platform"
        if self.cause is OverdueCause.NO_DAEMON:
            return (
                f"{head}: no infobot daemon has ever run against this database. Ask whoever "
                "runs infobot to start it (infobot run), or send it with Post now."
            )
        if self.cause is OverdueCause.DAEMON_STOPPED:
            beat = date_time(self.last_beat, tz) if self.last_beat else "unknown"
            return (
                f"{head}: the infobot daemon is not running (its last heartbeat was at "
                f"{beat}). Ask whoever runs infobot to restart it, or send it with Post now."
            )
        if self.cause is OverdueCause.RETRYING:
            later = (
                f"; infobot tries again at {clock_time(self.next_attempt.astimezone(tz))}"
                if self.next_attempt
                else ""
            )
            why = f" ({self.error})" if self.error else ""
            return f"{head} on {where}: it could not be sent there yet{why}{later}."
        if self.cause is OverdueCause.IN_DOUBT:
            return (
                f"{head} on {where} for certain: infobot cannot tell yet whether it went out, "
                "and checks the platform before trying again, so it never posts twice."
            )
        if self.cause is OverdueCause.SENDING:
            return f"{head}: it is being sent to {where} now."
        return (
            f"{head}, although the infobot daemon is running. Ask whoever runs infobot to "
            "look at its log, or send it with Post now."
        )


_WAITING = frozenset({DeliveryStatus.RETRY_WAIT})
_DOUBT = frozenset({DeliveryStatus.IN_DOUBT})
_MOVING = frozenset({DeliveryStatus.SENDING, DeliveryStatus.PENDING})


def why_overdue(
    due: datetime, now: datetime, beat: Beat | None, deliveries: Sequence[TodaysDelivery]
) -> Overdue:
    """The reason today's post (due at ``due``, local) is late: the daemon first, then
    today's deliveries."""
    if beat is None:
        return Overdue(due, OverdueCause.NO_DAEMON)
    if not beat.running or now - beat.at > HEARTBEAT_STALE_AFTER:
        return Overdue(due, OverdueCause.DAEMON_STOPPED, last_beat=beat.at)
    for statuses, cause in (
        (_WAITING, OverdueCause.RETRYING),
        (_DOUBT, OverdueCause.IN_DOUBT),
        (_MOVING, OverdueCause.SENDING),
    ):
        found = [d for d in deliveries if d.status in statuses]
        if found:
            attempts = [d.next_attempt for d in found if d.next_attempt is not None]
            return Overdue(
                due,
                cause,
                last_beat=beat.at,
                next_attempt=min(attempts) if attempts else None,
                platforms=tuple(d.platform for d in found),
                error=found[0].error,
            )
    return Overdue(due, OverdueCause.NOT_POSTED, last_beat=beat.at)
