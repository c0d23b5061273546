"""``infobot stories``: the editorial workflow."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from infobot.cli.common import (
    DATE,
    POSITION,
    STORY_ID,
    Env,
    by_option,
    json_option,
    pass_env,
    plain,
    print_json,
    shorten,
    table,
    warn,
)
from infobot.domain.dates import date_time, long_date, weekday_date

F = TypeVar("F", bound=Callable[..., Any])

#: Where the command line says more than the form's hint.
HELP = {"body": "The story text ('-' reads it from standard input)."}


def _field_options() -> tuple[tuple[str, str, str], ...]:
    from infobot.domain.fields import FIELD_TEXTS, version_texts

    return tuple(
        (t.name, "--" + t.name.replace("_", "-"), HELP.get(t.name) or t.hint or t.label + ".")
        for t in (*FIELD_TEXTS, *version_texts())
        if t.name != "pin_date"  # its own option, a date
    )


FIELD_OPTIONS = _field_options()


def story_fields(func: F) -> F:
    for name, flag, help_text in reversed(FIELD_OPTIONS):
        func = click.option(flag, name, default=None, help=help_text)(func)
    return func


def _given(fields: dict[str, str | None]) -> dict[str, object]:
    values: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    if values.get("body") == "-":
        values["body"] = sys.stdin.read()
    return values


@click.group()
def stories() -> None:
    """Add, review, approve, order and withdraw stories."""


@stories.command("add")
@story_fields
@click.option("--pin-date", "pin_date", type=DATE, help="Post on this date (YYYY-MM-DD).")
@by_option()
@pass_env
def add(env: Env, /, pin_date: date | None, by: str | None, **fields: str | None) -> None:
    """Add one story as a draft (opens $EDITOR when --body is not given)."""
    from infobot.cli.editor import edit_in_editor

    values = _given(fields)
    if pin_date is not None:
        values["pin_date"] = pin_date
    if "body" not in values:
        own = str(values.get("language") or "en")
        values = edit_in_editor(values, languages=_other_languages(env, own))
    story = env.app.editorial().add(values, actor=env.actor(by))
    click.echo(f"Added story #{story.id} as a draft.")


def _other_languages(env: Env, own: str, have: list[str] | None = None) -> tuple[str, ...]:
    """The languages a story in ``own`` has versions in, or should have (the campaign's)."""
    wanted = (
        [*env.app.languages, *(have or [])] if len(env.settings.languages) > 1 else (have or [])
    )
    return tuple(dict.fromkeys(lang for lang in wanted if lang != own))


@stories.command("list")
@click.option(
    "--status",
    type=click.Choice(
        [
            "submitted",
            "draft",
            "approved",
            "scheduled",
            "posted",
            "partly_posted",
            "failed",
            "rejected",
            "withdrawn",
        ]
    ),
    help="Only stories with this status.",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many stories.")
@json_option
@pass_env
def list_(env: Env, status: str | None, limit: int | None, as_json: bool) -> None:
    """List stories: the approved queue in posting order, then the rest."""
    rows = env.read(
        lambda lean: lean.listing(status, limit),
        lambda app: app.reads.stories.listing(status, limit),
    )
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo(
            "No stories"
            + (
                f" with status {status}."
                if status
                else " yet: add some with `infobot import FILE`."
            )
        )
        return
    table(
        [
            (
                str(r.id),
                r.status,
                str(r.position or ""),
                long_date(r.pin_date) if r.pin_date else "",
                shorten(r.title or "(untitled)", 40),
                shorten(r.author or "", 24),
            )
            for r in rows
        ],
        ("ID", "STATUS", "POS", "PINNED", "TITLE", "AUTHOR"),
    )


@stories.command("show")
@click.argument("story_id", type=STORY_ID)
@json_option
@pass_env
def show(env: Env, story_id: int, as_json: bool) -> None:
    """Show a story, how it looks on each platform, and its history."""
    data, tz = env.read(
        lambda lean: lean.show(story_id),
        lambda app: (app.reads.stories.show(story_id), app.settings.tz),
    )
    if as_json:
        print_json(data)
        return
    click.echo(f"Story #{data.id}: {data.title or '(untitled)'}")
    click.echo(
        f"  status:   {data.status}" + (f" ({data.status_reason})" if data.status_reason else "")
    )
    if data.position:
        click.echo(f"  position: {data.position} in the queue")
    if data.pin_date:
        click.echo(f"  pinned:   {weekday_date(data.pin_date)}")
    from infobot.cli.views import notes_of, post_extras
    from infobot.domain.story import STORY_FIELDS

    shown = ("title", "body", "pin_date")
    for key in (*(k for k in STORY_FIELDS if k not in shown), "source"):
        value = getattr(data, key)
        if value:
            click.echo(f"  {key + ':':<14}{value}")
    if data.essential_reason:
        click.echo(f"  essential:    {data.essential_reason} (marked by {data.essential_by})")
    click.echo("")
    click.echo(data.body)
    from infobot.domain.versions import language_name

    for version in data.versions:
        click.echo("")
        click.secho(f"{language_name(version.language)} ({version.language}):", bold=True)
        for key in ("title", "image_alt"):
            if getattr(version, key):
                click.echo(f"  {key + '_' + version.language + ':':<14}{getattr(version, key)}")
        click.echo(version.body)
    for name, rendered in data.platforms.items():
        click.echo("")
        posts = rendered.posts
        click.secho(f"— {name}: {len(posts)} post{'s' if len(posts) != 1 else ''}", bold=True)
        for post in posts:
            said = f" {'+'.join(post.languages)}" if post.languages else ""
            click.echo(f"  [{post.length}/{post.limit}]{said}")
            for line in post.text.splitlines():
                click.echo(f"    {line}")
            for line in post_extras(post):
                click.echo(f"    {line}")
        for note in notes_of(rendered):
            click.echo(f"  {note}")
    for problem in data.problems:
        click.secho(f"problem: {problem}", fg="red")
    warn(data.warnings)
    for finding in data.accessibility:
        kind = "refused" if finding.severity == "refusal" else "to acknowledge"
        click.secho(f"accessibility ({finding.check}, {kind}): {finding.message}", fg="yellow")
    if data.history:
        click.echo("")
        click.echo("History:")
        for event in data.history:
            when = date_time(event.at, tz)
            click.echo(f"  {when}  {event.text}")


@stories.command("edit")
@click.argument("story_id", type=STORY_ID)
@story_fields
@click.option("--pin-date", "pin_date", type=DATE, help="Post on this date (YYYY-MM-DD).")
@by_option()
@pass_env
def edit(
    env: Env, /, story_id: int, pin_date: date | None, by: str | None, **fields: str | None
) -> None:
    """Change a story with flags, or in $EDITOR when no flag is given.

    Editing an approved story sends it back to draft for another review.
    """
    from infobot.cli.editor import edit_in_editor

    values = _given(fields)
    if pin_date is not None:
        values["pin_date"] = pin_date
    editorial = env.app.editorial()
    reads = env.app.reads.stories
    if not values:
        shown = reads.show(story_id)
        current = plain(shown)
        languages = _other_languages(env, shown.language, [v.language for v in shown.versions])
        from infobot.domain.story import STORY_FIELDS
        from infobot.domain.versions import flatten

        values = edit_in_editor(
            {k: current.get(k) for k in STORY_FIELDS} | flatten(shown.versions),
            full=True,
            languages=languages,
        )
    before = reads.status_of(story_id)
    story = editorial.edit(story_id, values, actor=env.actor(by))
    click.echo(f"Saved story #{story.id}.")
    if story.status != before:  # only approval is undone by an edit
        click.echo("It was approved, so it is back in draft: approve it again when checked.")


@stories.command("approve")
@click.argument("story_ids", nargs=-1, required=True, type=STORY_ID)
@by_option(required=True)
@click.option(
    "--acknowledge",
    "acknowledge",
    multiple=True,
    is_flag=False,
    flag_value="all",
    metavar="[CHECK]",
    help="Approve despite an accessibility warning: name its check (e.g. long_sentence;"
    " repeat for more), or give no name to acknowledge every warning shown. Recorded in the"
    " audit trail.",
)
@pass_env
def approve(env: Env, story_ids: tuple[int, ...], by: str, acknowledge: tuple[str, ...]) -> None:
    """Approve stories for posting (checked against every enabled platform first).

    Accessibility warnings (long sentences, hashtags, emoji, alt text) must be acknowledged
    with --acknowledge; the campaign may make some refuse approval instead.
    """
    from infobot.domain.errors import ValidationFailed

    stray = [value for value in acknowledge if value.isdigit()]
    if stray:
        raise click.UsageError(
            f"--acknowledge {stray[0]}: put the story numbers before --acknowledge"
            " (infobot stories approve 12 13 --acknowledge --by NAME)"
        )
    try:
        results = env.app.editorial().approve(list(story_ids), actor=by, acknowledge=acknowledge)
    except ValidationFailed as exc:
        if any("accessibility warning" in p.message for p in exc.problems):
            exc.summary += (
                "; to approve as it is, acknowledge each warning: --acknowledge CHECK (the"
                " name in brackets), or --acknowledge for all of them"
            )
        raise
    for result in results:
        if result.already:
            click.echo(f"Story #{result.story_id} was already approved.")
        else:
            click.echo(f"Approved story #{result.story_id}.")
        warn(f"story #{result.story_id}: {w}" for w in result.warnings)
        for finding in result.acknowledged:
            click.echo(f"  acknowledged ({finding.check}): {finding.message}")


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def on_a_story(name: str, *params: Decorator, by_required: bool = False) -> Decorator:
    """A ``stories`` command on one story (STORY_ID, then ``params``), done by someone."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = by_option(required=by_required)(pass_env(func))
        for param in reversed(params):
            func = param(func)
        return stories.command(name)(click.argument("story_id", type=STORY_ID)(func))

    return decorate


@on_a_story(
    "reject",
    click.option("--reason", required=True, help="What the author should change."),
    by_required=True,
)
def reject(env: Env, story_id: int, reason: str, by: str) -> None:
    """Reject a story, with a reason."""
    env.app.editorial().reject(story_id, reason=reason, actor=by)
    click.echo(f"Rejected story #{story_id}.")


@on_a_story(
    "move",
    click.option(
        "--position", required=True, type=POSITION, help="New place in the queue (1 = next)."
    ),
)
def move(env: Env, story_id: int, position: int, by: str | None) -> None:
    """Move an approved story to a new place in the queue."""
    env.app.editorial().move(story_id, position, actor=env.actor(by))
    click.echo(f"Story #{story_id} is now number {position} in the queue.")


@on_a_story("pin", click.argument("day", metavar="DATE", type=DATE))
def pin(env: Env, story_id: int, day: date, by: str | None) -> None:
    """Pin a story to a date: it posts that day, whatever the queue order."""
    env.app.editorial().pin(story_id, day, actor=env.actor(by))
    click.echo(f"Story #{story_id} will post on {weekday_date(day)}.")


@on_a_story("unpin")
def unpin(env: Env, story_id: int, by: str | None) -> None:
    """Remove a story's date: it goes back to its place in the queue."""
    env.app.editorial().unpin(story_id, actor=env.actor(by))
    click.echo(f"Story #{story_id} is no longer pinned.")


@on_a_story(
    "essential",
    click.option("--reason", default="", help="Why it must go out in a pre-election period."),
    click.option("--remove", is_flag=True, help="Take the mark away."),
    by_required=True,
)
def essential(env: Env, story_id: int, reason: str, remove: bool, by: str) -> None:
    """Mark a story essential: it may go out inside a pre-election period (an approver's
    decision, with a reason; recorded in the audit trail)."""
    editorial = env.app.editorial()
    if remove:
        editorial.unmark_essential(story_id, actor=by)
        click.echo(f"Story #{story_id} is no longer essential.")
        return
    editorial.mark_essential(story_id, reason=reason, actor=by)
    click.echo(
        f"Story #{story_id} is essential: it may go out inside a pre-election period"
        " (pinned to a day in it, or on the first day no other essential story takes)."
    )


@on_a_story(
    "withdraw", click.option("--reason", required=True, help="Why (e.g. consent withdrawn).")
)
def withdraw(env: Env, story_id: int, reason: str, by: str | None) -> None:
    """Withdraw a story (consent withdrawn): it never posts, and live posts are deleted."""
    report = env.app.editorial().withdraw(story_id, reason=reason, actor=env.actor(by))
    click.echo(f"Withdrew story #{story_id}; it will never post.")
    for deletion in report.deletions:
        if deletion.ok:
            click.echo(f"Deleted its post {deletion.remote_id} on {deletion.platform}.")
        else:
            click.secho(
                f"Could not delete its post {deletion.remote_id} on {deletion.platform}: "
                f"{deletion.error}. Delete it by hand and tell the team.",
                fg="red",
                err=True,
            )
    if not report.ok:
        raise click.exceptions.Exit(1)
