"""Reading the rendered posts kept for a story (see ``infobot.service.read.renders``)."""

from __future__ import annotations

from collections.abc import Collection

from infobot.store.reader import Reader, placeholders


def kept_for(r: Reader, story_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """The fingerprint and the rendered posts (JSON) kept for each of the stories."""
    if not story_ids:
        return {}
    marks, params = placeholders("s", story_ids)
    rows = r.rows(
        f"SELECT story_id, key, payload FROM story_renders WHERE story_id IN {marks}", **params
    )
    return {int(sid): (str(key), str(payload)) for sid, key, payload in rows}
