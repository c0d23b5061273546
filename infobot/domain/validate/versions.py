"""The suffixed fields of a record (``title_cy``, ``body_cy``, ``image_alt_cy``) checked and
made into the story's :class:`~infobot.domain.versions.Version` list."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from infobot.domain.validate.values import LANGUAGE_CODES
from infobot.domain.versions import (
    VERSION_BASES,
    Version,
    language_name,
    split_version_key,
    version_key,
)


class VersionLimits(dict[str, int]):
    """Each field's length limit; a version field has its plain field's (``body_cy`` that of
    ``body``). ``in`` answers for version fields of real language codes too."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        super().__init__(limits)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or (isinstance(key, str) and _base(key) is not None)

    def __missing__(self, key: str) -> int:
        base = _base(key)
        if base is None:
            raise KeyError(key)
        return self[base]


def _base(key: str) -> str | None:
    split = split_version_key(key)
    return split[0] if split is not None and split[1] in LANGUAGE_CODES else None


def collect_versions(values: dict[str, object], add: Callable[[str, str], None]) -> None:
    """Move the version fields out of ``values`` into ``values["versions"]``, reporting
    (through ``add(field, message)``) a version in the story's own language, a version
    with no text, and a version without alt text for the story's image."""
    found: dict[str, dict[str, str]] = {}
    for key in [k for k in values if split_version_key(k) is not None]:
        base, language = split_version_key(key) or ("", "")
        text = values.pop(key)
        if isinstance(text, str) and text:
            found.setdefault(language, {})[base] = text
    own = str(values.get("language") or "en")
    versions: list[Version] = []
    for language in sorted(found):
        parts = found[language]
        name = language_name(language)
        if language == own:
            field = version_key(next(b for b in VERSION_BASES if b in parts), language)
            add(
                field,
                f"the story itself is in {name} (its language is {own}): put this text in"
                f" {field.rsplit('_', 1)[0]}, or set the language of the story",
            )
            continue
        if "body" not in parts:
            add(version_key("body", language), f"is empty; the {name} version needs its text")
            continue
        if values.get("image") and "image_alt" not in parts:
            add(
                version_key("image_alt", language),
                f"the image has no {name} alt text; describe the picture in {name} too",
            )
            continue
        versions.append(
            Version(language, parts["body"], parts.get("title", ""), parts.get("image_alt", ""))
        )
    if versions:
        values["versions"] = tuple(versions)
