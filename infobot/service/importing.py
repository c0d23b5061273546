"""Import stories from files: all-or-nothing, deduplicated by content fingerprint."""

from __future__ import annotations

import gc
import json
import json.encoder
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, TypeDecorator, func, select
from sqlalchemy.orm import Session

from infobot.domain.errors import Problem, ValidationFailed
from infobot.domain.story import STORY_FIELDS, StoryStatus
from infobot.service import audit
from infobot.service.importers import Parsed, load
from infobot.store.campaigns import lock as lock_campaign
from infobot.store.models import Event, Story

if TYPE_CHECKING:
    from infobot.app import App

CHUNK = 500
WRITE_CHUNK = 5000
STORY_INSERT_COLUMNS = (
    "campaign_id",
    "fingerprint",
    "status",
    "sort_key",
    *STORY_FIELDS,
    "source",
    "status_reason",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "approved_by",
    "approved_at",
)
EVENT_INSERT_COLUMNS = (
    "at",
    "actor",
    "action",
    "campaign_id",
    "story_id",
    "delivery_id",
    "before",
    "after",
    "message",
)

#: The columns each story row gives (in this order); the rest are the same for every row.
_STORY_VARYING = (*STORY_FIELDS, "fingerprint", "sort_key", "source")
_EVENT_VARYING = ("story_id", "after", "message")


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0  # same story already in the queue
    invalid: int = 0  # skipped with --skip-invalid
    rows: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)


def import_files(
    app: App,
    paths: Sequence[Path],
    *,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
    labels: Sequence[str] | None = None,
) -> ImportReport:
    """Check every story in ``paths`` and add the new ones as drafts, all or nothing.

    ``labels`` names each path in problems and in the stories' source (default: the path).
    """
    # As in ``load``: 100,000s of new objects (rows to write, ids) form no reference
    # cycles, and with the loaded stories alive each full collection walks them all for
    # nothing (close to a second per 100,000-story import).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import_files(
            app,
            paths,
            actor=actor,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
            labels=labels,
        )
    finally:
        if collecting:
            gc.enable()


