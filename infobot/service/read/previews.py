"""How a story looks on each enabled platform: kept from its approval, or rendered now.

Approval renders the story with the posting code (invariant 6) and keeps the result in
``story_renders`` under the checker's fingerprint of that moment (the story's fields, the
options, every platform's rules, the checking code). What was approved is what goes out,
so while the fingerprint is unchanged the kept result *is* the check: the preview and the
story page read it instead of loading the renderer (``twitter_text`` alone takes 0.3 s to
import). Any change (an edit, a setting, a platform's limit, new code) changes the
fingerprint, and the story is rendered again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from infobot.domain.story import StoryInput
from infobot.service.checks import CheckResult, StoryChecker
from infobot.service.read.models import PostView, Preview, RenderedView
from infobot.store.queries import renders
from infobot.store.queries.stories import to_input
from infobot.store.reader import Reader
from infobot.store.rows import StoryRow

#: What the read side found kept, by story id: (fingerprint, payload).
Kept = Mapping[int, tuple[str, str]]


def preview_of(check: CheckResult) -> Preview:
    platforms = {name: RenderedView.of(r) for name, r in check.rendered.items()}
    return Preview(platforms, check.problems, check.warnings)


def encode(preview: Preview) -> str:
    """The preview as the JSON kept in ``story_renders.payload``."""
    return json.dumps(
        {
            "platforms": {
                name: {
                    "ok": view.ok,
                    "posts": [
                        [p.text, p.length, p.limit, p.image, p.image_alt] for p in view.posts
                    ],
                    "problems": view.problems,
                }
                for name, view in preview.platforms.items()
            },
            "problems": preview.problems,
            "warnings": preview.warnings,
        },
        ensure_ascii=False,
    )


def decode(payload: str) -> Preview:
    data: dict[str, Any] = json.loads(payload)
    platforms = {
        name: RenderedView(
            bool(view["ok"]),
            [
                PostView(text, length, limit, image, alt)
                if image
                else PostView(text, length, limit)
                for text, length, limit, image, alt in view["posts"]
            ],
            list(view["problems"]),
        )
        for name, view in data["platforms"].items()
    }
    return Preview(platforms, list(data["problems"]), list(data["warnings"]))


def to_keep(checker: StoryChecker, story: StoryInput, check: CheckResult) -> tuple[str, str]:
    """The fingerprint and payload to keep for a story just checked (at approval)."""
    return checker.fingerprint(story), encode(preview_of(check))


class Previews:
    def __init__(self, checker: StoryChecker) -> None:
        self.checker = checker

    def kept(self, r: Reader, stories: Iterable[StoryRow]) -> dict[int, tuple[str, str]]:
        ids = sorted({s.id for s in stories})
        return renders.kept_for(r, ids)

    def of(self, story: StoryRow, kept: Kept) -> Preview:
        """The story's preview: the kept one when its fingerprint still holds."""
        story_input = to_input(story)
        found = kept.get(story.id)
        if found is not None and found[0] == self.checker.fingerprint(story_input):
            return decode(found[1])
        return preview_of(self.checker.check(story_input))
