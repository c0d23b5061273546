"""``infobot stories``: the editorial workflow."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from infobot.cli.common import (
    DATE,
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

F = TypeVar("F", bound=Callable[..., Any])

#: Where the command line says more than the form's hint.
HELP = {"body": "The story text ('-' reads it from standard input)."}


def _field_options() -> tuple[tuple[str, str, str], ...]:
    from infobot.domain.fields import FIELD_TEXTS

    return tuple(
        (t.name, "--" + t.name.replace("_", "-"), HELP.get(t.name) or t.hint or t.label + ".")
        for t in FIELD_TEXTS
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
        values = edit_in_editor(values)
    story = env.app.editorial().add(values, actor=env.actor(by))
    click.echo(f"Added story #{story.id} as a draft.")


@stories.command("list")
@click.option(
    "--status",
    type=click.Choice(
        [
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
    rows = env.read(lambda reads: reads.stories.listing(status, limit))
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
                r.pin_date.isoformat() if r.pin_date else "",
                shorten(r.title or "(untitled)", 40),
                shorten(r.author or "", 24),
            )
            for r in rows
        ],
        ("ID", "STATUS", "POS", "PINNED", "TITLE", "AUTHOR"),
    )


@stories.command("show")
@click.argument("story_id", type=int)
@json_option
@pass_env
def show(env: Env, story_id: int, as_json: bool) -> None:
    """Show a story, how it looks on each platform, and its history."""
    data = env.read(lambda reads: reads.stories.show(story_id))
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
        click.echo(f"  pinned:   {data.pin_date.isoformat()}")
    from infobot.domain.story import STORY_FIELDS

    shown = ("title", "body", "pin_date")
    for key in (*(k for k in STORY_FIELDS if k not in shown), "source"):
        value = getattr(data, key)
        if value:
            click.echo(f"  {key + ':':<14}{value}")
    click.echo("")
    click.echo(data.body)
    for name, rendered in data.platforms.items():
        click.echo("")
        posts = rendered.posts
        click.secho(f"— {name}: {len(posts)} post{'s' if len(posts) != 1 else ''}", bold=True)
        for post in posts:
            click.echo(f"  [{post.length}/{post.limit}]")
            for line in post.text.splitlines():
                click.echo(f"    {line}")
    for problem in data.problems:
        click.secho(f"problem: {problem}", fg="red")
    warn(data.warnings)
    if data.history:
        click.echo("")
        click.echo("History:")
        for event in data.history:
            when = event.at.isoformat()[:16]
            click.echo(f"  {when}  {event.actor}: {event.action} {event.message}")


@stories.command("edit")
@click.argument("story_id", type=int)
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
        current = plain(reads.show(story_id))
        values = edit_in_editor(
            {k: current.get(k) for k, _, _ in FIELD_OPTIONS}
            | {"pin_date": current.get("pin_date")},
            full=True,
        )
    before = reads.status_of(story_id)
    story = editorial.edit(story_id, values, actor=env.actor(by))
    click.echo(f"Saved story #{story.id}.")
    if story.status != before:  # only approval is undone by an edit
        click.echo("It was approved, so it is back in draft: approve it again when checked.")


@stories.command("approve")
@click.argument("story_ids", nargs=-1, required=True, type=int)
@by_option(required=True)
@pass_env
def approve(env: Env, story_ids: tuple[int, ...], by: str) -> None:
    """Approve stories for posting (checked against every enabled platform first)."""
    results = env.app.editorial().approve(list(story_ids), actor=by)
    for result in results:
        if result.already:
            click.echo(f"Story #{result.story_id} was already approved.")
        else:
            click.echo(f"Approved story #{result.story_id}.")
        warn(f"story #{result.story_id}: {w}" for w in result.warnings)


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def on_a_story(name: str, *params: Decorator, by_required: bool = False) -> Decorator:
    """A ``stories`` command on one story (STORY_ID, then ``params``), done by someone."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = by_option(required=by_required)(pass_env(func))
        for param in reversed(params):
            func = param(func)
        return stories.command(name)(click.argument("story_id", type=int)(func))

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
    click.option("--position", required=True, type=int, help="New place in the queue (1 = next)."),
)
def move(env: Env, story_id: int, position: int, by: str | None) -> None:
    """Move an approved story to a new place in the queue."""
    env.app.editorial().move(story_id, position, actor=env.actor(by))
    click.echo(f"Story #{story_id} is now number {position} in the queue.")


@on_a_story("pin", click.argument("day", metavar="DATE", type=DATE))
def pin(env: Env, story_id: int, day: date, by: str | None) -> None:
    """Pin a story to a date: it posts that day, whatever the queue order."""
    env.app.editorial().pin(story_id, day, actor=env.actor(by))
    click.echo(f"Story #{story_id} will post on {day:%A %d %B %Y}.")


@on_a_story("unpin")
def unpin(env: Env, story_id: int, by: str | None) -> None:
    """Remove a story's date: it goes back to its place in the queue."""
    env.app.editorial().unpin(story_id, actor=env.actor(by))
    click.echo(f"Story #{story_id} is no longer pinned.")


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
