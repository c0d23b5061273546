"""An import's queries and its bulk write: 100,000 stories in one transaction, over the
DB-API driver (:class:`~infobot.store.reader.Reader`), with no SQLAlchemy.

Both ways into an import use it: ``infobot import`` on the lean path (the driver's own
connection, ``LeanSource``) and the full application (the pooled connection of its write
transaction, ``Database.bulk_writer``). The SQL is one text for SQLite and PostgreSQL; only
the placeholders differ, and on SQLite the values every row of a chunk shares are written
into the statement as literals (binding a value costs more than storing it: about a
tenth of a second per 100,000 stories).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from infobot.domain.story import STORY_FIELDS, StoryStatus
from infobot.store.queries.campaigns import calendar
from infobot.store.queries.stories import version_columns
from infobot.store.reader import Reader, placeholders, sql_value
from infobot.store.rows import as_day

if TYPE_CHECKING:
    from infobot.domain.calendar import CampaignCalendar

__all__ = ["ImportTransaction", "ImportedStories"]

#: How many fingerprints one ``IN (...)`` query looks for.
LOOKUP_CHUNK = 500
#: Sort keys are spaced out so that a story can later be moved between two others.
SORT_STEP = 1024
#: SQLite's page cache while an import writes (negative: KiB): 8 MiB wrote 100,000
#: stories as quickly as 32 MiB, with 26 MiB less peak memory.
IMPORT_CACHE_KIB = -8192
#: The savepoint a file is written under when the import skips what is invalid.
SAVEPOINT = "infobot_import_file"
#: The integers a statement may hold as literals (SQLite's 64-bit range); the other
#: literals are NULL and printable text (``'`` doubled: SQLite's literals' only escape).
_INT64 = 2**63

STORY_COLUMNS = (
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
EVENT_COLUMNS = (
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
#: Columns whose values differ from story to story: never worth a look for one value.
_ALWAYS_VARY = frozenset({"fingerprint", "sort_key", "body", "source"})
#: Sources that quoting might get wrong (line breaks, controls, quotes, separators).
_AWKWARD_SOURCES = (
    "a.csv:1",
    'Zoë "quoted" \\ path\n\t\r\b\f:2',
    "\x01\x1f\x7f\x85\u2028\u2029:3",
    "€ ✓ 👩🏽:9",
    "",
)
_AFTER_SQL = '\'{"source": \' || json_quote(SOURCE) || \', "status": "draft"}\''
#: The events of a chunk made by SQLite from its stories: the rows after ``last_id``, found
#: by the primary key. The campaign and the keys are checked row by row ("+ 0": no index
#: on them is searched), else SQLite would read every story of the campaign, once per
#: chunk, to find the few thousand just written; read in id order, nothing to sort.
_EVENTS_BY_SELECT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)})"
    " SELECT :at, :actor, 'story.imported', campaign_id, id, NULL, NULL,"
    f" {_AFTER_SQL.replace('SOURCE', 'source')}, 'imported from ' || source"
    " FROM stories WHERE id > :last_id AND campaign_id + 0 = :cid"
    " AND sort_key + 0 > :first_key AND sort_key + 0 <= :last_key ORDER BY id"
)


class StoryColumns(Protocol):
    """Stories a column per field (the import's ``StoryRun``): ``columns`` holds a list
    per story field and ``"versions"``; ``files`` and ``lines`` say where each was read."""

    files: list[str]
    lines: list[int]
    columns: dict[str, list[Any]]
    prints: list[str]

    def __len__(self) -> int: ...


class ImportTransaction:
    """What one import asks of the database, inside the transaction ``r`` holds."""

    def __init__(self, r: Reader, campaign_id: int) -> None:
        self.r = r
        self.campaign_id = campaign_id
        self._calendar: CampaignCalendar | None = None

    def lock(self) -> None:
        """Serialise writers that give out queue positions in this campaign: SQLite's
        ``BEGIN IMMEDIATE`` already does; on PostgreSQL this takes the campaign's row.
        ``LookupError`` if there is no such campaign."""
        sql = "SELECT id FROM campaigns WHERE id = :id"
        if self.r.dialect == "postgresql":
            sql += " FOR UPDATE"
        if self.r.scalar(sql, id=self.campaign_id) is None:
            raise LookupError(f"there is no campaign #{self.campaign_id}")

    def has_stories(self) -> bool:
        """Whether the campaign holds any story (a first import has nothing to compare)."""
        sql = "SELECT id FROM stories WHERE campaign_id = :cid LIMIT 1"
        return self.r.scalar(sql, cid=self.campaign_id) is not None

    def existing_fingerprints(self, prints: Sequence[str]) -> dict[str, int]:
        """The campaign's stories holding one of ``prints``: fingerprint → id."""
        found: dict[str, int] = {}
        for start in range(0, len(prints), LOOKUP_CHUNK):
            marks, params = placeholders("fp", prints[start : start + LOOKUP_CHUNK])
            sql = (
                "SELECT fingerprint, id FROM stories"
                f" WHERE campaign_id = :cid AND fingerprint IN {marks}"
            )
            found.update(self.r.rows(sql, cid=self.campaign_id, **params))
        return found

    def pinned_elsewhere(self, days: Iterable[date], existing: dict[str, int]) -> dict[date, int]:
        """Stories already pinned to one of ``days``: day → story id, leaving out those in
        ``existing`` (fingerprint → id: the same story imported again is no clash)."""
        wanted = list(days)
        if not wanted:
            return {}
        marks, params = placeholders("day", wanted)
        sql = (
            "SELECT pin_date, id, fingerprint FROM stories"
            f" WHERE campaign_id = :cid AND pin_date IN {marks}"
        )
        return {
            as_day(day): sid
            for day, sid, fp in self.r.rows(sql, cid=self.campaign_id, **params)
            if existing.get(fp) != sid
        }

    def calendar(self) -> CampaignCalendar:
        """The campaign's calendar (read once per import)."""
        if self._calendar is None:
            found = calendar(self.r, self.campaign_id)
            if found is None:
                raise LookupError(f"there is no campaign #{self.campaign_id}")
            self._calendar = found
        return self._calendar

    # -- a file at a time, when the import skips what is invalid ---------------------------
    def savepoint(self) -> None:
        self.r.execute(f"SAVEPOINT {SAVEPOINT}")

    def release(self) -> None:
        self.r.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")

    def roll_back_to_savepoint(self) -> None:
        self.r.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
        self.release()


class ImportedStories:
    """Adds imported stories as drafts, each with its ``story.imported`` event, in chunks.

    Written inside the caller's transaction (which must hold the campaign's lock, so the
    new sort keys are this writer's alone): call :meth:`write` as often as needed, then
    :meth:`close`.
    """

    def __init__(
        self,
        r: Reader,
        *,
        campaign_id: int,
        actor: str,
        now: datetime,
        event_after: Callable[[str], str],
    ) -> None:
        self.r = r
        self.sqlite = r.dialect == "sqlite"
        self.campaign_id = campaign_id
        self.actor = actor
        self.now = now
        self.event_after = event_after
        sql = "SELECT max(sort_key) FROM stories WHERE campaign_id = :cid"
        top = r.scalar(sql, cid=campaign_id)
        self.key = int(top) if top is not None else 0
        self.constant: dict[str, Any] = {
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
        self.events_by_select = self.sqlite and self._sqlite_quotes_as_python()
        self._cache_size: int | None = None
        if self.sqlite:
            # SQLite's page cache of this connection would grow to hold pages of the
            # tables being written; a small one costs no time here and keeps the memory
            # of a 100,000-story import down (IMPORT_CACHE_KIB).
            self._cache_size = int(r.scalar("PRAGMA cache_size") or 0)
            r.execute(f"PRAGMA cache_size={IMPORT_CACHE_KIB}")

    def close(self) -> None:
        """Give the connection back as it was (its page cache size)."""
        if self._cache_size is not None:
            self.r.execute(f"PRAGMA cache_size={self._cache_size}")
            self._cache_size = None

    def _sqlite_quotes_as_python(self) -> bool:
        """Whether SQLite writes exactly the text ``event_after`` gives (checked on awkward
        sources): then a chunk's events are one ``INSERT ... SELECT`` from its stories."""
        probe = "SELECT " + _AFTER_SQL.replace("SOURCE", ":sample")
        return all(
            self.r.scalar(probe, sample=sample) == self.event_after(sample)
            for sample in _AWKWARD_SOURCES
        )

    def write(self, run: StoryColumns) -> list[int]:
        """Add the stories of ``run``, in order; their new ids."""
        count = len(run)
        if not count:
            return []
        first_key = self.key
        key = first_key + SORT_STEP * count
        columns: dict[str, Sequence[Any] | Prefixed] = {
            name: run.columns[name] for name in STORY_FIELDS
        }
        columns["fingerprint"] = run.prints
        columns["sort_key"] = range(first_key + SORT_STEP, key + 1, SORT_STEP)
        files = run.files
        shared_file = files.count(files[0]) == count and _shared_literal([files[0]]) is not None
        if self.sqlite and shared_file:  # 'FILE:' || line, the line bound as a number
            columns["source"] = Prefixed(files[0] + ":", run.lines)
        else:
            columns["source"] = list(map("{}:{}".format, files, run.lines))
        if any(run.columns["versions"]):
            pairs = map(version_columns, run.columns["language"], run.columns["versions"])
            versions, languages = zip(*pairs, strict=True)
            columns["versions"], columns["languages"] = versions, languages
        else:  # as version_columns gives it for a story in one language
            columns["versions"], columns["languages"] = [""] * count, columns["language"]
        self.key = key
        last_id = self._last_id()
        self._insert("stories", STORY_COLUMNS, columns, self.constant)
        top = self._last_id() if self.sqlite else None
        if top is not None and top == last_id + count:
            # SQLite gives each new row the highest id so far plus one, and the write
            # lock keeps every other writer out: these are the new ids, in order.
            ids = list(range(last_id + 1, top + 1))
            if self.events_by_select:
                span = {"last_id": last_id, "first_key": first_key, "last_key": key}
                at, actor = self.now, self.actor
                self.r.execute(_EVENTS_BY_SELECT, at=at, actor=actor, cid=self.campaign_id, **span)
                return ids
        else:
            # the campaign is locked, so the new keys are ours alone; the id range keeps
            # the read to the rows just written
            sql = (
                "SELECT id FROM stories WHERE id > :last_id AND campaign_id = :cid"
                " AND sort_key > :first_key AND sort_key <= :last_key ORDER BY sort_key"
            )
            span = {"last_id": last_id, "first_key": first_key, "last_key": key}
            ids = [sid for (sid,) in self.r.rows(sql, cid=self.campaign_id, **span)]
        assert len(ids) == count
        # The story row holds what was imported; every later change records the values
        # before it, so the creation state stays recoverable from the trail.
        sources = list(map("{}:{}".format, files, run.lines))
        events: dict[str, Sequence[Any]] = {
            "story_id": ids,
            "after": list(map(self.event_after, sources)),
            "message": [f"imported from {source}" for source in sources],
        }
        same = {
            "at": self.now,
            "actor": self.actor,
            "action": "story.imported",
            "campaign_id": self.campaign_id,
            "delivery_id": None,
            "before": None,
        }
        self._insert("events", EVENT_COLUMNS, events, same)
        return ids

    def _last_id(self) -> int:
        return int(self.r.scalar("SELECT max(id) FROM stories") or 0)

    def _insert(
        self,
        table: str,
        names: Sequence[str],
        columns: Mapping[str, Sequence[Any] | Prefixed],
        same: dict[str, Any],
    ) -> None:
        """Insert rows given a column at a time (``same``: the values of every row). Each
        value is bound as the reader binds it (dates and UTC times as the columns store
        them, converted once per distinct value); on SQLite a value every row shares is
        a literal of the statement instead."""
        dialect = self.r.dialect
        marks: list[str] = []
        given: list[Sequence[Any]] = []
        bound: list[tuple[object, int]] = []  # each column bound and its parameter's number
        count = len(next(iter(columns.values())))
        for name in names:
            prefix = ""
            values: Sequence[Any]
            if name in same:
                values = [sql_value(dialect, same[name])]
            else:
                column = columns[name]
                if isinstance(column, Prefixed):
                    prefix, column = column.prefix, column.values
                # dates as the columns store them; text or numbers (or NULL) as they are
                values = _as_bound(dialect, column) if name in _DATES else column
            if self.sqlite and name not in _ALWAYS_VARY:
                text = _shared_literal(values)
                if text is not None:
                    marks.append(text)
                    continue
            if not self.sqlite:
                if prefix:
                    values = [prefix + str(value) for value in values]
                marks.append("%s")
                given.append(values if len(values) == count else [values[0]] * count)
                continue
            # SQLite: numbered parameters, so a column given twice is bound once
            number = next((n for column, n in bound if column is values), None)
            if number is None:
                given.append(values if len(values) == count else [values[0]] * count)
                number = len(given)
                bound.append((values, number))
            mark = f"?{number}"
            marks.append(f"{_shared_literal([prefix])} || {mark}" if prefix else mark)
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)})"
        rows = list(zip(*given, strict=True)) if given else [()] * count
        if self.sqlite:
            self.r.connection.executemany(sql, rows)
        else:
            with self.r.connection.cursor() as cursor:
                cursor.executemany(sql, rows)


