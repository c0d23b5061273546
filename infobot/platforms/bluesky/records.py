"""Post records: remote ids (``at://`` URI and CID), facets, and text read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from infobot.domain.errors import PermanentError
from infobot.domain.render import facets

POST_COLLECTION = "app.bsky.feed.post"
_SEPARATOR = "|"


def join_remote_id(uri: str, cid: str) -> str:
    """``Published.remote_id`` for a post: its ``at://`` URI and CID (see the package doc)."""
    return f"{uri}{_SEPARATOR}{cid}"


def split_remote_id(remote_id: str) -> tuple[str, str | None]:
    """``(uri, cid)`` from a remote id; the CID is None for a bare ``at://`` URI."""
    uri, _, cid = remote_id.strip().partition(_SEPARATOR)
    if not uri.startswith("at://") or uri.count("/") < 4:
        raise PermanentError(
            f"{remote_id!r} is not a Bluesky post id (expected at://did/{POST_COLLECTION}/key)",
            platform="bluesky",
        )
    return uri, cid or None


def at_parts(uri: str) -> tuple[str, str, str]:
    """``(repo, collection, rkey)`` of an ``at://`` URI."""
    repo, collection, rkey = uri.removeprefix("at://").split("/", 2)
    return repo, collection, rkey


def facet_models(text: str, links: Sequence[tuple[str, str]] = ()) -> list[Any]:
    """The tag and link facets of ``text`` as SDK models (UTF-8 byte offsets); ``links``:
    what a link opens when that is not its text (``Post.links``)."""
    from atproto import models

    found = []
    for facet in facets(text, dict(links)):
        feature = (
            models.AppBskyRichtextFacet.Tag(tag=facet.value)
            if facet.kind == "tag"
            else models.AppBskyRichtextFacet.Link(uri=facet.value)
        )
        found.append(
            models.AppBskyRichtextFacet.Main(
                features=[feature],
                index=models.AppBskyRichtextFacet.ByteSlice(
                    byte_start=facet.byte_start, byte_end=facet.byte_end
                ),
            )
        )
    return found


def record_text(record: Any) -> str | None:
    """The ``text`` of a post record (an SDK model or a plain mapping), if it has one."""
    text = record.get("text") if isinstance(record, Mapping) else getattr(record, "text", None)
    return text if isinstance(text, str) else None


def record_parent(record: Any) -> str:
    """The remote id of the post a post record replies to ("" when it replies to none)."""
    reply = record.get("reply") if isinstance(record, Mapping) else getattr(record, "reply", None)
    if not reply:
        return ""
    parent = reply.get("parent") if isinstance(reply, Mapping) else getattr(reply, "parent", None)
    if parent is None:
        return ""
    uri = parent.get("uri") if isinstance(parent, Mapping) else getattr(parent, "uri", "")
    cid = parent.get("cid") if isinstance(parent, Mapping) else getattr(parent, "cid", "")
    return join_remote_id(str(uri), str(cid)) if cid else str(uri)
