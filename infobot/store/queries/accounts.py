"""A local account by its name key, as every request of the web page checks it."""

from __future__ import annotations

from infobot.store.reader import Reader
from infobot.store.rows import AccountRow

_COLUMNS = (
    "name, role, disabled, password_hash <> '' AS has_password, created_by, created_at,"
    " session_epoch"
)


def by_key(r: Reader, key: str) -> AccountRow | None:
    """The account whose name matches ``key`` (``infobot.domain.accounts.name_key``)."""
    found = r.row(f"SELECT {_COLUMNS} FROM users WHERE name_key = :key", key=key)
    return AccountRow.of(found) if found is not None else None
