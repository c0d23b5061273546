"""The checks a story passes before it can be approved, and that the preview shows.

A story is rendered for every enabled platform with the same code that posts it (so a
story that passes cannot fail for length on the day), looked at for personal data, and
checked for accessibility (``infobot.domain.accessibility``: each finding is a warning the
approver acknowledges, or a refusal where the campaign says so). In a bilingual campaign
every version is checked, and a story lacking one cannot be approved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from infobot.domain.accessibility import AccessibilityRules, Finding, Severity, check_post
from infobot.domain.pii import find_personal_data
from infobot.domain.platform_names import platform_problem
from infobot.domain.render import Card, PlatformRules, Rendered, RenderOptions, compose, render
from infobot.domain.story import StoryInput
from infobot.domain.versions import is_bilingual, language_name, missing, missing_message, ordered

if TYPE_CHECKING:
    from infobot.domain.links import Tracking
    from infobot.domain.render.types import Bilingual, Overflow


@dataclass
class CheckResult:
    """What a story looks like on each enabled platform, and what stops it going out."""

    rendered: dict[str, Rendered] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Accessibility findings: warnings to acknowledge at approval, and refusals (which are
    #: also in ``problems``).
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def to_acknowledge(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


class StoryChecker:
    def __init__(
        self,
        rules: Callable[[], Mapping[str, PlatformRules]],
        options: RenderOptions,
        accessibility: AccessibilityRules | None = None,
    ) -> None:
        self._rules = rules
        self.options = options
        self.accessibility = accessibility or AccessibilityRules()

    def rules(self) -> Mapping[str, PlatformRules]:
        return self._rules()

    def render(
        self, story: StoryInput, rules: PlatformRules, platform: str, card: Card | None = None
    ) -> Rendered:
        """``story`` as ``platform`` posts it (its bilingual mode and account language),
        with the link ``card`` kept with the story where the platform shows one."""
        return render(story, rules, self.options.for_platform(platform), card)

    def check(self, story: StoryInput, card: Card | None = None) -> CheckResult:
        """Render for every platform with the posting renderer, check every version for
        accessibility and look for personal data.

        ``card``: the link card kept with the story, shown where it will go (or why not)."""
        result = CheckResult()
        languages = self.options.languages
        lacking = missing(story.languages, languages)
        said = missing_message(lacking) if lacking else None
        if said is not None:
            result.problems.append(said)
        all_rules = self.rules()
        for name, platform_rules in all_rules.items():
            rendered = self.render(story, platform_rules, name, card)
            result.rendered[name] = rendered
            result.problems.extend(
                platform_problem(name, p) for p in rendered.problems if p != said
            )
        limits = {name: r.alt_text_max for name, r in all_rules.items() if r.images}
        result.findings = self.accessibility_findings(story, limits)
        result.problems.extend(
            f"accessibility: {f.message}" for f in result.findings if f.severity is Severity.REFUSAL
        )
        seen: set[tuple[str, str]] = set()
        texts = [story.title, story.body, story.notes, story.image_alt]
        for version in story.versions:
            texts += [version.title, version.body, version.image_alt]
        for text in texts:
            for hit in find_personal_data(text):
                if (hit.kind, hit.text) not in seen:
                    seen.add((hit.kind, hit.text))
                    result.warnings.append(
                        f"looks like personal data ({hit.kind}: {hit.text!r}); check consent "
                        "covers it or remove it"
                    )
        return result

    def accessibility_findings(
        self, story: StoryInput, alt_text_limits: Mapping[str, int | None]
    ) -> list[Finding]:
        """The findings on each version as it is posted (composed with the attribution, the
        link and the hashtag), once each; in a bilingual campaign each says its language."""
        bilingual = is_bilingual(self.options.languages)
        order = ordered(self.options.languages, self.options.first_language)
        languages = [lang for lang in order if lang in story.languages] or [story.language]
        found: list[Finding] = []
        seen: set[tuple[str, str]] = set()
        for language in languages:
            version = story.version(language) if language in story.languages else story
            findings = check_post(
                compose(version, self.options),
                image=bool(story.image.strip()),
                alt_text=version.image_alt,
                alt_text_limits=alt_text_limits,
                rules=self.accessibility,
            )
            for finding in findings:
                if bilingual:
                    finding = replace(
                        finding, message=f"{language_name(language)}: {finding.message}"
                    )
                if (finding.check, finding.message) not in seen:
                    seen.add((finding.check, finding.message))
                    found.append(finding)
        return found


# -- what a campaign's checker is made of (the composition root and the lean path) --------
class CheckSettings(Protocol):
    """The settings a checker is built from, as they apply to one campaign: ``Settings``
    and the light reader's ``LightSettings`` alike."""

    @property
    def campaign_name(self) -> str: ...
    @property
    def hashtag(self) -> str: ...
    @property
    def hashtag_display(self) -> str: ...
    @property
    def attribution(self) -> str: ...
    @property
    def overflow(self) -> Overflow: ...
    @property
    def languages(self) -> Sequence[str]: ...
    @property
    def bilingual_first(self) -> str: ...
    @property
    def bilingual_mode(self) -> Bilingual: ...

    def tracking(self, campaign_name: str, *, include_bare: bool = True) -> Tracking | None: ...
    def accessibility_rules(self, words: tuple[str, ...] = ()) -> AccessibilityRules: ...


def render_options(
    settings: CheckSettings,
    modes: tuple[tuple[str, Bilingual], ...] = (),
    accounts: tuple[tuple[str, str], ...] = (),
) -> RenderOptions:
    """How the campaign's stories are rendered; ``modes`` and ``accounts``: each platform's
    bilingual mode and account language (``infobot.app.config.bilingual_plan``)."""
    return RenderOptions(
        hashtag=settings.hashtag_display or settings.hashtag,
        attribution=settings.attribution,
        overflow=settings.overflow,
        languages=tuple(settings.languages),
        first_language=settings.bilingual_first,
        bilingual=settings.bilingual_mode,
        platform_modes=modes,
        account_languages=accounts,
        tracking=settings.tracking(settings.campaign_name),
    )


def hashtag_words(settings: CheckSettings) -> tuple[str, ...]:
    """Words for camel-case suggestions: those of the display form (``#InfoStory``)."""
    display = settings.hashtag_display.lstrip("#")
    return tuple(re.findall(r"[A-Z][a-z0-9]+|[a-z0-9]+", display))


def story_checker(
    settings: CheckSettings,
    rules: Callable[[], Mapping[str, PlatformRules]],
    options: RenderOptions,
) -> StoryChecker:
    """The campaign's checker: its platforms' ``rules``, its render ``options``."""
    return StoryChecker(rules, options, settings.accessibility_rules(words=hashtag_words(settings)))
