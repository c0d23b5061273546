"""``infobot post-now`` and ``infobot doctor``: manual sends and platform checks."""

from __future__ import annotations

import click

from infobot.cli.common import Env, json_option, pass_env, print_json


@click.command("post-now")
@click.option("--story", "story_id", type=int, help="Send this approved story.")
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
    from infobot.service.manual import post_now as run_post_now

    report = run_post_now(
        env.app, story_id=story_id, platforms=list(platform_names) or None, dry_run=dry_run
    )
    if as_json:
        print_json(report)
    else:
        _print(report)
    if not dry_run and any(o["status"] not in ("sent",) for o in report["outcomes"]):
        raise click.exceptions.Exit(1)


def _print(report: dict[str, object]) -> None:
    click.echo(str(report["message"]))
    outcomes = report["outcomes"]
    assert isinstance(outcomes, list)
    for outcome in outcomes:
        status = outcome["status"]
        if status == "sent":
            click.secho(f"  {outcome['platform']}: posted {outcome['url']}", fg="green")
        elif status == "would_send":
            click.echo(f"  {outcome['platform']}: would send {outcome['parts']} post(s)")
            for text in outcome["texts"]:
                for line in text.splitlines():
                    click.echo(f"      {line}")
        else:
            click.secho(
                f"  {outcome['platform']}: {status.replace('_', ' ')} — {outcome['error']}",
                fg="red",
            )
            click.echo(f"    {outcome['advice']}")


@click.command()
@json_option
@pass_env
def doctor(env: Env, as_json: bool) -> None:
    """Check every enabled platform: credentials, account, limits. Never prints a secret."""
    from infobot.service.manual import doctor as run_doctor

    results = run_doctor(env.app)
    if as_json:
        print_json(results)
    else:
        for r in results:
            if r["ok"]:
                click.secho(f"{r['platform']}: OK — posting as {r['account']}", fg="green")
                click.echo(
                    f"  limit {r['limit']} ({r['counter']}), threads up to {r['max_parts']} posts"
                )
            else:
                click.secho(f"{r['platform']}: PROBLEM — {r['error']}", fg="red")
    if not all(r["ok"] for r in results):
        raise click.exceptions.Exit(1)
