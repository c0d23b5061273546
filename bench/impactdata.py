"""The impact figures' databases (issue 14), made by the CLI and filled with ``sqlite3``.

* ``year-<key>.db``: a year of a campaign on three platforms: 365 posted stories, each on
  ``mastodon``, ``bluesky`` and ``x`` (1,095 deliveries with their latest counts), 21 reads
  of each (22,995 snapshots, at the default bands' ages) and the X ledger (a post a day,
  every other one with a link, and each read priced: 8,030 requests). An admin account.
* ``live10k-<key>``: 10,000 outbox posts sent in the last two days, with the outbox file
  that holds them and no read yet: one ``infobot run --once`` reads them all.

The CLI migrates each database (``infobot status``), so a new migration is taken as it is
and a new required column is reported plainly by :func:`bench.bulkdb.insert`.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.bulkdb import DELIVERY_COLUMNS, SLOT_COLUMNS, STORY_COLUMNS, insert, sa_time
from bench.common import DATA, TODAY, Place, drop_sidecars, fresh_dir, infobot
from bench.datasets import ADMIN, ADMIN_PASSWORD, schema_key

VERSION = "i1"  # bump when this module's data changes
YEAR_DAYS = 365
PLATFORMS = ("bluesky", "mastodon", "x")
READ_AGES = (1, 2, 3, 4, 5, 6, 9, 12, 15, 18, 21, 24, 36, 48, 60, 72, 96, 120, 144, 168, 720)
LIVE_POSTS = 10_000
COUNTS = ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions")
POST_COLUMNS = (
    *("delivery_id", "story_id", "platform", "sent_at", "state", "next_read_at"),
    *("last_read_at", "read_at", "reads", "unchanged", "failures", "error", "parts"),
    *COUNTS,
)
SNAPSHOT_COLUMNS = ("delivery_id", "read_at", "parts", *COUNTS)
LEDGER_COLUMNS = ("at", "kind", "units", "status", "cost_micros")


def _story(sid: int, campaign_id: int, title: str, created: datetime) -> tuple[object, ...]:
    fingerprint = hashlib.sha256(f"impact-{sid}".encode()).hexdigest()
    when = sa_time(created)
    return (
        sid, campaign_id, fingerprint, "posted", sid * 1024, title,
        f"{title}: the shared record meant the right help came sooner.", f"Storyteller {sid}",
        "Nurse", "Example Trust", "", "", "", "en", f"Storyteller {sid}", "2026-01-05", "",
        None, "", "bench", "", "bench", when, "bench", when, "boss", when,
    )  # fmt: skip


def _counts(rng: random.Random, age: int, platform: str) -> tuple[int | None, ...]:
    reach = round(rng.randrange(10, 200) * min(age, 168) ** 0.5 / 13)
    known = (reach, reach // 4, reach // 10, reach // 20, reach // 8, reach * 30)
    if platform == "mastodon":
        return (*known[:4], None, None)
    if platform == "bluesky":
        return (*known[:5], None)
    return known


def _open(path: Path) -> tuple[sqlite3.Connection, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    (campaign_id,) = conn.execute("SELECT id FROM campaigns").fetchone()
    return conn, campaign_id


def _build(name: str, fill: object) -> tuple[Path, float | None]:
    final = DATA / f"{name}-{VERSION}-{schema_key()}.db"
    if final.exists():
        return final, None
    start = time.perf_counter()
    for old in DATA.glob(f"{name}-*.db*"):
        old.unlink()
    workdir = fresh_dir(f"{name}-build")
    place = Place(workdir / "infobot.db", workdir)
    infobot(place, "status")  # the schema and the campaign row
    assert callable(fill)
    fill(place)
    drop_sidecars(place.db)
    place.db.replace(final)
    for extra in workdir.glob("*.jsonl"):
        extra.replace(final.with_suffix(".jsonl"))
    shutil.rmtree(workdir, ignore_errors=True)
    return final, time.perf_counter() - start


def year_database() -> tuple[Path, float | None]:
    """A year of a three-platform campaign (see the module doc); (path, build seconds)."""
    return _build("year", _fill_year)


def _fill_year(place: Place) -> None:
    password = place.workdir / "password.txt"
    password.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    infobot(place, "users", "add", ADMIN, "--role", "admin", "--password-file", str(password))
    rng = random.Random(14)
    conn, campaign_id = _open(place.db)
    first = TODAY - timedelta(days=YEAR_DAYS)
    stories, slots, deliveries, posts, snaps, ledger = [], [], [], [], [], []
    for n in range(YEAR_DAYS):
        sid = n + 1
        day = first + timedelta(days=n)
        due = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        stories.append(_story(sid, campaign_id, f"Impact story {sid}", due - timedelta(days=9)))
        slots.append(
            (sid, campaign_id, day.isoformat(), sid, "posted", "", sa_time(due), sa_time(due),
             "daemon", sa_time(due + timedelta(seconds=4)))
        )  # fmt: skip
        for p, platform in enumerate(PLATFORMS):
            did = n * len(PLATFORMS) + p + 1
            sent = sa_time(due + timedelta(seconds=2))
            deliveries.append(
                (did, sid, sid, platform, "sent", f"{campaign_id}:{sid}:{platform}", 1, None,
                 f"{platform}-{sid}", f"https://{platform}.example/{sid}",
                 json.dumps([{"id": f"{platform}-{sid}", "url": ""}]), "", sent, sent, sent)
            )  # fmt: skip
            ages = [a for a in READ_AGES if due + timedelta(hours=a) <= _now()]
            counts: tuple[int | None, ...] = (None,) * 6
            for age in ages:
                counts = _counts(rng, age, platform)
                snaps.append((did, sa_time(due + timedelta(hours=age)), 1, *counts))
                if platform == "x":
                    ledger.append((sa_time(due + timedelta(hours=age)), "read_by_id", 1, 200, 5000))
            last = sa_time(due + timedelta(hours=ages[-1])) if ages else None
            schedule = (did, sid, platform, sent, "live", None, last, last, len(ages), 0, 0)
            posts.append((*schedule, "", 1, *counts))
        kind, cost = ("post_with_url", 200_000) if sid % 2 else ("post", 15_000)
        ledger.append((sa_time(due), kind, 1, 201, cost))
    conn.execute("BEGIN")
    insert(conn, "stories", STORY_COLUMNS, stories)
    insert(conn, "slots", SLOT_COLUMNS, slots)
    insert(conn, "deliveries", DELIVERY_COLUMNS, deliveries)
    insert(conn, "engagement_posts", POST_COLUMNS, posts)
    insert(conn, "engagement_snapshots", SNAPSHOT_COLUMNS, snaps)
    insert(conn, "x_requests", LEDGER_COLUMNS, ledger)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _now() -> datetime:
    return datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=8)


def live_database() -> tuple[Path, float | None]:
    """10,000 live outbox posts due for their first read; the outbox file beside it."""
    return _build("live10k", _fill_live)


def _fill_live(place: Place) -> None:
    conn, campaign_id = _open(place.db)
    now = _now()
    stories, deliveries, lines = [], [], []
    for n in range(LIVE_POSTS):
        sid = n + 1
        sent = now - timedelta(hours=2, minutes=n % 2800)
        remote = f"outbox-bench-{sid}"
        stories.append(_story(sid, campaign_id, f"Live story {sid}", sent - timedelta(days=3)))
        deliveries.append(
            (sid, sid, None, "outbox", "sent", f"{campaign_id}:{sid}:outbox", 1, None, remote,
             f"file:///outbox#{sid}", json.dumps([{"id": remote, "url": ""}]), "",
             sa_time(sent), sa_time(sent), sa_time(sent))
        )  # fmt: skip
        at = f"{sent.isoformat()}+00:00"
        lines.append(json.dumps({"id": remote, "text": f"Live story {sid}", "at": at}))
    conn.execute("BEGIN")
    insert(conn, "stories", STORY_COLUMNS, stories)
    insert(conn, "deliveries", DELIVERY_COLUMNS, deliveries)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    (place.workdir / "outbox.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
