"""The rules that tie engagement reads and X spending to the daily post, written once.

**Posting comes first.** :func:`read_window` says whether the engagement reads may run now,
and until when: never while today's post is due and not yet claimed (reads are skipped,
not queued behind it), never within :data:`READ_MARGIN` of a post time, and always ending
that margin before the next one, so a round of reads can never make a post late.

**Alerts** of the impact work, each raised once by its key: a post deleted on the platform
by someone else (:func:`post_gone_alert`) and the X budget running out before the queue
(:func:`x_budget_alert`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from infobot.domain.attention import Alert, AlertKind
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.costs import BudgetAlert
from infobot.domain.schedule import PostingSchedule

#: Reads keep this far from any post time.
READ_MARGIN = timedelta(minutes=2)


def read_window(
    schedule: PostingSchedule, calendar: CampaignCalendar, now: datetime, *, today_taken: bool
) -> datetime | None:
    """Until when engagement reads may run now; None when the day's post comes first."""
    today = schedule.local_date(now)
    posts_today = (
        not today_taken and calendar.day_off(today) is None and not schedule.is_missed(today, now)
    )
    if posts_today:
        due = schedule.due_at(today)
        return None if now >= due - READ_MARGIN else due - READ_MARGIN
    return schedule.due_at(today + timedelta(days=1)) - READ_MARGIN


def post_gone_alert(delivery_id: int, story_id: int, platform: str) -> Alert:
    return Alert(
        f"gone:{delivery_id}",
        AlertKind.POST_GONE,
        f"Story #{story_id}'s post on {platform} was deleted on {platform}, not by infobot "
        "(a moderator, or someone with the account's password). Its counts are kept as last "
        "read and it is no longer read. Check the account if nobody on the team deleted it.",
    )


def x_budget_alert(alert: BudgetAlert) -> Alert:
    return Alert(f"x_budget:{alert.runs_out_on}", AlertKind.X_BUDGET, alert.message)
