"""The checks a story passes before it can be approved, and that the preview shows.

A story is rendered for every enabled platform with the same code that posts it (so a
story that passes cannot fail for length on the day), and looked at for personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, astuple, dataclass, field

from infobot.domain.pii import find_personal_data
from infobot.domain.render import PlatformRules, Rendered, RenderOptions, render
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
        self._config: str | None = None

    def rules(self) -> Mapping[str, PlatformRules]:
        return self._rules()

    def fingerprint(self, story: StoryInput) -> str:
        """A hash of everything :meth:`check` depends on: the story's fields, the options,
        every enabled platform's rules, and the code and data that check (``code_digest``).
        Equal fingerprints mean equal checks, so a check kept under one can be reused."""
        if self._config is None:
            config = {
                "options": astuple(self.options),
                "rules": [[name, astuple(r)] for name, r in self.rules().items()],
                "code": code_digest(),
            }
            self._config = json.dumps(config, sort_keys=True, default=str)
        content = json.dumps(asdict(story), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(f"{self._config}\n{content}".encode()).hexdigest()

    def render(self, story: StoryInput, rules: PlatformRules) -> Rendered:
        return render(story, rules, self.options)

    def check(self, story: StoryInput) -> CheckResult:
        """Render for every platform with the posting renderer and look for personal data."""
        result = CheckResult()
        for name, platform_rules in self.rules().items():
            rendered = render(story, platform_rules, self.options)
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


def code_digest() -> str:
    """The checking code and what it reads, as a hash: infobot's domain package and this
    module (their text), the Python version (its Unicode tables), and the installed files
    of ``regex`` and ``twitter_text`` (their names, sizes and times)."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        import sys
        import unicodedata
        from importlib.util import find_spec
        from pathlib import Path

        digest = hashlib.sha256(f"{sys.version_info[:3]} {unicodedata.unidata_version}".encode())
        package = Path(__file__).resolve().parent.parent
        for path in sorted([*(package / "domain").rglob("*.py"), Path(__file__).resolve()]):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
        for name in ("regex", "twitter_text"):
            spec = find_spec(name)
            folders = spec.submodule_search_locations if spec is not None else None
            for folder in sorted(folders or []):
                for path in sorted(Path(folder).rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        stat = path.stat()
                        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}".encode())
        _CODE_DIGEST = digest.hexdigest()
    return _CODE_DIGEST


_CODE_DIGEST: str | None = None
