"""The delivery ledger: every step of a delivery committed as it happens, with its event.

Each method is one write transaction, so a crash between two of them leaves the delivery
in a state the next start understands (see ``infobot.domain.delivery``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from infobot.clock import Clock
from infobot.domain import errors
from infobot.domain.delivery import (
    MAX_IN_DOUBT_ATTEMPTS,
    DeliveryStatus,
    Part,
    backoff,
    settled_story_status,
)
from infobot.domain.render import RenderOptions
from infobot.domain.schedule import SlotStatus
from infobot.domain.story import StoryStatus
from infobot.platforms.base import Published
from infobot.service.pool import PlatformPool
from infobot.service.publisher.outcomes import Outcome
from infobot.store import deliveries, events, slots, stories
from infobot.store.db import Database
from infobot.store.models import Delivery

#: The soonest a rate-limited delivery is tried again.
RATE_LIMIT_FLOOR = timedelta(seconds=30)


def outcome_of(delivery: Delivery) -> Outcome:
    return Outcome(
        delivery.platform,
        delivery.status,
        delivery.remote_url,
        delivery.error,
        len(deliveries.parts(delivery)),
    )


class Ledger:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        campaign_id: int,
        *,
        worker: str,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id
        self.worker = worker
        self.random = rng or random.Random()  # noqa: S311 - retry jitter, not security

    def now(self) -> datetime:
        return self.clock.now()

    def event(self, session: Session, **kwargs: Any) -> None:
        events.record(
            session, at=self.now(), actor=self.worker, campaign_id=self.campaign_id, **kwargs
        )

    # -- steps -----------------------------------------------------------------------------
    def transition(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        message: str,
        *,
        count_attempt: bool = False,
        action: str = "",
    ) -> None:
        """Move the delivery on (the intent to send a part counts an attempt)."""
        self._update(delivery_id, status, message, count_attempt=count_attempt, action=action)

    def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        error: str,
        next_attempt: datetime | None = None,
        action: str = "",
    ) -> Outcome:
        """End an attempt with ``error`` (and when to try again, if ever)."""
        return self._update(delivery_id, status, error, result=(error, next_attempt), action=action)

    def _update(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        message: str,
        *,
        count_attempt: bool = False,
        result: tuple[str, datetime | None] | None = None,
        action: str = "",
    ) -> Outcome:
        with self.db.write() as session:
            delivery = deliveries.locked(session, delivery_id)
            before = delivery.status
            delivery.status = status
            after: dict[str, Any] = {}
            if count_attempt:
                delivery.attempts += 1
            if result is not None:
                delivery.error, delivery.next_attempt_at = result
                after["next_attempt_at"] = delivery.next_attempt_at
            self._status_changed(session, delivery, before, action, message, after)
            return outcome_of(delivery)

    def _status_changed(
        self,
        session: Session,
        delivery: Delivery,
        before: str,
        action: str,
        message: str,
        after: dict[str, Any],
    ) -> None:
        """Stamp a delivery's new status and record the change in the audit trail."""
        delivery.updated_at = self.now()
        self.event(
            session,
            action=action or f"delivery.{delivery.status}",
            story_id=delivery.story_id,
            delivery_id=delivery.id,
            before={"status": before},
            after={"status": delivery.status, **after},
            message=f"{delivery.platform}: {message}",
        )

    def confirm(
        self,
        delivery_id: int,
        index: int,
        published: Published,
        total: int,
        reconciled: bool = False,
    ) -> list[Part]:
        """Record part ``index`` (0-based) of ``total`` live; the last one makes it sent."""
        with self.db.write() as session:
            delivery = deliveries.locked(session, delivery_id)
            parts = deliveries.parts(delivery)
            if len(parts) == index:
                parts.append(Part(published.remote_id, published.url))
            deliveries.set_parts(delivery, parts)
            now = self.now()
            delivery.updated_at = now
            if len(parts) >= total:
                delivery.status = DeliveryStatus.SENT
                delivery.remote_id = parts[0].remote_id
                delivery.remote_url = parts[0].url
                delivery.sent_at = now
                delivery.error = ""
                delivery.next_attempt_at = None
            self.event(
                session,
                action="delivery.reconciled" if reconciled else "delivery.part_sent",
                story_id=delivery.story_id,
                delivery_id=delivery.id,
                after={
                    "platform": delivery.platform,
                    "part": index + 1,
                    "of": total,
                    "remote_id": published.remote_id,
                    "url": published.url,
                },
                message=("found on the platform: " if reconciled else "")
                + f"part {index + 1}/{total} live on {delivery.platform}",
            )
            return parts

    def record_error(
        self, delivery_id: int, exc: errors.PlatformError, reconcile: bool = False
    ) -> Outcome:
        """Record what a platform error means for the delivery: retry later, look before
        sending again, or stop and tell a person."""
        message = str(exc)
        if isinstance(exc, errors.RateLimited):
            later = max(exc.retry_at or self.now(), self.now() + RATE_LIMIT_FLOOR)
            return self.finish(delivery_id, DeliveryStatus.RETRY_WAIT, message, later)
        if isinstance(exc, errors.InDoubt):
            attempts = self._doubts_in_a_row(delivery_id) + 1
            if attempts >= MAX_IN_DOUBT_ATTEMPTS:
                return self.finish(
                    delivery_id,
                    DeliveryStatus.FAILED,
                    f"{message} — still unconfirmed after {attempts} attempts; check the "
                    "account by hand before sending it again",
                )
            # Reconcile (never blindly re-send) later, backing off like any retry.
            later = self.backoff(delivery_id, attempts)
            return self.finish(delivery_id, DeliveryStatus.IN_DOUBT, message, later)
        if isinstance(exc, errors.CredentialsRejected):
            return self.finish(
                delivery_id,
                DeliveryStatus.FAILED,
                message,
                action=events.CREDENTIALS_REJECTED,
            )
        if isinstance(exc, errors.PermanentError):
            return self.finish(delivery_id, DeliveryStatus.FAILED, message)
        if isinstance(exc, errors.TransientError):
            later = self.backoff(delivery_id)
            return self.finish(delivery_id, DeliveryStatus.RETRY_WAIT, message, later)
        status = DeliveryStatus.IN_DOUBT if reconcile else DeliveryStatus.RETRY_WAIT
        return self.finish(delivery_id, status, message, self.backoff(delivery_id))

    def _doubts_in_a_row(self, delivery_id: int) -> int:
        with self.db.read() as session:
            return events.doubts_in_a_row(session, delivery_id, MAX_IN_DOUBT_ATTEMPTS)

    def backoff(self, delivery_id: int, attempts: int | None = None) -> datetime:
        """When to try again (see ``domain.delivery.backoff``), with ±20 % jitter.
        ``attempts`` defaults to the delivery's attempts; doubt counts its own in a row."""
        if attempts is None:
            with self.db.read() as session:
                attempts = deliveries.get(session, delivery_id).attempts
        jitter = self.random.uniform(0.8, 1.2)
        when: datetime = self.now() + backoff(attempts) * jitter
        return when

    # -- the story and its day -------------------------------------------------------------
    def settle(self, story_id: int) -> None:
        """Story and slot status follow their deliveries."""
        with self.db.write() as session:
            story = stories.by_id(session, story_id)
            statuses = [d.status for d in deliveries.of_story(session, story_id)]
            if not statuses or story.status == StoryStatus.WITHDRAWN:
                return
            new = settled_story_status(statuses)
            if new != story.status:
                before = story.status
                story.status = new
                story.updated_at = self.now()
                self.event(
                    session,
                    action=f"story.{new}",
                    story_id=story.id,
                    before={"status": before},
                    after={"status": new},
                    message=f"story is {new.replace('_', ' ')}",
                )
            slot = slots.of_story(session, story_id)
            if slot is not None and new != StoryStatus.SCHEDULED and slot.status != new:
                slot.status = SlotStatus(new.value)
                slot.finished_at = self.now()
                if new != StoryStatus.POSTED:
                    slot.reason = "; ".join(deliveries.not_sent_errors(session, story_id))


class LedgerUser:
    """A part of the publisher: it works through the ledger, with the platform pool and the
    render options."""

    def __init__(self, ledger: Ledger, platforms: PlatformPool, options: RenderOptions) -> None:
        self.ledger = ledger
        self.db = ledger.db
        self.campaign_id = ledger.campaign_id
        self.platforms = platforms
        self.options = options
