"""The full text of a story before splitting: body, attribution, link, hashtag."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from infobot.domain.render.hashtags import has_hashtag

if TYPE_CHECKING:
    from infobot.domain.render.types import RenderOptions
    from infobot.domain.story import StoryInput

_X_INVALID = "\ufffe\ufeff\uffff"  # twitter-text invalid characters; stripped by compose


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for bad in _X_INVALID:
        text = text.replace(bad, "")
    return text


def _clean_body(body: str) -> str:
    lines = [line.rstrip(" \t") for line in _clean_text(body).split("\n")]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def _clean_field(value: str) -> str:
    return " ".join(_clean_text(value).split())


def _attribution(story: StoryInput, template: str) -> str:
    values = {
        "author": _clean_field(story.author),
        "role": _clean_field(story.role),
        "organisation": _clean_field(story.organisation),
        "title": _clean_field(story.title),
    }
    import string

    formatter = string.Formatter()
    fields: list[tuple[str, str]] = []  # (literal before the field, formatted value)
    trailing = ""
    for literal, name, spec, conversion in formatter.parse(template):
        if name is None:
            trailing = literal
            continue
        value = values[name]
        if value:
            value = formatter.format_field(formatter.convert_field(value, conversion), spec or "")
        fields.append((literal, value))
    if not fields:
        return _clean_field(trailing)
    kept = [(literal, value) for literal, value in fields if value]
    if not kept:
        return ""
    line = fields[0][0] + kept[0][1] + "".join(lit + value for lit, value in kept[1:])
    if fields[-1][1]:
        line += trailing
    return _clean_field(line)


def _compose(story: StoryInput, options: RenderOptions) -> tuple[str, bool]:
    """The text without an appended hashtag, and whether the hashtag must be appended."""
    body = _clean_body(story.body)
    footer = [
        line
        for line in (_attribution(story, options.attribution), _clean_field(story.link))
        if line
    ]
    text = "\n\n".join(part for part in (body, "\n".join(footer)) if part)
    needs_tag = bool(options.hashtag) and not has_hashtag(text, options.hashtag)
    return text, needs_tag


def compose(story: StoryInput, options: RenderOptions) -> str:
    """The full text before splitting: body, blank line, attribution, link, hashtag."""
    text, needs_tag = _compose(story, options)
    if needs_tag:
        return f"{text}\n{options.hashtag}" if text else options.hashtag
    return text
