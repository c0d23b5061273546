"""The README documents every command and every setting."""

from __future__ import annotations

import click

from infobot.cli.main import cli
from infobot.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    """Every command under ``group``, as click finds them (the top level imports each
    command's module on first use)."""
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix} {name} is listed but cannot be loaded"
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(walk(command, path))
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    for path, command in walk(cli, "infobot"):
        assert command.help, f"{path} has no help text"
        if not isinstance(command, click.Group):
            assert path in README, f"README does not mention `{path}`"


def test_every_setting_is_in_the_readme() -> None:
    for name, field in Settings.model_fields.items():
        if field.annotation is not None and hasattr(field.annotation, "model_fields"):
            for sub in field.annotation.model_fields:
                assert f"__{sub.upper()}" in README, f"README lacks {name}.{sub}"
        else:
            assert f"INFOBOT_{name.upper()}" in README, f"README lacks INFOBOT_{name.upper()}"


def test_readme_settings_table_is_generated_from_the_settings_class() -> None:
    from infobot.settings_doc import replace_table, rows

    assert replace_table(README) == README, (
        "README's settings table differs from the Settings class: "
        "run `python -m infobot.settings_doc --write`"
    )
    names = [env for env, _, _ in rows()]
    assert len(names) == len(set(names))
    assert "INFOBOT_MASTODON__ACCESS_TOKEN" in names


def test_settings_table_check_fails_when_a_row_is_edited() -> None:
    from infobot.settings_doc import replace_table

    edited = README.replace(
        "| `INFOBOT_TIMEZONE` | `Europe/London`", "| `INFOBOT_TIMEZONE` | `UTC`"
    )
    assert edited != README
    assert replace_table(edited) != edited


def test_every_path_the_readme_names_exists() -> None:
    """The architecture section stays true: every ``infobot/...`` path it names exists
    (``infobot/domain/render`` may be a module or a package)."""
    import re

    named = set(re.findall(r"\binfobot/[\w/.]*\w", README))
    assert len(named) > 20
    missing = [
        path
        for path in sorted(named)
        if not (REPO / path).exists() and not (REPO / f"{path}.py").exists()
    ]
    assert not missing, f"README names paths that do not exist: {missing}"
