"""Publishing: claim a day's slot, render, fan out to platforms, record every step.

The guarantees (DESIGN.md invariants 1-4):

- A slot is claimed by inserting the (campaign, local date) row: the unique constraint
  decides between racing processes, not Python.
- Each (story, platform) has one delivery row. Before every network call the intent is
  committed (status ``sending``, attempt counted); the result is committed right after.
  A crash in between leaves ``sending``, which is treated exactly like ``in_doubt``.
- In-doubt parts are reconciled with the platform's lookup before anything is re-sent;
  a thread resumes from the first unconfirmed part, replying to the last confirmed one.
- Each part of a delivery has its own idempotency key, the same on every attempt.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infobot.domain.delivery import (
    MAX_IN_DOUBT_ATTEMPTS,
    OPEN,
    SENDING_LEASE,
    UNCONFIRMED,
    WAITING,
    DeliveryStatus,
    backoff,
    idempotency_key,
    settled_story_status,
)
from infobot.domain.errors import (
    CredentialsRejected,
    InDoubt,
    InvalidTransition,
    NotFound,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    UserError,
)
from infobot.domain.render import render
from infobot.domain.schedule import SlotStatus
from infobot.domain.story import StoryAction, StoryStatus, allowed
from infobot.platforms.base import Published
from infobot.service import audit
from infobot.service.stories import QUEUE_ORDER, queue_filter, to_input
from infobot.store.models import Delivery, Event, Slot, Story

log = logging.getLogger("infobot.publisher")
#: Why a day's slot is skipped when it comes with nothing approved to post.
NOTHING_TO_POST = "no approved story in the queue"

if TYPE_CHECKING:
    from infobot.app import App

PENDING = DeliveryStatus.PENDING
SENDING = DeliveryStatus.SENDING
SENT = DeliveryStatus.SENT
RETRY_WAIT = DeliveryStatus.RETRY_WAIT
FAILED = DeliveryStatus.FAILED
IN_DOUBT = DeliveryStatus.IN_DOUBT


@dataclass
class Claim:
    """The outcome of claiming a day."""

    day: date
    slot_id: int | None
    story_id: int | None
    created: bool  # False: the slot was already taken (by us earlier or another process)
    status: str
    reason: str = ""


@dataclass
class Outcome:
    platform: str
    status: str
    url: str = ""
    error: str = ""
    parts_sent: int = 0
    parts_total: int = 0


@dataclass
class Delivered:
    story_id: int
    outcomes: list[Outcome] = field(default_factory=list)
    attempted: int = 0  # deliveries that were open and driven now

    @property
    def ok(self) -> bool:
        return all(o.status == SENT for o in self.outcomes)


class Publisher:
    def __init__(
        self, app: App, *, worker: str = "infobot", rng: random.Random | None = None
    ) -> None:
        self.app = app
        self.worker = worker
        self.random = rng or random.Random()  # noqa: S311 - retry jitter, not security

    def now(self) -> datetime:
        return self.app.clock.now()

    def _event(self, session: Session, **kwargs: Any) -> None:
        audit.record(session, at=self.now(), campaign_id=self.app.campaign_id, **kwargs)

    # -- claiming ------------------------------------------------------------------------
    def claim(
        self,
        day: date,
        *,
        story_id: int | None = None,
        platforms: Sequence[str] | None = None,
        due_at: datetime | None = None,
    ) -> Claim:
        """Take ``day``'s slot for a story (the named one, the pin, or the next in queue).

        Records a ``skipped`` slot when there is nothing to post, so the day is never
        lost silently. Returns the existing claim when the slot is already taken.
        """
        names = list(platforms or self.app.settings.platforms)
        try:
            with self.app.db.write() as session:
                existing = self._slot(session, day)
                if existing is not None:
                    return Claim(
                        day, existing.id, existing.story_id, False, existing.status, existing.reason
                    )
                story = self._pick(session, day, story_id)
                now = self.now()
                if story is None:
                    return self._no_post(session, day, SlotStatus.SKIPPED, NOTHING_TO_POST, due_at)
                slot = Slot(
                    campaign_id=self.app.campaign_id,
                    local_date=day,
                    story_id=story.id,
                    status=SlotStatus.CLAIMED,
                    reason="",
                    due_at=due_at,
                    claimed_at=now,
                    claimed_by=self.worker,
                )
                session.add(slot)
                session.flush()
                self._schedule(session, story, slot.id, names)
                self._event(
                    session,
                    actor=self.worker,
                    action="slot.claimed",
                    story_id=story.id,
                    after={"day": day, "story_id": story.id},
                    message=f"story #{story.id} claimed {day.isoformat()}",
                )
                return Claim(day, slot.id, story.id, True, SlotStatus.CLAIMED)
        except IntegrityError:
            return self._taken(day)

    def record_missed(
        self, day: date, reason: str, status: SlotStatus = SlotStatus.MISSED
    ) -> Claim:
        """Record a day with no post (``missed``: outage past the late window; ``skipped``:
        paused or blackout), unless the day was already claimed."""
        try:
            with self.app.db.write() as session:
                existing = self._slot(session, day)
                if existing is not None:
                    return Claim(day, existing.id, existing.story_id, False, existing.status)
                return self._no_post(session, day, status, reason)
        except IntegrityError:
            return self._taken(day)

    def _no_post(
        self,
        session: Session,
        day: date,
        status: SlotStatus,
        reason: str,
        due_at: datetime | None = None,
    ) -> Claim:
        """Insert the slot of a day that posts nothing, with its reason and event."""
        now = self.now()
        slot = Slot(
            campaign_id=self.app.campaign_id,
            local_date=day,
            story_id=None,
            status=status,
            reason=reason,
            due_at=due_at,
            claimed_at=now,
            claimed_by=self.worker,
            finished_at=now,
        )
        session.add(slot)
        session.flush()
        self._event(
            session, actor=self.worker, action=f"slot.{status}", after={"day": day}, message=reason
        )
        return Claim(day, slot.id, None, True, status, reason)

    def _taken(self, day: date) -> Claim:
        """The claim another process won between our read and our insert."""
        with self.app.db.read() as session:
            taken = self._slot(session, day)
            assert taken is not None
            return Claim(day, taken.id, taken.story_id, False, taken.status, taken.reason)

    def _slot(self, session: Session, day: date) -> Slot | None:
        return session.scalar(
            select(Slot).where(Slot.campaign_id == self.app.campaign_id, Slot.local_date == day)
        )

    def _pick(self, session: Session, day: date, story_id: int | None) -> Story | None:
        if story_id is not None:
            story = session.get(Story, story_id)
            if story is None or story.campaign_id != self.app.campaign_id:
                raise NotFound(f"there is no story #{story_id}")
            if not allowed(StoryAction.CLAIM, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status}; only approved stories can be posted"
                )
            return story
        pinned = session.scalar(
            select(Story).where(
                Story.campaign_id == self.app.campaign_id,
                Story.status == StoryStatus.APPROVED.value,
                Story.pin_date == day,
            )
        )
        if pinned is not None:
            return pinned
        result: Story | None = session.scalar(
            select(Story).where(queue_filter(self.app.campaign_id)).order_by(*QUEUE_ORDER).limit(1)
        )
        return result

    def _schedule(
        self, session: Session, story: Story, slot_id: int | None, platforms: Sequence[str]
    ) -> None:
        now = self.now()
        before = story.status
        story.status = StoryStatus.SCHEDULED.value
        story.updated_at = now
        existing = {
            d.platform
            for d in session.scalars(select(Delivery).where(Delivery.story_id == story.id))
        }
        for name in platforms:
            if name in existing:
                continue
            session.add(
                Delivery(
                    story_id=story.id,
                    slot_id=slot_id,
                    platform=name,
                    status=PENDING,
                    idempotency_key=idempotency_key(self.app.campaign_id, story.id, name),
                    attempts=0,
                    remote_id="",
                    remote_url="",
                    parts="[]",
                    error="",
                    created_at=now,
                    updated_at=now,
                )
            )
        self._event(
            session,
            actor=self.worker,
            action="story.scheduled",
            story_id=story.id,
            before={"status": before},
            after={"status": story.status},
            message="claimed for posting",
        )

    def schedule_extra(self, story_id: int, platforms: Sequence[str]) -> None:
        """A named story sent outside the daily slot (post-now when today is taken)."""
        with self.app.db.write() as session:
            story = session.get(Story, story_id)
            if story is None or story.campaign_id != self.app.campaign_id:
                raise NotFound(f"there is no story #{story_id}")
            if not allowed(StoryAction.SEND_EXTRA, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status}; only approved stories can be posted"
                )
            if story.status == StoryStatus.APPROVED:
                self._schedule(session, story, None, platforms)
            else:
                have = {
                    d.platform
                    for d in session.scalars(select(Delivery).where(Delivery.story_id == story.id))
                }
                missing = [p for p in platforms if p not in have]
                if missing:
                    self._schedule(session, story, None, missing)

    # -- delivering ----------------------------------------------------------------------
    def deliver(
        self, story_id: int, platforms: Sequence[str] | None = None, *, retry_now: bool = False
    ) -> Delivered:
        """Send (or resume) every open delivery of a story, all platforms at once."""
        with self.app.db.read() as session:
            rows = session.scalars(
                select(Delivery).where(Delivery.story_id == story_id).order_by(Delivery.id)
            ).all()
            todo = [
                d.id
                for d in rows
                if d.status in OPEN
                and (platforms is None or d.platform in platforms)
                and (
                    retry_now
                    or d.status not in WAITING
                    or d.next_attempt_at is None
                    or d.next_attempt_at <= self.now()
                )
            ]
            done = [
                d
                for d in rows
                if d.id not in todo and (platforms is None or d.platform in platforms)
            ]
        result = Delivered(story_id, attempted=len(todo))
        for d in done:
            result.outcomes.append(_outcome(d))
        if todo:
            with ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="deliver") as pool:
                driven = list(pool.map(self.deliver_one, todo))
            result.outcomes.extend(driven)
            for outcome in driven:
                log.log(
                    logging.INFO if outcome.status in (SENT, RETRY_WAIT) else logging.WARNING,
                    "story #%s on %s: %s%s",
                    story_id,
                    outcome.platform,
                    outcome.status,
                    f" ({outcome.error})" if outcome.error else "",
                    extra={
                        "event": "delivery",
                        "story_id": story_id,
                        "platform": outcome.platform,
                        "outcome": outcome.status,
                        "url": outcome.url,
                    },
                )
        self._settle(story_id)
        return result

    def deliver_one(self, delivery_id: int) -> Outcome:
        """Drive one delivery as far as it can go now. Never raises for platform errors.

        It first takes the delivery (a compare-and-set in a write transaction), so two
        processes never drive the same delivery: a ``sending`` row belongs to whoever set
        it until it is ``SENDING_LEASE`` old, after which its sender is presumed dead.
        """
        with self.app.db.write() as session:
            delivery = _locked(session, delivery_id)
            if not self._takeable(delivery):
                return _outcome(delivery)
            story = session.get_one(Story, delivery.story_id)
            name = delivery.platform
            key = delivery.idempotency_key
            confirmed = _parts(delivery)
            needs_reconcile = delivery.status in UNCONFIRMED
            delivery.status = SENDING
            delivery.updated_at = self.now()
        try:
            platform = self.app.platform(name)
            rendered = render(to_input(story), platform.rules(), self.app.render_options)
        except (LookupError, PlatformError, UserError) as exc:
            return self._finish(delivery_id, FAILED, f"cannot use {name}: {exc}")
        if not rendered.ok:
            return self._finish(delivery_id, FAILED, "; ".join(rendered.problems))
        posts = list(rendered.posts)
        if needs_reconcile and len(confirmed) < len(posts):
            index = len(confirmed)
            try:
                found = platform.lookup(posts[index], idempotency_key=f"{key}:{index}")
            except PlatformError as exc:
                return self._record_error(delivery_id, exc, reconcile=True)
            if found is not None:
                confirmed = self._confirm(delivery_id, index, found, len(posts), reconciled=True)
            else:
                self._transition(
                    delivery_id,
                    PENDING,
                    "reconciled: not on the platform",
                    action="delivery.not_found",
                )
        while len(confirmed) < len(posts):
            index = len(confirmed)
            self._transition(
                delivery_id,
                SENDING,
                f"sending part {index + 1}/{len(posts)}",
                count_attempt=True,
                action="delivery.sending",
            )
            reply_to = (
                Published(confirmed[-1]["id"], confirmed[-1].get("url", "")) if confirmed else None
            )
            try:
                published = platform.publish(
                    posts[index], idempotency_key=f"{key}:{index}", reply_to=reply_to
                )
            except PlatformError as exc:
                return self._record_error(delivery_id, exc)
            except Exception as exc:  # an adapter bug: the post may or may not exist
                return self._record_error(
                    delivery_id, InDoubt(f"unexpected {type(exc).__name__}: {exc}")
                )
            confirmed = self._confirm(delivery_id, index, published, len(posts))
        with self.app.db.read() as session:
            return _outcome(session.get_one(Delivery, delivery_id))

    def _takeable(self, delivery: Delivery) -> bool:
        if delivery.status == SENDING:
            return delivery.updated_at <= self.now() - SENDING_LEASE
        return delivery.status in OPEN

    def _confirm(
        self,
        delivery_id: int,
        index: int,
        published: Published,
        total: int,
        reconciled: bool = False,
    ) -> list[dict[str, str]]:
        with self.app.db.write() as session:
            delivery = _locked(session, delivery_id)
            parts = _parts(delivery)
            if len(parts) == index:
                parts.append({"id": published.remote_id, "url": published.url})
            delivery.parts = json.dumps(parts)
            now = self.now()
            delivery.updated_at = now
            if len(parts) >= total:
                delivery.status = SENT
                delivery.remote_id = parts[0]["id"]
                delivery.remote_url = parts[0].get("url", "")
                delivery.sent_at = now
                delivery.error = ""
                delivery.next_attempt_at = None
            self._event(
                session,
                actor=self.worker,
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

    def _record_error(
        self, delivery_id: int, exc: PlatformError, reconcile: bool = False
    ) -> Outcome:
        message = str(exc)
        if isinstance(exc, RateLimited):
            later = max(exc.retry_at or self.now(), self.now() + timedelta(seconds=30))
            return self._finish(delivery_id, RETRY_WAIT, message, next_attempt=later)
        if isinstance(exc, InDoubt):
            attempts = self._doubts_in_a_row(delivery_id) + 1
            if attempts >= MAX_IN_DOUBT_ATTEMPTS:
                return self._finish(
                    delivery_id,
                    FAILED,
                    f"{message} — still unconfirmed after {attempts} attempts; check the "
                    "account by hand before sending it again",
                )
            # Reconcile (never blindly re-send) later, backing off like any retry.
            return self._finish(
                delivery_id, IN_DOUBT, message, next_attempt=self._backoff(delivery_id, attempts)
            )
        if isinstance(exc, CredentialsRejected):
            return self._finish(
                delivery_id, FAILED, message, action="delivery.credentials_rejected"
            )
        if isinstance(exc, PermanentError):
            return self._finish(delivery_id, FAILED, message)
        if isinstance(exc, TransientError):
            return self._finish(
                delivery_id, RETRY_WAIT, message, next_attempt=self._backoff(delivery_id)
            )
        return self._finish(
            delivery_id,
            IN_DOUBT if reconcile else RETRY_WAIT,
            message,
            next_attempt=self._backoff(delivery_id),
        )

    def _doubts_in_a_row(self, delivery_id: int) -> int:
        """How many attempts in a row ended in doubt, since a part was last confirmed (sent
        or found by reconciliation). Crashes and parts that went out do not count."""
        with self.app.db.read() as session:
            actions = session.scalars(
                select(Event.action)
                .where(
                    Event.delivery_id == delivery_id,
                    Event.action.in_(
                        ("delivery.in_doubt", "delivery.part_sent", "delivery.reconciled")
                    ),
                )
                .order_by(Event.id.desc())
                .limit(MAX_IN_DOUBT_ATTEMPTS)
            ).all()
        count = 0
        for action in actions:
            if action != "delivery.in_doubt":
                break
            count += 1
        return count

    def _backoff(self, delivery_id: int, attempts: int | None = None) -> datetime:
        """When to try again: 1, 2, 4 ... minutes (at most an hour), with ±20 % jitter.
        ``attempts`` defaults to the delivery's attempts; doubt counts its own in a row."""
        if attempts is None:
            with self.app.db.read() as session:
                attempts = session.get_one(Delivery, delivery_id).attempts
        jitter = self.random.uniform(0.8, 1.2)
        when: datetime = self.now() + backoff(attempts) * jitter
        return when

    def _transition(
        self,
        delivery_id: int,
        status: str,
        message: str,
        *,
        count_attempt: bool = False,
        action: str = "",
    ) -> None:
        with self.app.db.write() as session:
            delivery = _locked(session, delivery_id)
            before = delivery.status
            delivery.status = status
            if count_attempt:
                delivery.attempts += 1
            self._status_changed(session, delivery, before, action, message, {})

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
        self._event(
            session,
            actor=self.worker,
            action=action or f"delivery.{delivery.status}",
            story_id=delivery.story_id,
            delivery_id=delivery.id,
            before={"status": before},
            after={"status": delivery.status, **after},
            message=f"{delivery.platform}: {message}",
        )

    def _finish(
        self,
        delivery_id: int,
        status: str,
        error: str,
        next_attempt: datetime | None = None,
        action: str = "",
    ) -> Outcome:
        with self.app.db.write() as session:
            delivery = _locked(session, delivery_id)
            before = delivery.status
            delivery.status = status
            delivery.error = error
            delivery.next_attempt_at = next_attempt
            self._status_changed(
                session, delivery, before, action, error, {"next_attempt_at": next_attempt}
            )
            return _outcome(delivery)

    def _settle(self, story_id: int) -> None:
        """Story and slot status follow their deliveries."""
        with self.app.db.write() as session:
            story = session.get_one(Story, story_id)
            statuses = [
                d.status
                for d in session.scalars(select(Delivery).where(Delivery.story_id == story_id))
            ]
            if not statuses or story.status == StoryStatus.WITHDRAWN:
                return
            new = settled_story_status(statuses)
            if new != story.status:
                before = story.status
                story.status = new
                story.updated_at = self.now()
                self._event(
                    session,
                    actor=self.worker,
                    action=f"story.{new}",
                    story_id=story.id,
                    before={"status": before},
                    after={"status": new},
                    message=f"story is {new.replace('_', ' ')}",
                )
            slot = session.scalar(select(Slot).where(Slot.story_id == story_id))
            if slot is not None and new != StoryStatus.SCHEDULED and slot.status != new:
                slot.status = SlotStatus(new.value)
                slot.finished_at = self.now()
                if new != StoryStatus.POSTED:
                    slot.reason = "; ".join(
                        sorted(
                            {
                                f"{d.platform}: {d.error}"
                                for d in session.scalars(
                                    select(Delivery).where(
                                        Delivery.story_id == story_id, Delivery.status != SENT
                                    )
                                )
                            }
                        )
                    )


def _locked(session: Session, delivery_id: int) -> Delivery:
    """The delivery row, locked until the transaction ends (FOR UPDATE on PostgreSQL;
    SQLite's BEGIN IMMEDIATE already serialises writers), so read-then-write is safe."""
    return session.get_one(Delivery, delivery_id, with_for_update=True)


def _parts(delivery: Delivery) -> list[dict[str, str]]:
    parts: list[dict[str, str]] = json.loads(delivery.parts or "[]")
    return parts


def _outcome(delivery: Delivery) -> Outcome:
    return Outcome(
        delivery.platform,
        delivery.status,
        delivery.remote_url,
        delivery.error,
        len(_parts(delivery)),
    )
