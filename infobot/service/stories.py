"""Shared story helpers for the services: lookups, conversions, platform checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from infobot.domain.errors import NotFound
from infobot.domain.pii import find_personal_data
from infobot.domain.render import PlatformRules, Rendered, RenderOptions, render
from infobot.domain.story import StoryInput, StoryStatus
from infobot.store.models import Campaign, Story

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement


def to_input(story: Story) -> StoryInput:
    return StoryInput(
        body=story.body,
        title=story.title,
        author=story.author,
        role=story.role,
        organisation=story.organisation,
        link=story.link,
        image=story.image,
        image_alt=story.image_alt,
        language=story.language,
        consent_by=story.consent_by,
        consent_date=story.consent_date,
        consent_scope=story.consent_scope,
        pin_date=story.pin_date,
        notes=story.notes,
    )


def get_story(session: Session, story_id: int, campaign_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None or story.campaign_id != campaign_id:
        raise NotFound(f"there is no story #{story_id} (see `infobot stories list`)")
    return story


def lock_campaign(session: Session, campaign_id: int) -> None:
    """Serialise writers that allocate queue positions for this campaign.

    SQLite's BEGIN IMMEDIATE already does; on PostgreSQL this takes the campaign row lock.
    """
    session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())


def queue_filter(campaign_id: int) -> ColumnElement[bool]:
    """Approved stories waiting in the ordered queue (not pinned to a date)."""
    return and_(
        Story.campaign_id == campaign_id,
        Story.status == StoryStatus.APPROVED.value,
        Story.pin_date.is_(None),
    )


QUEUE_ORDER = (Story.sort_key, Story.id)


def queue_position(session: Session, story: Story) -> int | None:
    """1-based place in the queue, or None for stories not in it."""
    if story.status != StoryStatus.APPROVED.value or story.pin_date is not None:
        return None
    ahead = session.scalar(
        select(func.count())
        .select_from(Story)
        .where(
            queue_filter(story.campaign_id),
            or_(
                Story.sort_key < story.sort_key,
                and_(Story.sort_key == story.sort_key, Story.id < story.id),
            ),
        )
    )
    return int(ahead or 0) + 1


def pinned_on(session: Session, campaign_id: int, day: date) -> Story | None:
    return session.scalar(
        select(Story).where(Story.campaign_id == campaign_id, Story.pin_date == day)
    )


@dataclass
class CheckResult:
    """What a story looks like on each enabled platform, and what stops it going out."""

    rendered: dict[str, Rendered] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_story(
    story: StoryInput, rules: dict[str, PlatformRules], options: RenderOptions
) -> CheckResult:
    """Render for every platform with the posting renderer and look for personal data."""
    result = CheckResult()
    for name, platform_rules in rules.items():
        rendered = render(story, platform_rules, options)
        result.rendered[name] = rendered
        result.problems.extend(f"{name}: {problem}" for problem in rendered.problems)
    seen: set[tuple[str, str]] = set()
    for text in (story.title, story.body, story.notes, story.image_alt):
        for hit in find_personal_data(text):
            if (hit.kind, hit.text) not in seen:
                seen.add((hit.kind, hit.text))
                result.warnings.append(
                    f"looks like personal data ({hit.kind}: {hit.text!r}); check consent "
                    "covers it or remove it"
                )
    return result
