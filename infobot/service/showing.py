"""``infobot stories show`` and the story page: a story, how it looks on each platform, its
deliveries and its history.

One implementation for both paths, as :mod:`infobot.service.listing`: the full application
runs :func:`show` on its engine's connection (``Database.reader``), the lean path
(``infobot.lean``) on the driver alone. It imports no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Protocol

from infobot.domain.versions import Version
from infobot.service.checks import CheckResult, StoryChecker
from infobot.service.listing import StoryLine, StorySummary, summary
from infobot.service.read.previews import FindingView, Preview, RenderedView
from infobot.service.telling import AuditEvent, told
from infobot.store.queries import stories, story_page
from infobot.store.reader import ReadSource
from infobot.store.rows import StoryRow


@dataclass(frozen=True)
class DeliveryLine:
    platform: str
    status: str
    url: str
    error: str


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    action: str
    message: str
    text: str = ""  # the event as a sentence (infobot.domain.audit_text)


class _Story(StoryLine, Protocol):
    """A whole story: the model, or :class:`~infobot.store.rows.StoryRow`."""

    @property
    def body(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def link(self) -> str: ...
    @property
    def image(self) -> str: ...
    @property
    def image_alt(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def consent_by(self) -> str: ...
    @property
    def consent_scope(self) -> str: ...
    @property
    def notes(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def status_reason(self) -> str: ...
    @property
    def created_by(self) -> str: ...
    @property
    def updated_by(self) -> str: ...
    @property
    def consent_date(self) -> date | None: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def approved_at(self) -> datetime | None: ...
    @property
    def essential_reason(self) -> str: ...
    @property
    def essential_by(self) -> str: ...
    @property
    def versions(self) -> str: ...


class _Delivery(Protocol):
    @property
    def platform(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def remote_url(self) -> str: ...
    @property
    def error(self) -> str: ...


class _Event(AuditEvent, Protocol):
    @property
    def at(self) -> datetime: ...


@dataclass(frozen=True)
class StoryDetail(StorySummary):
    """``infobot stories show`` and the story page."""

    body: str
    role: str
    link: str
    image: str
    image_alt: str
    language: str
    consent_by: str
    consent_scope: str
    notes: str
    source: str
    status_reason: str
    created_by: str
    updated_by: str
    consent_date: date | None
    updated_at: datetime
    approved_at: datetime | None
    deliveries: list[DeliveryLine]
    history: list[HistoryLine]
    platforms: dict[str, RenderedView]
    problems: list[str]
    warnings: list[str]
    #: The story in other languages (``title_cy``, ``body_cy``, ``image_alt_cy``...).
    versions: list[Version]
    #: Accessibility findings: each warning is acknowledged at approval.
    accessibility: list[FindingView]
    #: Why an approver marked it to go out inside a pre-election period ("" when not).
    essential_reason: str
    essential_by: str

    @classmethod
    def of(  # type: ignore[override]
        cls,
        story: _Story,
        position: int | None,
        deliveries: Sequence[_Delivery],
        events: Sequence[_Event],
        preview: Preview,
        tz: tzinfo = UTC,
    ) -> StoryDetail:
        return cls(
            **summary(story, position),
            body=story.body,
            role=story.role,
            link=story.link,
            image=story.image,
            image_alt=story.image_alt,
            language=story.language,
            consent_by=story.consent_by,
            consent_scope=story.consent_scope,
            notes=story.notes,
            source=story.source,
            status_reason=story.status_reason,
            created_by=story.created_by,
            updated_by=story.updated_by,
            consent_date=story.consent_date,
            updated_at=story.updated_at,
            approved_at=story.approved_at,
            deliveries=[
                DeliveryLine(d.platform, d.status, d.remote_url, d.error) for d in deliveries
            ],
            history=[
                HistoryLine(e.at, e.actor, e.action, e.message, told(e, tz)[0]) for e in events
            ],
            platforms=preview.platforms,
            problems=preview.problems,
            warnings=preview.warnings,
            versions=list(stories.versions_of(story.versions)),
            accessibility=preview.accessibility,
            essential_reason=story.essential_reason,
            essential_by=story.essential_by,
        )


def preview_of(check: CheckResult) -> Preview:
    platforms = {name: RenderedView.of(r) for name, r in check.rendered.items()}
    findings = [FindingView.of(f) for f in check.findings]
    return Preview(platforms, check.problems, check.warnings, findings)


def show(
    read: ReadSource, story_id: int, campaign_id: int, checker: StoryChecker, tz: tzinfo = UTC
) -> StoryDetail:
    """The campaign's story ``story_id`` (``NotFound`` when there is none), checked against
    every enabled platform after the read; times in its history are said in ``tz``."""
    with read() as r:
        story = stories.story(r, story_id, campaign_id, StoryRow)
        position = stories.position(
            r, campaign_id, story.id, story.status, story.pin_date, story.sort_key
        )
        sent = story_page.deliveries(r, story.id)
        history = story_page.history(r, story.id)
        card = story_page.card(r, story.id)
    preview = preview_of(checker.check(stories.to_input(story), card))
    return StoryDetail.of(story, position, sent, history, preview, tz)
