"""``infobot post-now`` and ``infobot doctor``: manual sends and platform checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from infobot.cli.common import STORY_ID, Env, json_option, pass_env, print_json

if TYPE_CHECKING:
    from infobot.service.manual import PostNow

#: What to do about a delivery, said with the commands that do it (the service's advice
#: is in plain words, for the web page as well).
ADVICE = {
    "failed": "This will not fix itself: check the message, fix the account or the story, "
    "then send it with `infobot post-now --story ID --platform NAME`.",
    "retry_wait": "A temporary problem: infobot retries automatically; or run "
    "`infobot post-now --story ID` later.",
    "in_doubt": "infobot could not tell whether it went out; it checks the platform before "
    "any retry, so it will not post twice. Run `infobot post-now --story ID` to "
    "check now.",
}


@click.command("post-now")
@click.option("--story", "story_id", type=STORY_ID, help="Send this approved story.")
@click.option(
    "--platform",
    "platform_names",
    multiple=True,
    help="Only this platform (repeat for several; default: every enabled one).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@json_option
@pass_env
def post_now(
    env: Env, story_id: int | None, platform_names: tuple[str, ...], dry_run: bool, as_json: bool
) -> None:
    """Post today's story now instead of waiting for the post time.

    Takes today's slot if it is still free. When today's story is already out, it refuses
    unless you name a story with --story; a story still goes to each platform at most once.
    """
    report = env.app.manual().post_now(
        story_id=story_id, platforms=list(platform_names) or None, dry_run=dry_run
    )
    report = _with_commands(report)
    if as_json:
        print_json(report)
    else:
        _print(report)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _with_commands(report: PostNow) -> PostNow:
    from dataclasses import replace

    from infobot.service.manual import Sent

    outcomes = [
        replace(o, advice=ADVICE.get(o.status, o.advice)) if isinstance(o, Sent) else o
        for o in report.outcomes
    ]
    return replace(report, outcomes=outcomes)


def _print(report: PostNow) -> None:
    from infobot.domain.delivery import DeliveryStatus
    from infobot.service.manual import Sent

    click.echo(report.message)
    for outcome in report.outcomes:
        if not isinstance(outcome, Sent):
            click.echo(f"  {outcome.platform}: would send {outcome.parts} post(s)")
            for text in outcome.texts:
                for line in text.splitlines():
                    click.echo(f"      {line}")
        elif outcome.status == DeliveryStatus.SENT:
            click.secho(f"  {outcome.platform}: posted {outcome.url}", fg="green")
        else:
            click.secho(
                f"  {outcome.platform}: {outcome.status.replace('_', ' ')} — {outcome.error}",
                fg="red",
            )
            click.echo(f"    {outcome.advice}")


@click.command()
@json_option
@pass_env
def doctor(env: Env, as_json: bool) -> None:
    """Check every enabled platform: credentials, account, limits. Never prints a secret."""
    results = env.app.manual().doctor()
    if as_json:
        print_json(results)
    else:
        for r in results:
            if r.ok:
                click.secho(f"{r.platform}: OK — posting as {r.account}", fg="green")
                click.echo(f"  limit {r.limit} ({r.counter}), threads up to {r.max_parts} posts")
            else:
                click.secho(f"{r.platform}: PROBLEM — {r.error}", fg="red")
    if not all(r.ok for r in results):
        raise click.exceptions.Exit(1)
