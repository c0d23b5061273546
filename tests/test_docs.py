"""The README documents every command and every setting."""

from __future__ import annotations

import click

from infobot.cli.main import cli
from infobot.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
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
