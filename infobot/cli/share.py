"""``infobot media`` (pictures in the media folder) and ``infobot share`` (the public share
form, the storyteller's link and the public page)."""

from __future__ import annotations

from pathlib import Path

import click

from infobot.cli.common import Env, json_option, pass_env


@click.group()
def media() -> None:
    """Pictures for stories, kept in the media folder (INFOBOT_MEDIA_DIR)."""


@media.command("add")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@pass_env
def media_add(env: Env, files: tuple[Path, ...]) -> None:
    """Add pictures to the media folder and print the name to give each story.

    Each picture's type is read from its content; it is turned upright, scaled to at most
    2,000 pixels a side and saved again without its metadata (location, camera, time),
    under a name made from its content. Use that name as the story's image.
    """
    from infobot.domain.errors import UserError

    folder = env.app.media
    problems = []
    names = []
    for path in files:
        try:
            with path.open("rb") as handle:
                data = folder.read_limited(handle)
            names.append((path, folder.add(data)))
        except UserError as exc:
            problems.append(f"{path}: {exc}")
    if problems:
        raise UserError("; ".join(problems) + "; nothing was added")
    for path, name in names:
        click.echo(f"{path}: {name}")
    click.echo(f"Added to {folder.root}. Give each story its name as the image.")


@click.group()
def share() -> None:
    """The public share form, storytellers' links and the campaign's public page."""


@share.command("status")
@json_option
@pass_env
def share_status(env: Env, as_json: bool) -> None:
    """Say whether the share form and the public page are open, and what waits."""
    import json

    app = env.app
    settings = app.settings
    switches = app.intake_switches(settings.campaign_name)
    waiting, _ = app.inbox().new_from_form(limit=0)
    due = app.retention().due()
    info = {
        "campaign": settings.campaign_name,
        "share_form": bool(switches and switches.share_form),
        "public_page": bool(switches and switches.public_page),
        "new_from_the_form": waiting,
        "due_for_erasure": len(due),
        "retention_days": settings.share_retention_days,
        "mail": app.link_mailer.enabled and bool(settings.web_public_url),
    }
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    name = settings.campaign_name
    click.echo(
        f"Share form /share/{name}: {'open' if info['share_form'] else 'closed'} "
        "(INFOBOT_SHARE_FORM)."
    )
    click.echo(
        f"Public page /stories/{name}: {'open' if info['public_page'] else 'closed'} "
        "(INFOBOT_PUBLIC_PAGE)."
    )
    click.echo(f"New from the form: {waiting} waiting for the team.")
    click.echo(
        "Links are emailed to storytellers."
        if info["mail"]
        else "Links are not emailed (set INFOBOT_MAIL_URL and INFOBOT_WEB_PUBLIC_URL)."
    )
    click.echo(
        f"Withdrawn stories due for erasure ({settings.share_retention_days} days after "
        f"withdrawal): {len(due)}."
    )


@share.command("erase")
@click.option("--dry-run", is_flag=True, help="Only say which stories are due.")
@pass_env
def share_erase(env: Env, dry_run: bool) -> None:
    """Erase the personal fields of withdrawn stories past the retention period.

    The daemon does this every minute; this command does it now. What stays is an
    anonymous record: the story's number, dates and the audit trail without the erased
    fields.
    """
    retention = env.app.retention()
    if dry_run:
        due = retention.due()
        listed = ", ".join(f"#{story_id}" for story_id in due) or "none"
        click.echo(f"Due for erasure: {listed}. Nothing was changed.")
        return
    done = retention.erase_due()
    if not done.story_ids:
        click.echo("No withdrawn story is due for erasure.")
        return
    listed = ", ".join(f"#{story_id}" for story_id in done.story_ids)
    click.echo(
        f"Erased the personal fields of {len(done.story_ids)} withdrawn "
        f"stor{'y' if len(done.story_ids) == 1 else 'ies'} ({listed}); "
        f"deleted {done.pictures} picture(s)."
    )
