"""Review: approve and reject. Approval checks every story against every enabled platform
with the code that posts it (invariant 6), and changes nothing unless all pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from infobot.domain.errors import Hint, InvalidTransition, Problem, UserError, ValidationFailed
from infobot.domain.story import StoryAction, StoryStatus, allowed
from infobot.service.checks import CheckResult
from infobot.service.editorial.desk import Desk
from infobot.service.read.previews import to_keep
from infobot.store import renders, stories
from infobot.store.models import Story


@dataclass
class Approval:
    story_id: int
    title: str
    warnings: list[str] = field(default_factory=list)
    already: bool = False


class Review(Desk):
    def approve(self, story_ids: Sequence[int], *, actor: str) -> list[Approval]:
        if not actor.strip():
            raise UserError("say who approves", hint=Hint.NAME_ACTOR)
        results: list[Approval] = []
        problems: list[str] = []
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
                        f"{label}: it is pinned to {story.pin_date.isoformat()}, which has "
                        "passed; unpin it or pin it to a new date"
                    )
                check = self.checker.check(story_input)
                checks[story.id] = check
                problems.extend(f"{label}: {problem}" for problem in check.problems)
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
                check = checks[story.id]
                warnings = check.warnings
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
                # what was approved is what goes out: the preview reads it back from here
                key, payload = to_keep(self.checker, stories.to_input(story), check)
                renders.keep(session, story.id, key, payload, now)
                results.append(Approval(story.id, story.title, warnings))
        return results

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
