"""Writing a post: its record, its embed (pictures or a link card), and its gates.

**One embed.** A Bluesky post has one ``embed``: pictures (``app.bsky.embed.images``) or a
link card (``app.bsky.embed.external``); ``recordWithMedia`` joins media to a quoted post,
never to a card. Rendering has already settled which (:mod:`infobot.domain.render.linking`):
a post with a picture never carries a card.

**Gates in the same write.** Who may reply is a ``app.bsky.feed.threadgate`` record and
quoting is turned off by a ``app.bsky.feed.postgate`` record, each with the post's own
record key. When either is wanted, the post and its gates go in one
``com.atproto.repo.applyWrites`` call, which the PDS commits atomically: there is never a
moment when the post is live without them, and a post that exists always has them (so a
post found by ``lookup`` after a crash needs nothing more). The record key is a TID made
here, since the gates must name it before the PDS has seen the post. The threadgate goes on
the thread's first post only (it governs the whole thread; its author can always reply);
the postgate on every part.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from infobot.domain.errors import PermanentError, PlatformError
from infobot.domain.render import Post
from infobot.domain.replies import Audience, WhoCanQuote, WhoCanReply
from infobot.platforms.base import Published
from infobot.platforms.bluesky.errors import NAME, Translator, record_missing
from infobot.platforms.bluesky.records import (
    POST_COLLECTION,
    at_parts,
    facet_models,
    split_remote_id,
)
from infobot.platforms.common import Image

if TYPE_CHECKING:
    from infobot.domain.render.types import Card

T = TypeVar("T")

THREADGATE = "app.bsky.feed.threadgate"
POSTGATE = "app.bsky.feed.postgate"
MAX_THUMB_BYTES = 1_000_000  # app.bsky.embed.external#external thumb: maxSize
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"


def new_tid(now: datetime) -> str:
    """A record key in the TID format: 53 bits of microseconds since 1970, then 10 random
    bits (the "clock id"), in sortable base32, 13 characters."""
    micros = int(now.timestamp() * 1_000_000)
    value = (micros << 10) | secrets.randbelow(1024)
    out = []
    for _ in range(13):
        out.append(_TID_CHARS[value & 31])
        value >>= 5
    return "".join(reversed(out))


class Posting:
    """The posting half of ``BlueskyPlatform`` (which provides the attributes below)."""

    _did: str
    _errors: Translator
    _last_call: str
    _roots: dict[str, tuple[str, str]]
    _audience: Audience

    def _call(self, action: str, call: Callable[[Any], T], *, raw: bool = False) -> T:
        raise NotImplementedError  # pragma: no cover - BlueskyPlatform._call

    def _now(self) -> datetime:
        raise NotImplementedError  # pragma: no cover - BlueskyPlatform._now

    # ------------------------------------------------------------------ the record

    def _write(self, post: Post, *, reply: Any, embed: Any, langs: list[str]) -> tuple[str, str]:
        """Create the post (with its gates, when any are wanted): its URI and CID."""
        facets = facet_models(post.text, post.links) or None
        gates = self._gates(first=reply is None)
        if not gates:
            created = self._call(
                "publish the post",
                lambda client: client.send_post(
                    post.text,
                    profile_identify=self._did,
                    reply_to=reply,
                    embed=embed,
                    langs=langs,
                    facets=facets,
                ),
            )
            return str(created.uri), str(created.cid)
        from atproto import models

        now = self._now()
        rkey = new_tid(now)
        uri = f"at://{self._did}/{POST_COLLECTION}/{rkey}"
        record = models.AppBskyFeedPost.Record(
            created_at=_iso(now),
            text=post.text,
            reply=reply,
            embed=embed,
            langs=langs,
            facets=facets,
        )
        records = [(POST_COLLECTION, record), *self._gate_records(gates, uri, now)]
        writes = [
            models.ComAtprotoRepoApplyWrites.Create(collection=collection, rkey=rkey, value=value)
            for collection, value in records
        ]
        answer = self._call(
            "publish the post",
            lambda client: client.com.atproto.repo.apply_writes(
                models.ComAtprotoRepoApplyWrites.Data(repo=self._did, writes=writes)
            ),
        )
        for result in getattr(answer, "results", None) or ():
            if getattr(result, "uri", None) == uri and getattr(result, "cid", None):
                return uri, str(result.cid)
        found = self._call(  # a PDS may answer without results: ask for the CID
            "read the post just made",
            lambda client: client.app.bsky.feed.post.get(self._did, rkey),
        )
        return uri, str(found.cid)

    def _gates(self, *, first: bool) -> list[str]:
        wanted = []
        if first and self._audience.limits_replies:
            wanted.append(THREADGATE)
        if self._audience.limits_quotes:
            wanted.append(POSTGATE)
        return wanted

    def _gate_records(self, gates: list[str], uri: str, now: datetime) -> list[tuple[str, Any]]:
        """The threadgate and postgate records for the post at ``uri``."""
        from atproto import models

        records: list[tuple[str, Any]] = []
        if THREADGATE in gates:
            rule = {
                WhoCanReply.MENTIONED: models.AppBskyFeedThreadgate.MentionRule,
                WhoCanReply.FOLLOWERS: models.AppBskyFeedThreadgate.FollowerRule,
                WhoCanReply.FOLLOWING: models.AppBskyFeedThreadgate.FollowingRule,
            }
            allow = [rule[c]() for c in self._audience.replies or () if c in rule]
            gate = models.AppBskyFeedThreadgate.Record(post=uri, created_at=_iso(now), allow=allow)
            records.append((THREADGATE, gate))
        if POSTGATE in gates and self._audience.quotes == WhoCanQuote.NOBODY:
            disable = models.AppBskyFeedPostgate.DisableRule()
            gate = models.AppBskyFeedPostgate.Record(
                post=uri, created_at=_iso(now), embedding_rules=[disable]
            )
            records.append((POSTGATE, gate))
        return records

    def _delete_gates(self, uri: str) -> None:
        """Delete the gates a post may have (a missing record is not an error)."""
        repo, _collection, rkey = at_parts(uri)
        for collection in (THREADGATE, POSTGATE):
            where = {"repo": repo, "collection": collection, "rkey": rkey}

            def delete(client: Any, where: dict[str, str] = where) -> Any:
                return client.com.atproto.repo.delete_record(where)

            self._call("delete the post's reply and quote settings", delete)

    # ------------------------------------------------------------------ embeds

    def _embed(self, post: Post, image: Image | None) -> Any:
        from atproto import models

        if image is not None:
            picture = self._upload_image(image, post.image_alt)
            return models.AppBskyEmbedImages.Main(images=[picture])
        if post.card is not None:
            return self._card_embed(post.card)
        return None

    def _card_embed(self, card: Card) -> Any:
        from atproto import models

        thumb = None
        if card.thumb and len(card.thumb) <= MAX_THUMB_BYTES:
            thumb = self._upload_blob(card.thumb, card.thumb_mime or "image/jpeg")
        return models.AppBskyEmbedExternal.Main(
            external=models.AppBskyEmbedExternal.External(
                uri=card.uri or card.url,
                title=card.title,
                description=card.description,
                thumb=thumb,
            )
        )

    def _upload_blob(self, data: bytes, mime: str) -> Any:
        from atproto import models
        from atproto_client.models.utils import get_response_model

        # Not client.upload_blob(): it hands raw bytes to httpx as ``data=``, which httpx
        # 0.28 deprecates; ``content=`` is the same request without the warning.
        response = self._call(
            "upload the picture",
            lambda client: client.invoke_procedure(
                "com.atproto.repo.uploadBlob",
                content=data,
                input_encoding=mime,
                output_encoding="application/json",
            ),
        )
        return get_response_model(response, models.ComAtprotoRepoUploadBlob.Response).blob

    def _upload_image(self, image: Image, alt: str) -> Any:
        from atproto import models

        blob = self._upload_blob(image.data, image.mime)
        ratio = None
        if image.size is not None:
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=image.size[0], height=image.size[1])
        return models.AppBskyEmbedImages.Image(alt=alt, image=blob, aspect_ratio=ratio)

    # ------------------------------------------------------------------ replies

    def _reply_ref(self, parent: Published) -> Any:
        from atproto import models

        uri, cid = split_remote_id(parent.remote_id)
        root = self._roots.get(uri)
        if cid is None or root is None:
            repo, _collection, rkey = at_parts(uri)
            try:
                found = self._call(
                    "read the post this part replies to",
                    lambda client: client.app.bsky.feed.post.get(repo, rkey),
                    raw=True,
                )
            except PlatformError:
                raise
            except Exception as exc:
                if record_missing(exc):
                    raise PermanentError(
                        "the Bluesky post this thread part replies to no longer exists"
                        f" ({uri}); the thread cannot be continued",
                        platform=NAME,
                    ) from exc
                raise self._errors(
                    exc, "read the post this part replies to", last_call=self._last_call
                ) from exc
            cid = cid or str(found.cid)
            reply = getattr(found.value, "reply", None)
            root = (str(reply.root.uri), str(reply.root.cid)) if reply else (uri, cid)
        return models.AppBskyFeedPost.ReplyRef(
            root=models.ComAtprotoRepoStrongRef.Main(uri=root[0], cid=root[1]),
            parent=models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid),
        )


def _iso(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
