"""Which campaign a lean command serves: the one the settings made, or one by name."""

from __future__ import annotations

from infobot.store.reader import Reader


def seed(r: Reader) -> tuple[int, str] | None:
    """The id of the campaign the settings made and the settings last applied to it (JSON,
    ``infobot.store.campaigns.sync``), or None before the settings made one."""
    found = r.row(
        "SELECT id, settings_applied FROM campaigns WHERE from_settings = :yes ORDER BY id LIMIT 1",
        yes=True,
    )
    return (int(found[0]), str(found[1] or "")) if found is not None else None


def id_by_name(r: Reader, name: str) -> int | None:
    found = r.scalar("SELECT id FROM campaigns WHERE name = :name", name=name)
    return int(found) if found is not None else None
