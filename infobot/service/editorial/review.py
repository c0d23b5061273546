"""Review: approve and reject. Approval checks every story against every enabled platform
with the code that posts it (invariant 6), and changes nothing unless all pass."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from infobot.domain.accessibility import Finding, unacknowledged, unknown_checks
from infobot.domain.dates import weekday_date
from infobot.domain.errors import Hint, InvalidTransition, Problem, UserError, ValidationFailed
from infobot.domain.render import card_link
from infobot.domain.story import StoryAction, StoryStatus, allowed
from infobot.service.checks import CheckResult
from infobot.service.editorial.cards import ReadCard, read_cards
from infobot.service.editorial.desk import Desk
from infobot.store import stories
from infobot.store.models import Story


@dataclass
class Approval:
    story_id: int
    title: str
    warnings: list[str] = field(default_factory=list)
    already: bool = False
    acknowledged: list[Finding] = field(default_factory=list)  # accessibility warnings


class Review(Desk):
    def approve(
        self, story_ids: Sequence[int], *, actor: str, acknowledge: Iterable[str] = ()
    ) -> list[Approval]:
        """Approve stories that pass every check. Each accessibility warning must be
        acknowledged (``acknowledge`` names its check, or is ``"all"``); what was
        acknowledged goes in the audit trail with the approval."""
        if not actor.strip():
            raise UserError("say who approves", hint=Hint.NAME_ACTOR)
        acknowledge = tuple(acknowledge)
        unknown = unknown_checks(acknowledge)
        if unknown:
            from infobot.domain.accessibility import CHECKS

            raise UserError(
                f"{', '.join(unknown)}: not an accessibility check; acknowledge all, or some of"
                f" {', '.join(CHECKS)}"
            )
        results: list[Approval] = []
        problems: list[str] = []
        card_platforms, links = self._card_links(story_ids)
        cards = read_cards(self.link_cards, links.values()) if self.link_cards and links else {}
        with self.db.write() as session:
            found = [stories.get(session, sid, self.campaign_id) for sid in story_ids]
            checks: dict[int, CheckResult] = {}
            for story in found:
                if story.status == StoryStatus.APPROVED:
                    continue
                refusal = self._refusal(story, actor)
                if refusal is not None:
                    problems.append(f"story #{story.id}: {refusal}")
                    continue
                label = f"story #{story.id}"
                story_input = stories.to_input(story)
                if self.rules.require_consent and not (
                    story_input.consent_by and story_input.consent_date
                ):
                    problems.append(f"{label}: consent_by and consent_date are required")
                if story.pin_date is not None and story.pin_date < self.today():
                    problems.append(
                        f"{label}: it is pinned to {weekday_date(story.pin_date)}, which has "
                        "passed; unpin it or pin it to a new date"
                    )
                picture = self._picture_problem(story_input.image)
                if picture is not None:
                    problems.append(f"{label}: image: {picture}")
                check = self.checker.check(story_input)
                checks[story.id] = check
                problems.extend(f"{label}: {problem}" for problem in check.problems)
                problems.extend(
                    f"{label}: accessibility warning ({f.check}): {f.message}"
                    for f in unacknowledged(check.findings, acknowledge)
                )
            if problems:
                raise ValidationFailed(
                    [Problem("approve", None, "story", p) for p in problems],
                    summary="nothing was approved",
                )
            now = self.now()
            for story in found:
                if story.id not in checks:
                    results.append(Approval(story.id, story.title, already=True))
                    continue
                warnings = list(checks[story.id].warnings)
                acknowledged = checks[story.id].to_acknowledge
                card = self._card_for(story, links, cards)
                if card is not None:
                    card.keep(session, story.id)
                    warnings.extend(card.warnings(card_platforms))
                self.change(
                    session,
                    story,
                    actor=actor,
                    action="story.approved",
                    message="approved" + (f" with {len(warnings)} warning(s)" if warnings else ""),
                    touch=False,
                    status=StoryStatus.APPROVED,
                    approved_by=actor,
                    approved_at=now,
                    status_reason="",
                )
                if acknowledged:
                    self._acknowledged(session, story, acknowledged, actor)
                results.append(Approval(story.id, story.title, warnings, acknowledged=acknowledged))
        return results

    def _acknowledged(
        self, session: Session, story: Story, findings: list[Finding], actor: str
    ) -> None:
        """The accessibility warnings the approver accepted, in the audit trail."""
        checks = sorted({f.check.value for f in findings})
        self.event(
            session,
            actor=actor,
            action="story.accessibility_acknowledged",
            story_id=story.id,
            after={"checks": checks, "findings": [f.message for f in findings]},
            message=f"approved with {len(findings)} accessibility warning(s) acknowledged: "
            + "; ".join(f.message for f in findings),
        )

    def _card_links(self, story_ids: Sequence[int]) -> tuple[list[str], dict[int, str]]:
        """The platforms that show link cards, and the link whose card each story to be
        approved needs (read before the write transaction: a slow site must not hold it)."""
        if self.link_cards is None:
            return [], {}
        platforms = [name for name, rules in self.checker.rules().items() if rules.link_cards]
        if not platforms:
            return [], {}
        links: dict[int, str] = {}
        with self.db.read() as session:
            for story_id in story_ids:
                story = stories.get(session, story_id, self.campaign_id)
                if story.status != StoryStatus.APPROVED and allowed(
                    StoryAction.APPROVE, story.status
                ):
                    link = card_link(stories.to_input(story))
                    if link:
                        links[story.id] = link
        return platforms, links

    def _card_for(
        self, story: Story, links: dict[int, str], cards: dict[str, ReadCard]
    ) -> ReadCard | None:
        """The card read for the story, if its link is still the one that was read."""
        link = links.get(story.id)
        if not link or link not in cards or card_link(stories.to_input(story)) != link:
            return None
        return cards[link]

    def _picture_problem(self, image: str) -> str | None:
        """A local picture must be in the media folder, as it will be when it posts."""
        if not image or image[:8].lower().startswith(("https://", "http://")):
            return None
        if self.media is None:
            return "no media folder is set, so the picture cannot be posted"
        return self.media.check(image)[1]

    def _refusal(self, story: Story, actor: str) -> str | None:
        """Why ``actor`` may not approve the story at all (its status, four eyes)."""
        if not allowed(StoryAction.APPROVE, story.status):
            return f"it is {story.status} and cannot be approved"
        if self.rules.four_eyes and _same_person(actor, story.created_by, story.updated_by):
            return "you added or last edited it, so someone else must approve it (four-eyes rule)"
        return None

    def reject(self, story_id: int, *, reason: str, actor: str) -> Story:
        if not reason.strip():
            raise UserError(
                "give a reason so the author knows what to change", hint=Hint.GIVE_REASON
            )
        with self.db.write() as session:
            story = stories.get(session, story_id, self.campaign_id)
            if not allowed(StoryAction.REJECT, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status} and cannot be rejected"
                )
            self.set_status(
                session,
                story,
                StoryStatus.REJECTED,
                reason.strip(),
                actor=actor,
                approved_by=None,
                approved_at=None,
            )
            return story


def _same_person(actor: str, *others: str) -> bool:
    me = actor.strip().casefold()
    return any(me == other.strip().casefold() for other in others if other)
