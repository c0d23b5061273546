"""Editorial operations: add, edit, approve, reject, reorder, pin, withdraw, pause, blackouts.

Each public method is one transaction: it completes, or raises a ``UserError`` and changes
nothing. Every change writes an audit event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from infobot.clock import local_today
from infobot.domain.errors import InvalidTransition, Problem, UserError, ValidationFailed
from infobot.domain.story import APPROVABLE, EDITABLE, REJECTABLE, StoryInput, StoryStatus
from infobot.domain.validate import validate_record
from infobot.service import audit
from infobot.service.media import local_pictures
from infobot.service.stories import (
    QUEUE_ORDER,
    CheckResult,
    check_story,
    get_story,
    lock_campaign,
    pinned_on,
    queue_filter,
    to_input,
)
from infobot.store.models import Blackout, Campaign, Delivery, Story

if TYPE_CHECKING:
    from infobot.app import App

GAP = 1024  # spacing of sort keys, so a move rarely renumbers


@dataclass
class Approval:
    story_id: int
    title: str
    warnings: list[str] = field(default_factory=list)
    already: bool = False


@dataclass
class Deletion:
    platform: str
    remote_id: str
    ok: bool
    error: str = ""


@dataclass
class Withdrawal:
    story_id: int
    deletions: list[Deletion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.deletions)


class Editorial:
    def __init__(self, app: App) -> None:
        self.app = app
        self.campaign_id = app.campaign_id

    # -- helpers -------------------------------------------------------------------
    def now(self) -> datetime:
        return self.app.clock.now()

    def today(self) -> date:
        return local_today(self.app.clock, self.app.settings.tz)

    def _event(self, session: Session, **kwargs: Any) -> None:
        audit.record(session, at=self.now(), campaign_id=self.campaign_id, **kwargs)

    def _change(
        self,
        session: Session,
        story: Story,
        *,
        actor: str,
        action: str,
        message: str,
        **values: Any,
    ) -> None:
        """Set ``values`` on the story and record the event with what changed."""
        before = audit.snapshot(story)
        for name, value in values.items():
            setattr(story, name, value)
        story.updated_at = self.now()
        old, new = audit.diff(before, audit.snapshot(story))
        self._event(
            session,
            actor=actor,
            action=action,
            story_id=story.id,
            before=old,
            after=new,
            message=message,
        )

    def check(self, story: StoryInput) -> CheckResult:
        return check_story(story, self.app.rules(), self.app.render_options)

    def _next_sort_key(self, session: Session) -> int:
        lock_campaign(session, self.campaign_id)
        top = session.scalar(
            select(func.max(Story.sort_key)).where(Story.campaign_id == self.campaign_id)
        )
        return (int(top) if top is not None else 0) + GAP

    def _duplicate_of(self, session: Session, fingerprint: str) -> Story | None:
        return session.scalar(
            select(Story).where(
                Story.campaign_id == self.campaign_id, Story.fingerprint == fingerprint
            )
        )

    def _check_pin(
        self, session: Session, day: date, story_id: int | None, where: str = "pin_date"
    ) -> None:
        if day < self.today():
            raise UserError(f"{where}: {day.isoformat()} is in the past")
        reason = self.app.calendar().off_reason(day)
        if reason is not None:
            raise UserError(f"{where}: nothing posts on {day.isoformat()} ({reason})")
        other = pinned_on(session, self.campaign_id, day)
        if other is not None and other.id != story_id:
            raise UserError(
                f"{where}: story #{other.id} ({other.title or 'untitled'}) is already pinned to "
                f"{day.isoformat()}; unpin it first"
            )

    # -- adding and editing --------------------------------------------------------
    def add(self, data: Mapping[str, object], *, actor: str, source: str = "cli") -> Story:
        story_input, problems = validate_record(
            data,
            file=source,
            line=None,
            require_consent=self.app.settings.require_consent,
            images=local_pictures(),
        )
        if problems or story_input is None:
            raise ValidationFailed(problems)
        with self.app.db.write() as session:
            duplicate = self._duplicate_of(session, story_input.fingerprint())
            if duplicate is not None:
                raise UserError(f"this story is already in the queue as story #{duplicate.id}")
            if story_input.pin_date is not None:
                self._check_pin(session, story_input.pin_date, None)
            story = self._new_story(session, story_input, actor=actor, source=source)
            session.flush()
            self._event(
                session,
                actor=actor,
                action="story.added",
                story_id=story.id,
                after=audit.snapshot(story),
                message=f"added from {source}",
            )
            return story

    def _new_story(
        self,
        session: Session,
        story: StoryInput,
        *,
        actor: str,
        source: str,
        sort_key: int | None = None,
    ) -> Story:
        now = self.now()
        row = Story(
            campaign_id=self.campaign_id,
            fingerprint=story.fingerprint(),
            status=StoryStatus.DRAFT.value,
            sort_key=sort_key if sort_key is not None else self._next_sort_key(session),
            source=source,
            status_reason="",
            created_by=actor,
            created_at=now,
            updated_by=actor,
            updated_at=now,
            **_columns(story),
        )
        session.add(row)
        return row

    def edit(self, story_id: int, changes: Mapping[str, object], *, actor: str) -> Story:
        with self.app.db.write() as session:
            story = get_story(session, story_id, self.campaign_id)
            if StoryStatus(story.status) not in EDITABLE:
                raise InvalidTransition(
                    f"story #{story_id} is {story.status} and can no longer be edited"
                )
            current = to_input(story)
            merged: dict[str, object] = {
                k: v for k, v in current.__dict__.items() if v not in (None, "")
            }
            merged.update(changes)
            merged = {k: v for k, v in merged.items() if v is not None}
            updated, problems = validate_record(
                merged,
                file=f"story #{story_id}",
                line=None,
                require_consent=self.app.settings.require_consent,
                images=local_pictures(),
            )
            if problems or updated is None:
                raise ValidationFailed(problems)
            if updated == current:
                return story
            if updated.fingerprint() != story.fingerprint:
                duplicate = self._duplicate_of(session, updated.fingerprint())
                if duplicate is not None and duplicate.id != story.id:
                    raise UserError(
                        f"after this edit it would be the same as story #{duplicate.id}"
                    )
            if updated.pin_date is not None and updated.pin_date != story.pin_date:
                self._check_pin(session, updated.pin_date, story.id)
            before = audit.snapshot(story)
            for key, value in _columns(updated).items():
                setattr(story, key, value)
            story.fingerprint = updated.fingerprint()
            message = "edited"
            if story.status == StoryStatus.APPROVED.value:
                story.status = StoryStatus.DRAFT.value
                story.approved_by = None
                story.approved_at = None
                message = "edited after approval: back to draft for review"
            story.updated_by = actor
            story.updated_at = self.now()
            old, new = audit.diff(before, audit.snapshot(story))
            self._event(
                session,
                actor=actor,
                action="story.edited",
                story_id=story.id,
                before=old,
                after=new,
                message=message,
            )
            return story

    # -- review --------------------------------------------------------------------
    def approve(self, story_ids: Sequence[int], *, actor: str) -> list[Approval]:
        if not actor.strip():
            raise UserError("say who approves with --by NAME")
        results: list[Approval] = []
        problems: list[str] = []
        with self.app.db.write() as session:
            stories = [get_story(session, sid, self.campaign_id) for sid in story_ids]
            checks: dict[int, CheckResult] = {}
            for story in stories:
                label = f"story #{story.id}"
                if story.status == StoryStatus.APPROVED.value:
                    continue
                if StoryStatus(story.status) not in APPROVABLE:
                    problems.append(f"{label}: it is {story.status} and cannot be approved")
                    continue
                if self.app.settings.four_eyes and _same_person(
                    actor, story.created_by, story.updated_by
                ):
                    problems.append(
                        f"{label}: you added or last edited it, so someone else must approve it "
                        "(four-eyes rule)"
                    )
                    continue
                story_input = to_input(story)
                if self.app.settings.require_consent and not (
                    story_input.consent_by and story_input.consent_date
                ):
                    problems.append(f"{label}: consent_by and consent_date are required")
                if story.pin_date is not None and story.pin_date < self.today():
                    problems.append(
                        f"{label}: it is pinned to {story.pin_date.isoformat()}, which has "
                        "passed; unpin it or pin it to a new date"
                    )
                check = self.check(story_input)
                checks[story.id] = check
                problems.extend(f"{label}: {problem}" for problem in check.problems)
            if problems:
                raise ValidationFailed(
                    [Problem("approve", None, "story", p) for p in problems],
                    summary="nothing was approved",
                )
            now = self.now()
            for story in stories:
                if story.id not in checks:
                    results.append(Approval(story.id, story.title, already=True))
                    continue
                before = audit.snapshot(story)
                story.status = StoryStatus.APPROVED.value
                story.approved_by = actor
                story.approved_at = now
                story.status_reason = ""
                old, new = audit.diff(before, audit.snapshot(story))
                warnings = checks[story.id].warnings
                self._event(
                    session,
                    actor=actor,
                    action="story.approved",
                    story_id=story.id,
                    before=old,
                    after=new,
                    message="approved" + (f" with {len(warnings)} warning(s)" if warnings else ""),
                )
                results.append(Approval(story.id, story.title, warnings))
        return results

    def reject(self, story_id: int, *, reason: str, actor: str) -> Story:
        if not reason.strip():
            raise UserError("give a reason with --reason so the author knows what to change")
        with self.app.db.write() as session:
            story = get_story(session, story_id, self.campaign_id)
            if StoryStatus(story.status) not in REJECTABLE:
                raise InvalidTransition(
                    f"story #{story_id} is {story.status} and cannot be rejected"
                )
            self._change(
                session,
                story,
                actor=actor,
                action="story.rejected",
                message=reason.strip(),
                status=StoryStatus.REJECTED.value,
                status_reason=reason.strip(),
                approved_by=None,
                approved_at=None,
            )
            return story

    # -- ordering ------------------------------------------------------------------
    def move(self, story_id: int, position: int, *, actor: str) -> Story:
        with self.app.db.write() as session:
            story = get_story(session, story_id, self.campaign_id)
            if story.status != StoryStatus.APPROVED.value:
                raise InvalidTransition(
                    f"story #{story_id} is {story.status}: only approved stories are in the "
                    "queue, so approve it first"
                )
            if story.pin_date is not None:
                raise InvalidTransition(
                    f"story #{story_id} is pinned to {story.pin_date.isoformat()}; unpin it "
                    "to place it in the queue"
                )
            lock_campaign(session, self.campaign_id)
            others = select(Story.sort_key).where(
                queue_filter(self.campaign_id), Story.id != story.id
            )
            size = int(session.scalar(select(func.count()).select_from(others.subquery())) or 0)
            if not 1 <= position <= size + 1:
                raise UserError(f"position must be between 1 and {size + 1}")
            keys = list(
                session.scalars(others.order_by(*QUEUE_ORDER).offset(max(position - 2, 0)).limit(2))
            )
            new_key = _key_between(position, keys)
            if new_key is None:
                self._renumber(session)
                keys = list(
                    session.scalars(
                        others.order_by(*QUEUE_ORDER).offset(max(position - 2, 0)).limit(2)
                    )
                )
                new_key = _key_between(position, keys)
                assert new_key is not None
            before = {"position": None, "sort_key": story.sort_key}
            story.sort_key = new_key
            self._event(
                session,
                actor=actor,
                action="story.moved",
                story_id=story.id,
                before=before,
                after={"position": position, "sort_key": new_key},
                message=f"moved to position {position}",
            )
            return story

    def _renumber(self, session: Session) -> None:
        ids = session.scalars(
            select(Story.id)
            .where(Story.campaign_id == self.campaign_id)
            .order_by(Story.sort_key, Story.id)
        ).all()
        session.execute(
            update(Story),
            [{"id": sid, "sort_key": (index + 1) * GAP} for index, sid in enumerate(ids)],
        )

    def pin(self, story_id: int, day: date, *, actor: str) -> Story:
        with self.app.db.write() as session:
            story = get_story(session, story_id, self.campaign_id)
            if story.status not in (StoryStatus.DRAFT.value, StoryStatus.APPROVED.value):
                raise InvalidTransition(f"story #{story_id} is {story.status} and cannot be pinned")
            self._check_pin(session, day, story.id, where="date")
            before = story.pin_date
            story.pin_date = day
            self._event(
                session,
                actor=actor,
                action="story.pinned",
                story_id=story.id,
                before={"pin_date": before},
                after={"pin_date": day},
                message=f"pinned to {day.isoformat()}",
            )
            return story

    def unpin(self, story_id: int, *, actor: str) -> Story:
        with self.app.db.write() as session:
            story = get_story(session, story_id, self.campaign_id)
            if story.pin_date is None:
                raise UserError(f"story #{story_id} is not pinned")
            before = story.pin_date
            story.pin_date = None
            self._event(
                session,
                actor=actor,
                action="story.unpinned",
                story_id=story.id,
                before={"pin_date": before},
                after={"pin_date": None},
                message="unpinned",
            )
            return story

    # -- withdrawal ----------------------------------------------------------------
    def withdraw(self, story_id: int, *, reason: str, actor: str) -> Withdrawal:
        """Consent withdrawn: the story never posts, and its live posts are deleted."""
        if not reason.strip():
            raise UserError("give a reason with --reason (for the audit trail)")
        with self.app.db.write() as session:
            story = get_story(session, story_id, self.campaign_id)
            if story.status == StoryStatus.WITHDRAWN.value:
                raise InvalidTransition(f"story #{story_id} is already withdrawn")
            self._change(
                session,
                story,
                actor=actor,
                action="story.withdrawn",
                message=reason.strip(),
                status=StoryStatus.WITHDRAWN.value,
                status_reason=reason.strip(),
                pin_date=None,
            )
            live = [
                (d.id, d.platform, _live_ids(d))
                for d in session.scalars(select(Delivery).where(Delivery.story_id == story.id))
            ]
        report = Withdrawal(story_id)
        for delivery_id, platform_name, remote_ids in live:
            for remote_id in reversed(remote_ids):  # replies first, then the thread's head
                report.deletions.append(self._delete(delivery_id, platform_name, remote_id, actor))
        return report

    def _delete(self, delivery_id: int, platform_name: str, remote_id: str, actor: str) -> Deletion:
        from infobot.domain.errors import PlatformError
        from infobot.platforms.base import Published

        try:
            self.app.platform(platform_name).delete(Published(remote_id))
            result = Deletion(platform_name, remote_id, ok=True)
        except (PlatformError, LookupError) as exc:
            result = Deletion(platform_name, remote_id, ok=False, error=str(exc))
        with self.app.db.write() as session:
            if result.ok:
                delivery = session.get_one(Delivery, delivery_id)
                parts = [p for p in json.loads(delivery.parts or "[]") if p.get("id") != remote_id]
                delivery.parts = json.dumps(parts)
                if not parts:
                    delivery.status = "deleted"
                delivery.updated_at = self.now()
            self._event(
                session,
                actor=actor,
                action="delivery.deleted" if result.ok else "delivery.delete_failed",
                delivery_id=delivery_id,
                after={"platform": platform_name, "remote_id": remote_id},
                message=result.error or f"deleted {remote_id} from {platform_name}",
            )
        return result

    # -- campaign ------------------------------------------------------------------
    def pause(self, *, until: date | None, reason: str, actor: str) -> None:
        if until is not None and until < self.today():
            raise UserError(f"--until {until.isoformat()} is in the past")
        with self.app.db.write() as session:
            campaign = session.get_one(Campaign, self.campaign_id)
            before = {"paused": campaign.paused, "paused_until": campaign.paused_until}
            campaign.paused = True
            campaign.paused_until = until
            campaign.pause_reason = reason
            self._event(
                session,
                actor=actor,
                action="campaign.paused",
                before=before,
                after={"paused": True, "paused_until": until, "reason": reason},
                message="paused" + (f" until {until.isoformat()}" if until else ""),
            )

    def resume(self, *, actor: str) -> bool:
        with self.app.db.write() as session:
            campaign = session.get_one(Campaign, self.campaign_id)
            if not campaign.paused:
                return False
            before = {"paused": True, "paused_until": campaign.paused_until}
            campaign.paused = False
            campaign.paused_until = None
            campaign.pause_reason = ""
            self._event(
                session,
                actor=actor,
                action="campaign.resumed",
                before=before,
                after={"paused": False, "paused_until": None},
                message="resumed",
            )
            return True

    def blackout_add(self, day: date, *, reason: str, actor: str) -> list[str]:
        """Add a blackout date; returns warnings (e.g. a story pinned to that day)."""
        if day < self.today():
            raise UserError(f"{day.isoformat()} is in the past")
        warnings = []
        with self.app.db.write() as session:
            exists = session.scalar(
                select(Blackout).where(
                    Blackout.campaign_id == self.campaign_id, Blackout.day == day
                )
            )
            if exists is not None:
                raise UserError(f"{day.isoformat()} is already a blackout date")
            session.add(
                Blackout(
                    campaign_id=self.campaign_id,
                    day=day,
                    reason=reason,
                    created_by=actor,
                    created_at=self.now(),
                )
            )
            pinned = pinned_on(session, self.campaign_id, day)
            if pinned is not None:
                warnings.append(
                    f"story #{pinned.id} is pinned to {day.isoformat()} and will not post "
                    "while this blackout stands; pin it to another date"
                )
            self._event(
                session,
                actor=actor,
                action="blackout.added",
                after={"day": day, "reason": reason},
                message=f"blackout {day.isoformat()}",
            )
        return warnings

    def blackout_remove(self, day: date, *, actor: str) -> None:
        with self.app.db.write() as session:
            row = session.scalar(
                select(Blackout).where(
                    Blackout.campaign_id == self.campaign_id, Blackout.day == day
                )
            )
            if row is None:
                raise UserError(f"{day.isoformat()} is not a blackout date")
            before = {"day": row.day, "reason": row.reason}
            session.delete(row)
            self._event(
                session,
                actor=actor,
                action="blackout.removed",
                before=before,
                message=f"blackout {day.isoformat()} removed",
            )

    def blackouts(self) -> list[Blackout]:
        with self.app.db.read() as session:
            return list(
                session.scalars(
                    select(Blackout)
                    .where(Blackout.campaign_id == self.campaign_id)
                    .order_by(Blackout.day)
                )
            )


def _columns(story: StoryInput) -> dict[str, Any]:
    return dict(replace(story).__dict__)


def _same_person(actor: str, *others: str) -> bool:
    me = actor.strip().casefold()
    return any(me == other.strip().casefold() for other in others if other)


def _key_between(position: int, keys: list[int]) -> int | None:
    """A sort key that lands a story at ``position`` given its would-be neighbours' keys."""
    if position == 1:
        return (keys[0] - GAP) if keys else GAP
    if len(keys) < 2:  # after the last one
        return keys[-1] + GAP if keys else GAP
    low, high = keys
    if high - low < 2:
        return None
    return (low + high) // 2


def _live_ids(delivery: Delivery) -> list[str]:
    parts = json.loads(delivery.parts or "[]")
    ids = [str(p["id"]) for p in parts if p.get("id")]
    if not ids and delivery.remote_id:
        ids = [delivery.remote_id]
    return ids
