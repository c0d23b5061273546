"""Deliveries as the domain sees them: one story on one platform, and its lifecycle.

::

    pending ──> sending ──> sent ──> deleted (after a withdrawal)
                   │
                   ├──> retry_wait (transient failure or rate limit) ──> sending
                   ├──> failed (permanent: auth, content rejected; or the late window closed)
                   └──> in_doubt (crash or timeout mid-call) ──> reconciled: sent | pending

A ``sending`` delivery whose sender died is treated exactly like ``in_doubt``: it is
reconciled with the platform before anything is sent again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from infobot.domain.story import StoryStatus


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    RETRY_WAIT = "retry_wait"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"
    DELETED = "deleted"


#: Deliveries that still have work to do.
OPEN = frozenset(
    {
        DeliveryStatus.PENDING,
        DeliveryStatus.SENDING,
        DeliveryStatus.RETRY_WAIT,
        DeliveryStatus.IN_DOUBT,
    }
)
#: Deliveries whose last call may or may not have posted: look before sending again.
UNCONFIRMED = frozenset({DeliveryStatus.SENDING, DeliveryStatus.IN_DOUBT})
#: Deliveries that wait for their next attempt time.
WAITING = frozenset({DeliveryStatus.RETRY_WAIT, DeliveryStatus.IN_DOUBT})
#: Deliveries a person should look at.
NEEDS_A_PERSON = frozenset({DeliveryStatus.FAILED, DeliveryStatus.IN_DOUBT})
#: Deliveries with nothing left to say (no advice is given for them).
SETTLED = frozenset({DeliveryStatus.SENT, DeliveryStatus.DELETED})

#: A delivery left ``sending`` this long has lost its sender (crash, kill): reconcile it.
SENDING_LEASE = timedelta(minutes=5)
#: After this many attempts that each ended in doubt, stop and ask a person to check.
MAX_IN_DOUBT_ATTEMPTS = 5
#: Doubt that lasts this long is raised as an alert.
UNRESOLVED_DOUBT = timedelta(minutes=30)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


@dataclass(frozen=True)
class Part:
    """One confirmed post of a delivery (a thread has several): its id and address."""

    remote_id: str
    url: str = ""


def idempotency_key(campaign_id: int, story_id: int, platform: str) -> str:
    """The delivery's key; part ``k`` is sent with ``f"{key}:{k}"`` on every attempt."""
    return f"infobot:{campaign_id}:{story_id}:{platform}"


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try: 1, 2, 4 ... minutes, at most an hour
    (before jitter)."""
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_MAX)


def settled_story_status(statuses: Iterable[str]) -> StoryStatus:
    """The story's status that follows from its deliveries' statuses."""
    found = [DeliveryStatus(s) for s in statuses]
    if any(s in OPEN for s in found):
        return StoryStatus.SCHEDULED
    if all(s is DeliveryStatus.SENT for s in found):
        return StoryStatus.POSTED
    if any(s is DeliveryStatus.SENT for s in found):
        return StoryStatus.PARTLY_POSTED
    return StoryStatus.FAILED


_ADVICE = {
    DeliveryStatus.FAILED: "This will not fix itself: check the message, fix the account or "
    "the story, then send the story again.",
    DeliveryStatus.RETRY_WAIT: "A temporary problem: infobot retries automatically, or send "
    "the story again later.",
    DeliveryStatus.IN_DOUBT: "infobot could not tell whether it went out; it checks the "
    "platform before any retry, so it will not post twice. Sending the story again checks now.",
    DeliveryStatus.PENDING: "Not attempted yet.",
    DeliveryStatus.SENDING: "Was being sent when infobot stopped; it is checked before any retry.",
}


def advice(status: str) -> str:
    """What the team can do about a delivery in ``status`` (empty when nothing is needed)."""
    return _ADVICE.get(DeliveryStatus(status), "")
