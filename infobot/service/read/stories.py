"""Reading stories: the list, one story, the queue page, review, and a story's live posts.

Each query reads one page, never the whole table, so the pages stay fast on a queue of
many thousands of stories.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from infobot.domain.story import StoryStatus
from infobot.domain.validate import validate_record
from infobot.service.checks import StoryChecker
from infobot.service.listing import listing
from infobot.service.read.models import (
    LivePost,
    Paged,
    Preview,
    QueueOverview,
    QueueRow,
    ReviewItem,
    StoryDetail,
    StorySummary,
    clamp_page,
)
from infobot.service.showing import preview_of, show
from infobot.store import deliveries, linkcards, stories
from infobot.store.db import Database
from infobot.store.queries import stories as queries
from infobot.store.rows import StoryBrief, StoryLine

if TYPE_CHECKING:
    from infobot.service.media import MediaFolder


class StoryReads:
    def __init__(
        self,
        db: Database,
        campaign_id: int,
        checker: StoryChecker,
        *,
        require_consent: bool,
        timezone: tzinfo = UTC,
        media: MediaFolder | None = None,
    ) -> None:
        self.db = db
        self.timezone = timezone  # the campaign's: times in the history are said in it
        self.campaign_id = campaign_id
        self.checker = checker
        self.require_consent = require_consent
        self.media = media

    def listing(self, status: str | None = None, limit: int | None = None) -> list[StorySummary]:
        """Queue order first (approved, by position), then everything else newest first."""
        with self.db.reader() as r:
            return listing(r, self.campaign_id, status, limit)

    def show(self, story_id: int) -> StoryDetail:
        return show(self.db.reader, story_id, self.campaign_id, self.checker, self.timezone)

    def status_of(self, story_id: int) -> str:
        with self.db.read() as session:
            return stories.get(session, story_id, self.campaign_id).status

    def position(self, story_id: int) -> int | None:
        """The story's place in the queue (1 = next), or None when it is not in the queue."""
        with self.db.reader() as r:
            story = queries.story(r, story_id, self.campaign_id, StoryBrief)
            return queries.position(
                r, self.campaign_id, story.id, story.status, story.pin_date, story.sort_key
            )

    def queue_page(self, page: int = 1, per_page: int = 50) -> QueueOverview:
        """One page of the queue, the pinned stories and the drafts' count (the read
        side's SQL: four queries, whatever the page holds)."""
        cid = self.campaign_id
        with self.db.reader() as r:
            total = queries.queue_size(r, cid)
            page = clamp_page(page, per_page, total)
            offset = (page - 1) * per_page
            found = queries.queue(r, cid, StoryLine, offset, per_page)
            rows = [QueueRow(offset + n, s) for n, s in enumerate(found, start=1)]
            pinned = queries.approved_pinned(r, cid, StoryLine)
            drafts = queries.count_with_status(r, cid, StoryStatus.DRAFT)
        return QueueOverview(Paged(rows, total, page, per_page), pinned, drafts)

    def review_page(self, page: int = 1, per_page: int = 20) -> Paged[ReviewItem]:
        """Drafts waiting for review, oldest first, each checked against every platform."""
        with self.db.read() as session:
            draft = StoryStatus.DRAFT
            total = stories.count_with_status(session, self.campaign_id, draft)
            page = clamp_page(page, per_page, total)
            found = stories.with_status(
                session, self.campaign_id, draft, offset=(page - 1) * per_page, limit=per_page
            )
            cards = linkcards.of_stories(session, [s.id for s in found])
        items = [
            ReviewItem(s, self.checker.check(stories.to_input(s), cards.get(s.id))) for s in found
        ]
        return Paged(items, total, page, per_page)

    def live_posts(self, story_id: int) -> list[LivePost]:
        """The posts a withdrawal of this story deletes, platform by platform."""
        with self.db.read() as session:
            stories.get(session, story_id, self.campaign_id)
            posts = []
            for d in deliveries.of_story(session, story_id, order_by_platform=True):
                for remote_id in deliveries.live_ids(d):
                    url = d.remote_url if remote_id == d.remote_id else ""
                    posts.append(LivePost(d.platform, remote_id, url, d.sent_at))
        return posts

    def preview_new(self, given: Mapping[str, str]) -> Preview:
        """How a story being added looks on each platform (nothing is saved). Consent is
        not asked for yet: the form checks it when the story is saved."""
        values = {k: v for k, v in given.items() if v.strip()}
        if not values.get("body"):
            return Preview({}, [], [])
        from infobot.service.media import local_pictures

        story_input, problems = validate_record(
            values,
            file="new story",
            line=None,
            require_consent=False,
            images=local_pictures(self.media),
        )
        if story_input is None:
            return Preview({}, [f"{p.field}: {p.message}" for p in problems], [])
        return preview_of(self.checker.check(story_input))

    def preview_edit(self, story_id: int, changes: Mapping[str, str]) -> Preview:
        """How the story looks on each platform with ``changes`` applied (nothing is
        saved), with what stops it and its personal-data warnings."""
        with self.db.read() as session:
            story = stories.get(session, story_id, self.campaign_id)
            card = linkcards.of_stories(session, [story.id]).get(story.id)
        current = stories.to_input(story)
        values: dict[str, object] = {k: v for k, v in current.flat().items() if v not in (None, "")}
        values.update(changes)
        from infobot.service.media import local_pictures

        story_input, problems = validate_record(
            values,
            file=f"story #{story_id}",
            line=None,
            require_consent=self.require_consent,
            images=local_pictures(self.media),
        )
        if story_input is None:
            return Preview({}, [f"{p.field}: {p.message}" for p in problems], [])
        return preview_of(self.checker.check(story_input, card))
