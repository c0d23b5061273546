"""Databases too big to make through the CLI: 1,000,000 stories, and a 1,000-story twin.

The CLI makes each database (``infobot status`` applies the migrations and creates the
campaign row, exactly as in real use); then the rows are bulk-inserted with ``sqlite3``:
89 % approved, 8 % draft, 3 % rejected, the oldest stories posted one a day with their
slot and outbox delivery, 40 approved stories pinned to future days, and audit events.
Only the columns the table has are written, so a new nullable column or a dropped one
needs no change here; a new required column without a default is reported plainly.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.common import DATA, TODAY, BenchError, Place, drop_sidecars, fresh_dir, infobot
from bench.datasets import schema_key
from bench.texts import ORGS, ROLES, story_text

DB_VERSION = "v3"  # bump when fill() changes


@dataclass(frozen=True)
class Shape:
    """What a generated database holds."""

    name: str
    stories: int
    slots: int  # past campaign days, each with a posted story and its delivery
    events: int

    @property
    def version(self) -> str:
        return f"{DB_VERSION}-{self.stories}-{self.slots}-{self.events}-{schema_key()}"


BIG = Shape("big", 1_000_000, 300, 100_000)
REFERENCE = Shape("ref", 1_000, 30, 1_000)  # tells size costs from fixed costs (rendering)


def generated_database(shape: Shape) -> tuple[Path, float | None]:
    """A cached database of ``shape``: (path, seconds spent building it, or None)."""
    final = DATA / f"{shape.name}-{shape.version}.db"
    if final.exists():
        return final, None
    start = time.perf_counter()
    for old in DATA.glob(f"{shape.name}-*.db*"):
        old.unlink()
    workdir = fresh_dir(f"{shape.name}-build")
    place = Place(workdir / "infobot.db", workdir)
    infobot(place, "status")  # the schema (migrations) and the campaign row
    fill(place.db, shape)
    drop_sidecars(place.db)
    place.db.replace(final)
    shutil.rmtree(workdir, ignore_errors=True)
    return final, time.perf_counter() - start


def describe(path: Path, built: float | None) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        counts = dict(conn.execute("SELECT status, count(*) FROM stories GROUP BY status"))
        pins = conn.execute("SELECT count(pin_date) FROM stories").fetchone()[0]
        slots = conn.execute("SELECT count(*) FROM slots").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    stories = ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items()))
    note = f"built in {built:.0f} s" if built is not None else "cached"
    return (
        f"{path.name} ({path.stat().st_size / 1e6:,.0f} MB, {note}):\n      {stories}; "
        f"{pins} pinned; {slots} slots, {events:,} events"
    )


def sa_time(moment: datetime) -> str:
    """Naive UTC text as SQLAlchemy's SQLite DateTime writes it."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """INSERT the columns of ``columns`` that ``table`` has; refuse a required one it lacks."""
    info = conn.execute(f"PRAGMA table_info({table})").fetchall()
    present = {row[1] for row in info}
    missing = [
        row[1] for row in info if row[3] and row[4] is None and not row[5] and row[1] not in columns
    ]
    if missing:
        raise BenchError(
            f"bench/bulkdb.py: the {table} table has new required columns {missing}: "
            "give them a value in fill()"
        )
    keep = [n for n, name in enumerate(columns) if name in present]
    names = ", ".join(columns[n] for n in keep)
    marks = ", ".join("?" * len(keep))
    conn.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",
        ([row[n] for n in keep] for row in rows),
    )


STORY_COLUMNS = (
    *("id", "campaign_id", "fingerprint", "status", "sort_key", "title", "body", "author"),
    *("role", "organisation", "link", "image", "image_alt", "language", "consent_by"),
    *("consent_date", "consent_scope", "pin_date", "notes", "source", "status_reason"),
    *("created_by", "created_at", "updated_by", "updated_at", "approved_by", "approved_at"),
)
SLOT_COLUMNS = (
    *("id", "campaign_id", "local_date", "story_id", "status", "reason", "due_at"),
    *("claimed_at", "claimed_by", "finished_at"),
)
DELIVERY_COLUMNS = (
    *("id", "story_id", "slot_id", "platform", "status", "idempotency_key", "attempts"),
    *("next_attempt_at", "remote_id", "remote_url", "parts", "error", "created_at"),
    *("updated_at", "sent_at"),
)
EVENT_COLUMNS = (
    *("at", "actor", "action", "campaign_id", "story_id", "delivery_id", "before", "after"),
    "message",
)


