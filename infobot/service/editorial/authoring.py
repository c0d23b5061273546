"""Adding and editing stories. An edit sends an approved story back to draft (the domain's
lifecycle rule), so what was approved is what goes out."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from infobot.domain.errors import InvalidTransition, UserError, ValidationFailed
from infobot.domain.story import (
    StoryAction,
    StoryInput,
    StoryStatus,
    allowed,
    status_after_edit,
)
from infobot.domain.validate import validate_record
from infobot.service import audit
from infobot.service.editorial.desk import Desk
from infobot.service.media import local_pictures
from infobot.store import campaigns, stories
from infobot.store.models import Story


class Authoring(Desk):
    def add(self, data: Mapping[str, object], *, actor: str, source: str = "cli") -> Story:
        story_input = self._valid(data, file=source)
        with self.db.write() as session:
            duplicate = stories.duplicate_of(session, self.campaign_id, story_input.fingerprint())
            if duplicate is not None:
                raise UserError(f"this story is already in the queue as story #{duplicate.id}")
            if story_input.pin_date is not None:
                self.check_pin(session, story_input.pin_date, None)
            story = self._new(session, story_input, actor=actor, source=source)
            session.flush()
            self.event(
                session,
                actor=actor,
                action="story.added",
                story_id=story.id,
                after=audit.snapshot(story),
                message=f"added from {source}",
            )
            return story

    def _new(self, session: Session, story: StoryInput, *, actor: str, source: str) -> Story:
        campaigns.lock(session, self.campaign_id)
        row = stories.new_row(
            self.campaign_id,
            story,
            sort_key=stories.next_sort_key(session, self.campaign_id),
            actor=actor,
            source=source,
            now=self.now(),
        )
        session.add(row)
        return row

    def _valid(self, data: Mapping[str, object], *, file: str) -> StoryInput:
        story, problems = validate_record(
            data,
            file=file,
            line=None,
            require_consent=self.rules.require_consent,
            images=local_pictures(self.media),
        )
        if problems or story is None:
            raise ValidationFailed(problems)
        return story

    def edit(self, story_id: int, changes: Mapping[str, object], *, actor: str) -> Story:
        with self.db.write() as session:
            story = stories.get(session, story_id, self.campaign_id)
            if not allowed(StoryAction.EDIT, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status} and can no longer be edited"
                )
            current = stories.to_input(story)
            merged: dict[str, object] = {
                k: v for k, v in current.flat().items() if v not in (None, "")
            }
            merged.update(changes)
            merged = {k: v for k, v in merged.items() if v is not None}
            updated = self._valid(merged, file=f"story #{story_id}")
            if updated == current:
                return story
            if updated.fingerprint() != story.fingerprint:
                duplicate = stories.duplicate_of(session, self.campaign_id, updated.fingerprint())
                if duplicate is not None and duplicate.id != story.id:
                    raise UserError(
                        f"after this edit it would be the same as story #{duplicate.id}"
                    )
            if updated.pin_date is not None and updated.pin_date != story.pin_date:
                self.check_pin(session, updated.pin_date, story.id)
            message, values = "edited", stories.columns(updated)
            after = status_after_edit(story.status)
            if after != story.status:
                message = f"edited after approval: back to {after} for review"
                if story.status == StoryStatus.SUBMITTED:
                    message = "edited by the team: the story from the share form is a draft now"
                values.update(status=after, approved_by=None, approved_at=None)
            self.change(
                session,
                story,
                actor=actor,
                action="story.edited",
                message=message,
                fingerprint=updated.fingerprint(),
                updated_by=actor,
                **values,
            )
            return story
