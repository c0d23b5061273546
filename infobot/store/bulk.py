"""Bulk writes and the queries an import needs: 100,000 stories in one transaction.

SQLAlchemy's ORM (and even Core's ``executemany``) processes every parameter of every row
through its type machinery; for an import of 100,000 rows that costs more than the
database's own work. :class:`BulkInsert` compiles an insert once for the connection's
dialect and converts only the columns whose type needs it (dates, UTC datetimes).
:class:`ImportedStories` writes imported stories and their audit events with it, a chunk
at a time, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from itertools import repeat
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    ColumnClause,
    Connection,
    Executable,
    Integer,
    Text,
    TypeDecorator,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy.orm import Session

from infobot.domain.story import STORY_FIELDS, StoryInput, StoryStatus
from infobot.store.models import Campaign, Event, Story
from infobot.store.stories import version_columns

__all__ = [
    "BulkInsert",
    "ImportedStories",
    "existing_fingerprints",
    "has_stories",
    "pinned_elsewhere",
]

#: How many fingerprints one ``IN (...)`` query looks for.
LOOKUP_CHUNK = 500
#: Sort keys are spaced out so that a story can later be moved between two others.
SORT_STEP = 1024
#: SQLite's page cache while an import writes (negative: KiB): 8 MiB wrote 100,000
#: stories as quickly as the connection's usual 32 MiB, with 26 MiB less peak memory.
IMPORT_CACHE_KIB = -8192

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
    "versions",
    "languages",
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
#: Added to a column in a condition that no index is to serve (SQLite's own idiom).
_NO_INDEX: ColumnClause[int] = literal_column("0", Integer)
#: Each field of a story, and how to read it.
_STORY_GETTERS = tuple((name, attrgetter(name)) for name in STORY_FIELDS)
_VERSIONS = attrgetter("versions")


def existing_fingerprints(
    session: Session, campaign_id: int, prints: Sequence[str]
) -> dict[str, int]:
    """The stories of ``campaign_id`` already holding one of ``prints``: fingerprint → id."""
    found: dict[str, int] = {}
    for start in range(0, len(prints), LOOKUP_CHUNK):
        chunk = list(prints[start : start + LOOKUP_CHUNK])
        for fp, sid in session.execute(
            select(Story.fingerprint, Story.id).where(
                Story.campaign_id == campaign_id, Story.fingerprint.in_(chunk)
            )
        ):
            found[fp] = sid
    return found


def has_stories(session: Session, campaign_id: int) -> bool:
    """Whether the campaign holds any story (a first import has nothing to compare with)."""
    first = select(Story.id).where(Story.campaign_id == campaign_id).limit(1)
    return session.scalar(first) is not None


def pinned_elsewhere(
    session: Session, campaign_id: int, days: Iterable[date], existing: dict[str, int]
) -> dict[date, int]:
    """Stories already pinned to one of ``days``: day → story id, leaving out the stories
    in ``existing`` (fingerprint → id; the same story imported again is no clash)."""
    wanted = list(days)
    if not wanted:
        return {}
    return {
        day: sid
        for day, sid, fp in session.execute(
            select(Story.pin_date, Story.id, Story.fingerprint).where(
                Story.campaign_id == campaign_id, Story.pin_date.in_(wanted)
            )
        )
        if day is not None and existing.get(fp) != sid
    }


#: Sources that quoting might get wrong (line breaks, controls, quotes, separators).
_AWKWARD_SOURCES = (
    "a.csv:1",
    'Zoë "quoted" \\ path\n\t\r\b\f:2',
    "\x01\x1f\x7f\x85\u2028\u2029:3",
    "€ ✓ 👩🏽:9",
    "",
)


def _after_json(source: Any) -> Any:
    """``{"source": SOURCE, "status": "draft"}`` as SQLite writes it (``json_quote``)."""
    return literal('{"source": ') + func.json_quote(source) + literal(', "status": "draft"}')


class ImportedStories:
    """Adds imported stories as drafts, each with its ``story.imported`` event, in chunks.

    Written inside the caller's transaction (which must hold the campaign's lock, so the
    new sort keys are this writer's alone): call :meth:`write` as often as needed, then
    :meth:`close`.
    """

    def __init__(
        self,
        session: Session,
        *,
        campaign_id: int,
        actor: str,
        now: datetime,
        event_after: Callable[[str], str],
    ) -> None:
        self.conn = session.connection()
        self.campaign_id = campaign_id
        # The rows written refer to this campaign (and to the stories written with them):
        # checked once here, as a bulk write may not check foreign keys row by row.
        if session.scalar(select(Campaign.id).where(Campaign.id == campaign_id)) is None:
            raise LookupError(f"there is no campaign #{campaign_id}")
        self.event_after = event_after
        top = session.scalar(
            select(func.max(Story.sort_key)).where(Story.campaign_id == campaign_id)
        )
        self.key = int(top) if top is not None else 0
        self.stories = BulkInsert(self.conn, Story.__table__, STORY_INSERT_COLUMNS)
        self.events = BulkInsert(self.conn, Event.__table__, EVENT_INSERT_COLUMNS)
        self.constant = {
            "campaign_id": campaign_id,
            "status": StoryStatus.DRAFT.value,
            "status_reason": "",
            "created_by": actor,
            "created_at": now,
            "updated_by": actor,
            "updated_at": now,
            "approved_by": None,
            "approved_at": None,
        }
        self.event_constant = {
            "at": now,
            "actor": actor,
            "action": "story.imported",
            "campaign_id": campaign_id,
            "delivery_id": None,
            "before": None,
        }
        self.events_by_select = self._events_by_select(now, actor)
        self._cache_size: int | None = None
        if self.conn.dialect.name == "sqlite":
            # SQLite's page cache of this connection would grow to hold pages of the
            # tables being written; a small one costs no time here and keeps the memory
            # of a 100,000-story import down (IMPORT_CACHE_KIB).
            self._cache_size = int(self.conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
            self.conn.exec_driver_sql(f"PRAGMA cache_size={IMPORT_CACHE_KIB}")

    def close(self) -> None:
        """Give the connection back as it was (its page cache size)."""
        if self._cache_size is not None:
            self.conn.exec_driver_sql(f"PRAGMA cache_size={self._cache_size}")
            self._cache_size = None

    def _events_by_select(self, now: datetime, actor: str) -> Executable | None:
        """The chunk's events as one ``INSERT ... SELECT`` from its stories, worked out by
        SQLite with no Python per event; used only where SQLite writes exactly the text
        ``event_after`` gives (checked on awkward sources), otherwise ``None``."""
        if self.conn.dialect.name != "sqlite":
            return None
        probe = select(_after_json(bindparam("sample", type_=Text)))
        for sample in _AWKWARD_SOURCES:
            written = self.conn.execute(probe, {"sample": sample}).scalar()
            if written != self.event_after(sample):
                return None
        after = _after_json(Story.source)
        at = self.events.value("at", now)  # as the Python path binds it, to the character
        if not isinstance(at, str):
            return None
        stories = (
            select(
                literal(at, Text),
                literal(actor, Text),
                literal("story.imported", Text),
                Story.campaign_id,
                Story.id,
                null(),
                null(),
                after,
                literal("imported from ", Text) + Story.source,
            )
            .where(
                # The chunk's stories are the rows after ``last_id``: found by the primary
                # key. The campaign and the keys are checked row by row ("+ 0": no index
                # on them is searched), else SQLite would read every story of the
                # campaign, once per chunk, to find the few thousand just written.
                Story.id > bindparam("last_id"),
                Story.campaign_id + _NO_INDEX == self.campaign_id,
                Story.sort_key + _NO_INDEX > bindparam("first_key"),
                Story.sort_key + _NO_INDEX <= bindparam("last_key"),
            )
            # used only when the chunk's ids are last_id + 1, ... in the order of their
            # keys (see ``write``): read in the primary key's order, nothing to sort
            .order_by(Story.id)
        )
        return insert(Event).from_select(list(EVENT_INSERT_COLUMNS), stories)

    def _last_id(self) -> int:
        return int(self.conn.execute(select(func.max(Story.id))).scalar() or 0)

    def write(self, chunk: Sequence[tuple[StoryInput, str, str]]) -> list[int]:
        """Add each (story, fingerprint, source) of ``chunk``, in order; their new ids."""
        if not chunk:
            return []
        first_key = self.key
        key = first_key + SORT_STEP * len(chunk)
        stories, prints, sources = map(list, zip(*chunk, strict=True))
        columns: dict[str, Sequence[Any]] = {
            name: list(map(getter, stories)) for name, getter in _STORY_GETTERS
        }
        columns["fingerprint"] = prints
        columns["sort_key"] = range(first_key + SORT_STEP, key + 1, SORT_STEP)
        columns["source"] = sources
        if any(map(_VERSIONS, stories)):
            versions, languages = zip(*map(version_columns, stories), strict=True)
            columns["versions"], columns["languages"] = versions, languages
        else:  # as version_columns gives it for a story in one language
            columns["versions"], columns["languages"] = [""] * len(stories), columns["language"]
        self.key = key
        last_id = self._last_id()
        self.stories.run_columns(columns, self.constant)
        top = self._last_id() if self.conn.dialect.name == "sqlite" else None
        in_order = top is not None and top == last_id + len(stories)
        if top is not None and in_order:
            # SQLite gives each new row the highest id so far plus one, and the write
            # lock keeps every other writer out: these are the new ids, in order.
            ids = list(range(last_id + 1, top + 1))
        else:
            # the campaign is locked, so the new keys are ours alone; the id range keeps
            # the read to the rows just written
            ids = list(
                self.conn.execute(
                    select(Story.id)
                    .where(
                        Story.id > last_id,
                        Story.campaign_id == self.campaign_id,
                        Story.sort_key > first_key,
                        Story.sort_key <= key,
                    )
                    .order_by(Story.sort_key)
                ).scalars()
            )
        assert len(ids) == len(stories)
        # The story row holds what was imported; every later change records the values
        # before it, so the creation state stays recoverable from the trail.
        if self.events_by_select is not None and in_order:
            span = {"last_id": last_id, "first_key": first_key, "last_key": key}
            self.conn.execute(self.events_by_select, span)
            return ids
        after = self.event_after
        events: dict[str, Sequence[Any]] = {
            "story_id": ids,
            "after": list(map(after, sources)),
            "message": [f"imported from {source}" for source in sources],
        }
        self.events.run_columns(events, self.event_constant)
        return ids


class BulkInsert:
    """``executemany`` at the driver level with each column's own bind processing.

    The insert is compiled once for the connection's dialect and only the columns whose
    type needs a conversion (dates, UTC datetimes) go through their processor.
    """

    def __init__(self, conn: Connection, table: Any, columns: Sequence[str]) -> None:
        self.conn = conn
        dialect = conn.dialect
        compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
        self.sql = str(compiled)
        self.positional = compiled.positiontup is not None
        self.order: tuple[str, ...] = tuple(compiled.positiontup or columns)
        self._adapt = _driver_adapter(dialect)
        self.processors = {
            name: processor
            for name in columns
            if (processor := table.c[name].type.bind_processor(dialect)) is not None
            or isinstance(table.c[name].type, TypeDecorator)
        }
        #: Columns of text or numbers with no processor: nothing to convert in advance
        #: (the driver binds such values as they are, and adapts anything else itself).
        self.plain = frozenset(
            name for name in columns if _python_type(table.c[name].type) in _PLAIN_TYPES
        )
        for name in list(self.processors):
            column_type = table.c[name].type
            if isinstance(column_type, TypeDecorator):
                self.processors[name] = _decorated(column_type, dialect)

    def run_columns(self, columns: Mapping[str, Sequence[Any]], same: dict[str, Any]) -> None:
        """Insert rows given a column at a time (each of ``columns`` as long as the others),
        ``same`` holds the values shared by every row (converted once). Each distinct
        value of a column that needs a conversion (a processor, or the driver's adapter) is
        converted once as :meth:`value` does it, and the rows are zipped in C."""
        given: list[Iterable[Any]] = []
        for name in self.order:
            if name in same:
                given.append(repeat(self.value(name, same[name])))
            else:
                given.append(self._converted(name, columns[name]))
        rows: list[Any] = list(zip(*given, strict=False))  # the constants repeat
        if not rows:
            return
        if not self.positional:
            rows = [dict(zip(self.order, row, strict=True)) for row in rows]
        self.conn.exec_driver_sql(self.sql, rows)

    def _converted(self, name: str, column: Sequence[Any]) -> Sequence[Any]:
        """``column`` as bound: each value processed and adapted as :meth:`value` does it
        (once per distinct value when the column holds one kind of value)."""
        if name not in self.processors and name in self.plain:
            return column  # text or numbers: bound as they are (the driver's own work)
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if name not in self.processors and kinds <= _PLAIN_TYPES:
            return column
        if len(kinds) != 1 or not all(kind.__hash__ for kind in kinds):
            return [self.value(name, value) for value in column]
        done = {value: self.value(name, value) for value in set(column)}
        return list(map(done.__getitem__, column))

    def value(self, name: str, value: Any) -> Any:
        """``value`` of column ``name`` exactly as it is bound for every row."""
        return self._adapt(self._process(name, value))

    def _process(self, name: str, value: Any) -> Any:
        processor = self.processors.get(name)
        return processor(value) if processor is not None and value is not None else value


def _python_type(column_type: Any) -> type | None:
    try:
        found: type = column_type.python_type
    except NotImplementedError:
        return None
    return found


def _decorated(column_type: TypeDecorator[Any], dialect: Any) -> Callable[[Any], Any]:
    outer = column_type.process_bind_param
    inner = column_type.impl_instance.bind_processor(dialect)

    def process(value: Any) -> Any:
        value = outer(value, dialect)
        return inner(value) if inner is not None and value is not None else value

    return process


_PLAIN = (int, float, str, bytes)
_PLAIN_TYPES = frozenset(_PLAIN)


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
