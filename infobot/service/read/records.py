"""What happened: the post history, the days without a post, the audit trail, and the
exports (``infobot export`` and the web page's audit CSV)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, tzinfo
from typing import IO, Any

from infobot.domain.audit_text import sentence
from infobot.domain.cells import protect
from infobot.domain.delivery import advice
from infobot.service.read.models import AuditRow, HistoryRow, Paged, clamp_page
from infobot.service.telling import entry_from_row, told
from infobot.store import events, export
from infobot.store.db import Database
from infobot.store.models import Event
from infobot.store.queries import history
from infobot.store.rows import SlotRow

#: The audit CSV's column with each event as a sentence, after the raw columns.
SENTENCE_COLUMN = "what_happened"


class RecordReads:
    def __init__(self, db: Database, campaign_id: int, *, timezone: tzinfo = UTC) -> None:
        self.db = db
        self.campaign_id = campaign_id
        self.timezone = timezone  # the campaign's: times in sentences are said in it

    def history_page(self, page: int = 1, per_page: int = 50) -> Paged[HistoryRow]:
        """Every delivery, newest first, with what to do about the ones that did not go out."""
        with self.db.reader() as r:
            total = history.count(r, self.campaign_id)
            page = clamp_page(page, per_page, total)
            found = history.deliveries(r, self.campaign_id, (page - 1) * per_page, per_page)
        rows = [HistoryRow(d, day, title, advice(d.status)) for d, title, day in found]
        return Paged(rows, total, page, per_page)

    def days_without_post(self, limit: int = 30) -> list[SlotRow]:
        """The latest days recorded with no post (missed, skipped, failed), newest first."""
        with self.db.reader() as r:
            return history.without_post(r, self.campaign_id, limit)

    def history(self, page: int = 1) -> tuple[Paged[HistoryRow], list[SlotRow]]:
        """The history page's reads, in one trip: a page of deliveries and the days
        without a post."""
        return self.history_page(page), self.days_without_post()

    def audit_page(
        self, page: int = 1, per_page: int = 50, story_id: int | None = None
    ) -> Paged[AuditRow]:
        """The audit trail, newest first (optionally one story's)."""
        with self.db.read() as session:
            total = events.count(session, story_id)
            page = clamp_page(page, per_page, total)
            found = events.page(session, (page - 1) * per_page, per_page, story_id)
        rows = [AuditRow(e, _changes(e), *told(e, self.timezone)) for e in found]
        return Paged(rows, total, page, per_page)

    def export(self, what: str, fmt: str, out: IO[str]) -> int:
        """Write ``stories``, ``deliveries`` or ``events`` as CSV or JSON; return the count.

        Events also get their sentence (:data:`SENTENCE_COLUMN`, after the raw columns)."""
        columns = export.COLUMNS[what]
        if what == "events":
            columns = (*columns, SENTENCE_COLUMN)
        count = 0
        with self.db.read() as session:
            rows = export.rows(session, what, self.campaign_id)
            if what == "events":
                rows = self._with_sentences(rows)
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

    def _with_sentences(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            row[SENTENCE_COLUMN] = sentence(entry_from_row(row, self.timezone))
            yield row


def _short(value: Any, width: int = 80) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _changes(event: Event) -> list[tuple[str, str, str]]:
    try:
        before = events.decoded(event.before) or {}
        after = events.decoded(event.after) or {}
    except ValueError:
        return []
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, _short(before.get(k)), _short(after.get(k))) for k in keys]


def spreadsheet_safe(value: Any) -> str:
    """Text a spreadsheet shows as text: never a formula (OWASP CSV injection advice).

    A leading ``'`` is protected too, so that an import of the export can take off
    exactly the quotes the export added (see :mod:`infobot.domain.cells`)."""
    return protect(value)
