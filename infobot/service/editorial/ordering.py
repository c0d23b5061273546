"""The queue's order: move an approved story to a place, pin a story to a date, unpin it.

Pinned stories take their date's slot; the others go out in queue order (explicit
position, then id). Sort keys are spaced ``GAP`` apart so a move rarely renumbers.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from sqlalchemy.orm import Session

from infobot.domain.dates import weekday_date
from infobot.domain.errors import InvalidTransition, UserError
from infobot.domain.story import StoryAction, allowed
from infobot.service.editorial.desk import Desk
from infobot.store import campaigns, stories
from infobot.store.models import Story
from infobot.store.stories import GAP


class Ordering(Desk):
    def move(self, story_id: int, position: int, *, actor: str) -> Story:
        with self.db.write() as session:
            story = stories.get(session, story_id, self.campaign_id)
            if not allowed(StoryAction.QUEUE, story.status):
                raise InvalidTransition(
                    f"story #{story_id} is {story.status}: only approved stories are in the "
                    "queue, so approve it first"
                )
            if story.pin_date is not None:
                raise InvalidTransition(
                    f"story #{story_id} is pinned to {weekday_date(story.pin_date)}; unpin it "
                    "to place it in the queue"
                )
            campaigns.lock(session, self.campaign_id)
            size, keys = stories.queue_neighbours(session, story, position)
            if not 1 <= position <= size + 1:
                raise UserError(f"position must be between 1 and {size + 1}")
            new_key = self._free_key(session, story, position, keys)
            if new_key is None:
                stories.renumber(session, self.campaign_id)
                _, keys = stories.queue_neighbours(session, story, position)
                new_key = self._free_key(session, story, position, keys)
                assert new_key is not None
            before = {"position": None, "sort_key": story.sort_key}
            story.sort_key = new_key
            self.event(
                session,
                actor=actor,
                action="story.moved",
                story_id=story.id,
                before=before,
                after={"position": position, "sort_key": new_key},
                message=f"moved to position {position}",
            )
            return story

    def _free_key(
        self, session: Session, story: Story, position: int, keys: list[int]
    ) -> int | None:
        """:func:`key_between` the story's would-be neighbours at ``position`` (``keys``:
        theirs, from ``queue_neighbours``), with the keys of the campaign's other stories
        around."""
        if position == 1:
            low, high = None, (keys[0] if keys else None)
        elif len(keys) < 2:
            low, high = keys[-1], None
        else:
            low, high = keys[0], keys[1]
        taken = stories.keys_between(session, self.campaign_id, low, high, story.id)
        return key_between(low, high, taken)

    def pin(self, story_id: int, day: date, *, actor: str) -> Story:
        with self.db.write() as session:
            story = stories.get(session, story_id, self.campaign_id)
            if not allowed(StoryAction.PIN, story.status):
                raise InvalidTransition(f"story #{story_id} is {story.status} and cannot be pinned")
            self.check_pin(session, day, story.id, where="date")
            self._set_pin(session, story, day, actor)
            return story

    def unpin(self, story_id: int, *, actor: str) -> Story:
        with self.db.write() as session:
            story = stories.get(session, story_id, self.campaign_id)
            if story.pin_date is None:
                raise UserError(f"story #{story_id} is not pinned")
            self._set_pin(session, story, None, actor)
            return story

    def _set_pin(self, session: Session, story: Story, day: date | None, actor: str) -> None:
        before = story.pin_date
        story.pin_date = day
        self.event(
            session,
            actor=actor,
            action="story.pinned" if day else "story.unpinned",
            story_id=story.id,
            before={"pin_date": before},
            after={"pin_date": day},
            message=f"pinned to {day.isoformat()}" if day else "unpinned",
        )


def key_between(low: int | None, high: int | None, taken: list[int]) -> int | None:
    """A sort key between the would-be queue neighbours ``low`` and ``high`` (None: no
    neighbour on that side), given, sorted, the keys of the campaign's other stories that
    lie between them (``taken``: drafts, pinned or posted stories, which keep their keys
    for when they come back to the queue). The key is no other story's, so no two stories
    ever share a place (a tie would put a story approved later ahead of one the team
    moved). None: no room between the neighbours (renumber first)."""
    if high is None:  # after the last (or into an empty queue), and after anything above
        return max([key for key in (low, *taken) if key is not None], default=0) + GAP
    if low is None:  # before the first, and before anything below it
        return min([high, *taken]) - GAP
    points = [low, *taken, high]
    width, start = max((b - a, a) for a, b in pairwise(points))
    if width < 2:
        return None
    return start + width // 2
