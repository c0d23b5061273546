"""Reading heartbeats: one row per running daemon."""

from __future__ import annotations

from infobot.store.reader import Reader
from infobot.store.rows import HeartbeatRow


def latest(r: Reader) -> HeartbeatRow | None:
    found = r.row(f"SELECT {HeartbeatRow.COLUMNS} FROM heartbeats ORDER BY beat_at DESC LIMIT 1")
    return HeartbeatRow.of(found) if found is not None else None
