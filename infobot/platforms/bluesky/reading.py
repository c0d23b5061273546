"""Bluesky's engagement read, for :class:`~infobot.platforms.bluesky.BlueskyPlatform`.

Counts come from ``app.bsky.feed.getPosts`` (25 URIs at a time), which the PDS answers
through its AppView; a post the answer leaves out is looked up as a record on the PDS, and
only ``RecordNotFound`` makes it gone (else it is unknown this time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from infobot.domain.engagement import Counts
from infobot.domain.errors import PlatformError
from infobot.platforms.bluesky.errors import record_missing
from infobot.platforms.bluesky.records import at_parts, split_remote_id
from infobot.platforms.metrics_parse import BLUESKY_BATCH, MetricsPage, parse_bluesky

if TYPE_CHECKING:
    from infobot.platforms.bluesky.errors import Translator

T = TypeVar("T")


class CountsReader:
    metrics_batch = BLUESKY_BATCH

    if TYPE_CHECKING:
        _errors: Translator
        _last_call: str

        def _call(self, action: str, call: Callable[[Any], T], *, raw: bool = False) -> T: ...

    def metrics(self, remote_ids: Sequence[str], *, recent: int | None = None) -> MetricsPage:
        """Counts through ``getPosts``; a post it leaves out is gone only when the PDS has no
        record of it."""
        from atproto_client.models import get_model_as_dict

        by_uri = {split_remote_id(remote_id)[0]: remote_id for remote_id in remote_ids}
        uris = list(by_uri)
        counts: dict[str, Counts] = {}
        gone: set[str] = set()
        for start in range(0, len(uris), BLUESKY_BATCH):
            chunk = uris[start : start + BLUESKY_BATCH]
            answer = self._call("read the posts' counts", _get_posts(chunk))
            page = parse_bluesky(get_model_as_dict(answer), chunk)
            counts.update((by_uri[uri], found) for uri, found in page.counts.items())
            gone.update(by_uri[uri] for uri in sorted(page.missing) if self._deleted(uri))
        return MetricsPage(counts, frozenset(gone), frozenset(by_uri.values()))

    def _deleted(self, uri: str) -> bool:
        """Whether the PDS says the post's record does not exist."""
        repo, _collection, rkey = at_parts(uri)
        try:
            self._call(
                "check a post", lambda client: client.app.bsky.feed.post.get(repo, rkey), raw=True
            )
        except PlatformError:
            raise
        except Exception as exc:
            if record_missing(exc):
                return True
            raise self._errors(exc, "check a post", last_call=self._last_call) from exc
        return False


def _get_posts(uris: Sequence[str]) -> Callable[[Any], Any]:
    def call(client: Any) -> Any:
        return client.app.bsky.feed.get_posts({"uris": list(uris)})

    return call