def _import_files(
    app: App,
    paths: Sequence[Path],
    *,
    actor: str,
    dry_run: bool,
    skip_invalid: bool,
    progress: Callable[[int, int], None] | None,
    labels: Sequence[str] | None,
) -> ImportReport:
    settings = app.settings
    loaded = load(
        paths,
        require_consent=settings.require_consent,
        progress=progress,
        labels=labels,
        media=app.media,
    )
    report = ImportReport(rows=loaded.rows_seen, dry_run=dry_run, notes=list(loaded.notes))
    problems = list(loaded.problems)
    items = list(loaded.items)

    # rules that need the clock, the calendar or the database
    today = app.clock.now().astimezone(settings.tz).date()
    calendar = app.calendar()
    pins_in_file: dict[date, Parsed] = {}
    bad: set[int] = set()
    for index, item in enumerate(items):
        pin = item.story.pin_date
        if pin is None:
            continue
        where = (item.file, item.line, "pin_date")
        if pin < today:
            problems.append(Problem(*where, f"{pin.isoformat()} is in the past"))
            bad.add(index)
        elif (reason := calendar.off_reason(pin)) is not None:
            problems.append(Problem(*where, f"nothing posts on {pin.isoformat()} ({reason})"))
            bad.add(index)
        elif pin in pins_in_file:
            first = pins_in_file[pin]
            problems.append(
                Problem(*where, f"{pin.isoformat()} is also the pin date of line {first.line}")
            )
            bad.add(index)
        else:
            pins_in_file[pin] = item

    prints = [item.fingerprint or item.story.fingerprint() for item in items]
    with app.db.read() as session:
        existing = _existing_fingerprints(session, app.campaign_id, prints)
        taken = {
            day: sid
            for day, sid, fp in session.execute(
                select(Story.pin_date, Story.id, Story.fingerprint).where(
                    Story.campaign_id == app.campaign_id, Story.pin_date.in_(list(pins_in_file))
                )
            )
            if fp not in existing or existing[fp] != sid
        }
    fresh: list[tuple[Parsed, str]] = []
    for index, (item, fingerprint) in enumerate(zip(items, prints, strict=True)):
        if fingerprint in existing:
            report.already += 1
            continue
        pin = item.story.pin_date
        if pin is not None and pin in taken and index not in bad:
            problems.append(
                Problem(
                    item.file,
                    item.line,
                    "pin_date",
                    f"story #{taken[pin]} is already pinned to {pin.isoformat()}",
                )
            )
            bad.add(index)
        if index not in bad:
            fresh.append((item, fingerprint))

    report.problems = sorted(problems, key=lambda p: (p.file, p.line or 0))
    if problems and not skip_invalid:
        raise ValidationFailed(
            report.problems,
            summary=f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the import",
        )
    report.invalid = len({(p.file, p.line) for p in problems})
    if dry_run or not fresh:
        report.added = len(fresh) if dry_run else 0
        return report

    now = app.clock.now()
    ids: list[int] = []
    with app.db.write() as session:
        lock_campaign(session, app.campaign_id)
        top = session.scalar(
            select(func.max(Story.sort_key)).where(Story.campaign_id == app.campaign_id)
        )
        key = first_key = int(top) if top is not None else 0
        conn = session.connection()
        stories = BulkInsert(conn, Story.__table__, STORY_INSERT_COLUMNS)
        events = BulkInsert(conn, Event.__table__, EVENT_INSERT_COLUMNS)
        constant = {
            "campaign_id": app.campaign_id,
            "status": StoryStatus.DRAFT.value,
            "status_reason": "",
            "created_by": actor,
            "created_at": now,
            "updated_by": actor,
            "updated_at": now,
            "approved_by": None,
            "approved_at": None,
        }
        event_constant = {
            "at": now,
            "actor": actor,
            "action": "story.imported",
            "campaign_id": app.campaign_id,
            "delivery_id": None,
            "before": None,
        }
        story_values = attrgetter(*STORY_FIELDS)
        after_json = _imported_after_json()
        # driver-level executemany in chunks: bounded memory, still one transaction
        for start in range(0, len(fresh), WRITE_CHUNK):
            chunk = fresh[start : start + WRITE_CHUNK]
            sources = []
            rows = []
            for item, fingerprint in chunk:
                key += 1024
                source = f"{item.file}:{item.line}"
                sources.append(source)
                rows.append((*story_values(item.story), fingerprint, key, source))
            last_id = conn.execute(select(func.max(Story.id))).scalar() or 0
            stories.run_tuples(rows, _STORY_VARYING, constant)
            # the campaign is locked, so the new keys are ours alone; the id range keeps
            # the read to the rows just written
            chunk_ids = list(
                conn.execute(
                    select(Story.id)
                    .where(
                        Story.id > last_id,
                        Story.campaign_id == app.campaign_id,
                        Story.sort_key > first_key + start * 1024,
                        Story.sort_key <= key,
                    )
                    .order_by(Story.sort_key)
                ).scalars()
            )
            assert len(chunk_ids) == len(rows)
            # The story row holds what was imported; every later change records the
            # values before it, so the creation state stays recoverable from the trail.
            events.run_tuples(
                [
                    (sid, after_json(source), f"imported from {source}")
                    for sid, source in zip(chunk_ids, sources, strict=True)
                ],
                _EVENT_VARYING,
                event_constant,
            )
            ids.extend(chunk_ids)
    report.added = len(ids)
    report.added_ids = ids
    return report