@dataclass(frozen=True)
class Prefixed:
    """A column of text values, each ``prefix`` followed by a value of ``values`` (a
    story's source: its file, a colon and its line): on SQLite the prefix is part of the
    statement and only the values are bound."""

    prefix: str
    values: Sequence[Any]

    def __len__(self) -> int:
        return len(self.values)


def _as_bound(dialect: str, column: Sequence[Any]) -> Sequence[Any]:
    """``column`` as the reader binds it: text and numbers as they are, anything else
    converted once per distinct value."""
    kinds = set(map(type, column))
    if kinds <= _PLAIN_KINDS:
        return column
    done = {value: sql_value(dialect, value) for value in set(column)}
    return list(map(done.__getitem__, column))


_PLAIN_KINDS = frozenset({str, int, type(None)})
#: The columns of dates (the other columns a writer is given hold text or numbers).
_DATES = frozenset({"consent_date", "pin_date"})


def _shared_literal(values: Sequence[Any]) -> str | None:
    """The SQLite literal of the one value every row holds, if there is one and it can be
    written as a literal that stores exactly what binding it would; else None."""
    first = values[0]
    if len(values) > 1 and values.count(first) != len(values):
        return None
    if first is None:
        return "NULL"
    if type(first) is int and -_INT64 <= first < _INT64:
        return str(first)
    if type(first) is str and first.isprintable():
        return "'" + first.replace("'", "''") + "'"
    return None
