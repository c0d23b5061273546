"""A story's fields as people meet them: the label and hint a form or ``--help`` shows.

The names are ``StoryInput``'s (``infobot.domain.story`` checks that they match), in the
order people see them: the title first. This module imports nothing of the domain, so the
command line builds its options without loading it.
"""

from __future__ import annotations

from typing import NamedTuple


class FieldText(NamedTuple):
    name: str
    label: str
    hint: str = ""


FIELD_TEXTS: tuple[FieldText, ...] = (
    FieldText("title", "Title", "For the team only: it is not posted."),
    FieldText("body", "Story", "The text that is posted. The hashtag and attribution are added."),
    FieldText("author", "Author", "Whose story it is."),
    FieldText("role", "Author's role", "For example, Paramedic."),
    FieldText("organisation", "Organisation"),
    FieldText("link", "Link", "A web address starting https:// to add to the post."),
    FieldText(
        "image",
        "Image",
        "The picture's name in the media folder, or a web address starting https://.",
    ),
    FieldText("image_alt", "Image description (alt text)", "Needed when there is an image."),
    FieldText("language", "Language", "Two-letter code, for example en or cy."),
    FieldText("consent_by", "Consent given by"),
    FieldText("consent_date", "Consent date", "For example, 2026-10-01."),
    FieldText("consent_scope", "What the consent covers"),
    FieldText(
        "pin_date", "Post on this date", "It then posts that day, whatever its place in the queue."
    ),
    FieldText("notes", "Notes", "For the team only: never posted."),
)


def version_texts(languages: tuple[str, ...] | None = None) -> tuple[FieldText, ...]:
    """The fields of the story's versions in ``languages`` (by default those the command
    line has options for): ``title_cy`` "Title (Welsh)", ``body_cy``, ``image_alt_cy``."""
    from infobot.domain.versions import OPTION_LANGUAGES, language_name

    texts: list[FieldText] = []
    for lang in OPTION_LANGUAGES if languages is None else languages:
        name = language_name(lang)
        texts += [
            FieldText(f"title_{lang}", f"Title ({name})", f"The title in {name}, for the team."),
            FieldText(f"body_{lang}", f"Story ({name})", f"The text posted in {name}."),
            FieldText(
                f"image_alt_{lang}",
                f"Image description ({name})",
                f"Alt text in {name}: needed when there is an image.",
            ),
        ]
    return tuple(texts)
