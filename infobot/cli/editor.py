"""Edit a story in $EDITOR as Markdown with YAML front matter."""

from __future__ import annotations

from typing import Any

import click

from infobot.domain.errors import Problem, UserError

HEADER = (
    "# Edit the fields and the story below, save and close the editor.\n"
    "# Lines starting with # before the first --- are ignored. An empty file cancels.\n"
)


def to_text(values: dict[str, Any]) -> str:
    import yaml

    front = {k: v for k, v in values.items() if k != "body"}
    body = str(values.get("body") or "")
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"{HEADER}---\n{dumped}---\n{body}\n"


def from_text(text: str) -> dict[str, Any]:
    """The fields and body of an edited file, read as the importer reads front matter:
    every value is the text written (``title: no`` is the word "no", not false)."""
    from infobot.service.importers.yaml_format import front_matter

    lines = text.splitlines()
    fences = [i for i, line in enumerate(lines) if line.strip() == "---"]
    if len(fences) < 2:
        raise UserError("the fields must sit between two --- lines; nothing was changed")
    start, end = fences[0], fences[1]
    read = front_matter("\n".join(lines[start + 1 : end]), "the edited file", offset=start + 1)
    if isinstance(read, Problem):
        raise UserError(f"{_at(read)}the fields: {read.message}; nothing was changed")
    front, _, problems = read
    if problems:
        first = problems[0]
        raise UserError(f"{_at(first)}{first.field}: {first.message}; nothing was changed")
    values: dict[str, Any] = {k: ("" if v is None else v) for k, v in front.items()}
    values["body"] = "\n".join(lines[end + 1 :]).strip("\n")
    return values


def _at(problem: Problem) -> str:
    return f"line {problem.line}: " if problem.line is not None else ""


def edit_in_editor(
    values: dict[str, Any], full: bool = False, languages: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Edit ``values`` in $EDITOR; the story's versions in ``languages`` (``title_cy``,
    ``image_alt_cy``... in the front matter, ``body_cy`` too) are offered as well."""
    from infobot.domain.versions import version_keys

    template = {
        "title": "",
        "author": "",
        "role": "",
        "organisation": "",
        "link": "",
        "image": "",
        "image_alt": "",
        "language": "en",
        "consent_by": "",
        "consent_date": "",
        "consent_scope": "",
        "pin_date": "",
        "notes": "",
        **dict.fromkeys(version_keys(languages), ""),
    }
    template.update({k: ("" if v is None else v) for k, v in values.items()})
    edited = click.edit(to_text(template), extension=".md", require_save=True)
    if edited is None or not edited.strip():
        raise UserError("editing cancelled; nothing was changed")
    return from_text(edited)
