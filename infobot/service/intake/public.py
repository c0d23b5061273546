"""The campaign's public page and Atom feed: every posted story, newest first, in full.

Each story shows its storyteller as the posts do (the story's author, role and
organisation: for a story from the share form, only what its storyteller agreed to show),
its day, its picture with the alt text, and a link to each platform's post. A withdrawn
story is no longer ``posted``, so it leaves the page and the feed at the same moment.
:meth:`PublicStories.version` is cheap (two aggregate queries), so the web page answers a
conditional request without building the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from infobot.domain.errors import NotFound
from infobot.service.media import MediaFolder
from infobot.store import campaigns, intake
from infobot.store.db import Database


@dataclass(frozen=True)
class PublicPost:
    platform: str  # as people name it: "Mastodon"
    url: str


@dataclass(frozen=True)
class PublicStory:
    id: int
    day: date | None
    updated_at: datetime
    body: str
    storyteller: str  # "Jo Bloggs, Paramedic, North West Ambulance Service" or ""
    image: str  # its name in the media folder (served by the page), or "" / an https URL
    image_alt: str
    posts: tuple[PublicPost, ...]


@dataclass(frozen=True)
class PublicVersion:
    etag: str  # a strong validator of the page's content
    updated_at: datetime | None  # the latest change to any story shown


@dataclass(frozen=True)
class PublicPage:
    campaign: str
    hashtag: str
    version: PublicVersion
    stories: tuple[PublicStory, ...]


def _storyteller(author: str, role: str, organisation: str) -> str:
    parts = (" ".join(part.split()) for part in (author, role, organisation))
    return ", ".join(part for part in parts if part)


class PublicStories:
    def __init__(
        self,
        db: Database,
        campaign_id: int,
        media: MediaFolder | None,
        platform_names: Callable[[str], str] = str,
    ) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.media = media
        self._names = platform_names

    def version(self) -> PublicVersion:
        with self.db.read() as session:
            count, latest = intake.public_marker(session, self.campaign_id)
        basis = f"{self.campaign_id}:{count}:{latest.isoformat() if latest else '-'}"
        return PublicVersion(hashlib.sha256(basis.encode()).hexdigest()[:32], latest)

    def page(self) -> PublicPage:
        version = self.version()
        with self.db.read() as session:
            campaign = campaigns.get(session, self.campaign_id)
            found = intake.posted(session, self.campaign_id)
            stories = tuple(
                PublicStory(
                    id=row.story.id,
                    day=row.day,
                    updated_at=row.story.updated_at,
                    body=row.story.body,
                    storyteller=_storyteller(
                        row.story.author, row.story.role, row.story.organisation
                    ),
                    image=row.story.image,
                    image_alt=row.story.image_alt,
                    posts=tuple(
                        PublicPost(self._names(d.platform), d.remote_url)
                        for d in row.posts
                        if d.remote_url
                    ),
                )
                for row in found
            )
            return PublicPage(campaign.name, campaign.hashtag, version, stories)

    def picture(self, name: str) -> tuple[bytes, str]:
        """A picture shown on the page, without its metadata, and its type: only a posted
        story's picture is served, never any other file of the media folder."""
        from infobot.platforms.images import sniff
        from infobot.platforms.metadata import strip

        if self.media is None:
            raise NotFound("there is no such picture")
        with self.db.read() as session:
            shown = intake.posted_image(session, self.campaign_id, name)
        path = self.media.locate(name) if shown else None
        if path is None or path.stat().st_size > self.media.max_bytes:
            raise NotFound("there is no such picture")
        data = path.read_bytes()
        mime = sniff(data)
        if mime is None:
            raise NotFound("there is no such picture")
        return strip(data, mime), mime
