"""Generated inputs, built once in bench/.data and reused while their version key holds.

* ``stories-v1-100000.csv``: 100,000 unique, valid stories, every column filled (import).
* ``stories-v1-100000-badtail.csv``: the same with one invalid row at the end.
* ``queue10k-<key>.db``: 10,000 stories made through the CLI (``infobot import``, 9,000
  approved with ``infobot stories approve``, 30 past days posted with ``infobot post-now``
  under a shifted clock, an admin account from ``infobot users add``).
* ``big-<key>.db`` and ``ref-<key>.db``: see ``bench/bulkdb.py``.

A database's key holds the schema: a hash of infobot's migration files, so any new
migration rebuilds it.
"""

from __future__ import annotations

import csv
import hashlib
import random
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import DATA, ROOT, TODAY, Place, drop_sidecars, fresh_dir, infobot
from bench.texts import CSV_HEADER, LANGUAGES, ORGS, ROLES, SCOPES, short_row, story_text

IMPORT_ROWS = 100_000
CSV_VERSION = "v1"
LOCAL_IMAGES = 5  # tiny placeholder pictures next to the CSV; the rest are https:// images

QUEUE_STORIES = 10_000
QUEUE_APPROVED = 9_000
QUEUE_POSTED_DAYS = 30
QUEUE_VERSION = "q1"  # bump when queue_database() changes
ADMIN = "Bench Admin"
ADMIN_PASSWORD = "bench password for the web page"


def schema_key() -> str:
    """A short hash of infobot's migration files and engine set-up (the page size of a new
    database): a new migration or another file format changes it."""
    package = ROOT / "infobot"
    files = sorted(p for p in package.rglob("*.py") if "migrations" in p.parts)
    files.append(package / "store" / "db.py")
    if not files:  # the migrations moved: any change to the store then rebuilds
        files = sorted((package / "store").rglob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _write_atomically(path: Path, rows: list[list[str]] | None = None) -> Path:
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows or [])
    tmp.replace(path)
    return path


def _tiny_jpeg() -> bytes:
    """An 8 x 8 JPEG: infobot reads a picture's type from its content."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 94, 165)).save(out, "JPEG")
    return out.getvalue()


def import_csv() -> Path:
    """100,000 unique, valid stories with every column filled (pin_date: 1 row in 1,000)."""
    path = DATA / f"stories-{CSV_VERSION}-{IMPORT_ROWS}.csv"
    images = DATA / "images"
    images.mkdir(parents=True, exist_ok=True)
    for n in range(LOCAL_IMAGES):
        picture = images / f"photo-{n}.jpg"
        if not picture.exists() or picture.stat().st_size < 200:  # a real picture (Pillow)
            picture.write_bytes(_tiny_jpeg())
    if path.exists():
        return path
    rng = random.Random(20261123)
    seen: set[tuple[str, str, str]] = set()
    tmp = path.with_suffix(".part")
    pin_day = date(2027, 1, 4)
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # as Excel writes it
        writer.writerow(CSV_HEADER)
        number = 0
        while number < IMPORT_ROWS:
            title, body, author = story_text(rng, number)
            if (title, body, author) in seen:
                continue
            seen.add((title, body, author))
            number += 1
            # Pins must be unique future campaign days, so only a few stories carry one
            # (as in real use); every other column is filled on every row.
            pin = ""
            if number % 1000 == 0:
                pin = pin_day.isoformat()
                pin_day += timedelta(days=1)
            if number % 10 < 8:
                image = f"https://images.example.org/infostory/{number:06d}.jpg"
            else:
                image = f"images/photo-{number % LOCAL_IMAGES}.jpg"
            consent = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
            writer.writerow(
                [
                    title,
                    body,
                    author,
                    rng.choice(ROLES),
                    rng.choice(ORGS),
                    f"https://www.example.gov.uk/infostory/{number:06d}",
                    image,
                    "A smiling member of staff standing outside the building, holding a tablet",
                    rng.choice(LANGUAGES),
                    author,
                    consent.isoformat(),
                    rng.choice(SCOPES),
                    pin,
                    f"Collected at the regional event; checked by comms (batch {number // 500}).",
                ]
            )
    tmp.replace(path)
    return path


def bad_tail_csv() -> Path:
    """The 100,000 valid stories and, last, one story with no title and a bad consent date:
    the import must add nothing (all-or-nothing) and say which line is wrong."""
    source = import_csv()
    path = source.with_name(source.stem + "-badtail.csv")
    if path.exists():
        return path
    tmp = path.with_suffix(".part")
    shutil.copyfile(source, tmp)
    with tmp.open("a", encoding="utf-8", newline="") as handle:
        row = short_row(random.Random(7), 7, "the day after tomorrow")
        row[0] = ""
        csv.writer(handle, lineterminator="\r\n").writerow(row)
    tmp.replace(path)
    return path


def tiny_csv() -> Path:
    """A few stories for warm-ups, so the importer's bytecode is written before timing."""
    rng = random.Random(1)
    return _write_atomically(
        DATA / "warmup.csv", [short_row(rng, n, "2026-10-01") for n in range(5)]
    )


def queue_csv() -> Path:
    """10,000 unique stories (required columns and a few more); 10 carry pin dates."""
    path = DATA / f"stories-{QUEUE_VERSION}-{QUEUE_STORIES}.csv"
    if path.exists():
        return path
    rng = random.Random(10_000)
    seen: set[tuple[str, str, str]] = set()
    pin_day = date(2027, 2, 1)
    rows = []
    number = 0
    while number < QUEUE_STORIES:
        row = short_row(rng, number, "2026-10-01")
        if (row[0], row[1], row[2]) in seen:
            continue
        seen.add((row[0], row[1], row[2]))
        number += 1
        if number % 1000 == 0:
            row[12] = pin_day.isoformat()
            pin_day += timedelta(days=1)
        rows.append(row)
    return _write_atomically(path, rows)


def queue_database() -> tuple[Path, float | None]:
    """The 10,000-story database, made through the CLI; (path, build seconds or None)."""
    final = DATA / f"queue10k-{QUEUE_VERSION}-{schema_key()}.db"
    if final.exists():
        return final, None
    start = time.perf_counter()
    for old in DATA.glob("queue10k-*.db*"):
        old.unlink()
    workdir = fresh_dir("queue10k-build")
    place = Place(workdir / "infobot.db", workdir)
    # Posted days first, as the days went by (each under its own shifted clock), so the
    # history, the calendar and the audit trail hold a month of posts.
    infobot(place, "import", str(queue_csv()), "--by", "bench")
    ids = [str(n) for n in range(1, QUEUE_APPROVED + 1)]
    for chunk in range(0, len(ids), 1000):
        infobot(place, "stories", "approve", *ids[chunk : chunk + 1000], "--by", "boss")
    first = TODAY - timedelta(days=QUEUE_POSTED_DAYS)
    for n in range(QUEUE_POSTED_DAYS):
        day = first + timedelta(days=n)
        infobot(place, "post-now", clock_start=f"{day.isoformat()}T09:00:30+00:00")
    password = workdir / "password.txt"
    password.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    infobot(place, "users", "add", ADMIN, "--role", "admin", "--password-file", str(password))
    drop_sidecars(place.db)
    place.db.replace(final)
    shutil.rmtree(workdir, ignore_errors=True)
    return final, time.perf_counter() - start
