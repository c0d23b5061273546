"""``infobot campaign election``: pre-election periods (dates and a reason; nothing posts
between them but the stories an approver marked essential)."""

from __future__ import annotations

from datetime import date

import click

from infobot.cli.common import DATE, Env, by_option, json_option, pass_env, print_json, warn


@click.group("election")
def election() -> None:
    """Pre-election periods: no posts between two dates, for a reason (not a pause).

    Only a story marked essential (infobot stories essential ID) goes out inside one.
    """


@election.command("add")
@click.argument("first", metavar="FIRST", type=DATE)
@click.argument("last", metavar="LAST", type=DATE)
@click.option("--reason", required=True, help="Why, e.g. 'Senedd election' (shown in status).")
@by_option()
@pass_env
def election_add(env: Env, first: date, last: date, reason: str, by: str | None) -> None:
    """Add a pre-election period from FIRST to LAST (both days included)."""
    from infobot.domain.election import ElectionPeriod, gov_uk_date
    from infobot.domain.errors import UserError

    try:
        period = ElectionPeriod(first, last, reason.strip())
    except ValueError as exc:
        raise UserError(str(exc)) from None
    warnings = env.app.editorial().election_add(period, actor=env.actor(by))
    click.echo(
        f"Nothing will post from {gov_uk_date(first)} to {gov_uk_date(last)} ({period.reason}),"
        " but stories marked essential."
    )
    warn(warnings)


@election.command("remove")
@click.argument("first", metavar="FIRST", type=DATE)
@by_option()
@pass_env
def election_remove(env: Env, first: date, by: str | None) -> None:
    """Remove the pre-election period that starts on FIRST."""
    from infobot.domain.election import gov_uk_date

    period = env.app.editorial().election_remove(first, actor=env.actor(by))
    click.echo(
        f"Removed the pre-election period {gov_uk_date(period.start)} to"
        f" {gov_uk_date(period.end)}: those days post again."
    )


@election.command("list")
@json_option
@pass_env
def election_list(env: Env, as_json: bool) -> None:
    """List the pre-election periods."""
    rows = env.app.reads.campaign.elections()
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No pre-election periods.")
    for row in rows:
        source = "  (from the settings)" if row.source == "settings" else ""
        click.echo(f"{row.first_day.isoformat()}..{row.last_day.isoformat()}  {row.reason}{source}")
