"""``infobot preview``, ``status`` and ``export``: what the team sees."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from infobot.cli.common import Env, json_option, output_option, pass_env, print_json, shorten
from infobot.domain.dates import date_time, weekday_date

if TYPE_CHECKING:
    from infobot.service.read.models import PostView, RenderedView, Status

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

    plan, tz = env.read(
        lambda lean: lean.preview(days),
        lambda app: (app.reads.plan.preview(days), app.settings.tz),
    )
    if as_json:
        print_json(plan)
        return
    for day in plan:
        head = date_time(day.post_at, tz, weekday=True)
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
                said = f" {'+'.join(post.languages)}" if post.languages else ""
                click.secho(f"    [{post.length}/{post.limit}]{said}", fg="red" if over else None)
                for line in post.text.splitlines():
                    click.echo(f"      {line}")
                if post.image:
                    click.echo(f"      (image: {post.image}; alt: {post.image_alt})")
                for line in post_extras(post):
                    click.echo(f"      {line}")
            for note in notes_of(rendered):
                click.echo(f"    {note}")
        if day.x_cost is not None:
            click.echo(f"  x costs {day.x_cost} (a link in the text costs more on X)")
        for problem in day.problems:
            click.secho(f"  problem: {problem}", fg="red")


def post_extras(post: PostView) -> list[str]:
    """What a post carries beyond its text: where its links open, its link card."""
    lines = [f"(link opens {target})" for target in post.opens or ()]
    card = post.card
    if card is not None:
        picture = "with a picture" if card.picture else "no picture"
        about = f" — {shorten(card.description, 80)}" if card.description else ""
        lines.append(f"(link card: {card.title}{about}; {picture}; opens {card.url})")
    return lines


def notes_of(rendered: RenderedView) -> list[str]:
    """The platform's notes (link in a reply, the card, who can reply), as bullet lines."""
    return [f"· {note}" for note in rendered.notes or ()]


@click.command()
@json_option
@pass_env
def status(env: Env, as_json: bool) -> None:
    """Queue runway, last and next post, and anything that needs attention."""
    data = env.read(lambda lean: lean.status(), lambda app: app.reads.campaign.status())
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
        until = f" until {weekday_date(data.paused_until)}" if data.paused_until else ""
        click.secho(f"PAUSED{until}: nothing is posting.", fg="yellow")
    if data.election:
        click.secho(f"{data.election}.", fg="yellow")
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
            f"{weekday_date(last.date)}: story #{last.story_id} ({last.status.replace('_', ' ')})"
            if last
            else "none yet."
        )
    )
    if data.first_figures is not None:
        from infobot.service.campaign_status import figures_line

        figures = data.first_figures
        click.echo(
            f"First figures of the {weekday_date(figures.date)} post (story #{figures.story_id}): "
            f"{figures_line(figures)}."
        )
    nxt = data.next_post
    late = data.overdue is not None and nxt is not None and nxt.date == data.today
    if data.overdue is not None:
        click.secho(f"Overdue: {data.overdue.message}", fg="red", bold=True)
    click.echo(
        ("Today's story (overdue): " if late else "Next post: ")
        + (
            f"{weekday_date(nxt.date)}: story #{nxt.story_id} {shorten(nxt.title or '', 50)}"
            if nxt
            else "nothing scheduled in the next week."
        )
    )
    attention = [a for a in data.attention if data.overdue is None or a.kind != "dead_man"]
    if attention:
        click.secho("Needs attention:", fg="red", bold=True)
        for item in attention:
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
@output_option
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
