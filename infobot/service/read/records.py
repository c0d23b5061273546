"""What happened: the post history, the days without a post, the audit trail, and the
exports (``infobot export`` and the web page's audit CSV)."""

from __future__ import annotations

import csv
import json
from typing import IO, TYPE_CHECKING, Any

from infobot.domain.delivery import advice
from infobot.service.read.models import AuditRow, HistoryRow, Paged, clamp_page
from infobot.store.queries import deliveries, events, slots
from infobot.store.reader import ReadSource
from infobot.store.rows import EventRow, SlotRow

if TYPE_CHECKING:
    from infobot.store.db import Database


class RecordReads:
    def __init__(
        self, source: ReadSource, campaign_id: int, exports: Database | None = None
    ) -> None:
        self.source = source
        self.campaign_id = campaign_id
        self.exports = exports  # the exports stream through the ORM (not on the lean path)

    def history_page(self, page: int = 1, per_page: int = 50) -> Paged[HistoryRow]:
        """Every delivery, newest first, with what to do about the ones that did not go out."""
        with self.source() as r:
            total = deliveries.count_for_campaign(r, self.campaign_id)
            page = clamp_page(page, per_page, total)
            found = deliveries.history(r, self.campaign_id, (page - 1) * per_page, per_page)
        rows = [HistoryRow(d, day, title, advice(d.status)) for d, title, day in found]
        return Paged(rows, total, page, per_page)

    def days_without_post(self, limit: int = 30) -> list[SlotRow]:
        """The latest days recorded with no post (missed, skipped, failed), newest first."""
        with self.source() as r:
            return slots.without_post(r, self.campaign_id, limit)

    def audit_page(
        self, page: int = 1, per_page: int = 50, story_id: int | None = None
    ) -> Paged[AuditRow]:
        """The audit trail, newest first (optionally one story's)."""
        with self.source() as r:
            total = events.count(r, story_id)
            page = clamp_page(page, per_page, total)
            found = events.page_of(r, (page - 1) * per_page, per_page, story_id)
        return Paged([AuditRow(e, _changes(e)) for e in found], total, page, per_page)

    def export(self, what: str, fmt: str, out: IO[str]) -> int:
        """Write ``stories``, ``deliveries`` or ``events`` as CSV or JSON; return the count."""
        from infobot.store import export

        if self.exports is None:
            raise RuntimeError("exports need the full application")
        columns = export.COLUMNS[what]
        count = 0
        with self.exports.read() as session:
            rows = export.rows(session, what, self.campaign_id)
            if fmt == "json":
                out.write("[")
                for row in rows:
                    for key in ("before", "after"):  # audit snapshots are JSON already
                        if isinstance(row.get(key), str):
                            row[key] = json.loads(row[key])
                    out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
                    count += 1
                out.write("\n]\n" if count else "]\n")
                return count
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])
                count += 1
        return count


def _short(value: Any, width: int = 80) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _changes(event: EventRow) -> list[tuple[str, str, str]]:
    try:
        before = (json.loads(event.before) if event.before else None) or {}
        after = (json.loads(event.after) if event.after else None) or {}
    except ValueError:
        return []
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, _short(before.get(k)), _short(after.get(k))) for k in keys]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def spreadsheet_safe(value: Any) -> str:
    """Text a spreadsheet shows as text: never a formula (OWASP CSV injection advice)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
