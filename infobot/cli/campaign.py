"""``infobot campaign``: create, edit and list campaigns; pause, resume and blackout dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from infobot.cli.common import (
    DATE,
    Env,
    by_option,
    json_option,
    pass_env,
    print_json,
    table,
    warn,
)
from infobot.cli.election import election
from infobot.domain.dates import weekday_date

if TYPE_CHECKING:
    from infobot.domain.campaign import CampaignField, Raw
    from infobot.service.campaigns import Proposal

#: The options that give a campaign's fields (``CampaignField`` values).
FIELD_OPTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    (
        "hashtag",
        click.option("--hashtag", help="Hashtag added once to every post, e.g. #winterstory."),
    ),
    (
        "timezone",
        click.option("--timezone", metavar="ZONE", help="Time zone, e.g. Europe/London."),
    ),
    (
        "post_time",
        click.option("--post-time", "post_time", metavar="HH:MM", help="Local time of the post."),
    ),
    (
        "days",
        click.option("--days", metavar="DAYS", help="Days to post on, e.g. mon,tue,wed,thu,fri."),
    ),
    (
        "start",
        click.option("--start", metavar="DATE", help="First campaign day ('' for none)."),
    ),
    ("end", click.option("--end", metavar="DATE", help="Last campaign day ('' for none).")),
    (
        "platforms",
        click.option(
            "--platforms",
            metavar="NAMES",
            help="Platforms it posts to, of INFOBOT_PLATFORMS (default for a new one: all).",
        ),
    ),
    (
        "languages",
        click.option("--languages", metavar="CODES", help="Its languages, e.g. en or en,cy."),
    ),
    (
        "share_form",
        click.option(
            "--share-form/--no-share-form", default=None, help="Open or close its share form."
        ),
    ),
    (
        "stories_page",
        click.option(
            "--stories-page/--no-stories-page",
            default=None,
            help="Open or close its public stories page.",
        ),
    ),
    (
        "active",
        click.option(
            "--active/--inactive", default=None, help="Run it, or keep it without posting."
        ),
    ),
]


def field_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for _, option in reversed(FIELD_OPTIONS):
        func = option(func)
    return click.option(
        "--dry-run", is_flag=True, help="Show the change and the next posts; save nothing."
    )(func)


@click.group()
def campaign() -> None:
    """Create, edit and list campaigns; pause or resume one and manage its blackout dates."""


@campaign.command("list")
@json_option
@pass_env
def campaign_list(env: Env, as_json: bool) -> None:
    """List the campaigns: when and where each posts, and its next post."""
    views = env.app.campaign_admin().list()
    if as_json:
        print_json(views)
        return
    rows = []
    for view in views:
        state = "not running" if not view.active else "paused" if view.paused else "running"
        when = "—"
        if view.next_post is not None:
            from zoneinfo import ZoneInfo

            when = f"{view.next_post.astimezone(ZoneInfo(view.timezone)):%a %d %b %Y %H:%M}"
        dates = f"{view.start or '…'} to {view.end or '…'}"
        rows.append(
            [
                view.name,
                view.hashtag,
                f"{view.post_time} {view.timezone}",
                ",".join(view.days) if len(view.days) < 7 else "every day",
                dates if (view.start or view.end) else "open",
                ",".join(view.platforms),
                state,
                when,
            ]
        )
    table(rows, ["name", "hashtag", "posts at", "days", "dates", "platforms", "state", "next post"])


@campaign.command("create")
@click.argument("name")
@field_options
@by_option()
@pass_env
def campaign_create(env: Env, /, name: str, dry_run: bool, by: str | None, **fields: Any) -> None:
    """Create a campaign NAME (lower-case letters, digits and hyphens, e.g. winter-2026).

    What is not given comes from the settings: the hashtag, time zone, post time,
    every day of the week, every platform and the languages."""
    from infobot.domain.campaign import CampaignField

    raw = _raw(fields)
    raw[CampaignField.NAME] = name
    admin = env.app.campaign_admin()
    proposal = _cli_words(
        lambda: admin.check_new(raw) if dry_run else admin.create(raw, actor=env.actor(by))
    )
    _show(proposal, dry_run, f"Campaign {proposal.after.name} created.")


@campaign.command("edit")
@click.argument("name")
@click.option("--name", "new_name", metavar="NEW", help="Rename the campaign.")
@field_options
@by_option()
@pass_env
def campaign_edit(
    env: Env, /, name: str, new_name: str | None, dry_run: bool, by: str | None, **fields: Any
) -> None:
    """Change campaign NAME: only the options given change.

    A change of the settings that made the first campaign is applied at the next start
    only when that setting itself changes, so an edit here stays."""
    from infobot.domain.campaign import CampaignField

    raw = _raw(fields)
    if new_name is not None:
        raw[CampaignField.NAME] = new_name
    if not raw:
        raise click.UsageError("give at least one option to change (see --help)")
    admin = env.app.campaign_admin()
    proposal = _cli_words(
        lambda: (
            admin.check_edit(name, raw) if dry_run else admin.edit(name, raw, actor=env.actor(by))
        )
    )
    if not proposal.changes:
        click.echo(f"Campaign {name} already is like that: nothing changed.")
        return
    _show(proposal, dry_run, f"Campaign {proposal.after.name} changed.")


def _raw(fields: dict[str, Any]) -> dict[CampaignField, Raw]:
    from infobot.domain.campaign import CampaignField

    return {CampaignField(key): value for key, value in fields.items() if value is not None}


def _cli_words(action: Callable[[], Proposal]) -> Proposal:
    """The checks' problems named by this command's options (``--post-time: …``)."""
    from dataclasses import replace

    from infobot.domain.errors import ValidationFailed

    try:
        return action()
    except ValidationFailed as exc:
        problems = [replace(p, field="--" + p.field.replace("_", "-")) for p in exc.problems]
        raise ValidationFailed(problems, exc.summary) from None


def _show(proposal: Proposal, dry_run: bool, done: str) -> None:
    from zoneinfo import ZoneInfo

    for change in proposal.changes:
        label = change.field.label.lower()
        if proposal.before is None:
            click.echo(f"  {label}: {change.after}")
        else:
            click.echo(f"  {label}: {change.before} → {change.after}")
    if proposal.moves_posts:
        tz = ZoneInfo(proposal.after.timezone)
        click.echo("Next posts:" if proposal.posts_after else "Next posts: none to come.")
        for instant in proposal.posts_after:
            click.echo(f"  {instant.astimezone(tz):%a %d %b %Y %H:%M %Z} ({instant:%H:%M} UTC)")
    click.echo("Nothing was saved (--dry-run)." if dry_run else done)


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


campaign.add_command(election)
