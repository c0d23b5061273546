"""The campaign's public page (``/stories/CAMPAIGN``) and its Atom feed
(``/stories/CAMPAIGN/feed.atom``), for followers: no account, no cookie.

Both are cached by browsers and proxies and revalidated every time (``Cache-Control:
public, no-cache`` with an ``ETag`` and ``Last-Modified``), so a withdrawn story leaves
both at once, and an unchanged page costs two small queries and a 304. The page itself is
kept in memory for as long as its version stays the same.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

from starlette.responses import Response

from infobot.domain.errors import NotFound
from infobot.service.intake.public import PublicPage as PublicData
from infobot.service.intake.public import PublicVersion
from infobot.web.public import PublicPage, Visit

if TYPE_CHECKING:
    from infobot.web.core import Web

CACHE = "public, no-cache"
ATOM = "http://www.w3.org/2005/Atom"


def _campaign(visit: Visit) -> tuple[int, str]:
    found = visit.app.intake_switches(visit.param("campaign"))
    if found is None or not found.public_page:
        raise NotFound("There is no page here. Check the address, or ask the campaign team.")
    return found.campaign_id, found.name


def _validators(version: PublicVersion) -> dict[str, str]:
    headers = {"etag": f'"{version.etag}"', "cache-control": CACHE, "vary": "Accept-Encoding"}
    if version.updated_at is not None:
        headers["last-modified"] = format_datetime(version.updated_at.astimezone(UTC), usegmt=True)
    return headers


def _unchanged(visit: Visit, version: PublicVersion) -> bool:
    """Whether the browser's copy is current (If-None-Match first, as HTTP says)."""
    headers = visit.request.headers
    match = headers.get("if-none-match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return f'"{version.etag}"' in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since and version.updated_at is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return when.tzinfo is not None and version.updated_at.replace(microsecond=0) <= when
    return False


async def _cached(visit: Visit, kind: str, media_type: str, build: str) -> Response:
    campaign_id, _ = _campaign(visit)
    stories = visit.app.public_stories(campaign_id)
    version = await visit.call(stories.version)
    headers = _validators(version)
    if _unchanged(visit, version):
        return Response(status_code=304, headers=headers)
    key = (campaign_id, kind, version.etag)
    pages = visit.web.public_pages
    body = pages.get(key)
    if body is None:
        data = await visit.call(stories.page)
        body = _page_html(visit, data) if build == "page" else _feed_xml(visit, data)
        for old in [k for k in pages if k[:2] == key[:2]]:
            del pages[old]
        pages[key] = body
    return Response(body, media_type=media_type, headers=headers)


def _base(visit: Visit) -> str:
    return visit.app.settings.web_public_url or str(visit.request.base_url).rstrip("/")


def _page_html(visit: Visit, data: PublicData) -> bytes:
    path = f"/stories/{visit.param('campaign')}"
    response = visit.render(
        "public_stories.html",
        title=f"Stories from {data.campaign}",
        page=data,
        here=path,
        feed=f"{path}/feed.atom",
    )
    return bytes(response.body)


def _feed_xml(visit: Visit, data: PublicData) -> bytes:
    base = _base(visit)
    page_url = f"{base}/stories/{visit.param('campaign')}"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    updated = data.version.updated_at or datetime(2000, 1, 1, tzinfo=UTC)
    add(feed, "title", f"Stories from {data.campaign} {data.hashtag}")
    add(feed, "id", page_url)
    add(feed, "updated", updated.astimezone(UTC).isoformat())
    add(feed, "link", rel="alternate", type="text/html", href=page_url)
    add(feed, "link", rel="self", type="application/atom+xml", href=f"{page_url}/feed.atom")
    author = add(feed, "author")
    add(author, "name", f"The {data.campaign} campaign team")
    for story in data.stories:
        entry = add(feed, "entry")
        first = " ".join(story.body.split())
        add(entry, "title", first if len(first) <= 80 else first[:79] + "…")
        add(entry, "id", f"{page_url}#story-{story.id}")
        published = (
            datetime.combine(story.day, time(0), tzinfo=UTC) if story.day else story.updated_at
        )
        add(entry, "published", published.astimezone(UTC).isoformat())
        add(entry, "updated", story.updated_at.astimezone(UTC).isoformat())
        add(entry, "link", rel="alternate", type="text/html", href=f"{page_url}#story-{story.id}")
        text = story.body + (f"\n\n— {story.storyteller}" if story.storyteller else "")
        for post in story.posts:
            text += f"\n{post.platform}: {post.url}"
        add(entry, "content", text, type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


async def stories_page(visit: Visit) -> Response:
    return await _cached(visit, "page", "text/html; charset=utf-8", "page")


async def stories_feed(visit: Visit) -> Response:
    return await _cached(visit, "feed", "application/atom+xml; charset=utf-8", "feed")


async def picture(visit: Visit) -> Response:
    campaign_id, _ = _campaign(visit)
    stories = visit.app.public_stories(campaign_id)
    data, mime = await visit.call(stories.picture, visit.param("name"))
    etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
    headers = {"etag": etag, "cache-control": CACHE}
    if visit.request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=mime, headers=headers)


def routes(web: Web) -> list[PublicPage]:
    return [
        PublicPage(web, "/stories/{campaign}", stories_page),
        PublicPage(web, "/stories/{campaign}/feed.atom", stories_feed),
        PublicPage(web, "/stories/{campaign}/pictures/{name:path}", picture),
    ]
