"""``infobot preview``, ``status`` and ``export``: what the team sees."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from infobot.cli.common import Env, json_option, pass_env, print_json, shorten

if TYPE_CHECKING:
    from infobot.service.read.models import Status

#: How ``preview`` labels a day's state (by ``DayState`` value).
STATE_LABEL = {
    "scheduled": "next in the queue",
    "pinned": "pinned",
    "off": "no post",
    "empty": "NOTHING TO POST",
    "missed": "missed",
    "done": "",
}


@click.command()
@click.option(
    "--days", default=7, show_default=True, type=click.IntRange(1, 366), help="How many days ahead."
)
@json_option
@pass_env
def preview(env: Env, days: int, as_json: bool) -> None:
    """Show which story goes out on each coming day, exactly as each platform gets it."""
    from infobot.domain.schedule import DayState

    plan = env.read(lambda reads: reads.plan.preview(days))
    if as_json:
        print_json(plan)
        return
    tz = env.tz
    for day in plan:
        head = f"{day.post_at.astimezone(tz):%a %d %b %Y %H:%M}"
        if day.story_id is not None:
            title = shorten(day.title or "(untitled)", 50)
            label = STATE_LABEL.get(day.state) or day.reason
            click.secho(f"{head}  story #{day.story_id} {title}  ({label})", bold=True)
        else:
            color = "red" if day.state in (DayState.EMPTY, DayState.MISSED) else None
            click.secho(f"{head}  — {day.reason}", fg=color)
        for name, rendered in day.platforms.items():
            posts = rendered.posts
            count = f"{len(posts)} posts (thread)" if len(posts) > 1 else "1 post"
            click.echo(f"  {name}: {count}")
            for post in posts:
                over = post.length > post.limit
                click.secho(f"    [{post.length}/{post.limit}]", fg="red" if over else None)
                for line in post.text.splitlines():
                    click.echo(f"      {line}")
                if post.image:
                    click.echo(f"      (image: {post.image}; alt: {post.image_alt})")
        for problem in day.problems:
            click.secho(f"  problem: {problem}", fg="red")


@click.command()
@json_option
@pass_env
def status(env: Env, as_json: bool) -> None:
    """Queue runway, last and next post, and anything that needs attention."""
    data = env.read(lambda reads: reads.campaign.status())
    if as_json:
        print_json(data)
        return
    _print_status(data)


def _print_status(data: Status) -> None:
    click.secho(
        f"Campaign {data.campaign} ({data.hashtag}), posting at "
        f"{data.post_time} {data.timezone} to {', '.join(data.platforms)}",
        bold=True,
    )
    if data.paused:
        until = f" until {data.paused_until.isoformat()}" if data.paused_until else ""
        click.secho(f"PAUSED{until}: nothing is posting.", fg="yellow")
    counts = data.counts
    click.echo(
        f"Stories: {counts.get('approved', 0)} approved, {counts.get('draft', 0)} "
        f"waiting for review, {counts.get('rejected', 0)} rejected."
    )
    click.echo(f"Runway: {data.runway}.")
    last = data.last_post
    click.echo(
        "Last post: "
        + (
            f"{last.date.isoformat()} story #{last.story_id} ({last.status})"
            if last
            else "none yet."
        )
    )
    nxt = data.next_post
    click.echo(
        "Next post: "
        + (
            f"{nxt.date.isoformat()} story #{nxt.story_id} {shorten(nxt.title or '', 50)}"
            if nxt
            else "nothing scheduled in the next week."
        )
    )
    if data.attention:
        click.secho("Needs attention:", fg="red", bold=True)
        for item in data.attention:
            click.echo(f"  - {item.message}")
    else:
        click.echo("Nothing needs attention.")


@click.command()
@click.option(
    "--what",
    type=click.Choice(["stories", "deliveries", "events"]),
    required=True,
    help="What to export.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="CSV is safe to open in a spreadsheet.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@pass_env
def export(env: Env, what: str, fmt: str, output: Path | None) -> None:
    """Export stories, deliveries or the audit trail as CSV or JSON."""
    records = env.app.reads.records
    if output is None:
        count = records.export(what, fmt, sys.stdout)
    else:
        tmp = output.with_name(output.name + ".part")
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        with tmp.open("w", encoding=encoding, newline="") as handle:
            count = records.export(what, fmt, handle)
        tmp.replace(output)
        click.echo(f"Wrote {count} {what} to {output}.", err=True)
