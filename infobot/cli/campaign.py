"""``infobot campaign``: pause, resume and blackout dates."""

from __future__ import annotations

from datetime import date

import click

from infobot.cli.common import DATE, Env, by_option, json_option, pass_env, print_json, warn
from infobot.domain.dates import weekday_date


@click.group()
def campaign() -> None:
    """Pause or resume the campaign and manage blackout dates."""


@campaign.command("pause")
@click.option("--until", "until", type=DATE, help="Resume automatically after this date.")
@click.option("--reason", default="", help="Why (shown in status and the audit trail).")
@by_option()
@pass_env
def pause(env: Env, until: date | None, reason: str, by: str | None) -> None:
    """Stop posting until resumed (or until a date)."""
    env.app.editorial().pause(until=until, reason=reason, actor=env.actor(by))
    if until:
        click.echo(f"Paused: nothing posts up to and including {weekday_date(until)}.")
    else:
        click.echo("Paused: nothing posts until `infobot campaign resume`.")


@campaign.command("resume")
@by_option()
@pass_env
def resume(env: Env, by: str | None) -> None:
    """Start posting again."""
    if env.app.editorial().resume(actor=env.actor(by)):
        click.echo("Resumed: posting continues on the next campaign day.")
    else:
        click.echo("The campaign was not paused.")


@campaign.group("blackout")
def blackout() -> None:
    """Dates on which nothing posts (e.g. national mourning, election periods)."""


@blackout.command("add")
@click.argument("day", metavar="DATE", type=DATE)
@click.option("--reason", default="", help="Why nothing posts that day.")
@by_option()
@pass_env
def blackout_add(env: Env, day: date, reason: str, by: str | None) -> None:
    """Add a blackout date."""
    warnings = env.app.editorial().blackout_add(day, reason=reason, actor=env.actor(by))
    click.echo(f"Nothing will post on {weekday_date(day)}.")
    warn(warnings)


@blackout.command("remove")
@click.argument("day", metavar="DATE", type=DATE)
@by_option()
@pass_env
def blackout_remove(env: Env, day: date, by: str | None) -> None:
    """Remove a blackout date."""
    env.app.editorial().blackout_remove(day, actor=env.actor(by))
    click.echo(f"{weekday_date(day)} is a posting day again.")


@blackout.command("list")
@json_option
@pass_env
def blackout_list(env: Env, as_json: bool) -> None:
    """List blackout dates."""
    rows = env.app.reads.campaign.blackouts()
    if as_json:
        print_json([{"date": b.day.isoformat(), "reason": b.reason} for b in rows])
        return
    if not rows:
        click.echo("No blackout dates.")
    for b in rows:
        click.echo(f"{weekday_date(b.day)}  {b.reason}")
