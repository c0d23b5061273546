"""The storyteller's own link: where their story stands, and withdrawing their consent.

The link holds a random token (192 bits); the database keeps only its digest, so neither
the story's number nor the database gives the link away. An unknown token and an expired
one get the same answer. Withdrawing goes through the team's own withdrawal (the story is
retired and its live posts deleted from every platform), is recorded in the audit trail
under ``storyteller`` and raises an alert for the team.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from infobot.clock import Clock
from infobot.domain.delivery import DeliveryStatus
from infobot.domain.errors import NotFound
from infobot.domain.intake import (
    STORYTELLER,
    Consent,
    Stage,
    link_expires_at,
    link_works,
    stage_of,
    token_digest,
)
from infobot.domain.schedule import DayState
from infobot.domain.story import StoryStatus
from infobot.service.editorial import Withdrawal
from infobot.store import campaigns, deliveries, intake, slots
from infobot.store.db import Database
from infobot.store.models import Story, Submission

#: What the audit trail says when the storyteller withdraws.
REASON = "Consent withdrawn by the storyteller through their private link"
#: How far ahead the page looks for the day an approved story will post.
LOOK_AHEAD_DAYS = 90

Withdraw = Callable[..., Withdrawal]  # Editorial.withdraw(story_id, reason=, actor=)
Alert = Callable[[str, str, str], object]  # Alerter.raise_once(key, kind, message)
PlanLookup = Callable[[int], date | None]  # the day a story is planned for, if any


class LinkNotFound(NotFound):
    """The link is unknown, expired or erased: one answer for all three."""

    def __init__(self) -> None:
        super().__init__(
            "This link does not work. It may be mistyped, or it has expired: links stop "
            "working some time after the campaign ends. If you need help, contact the "
            "campaign team."
        )


@dataclass(frozen=True)
class PostLink:
    platform: str
    url: str


@dataclass(frozen=True)
class StorytellerView:
    """The storyteller's page."""

    campaign: str
    title: str
    body: str
    stage: Stage
    received_at: datetime
    day: date | None  # the day it posts (approved, scheduled) or posted
    posts: tuple[PostLink, ...]
    consents: frozenset[Consent]
    consent_version: str
    expires_at: datetime | None
    withdrawn_at: datetime | None
    image_alt: str = ""


@dataclass(frozen=True)
class WithdrawnReport:
    view: StorytellerView
    removed: list[str] = field(default_factory=list)  # "Mastodon", ... where a post was deleted
    not_removed: list[str] = field(default_factory=list)  # where deleting failed
    already: bool = False


class StorytellerDesk:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        retention: timedelta,
        withdraw: Withdraw,
        alert: Alert | None = None,
        planned_day: PlanLookup | None = None,
        platform_names: Callable[[str], str] = str,
    ) -> None:
        self.db = db
        self.clock = clock
        self.retention = retention
        self._withdraw = withdraw
        self._alert = alert
        self._planned_day = planned_day
        self._names = platform_names

    def _find(self, token: str) -> tuple[Submission, Story, datetime | None]:
        if not token or len(token) > 200:
            raise LinkNotFound
        with self.db.read() as session:
            submission = intake.by_digest(session, token_digest(token))
            if submission is None or submission.erased_at is not None:
                raise LinkNotFound
            story = session.get_one(Story, submission.story_id)
            campaign = campaigns.get(session, submission.campaign_id)
            expires = link_expires_at(
                campaign.end_date, ZoneInfo(campaign.timezone), self.retention
            )
        if not link_works(self.clock.now(), expires):
            raise LinkNotFound
        return submission, story, expires

    def view(self, token: str) -> StorytellerView:
        submission, story, expires = self._find(token)
        return self._view(submission, story, expires)

    def _view(
        self, submission: Submission, story: Story, expires: datetime | None
    ) -> StorytellerView:
        stage = stage_of(story.status)
        posts: list[PostLink] = []
        day: date | None = None
        with self.db.read() as session:
            campaign = campaigns.get(session, submission.campaign_id).name
            slot = slots.of_story(session, story.id)
            if slot is not None:
                day = slot.local_date
            for delivery in deliveries.of_story(session, story.id, order_by_platform=True):
                if delivery.status == DeliveryStatus.SENT and delivery.remote_url:
                    posts.append(PostLink(self._names(delivery.platform), delivery.remote_url))
        if stage is Stage.APPROVED:
            day = story.pin_date or (self._planned_day(story.id) if self._planned_day else None)
        consents = frozenset(
            choice
            for choice, given in (
                (Consent.POST, submission.consent_post),
                (Consent.NAME, submission.consent_name),
                (Consent.ROLE, submission.consent_role),
            )
            if given
        )
        return StorytellerView(
            campaign=campaign,
            title=story.title,
            body=story.body,
            stage=stage,
            received_at=submission.created_at,
            day=day,
            posts=tuple(posts),
            consents=consents,
            consent_version=submission.consent_version,
            expires_at=expires,
            withdrawn_at=submission.withdrawn_at
            or (story.updated_at if story.status == StoryStatus.WITHDRAWN else None),
            image_alt=story.image_alt,
        )

    def withdraw(self, token: str) -> WithdrawnReport:
        """Retire the story and delete its live posts everywhere; tell the team."""
        submission, story, expires = self._find(token)
        if story.status == StoryStatus.WITHDRAWN:
            return WithdrawnReport(self._view(submission, story, expires), already=True)
        report = self._withdraw(story.id, reason=REASON, actor=STORYTELLER)
        now = self.clock.now()
        with self.db.write() as session:
            row = session.get_one(Submission, submission.id)
            row.withdrawn_at = now
            submission = row
            story = session.get_one(Story, story.id)
        removed = [self._names(d.platform) for d in report.deletions if d.ok]
        failed = [self._names(d.platform) for d in report.deletions if not d.ok]
        if self._alert is not None:
            message = f"The storyteller withdrew their consent for story #{story.id} through "
            message += "their private link: it will never post"
            if removed:
                message += f"; its posts were deleted from {', '.join(sorted(set(removed)))}"
            if failed:
                message += (
                    f". Deleting its posts failed on {', '.join(sorted(set(failed)))}: "
                    "delete them by hand"
                )
            self._alert(f"storyteller_withdrew:{story.id}", "consent_withdrawn", message + ".")
        view = self._view(submission, story, expires)
        return WithdrawnReport(view, sorted(set(removed)), sorted(set(failed)))


def planned_days(plan: Callable[[int], list[tuple[date, DayState, int | None]]]) -> PlanLookup:
    """A :data:`PlanLookup` over a plan of (day, state, story id) for the coming days."""

    def lookup(story_id: int) -> date | None:
        for day, state, planned in plan(LOOK_AHEAD_DAYS):
            if planned == story_id and state in (DayState.SCHEDULED, DayState.PINNED):
                return day
        return None

    return lookup