def _existing_fingerprints(session: Session, campaign_id: int, prints: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    if not prints:
        return found
    # A first import into an empty campaign has nothing to compare with: one query, not
    # one per 500 stories.
    if session.scalar(select(Story.id).where(Story.campaign_id == campaign_id).limit(1)) is None:
        return found
    for start in range(0, len(prints), CHUNK):
        chunk = prints[start : start + CHUNK]
        for fp, sid in session.execute(
            select(Story.fingerprint, Story.id).where(
                Story.campaign_id == campaign_id, Story.fingerprint.in_(chunk)
            )
        ):
            found[fp] = sid
    return found


class BulkInsert:
    """``executemany`` at the driver level with each column's own bind processing.

    SQLAlchemy's executemany processes every parameter of every row through its type
    machinery; for 100,000 rows that costs more than SQLite's own work. Here the insert is
    compiled once for the connection's dialect and only the columns whose type needs a
    conversion (dates, UTC datetimes) go through their processor.
    """

    def __init__(self, conn: Connection, table: Any, columns: Sequence[str]) -> None:
        self.conn = conn
        dialect = conn.dialect
        compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
        self.sql = str(compiled)
        self.positional = compiled.positiontup is not None
        self.order: tuple[str, ...] = tuple(compiled.positiontup or columns)
        self.getter = itemgetter(*self.order)
        self._adapt = _driver_adapter(dialect)
        self.processors = {
            name: processor
            for name in columns
            if (processor := table.c[name].type.bind_processor(dialect)) is not None
            or isinstance(table.c[name].type, TypeDecorator)
        }
        for name in list(self.processors):
            column_type = table.c[name].type
            if isinstance(column_type, TypeDecorator):
                self.processors[name] = _decorated(column_type, dialect)

    def run(self, rows: list[dict[str, Any]], same: dict[str, Any] | None = None) -> None:
        """Insert ``rows``; ``same`` holds values shared by every row (processed once)."""
        if not rows:
            return
        same = {k: self._process(k, v) for k, v in (same or {}).items()}
        varying = [(n, p) for n, p in self.processors.items() if n not in same]
        for row in rows:
            for name, processor in varying:
                value = row[name]
                if value is not None:
                    row[name] = processor(value)
            row.update(same)
        params: list[Any] = list(map(self.getter, rows)) if self.positional else rows
        self.conn.exec_driver_sql(self.sql, params)

    def run_tuples(
        self,
        rows: list[tuple[Any, ...]],
        names: Sequence[str],
        same: dict[str, Any] | None = None,
    ) -> None:
        """Insert ``rows``, each the values of ``names`` in that order; ``same`` as in
        :meth:`run`. Stores exactly what :meth:`run` stores for the same values, with no
        dictionary per row when no column of ``names`` needs a conversion."""
        if not rows:
            return
        same = same or {}
        if any(name in self.processors for name in names):
            self.run([dict(zip(names, row, strict=True)) for row in rows], same)
            return
        keys = (*names, *same)
        constants = tuple(self._adapt(self._process(k, v)) for k, v in same.items())
        if not self.positional:
            self.conn.exec_driver_sql(
                self.sql, [dict(zip(keys, row + constants, strict=True)) for row in rows]
            )
            return
        order = itemgetter(*(keys.index(name) for name in self.order))
        self.conn.exec_driver_sql(self.sql, [order(row + constants) for row in rows])

    def _process(self, name: str, value: Any) -> Any:
        processor = self.processors.get(name)
        return processor(value) if processor is not None and value is not None else value


def _decorated(column_type: TypeDecorator[Any], dialect: Any) -> Callable[[Any], Any]:
    outer = column_type.process_bind_param
    inner = column_type.impl_instance.bind_processor(dialect)

    def process(value: Any) -> Any:
        value = outer(value, dialect)
        return inner(value) if inner is not None and value is not None else value

    return process


_PLAIN = (int, float, str, bytes)


def _driver_adapter(dialect: Any) -> Callable[[Any], Any]:
    """What the driver would turn a value into before binding it, done once in advance.

    For a value bound in every row (an import's timestamps), SQLite's driver would call
    the same registered adapter (``datetime`` → ISO text) for each row; calling it once
    gives the same text to store. Anything else, or any other driver, is left alone.
    """
    dbapi = getattr(dialect, "dbapi", None) if dialect.name == "sqlite" else None
    adapters = getattr(dbapi, "adapters", None)
    protocol = getattr(dbapi, "PrepareProtocol", None)
    if not isinstance(adapters, dict) or protocol is None:
        return _unchanged

    def adapt(value: Any) -> Any:
        if value is None or type(value) in _PLAIN:
            return value
        adapter = adapters.get((type(value), protocol))
        if adapter is None:
            return value
        adapted = adapter(value)
        if type(adapted) in _PLAIN and (type(adapted), protocol) not in adapters:
            return adapted
        return value  # the driver would adapt the result again: leave it all to the driver

    return adapt


def _unchanged(value: Any) -> Any:
    return value


def _imported_after_json() -> Callable[[str], str]:
    """``audit.to_json({"source": source, "status": "draft"})``, quicker.

    The event of an imported story differs from the next only in its source, so the JSON
    around it is worked out once and only the source is encoded (by the encoder json uses
    for text); checked against ``audit.to_json`` on awkward sources before it is used.
    """

    def slow(source: str) -> str:
        return audit.to_json({"source": source, "status": "draft"})

    marker = "infobot-source-marker"
    prefix, found, suffix = slow(marker).partition(json.dumps(marker))
    encode: Callable[[str], str] = json.encoder.encode_basestring

    def fast(source: str) -> str:
        return prefix + encode(source) + suffix

    samples = ("a.csv:1", 'Zoë "quoted" \\path\n\t:2', "\udcff\u2028\x00:3", "")
    if found and all(fast(sample) == slow(sample) for sample in samples):
        return fast
    return slow
