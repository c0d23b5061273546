"""Reading stories: the list, one story, the queue page, review, and a story's live posts.

Each query reads one page, never the whole table, so the pages stay fast on a queue of
many thousands of stories.
"""

from __future__ import annotations

from collections.abc import Mapping

from infobot.domain.story import StoryStatus
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
from infobot.service.read.previews import Previews, preview_of
from infobot.store.queries import deliveries, events, stories
from infobot.store.reader import ReadSource
from infobot.store.rows import StoryBrief, StoryRow


class StoryReads:
    def __init__(
        self, source: ReadSource, campaign_id: int, previews: Previews, *, require_consent: bool
    ) -> None:
        self.source = source
        self.campaign_id = campaign_id
        self.previews = previews
        self.checker = previews.checker
        self.require_consent = require_consent

    def listing(self, status: str | None = None, limit: int | None = None) -> list[StorySummary]:
        """Queue order first (approved, by position), then everything else newest first."""
        cid = self.campaign_id
        rows: list[StorySummary] = []
        approved = StoryStatus.APPROVED
        with self.source() as r:
            if status in (None, approved):
                queued = stories.queue(r, cid, StoryBrief, limit=limit)
                pinned = stories.approved_pinned(r, cid, StoryBrief)
                rows.extend(StorySummary.of(s, n) for n, s in enumerate(queued, start=1))
                rows.extend(StorySummary.of(s, None) for s in pinned)
            if status != approved and not (limit and len(rows) >= limit):
                others = stories.with_status(
                    r,
                    cid,
                    StoryBrief,
                    StoryStatus(status) if status else None,
                    but_not=None if status else approved,
                    limit=limit,
                )
                rows.extend(StorySummary.of(s, None) for s in others)
        return rows[:limit] if limit else rows

    def show(self, story_id: int) -> StoryDetail:
        with self.source() as r:
            story = stories.get(r, story_id, self.campaign_id)
            position = stories.queue_position(r, story)
            sent = deliveries.of_story(r, story.id)
            history = events.of_story(r, story.id)
            kept = self.previews.kept(r, [story])
        preview = self.previews.of(story, kept)
        return StoryDetail.of(story, position, sent, history, preview)

    def status_of(self, story_id: int) -> str:
        with self.source() as r:
            return stories.get(r, story_id, self.campaign_id).status

    def position(self, story_id: int) -> int | None:
        """The story's place in the queue (1 = next), or None when it is not in the queue."""
        with self.source() as r:
            return stories.queue_position(r, stories.get(r, story_id, self.campaign_id))

    def queue_page(self, page: int = 1, per_page: int = 50) -> QueueOverview:
        cid = self.campaign_id
        with self.source() as r:
            total = stories.queue_size(r, cid)
            page = clamp_page(page, per_page, total)
            offset = (page - 1) * per_page
            found = stories.queue(r, cid, StoryRow, offset, per_page)
            rows = [QueueRow(offset + n, s) for n, s in enumerate(found, start=1)]
            pinned = stories.approved_pinned(r, cid, StoryRow)
            drafts = stories.count_with_status(r, cid, StoryStatus.DRAFT)
        return QueueOverview(Paged(rows, total, page, per_page), pinned, drafts)

    def review_page(self, page: int = 1, per_page: int = 20) -> Paged[ReviewItem]:
        """Drafts waiting for review, oldest first, each checked against every platform."""
        with self.source() as r:
            draft = StoryStatus.DRAFT
            total = stories.count_with_status(r, self.campaign_id, draft)
            page = clamp_page(page, per_page, total)
            found = stories.with_status(
                r, self.campaign_id, StoryRow, draft, offset=(page - 1) * per_page, limit=per_page
            )
        items = [ReviewItem(s, self.checker.check(stories.to_input(s))) for s in found]
        return Paged(items, total, page, per_page)

    def live_posts(self, story_id: int) -> list[LivePost]:
        """The posts a withdrawal of this story deletes, platform by platform."""
        with self.source() as r:
            stories.get(r, story_id, self.campaign_id)
            posts = []
            for d in deliveries.of_story(r, story_id, order_by_platform=True):
                for remote_id in deliveries.live_ids(d):
                    url = d.remote_url if remote_id == d.remote_id else ""
                    posts.append(LivePost(d.platform, remote_id, url, d.sent_at))
        return posts

    def preview_edit(self, story_id: int, changes: Mapping[str, str]) -> Preview:
        """How the story looks on each platform with ``changes`` applied (nothing is
        saved), with what stops it and its personal-data warnings."""
        with self.source() as r:
            story = stories.get(r, story_id, self.campaign_id)
        current = stories.to_input(story)
        values: dict[str, object] = {
            k: v for k, v in current.__dict__.items() if v not in (None, "")
        }
        values.update(changes)
        from infobot.domain.validate import validate_record
        from infobot.service.media import local_pictures

        story_input, problems = validate_record(
            values,
            file=f"story #{story_id}",
            line=None,
            require_consent=self.require_consent,
            images=local_pictures(),
        )
        if story_input is None:
            return Preview({}, [f"{p.field}: {p.message}" for p in problems], [])
        return preview_of(self.checker.check(story_input))
