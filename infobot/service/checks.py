"""The checks a story passes before it can be approved, and that the preview shows.

A story is rendered for every enabled platform with the same code that posts it (so a
story that passes cannot fail for length on the day), and looked at for personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from infobot.domain.pii import find_personal_data
from infobot.domain.render import Card, PlatformRules, Rendered, RenderOptions, render
from infobot.domain.story import StoryInput


@dataclass
class CheckResult:
    """What a story looks like on each enabled platform, and what stops it going out."""

    rendered: dict[str, Rendered] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class StoryChecker:
    def __init__(
        self, rules: Callable[[], Mapping[str, PlatformRules]], options: RenderOptions
    ) -> None:
        self._rules = rules
        self.options = options

    def rules(self) -> Mapping[str, PlatformRules]:
        return self._rules()

    def render(self, story: StoryInput, rules: PlatformRules, card: Card | None = None) -> Rendered:
        return render(story, rules, self.options, card)

    def check(self, story: StoryInput, card: Card | None = None) -> CheckResult:
        """Render for every platform with the posting renderer and look for personal data.

        ``card``: the link card kept with the story, shown where it will go (or why not)."""
        result = CheckResult()
        for name, platform_rules in self.rules().items():
            rendered = render(story, platform_rules, self.options, card)
            result.rendered[name] = rendered
            result.problems.extend(f"{name}: {problem}" for problem in rendered.problems)
        seen: set[tuple[str, str]] = set()
        for text in (story.title, story.body, story.notes, story.image_alt):
            for hit in find_personal_data(text):
                if (hit.kind, hit.text) not in seen:
                    seen.add((hit.kind, hit.text))
                    result.warnings.append(
                        f"looks like personal data ({hit.kind}: {hit.text!r}); check consent "
                        "covers it or remove it"
                    )
        return result