def fill(path: Path, shape: Shape) -> None:
    """Bulk-insert stories, past slots with deliveries, and events straight into SQLite."""
    rng = random.Random(1_000_000)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")  # 400 MB while building
    (campaign_id,) = conn.execute("SELECT id FROM campaigns").fetchone()
    base = datetime(2025, 6, 1, 9, 30)
    bodies = [story_text(rng, n) for n in range(2000)]
    pinned: dict[int, date] = {}  # story id -> future pin date: 40 approved stories
    pin_day = TODAY + timedelta(days=3)
    step = 997 if shape.stories > 100_000 else 7
    for sid in range(shape.stories // 2, shape.stories // 2 + 40 * step, step):
        pinned[sid] = pin_day
        pin_day += timedelta(days=rng.randrange(1, 9))

    def story_rows() -> Iterator[tuple[object, ...]]:
        for sid in range(1, shape.stories + 1):
            title, body, author = bodies[sid % len(bodies)]
            created = base + timedelta(seconds=sid * 20)
            roll = sid % 100
            if sid <= shape.slots:
                status = "posted"
            elif roll < 8:
                status = "draft"
            elif roll < 11:
                status = "rejected"
            else:
                status = "approved"
            pin = pinned.get(sid)
            if pin is not None:
                status = "approved"
            approved = status in ("approved", "posted")
            fingerprint = hashlib.sha256(f"big-story-{sid}".encode()).hexdigest()
            yield (
                sid, campaign_id, fingerprint, status, sid * 1024, title, body, author,
                rng.choice(ROLES), rng.choice(ORGS),
                f"https://www.example.gov.uk/infostory/{sid:07d}",
                f"https://images.example.org/infostory/{sid:07d}.jpg",
                "A smiling member of staff standing outside the building",
                "en", author, "2026-09-01", "social media, website, 12 months",
                pin.isoformat() if pin else None, "bench data", f"bench.csv:{sid + 1}",
                "not right for the campaign" if status == "rejected" else "",
                "bench", sa_time(created), "bench", sa_time(created + timedelta(hours=1)),
                "approver" if approved else None,
                sa_time(created + timedelta(hours=1)) if approved else None,
            )  # fmt: skip

    conn.execute("BEGIN")
    insert(conn, "stories", STORY_COLUMNS, story_rows())
    first_day = TODAY - timedelta(days=shape.slots)
    slots = []
    deliveries = []
    for n, sid in enumerate(range(1, shape.slots + 1)):  # the oldest went out, one a day
        day = first_day + timedelta(days=n)
        due = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        done = sa_time(due + timedelta(seconds=4))
        sent = sa_time(due + timedelta(seconds=3))
        slot_id = n + 1
        slots.append(
            (
                slot_id, campaign_id, day.isoformat(), sid, "posted", "", sa_time(due),
                sa_time(due), "daemon", done,
            )
        )  # fmt: skip
        deliveries.append(
            (
                n + 1, sid, slot_id, "outbox", "sent", f"{campaign_id}:{sid}:outbox", 1, None,
                f"outbox-{sid}", f"file:///outbox#{sid}", "[]", "", sa_time(due), sent, sent,
            )
        )  # fmt: skip
    insert(conn, "slots", SLOT_COLUMNS, slots)
    insert(conn, "deliveries", DELIVERY_COLUMNS, deliveries)

    def event_rows() -> Iterator[tuple[object, ...]]:
        for n in range(shape.events):
            sid = n * (shape.stories // shape.events) + 1
            action = ("story.imported", "story.approved", "story.edited")[n % 3]
            at = sa_time(base + timedelta(seconds=sid * 20 + 5))
            after = '{"status": "approved"}'
            yield (at, "bench", action, campaign_id, sid, None, None, after, f"{action} by bench")

    insert(conn, "events", EVENT_COLUMNS, event_rows())
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
