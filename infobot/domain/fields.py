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
