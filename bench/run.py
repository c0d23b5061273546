"""infobot benchmarks: import throughput, status/preview at scale, CLI start-up, daemon, size.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). Every figure is measured by
running the real ``infobot`` command as a child process, from an empty working directory,
with the configuration given only through ``INFOBOT_*`` environment variables.

Generated inputs live in ``bench/.data/`` (ignored by git) and are reused between runs:

* ``stories-<CSV_VERSION>.csv``: 100,000 stories (deterministic; rebuilt when missing).
* ``big-<version>.db``: a 1,000,000-story database, and ``ref-<version>.db``, a 1,000-story
  one (rebuilt when missing, when ``DB_VERSION`` is bumped or when the schema revision
  changes). Delete the folder (or ``make clean``) to rebuild everything.

The script always exits 0; a missed goal is printed as MISS (and summarised at the end).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
VENV_BIN = Path(sys.executable).parent
INFOBOT = VENV_BIN / "infobot"
PYTHON = Path(sys.executable)

CLOCK_START = "2026-11-23T08:00:00+00:00"  # a Monday, 08:00 UTC (09:00 post time in London)
TODAY = date(2026, 11, 23)

IMPORT_ROWS = 100_000
CSV_VERSION = "v1"
BIG_STORIES = 1_000_000
BIG_SLOTS = 300
BIG_EVENTS = 100_000
REF_STORIES = 1_000  # a small database: tells size costs from fixed costs (rendering)
REF_SLOTS = 30
REF_EVENTS = 1_000
DB_VERSION = "v2"  # bump when fill() changes

GOAL_IMPORT_SECONDS = 10.0
GOAL_IMPORT_RSS_MB = 300.0
GOAL_SCALE_EXTRA_SECONDS = 0.2
GOAL_HELP_SECONDS = 0.3
TIMED_RUNS = 5
HELP_RUNS = 10
FORBIDDEN_ON_HELP = ("sqlalchemy", "pydantic_settings", "pydantic", "tweepy", "mastodon", "atproto")

CSV_HEADER = (
    *("title", "body", "author", "role", "organisation", "link", "image", "image_alt"),
    *("language", "consent_by", "consent_date", "consent_scope", "pin_date", "notes"),
)


# ------------------------------------------------------------------------------------------
# Running the CLI
# ------------------------------------------------------------------------------------------


def child_env(db: Path, workdir: Path) -> dict[str, str]:
    """The environment for a child: no inherited INFOBOT_* settings, bytecode writing on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOBOT_")}
    # This machine sets PYTHONDONTWRITEBYTECODE, which makes every start re-compile the
    # package (it is an editable install). Users get cached bytecode, so we do too: the
    # warm-up runs write it, the timed runs read it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["INFOBOT_DATABASE_URL"] = f"sqlite:///{db}"
    env["INFOBOT_OUTBOX_PATH"] = str(workdir / "outbox.jsonl")
    env["INFOBOT_CLOCK_START"] = CLOCK_START
    env["INFOBOT_PLATFORMS"] = "outbox"
    env["INFOBOT_USER"] = "bench"
    return env


@dataclass
class Outcome:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the child
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_cli(
    args: Sequence[str], db: Path, workdir: Path, *, capture: bool = True, python: bool = False
) -> Outcome:
    """Run ``infobot ARGS`` (or ``python ARGS``) from ``workdir``: wall time, CPU, peak RSS.

    ``os.wait4`` gives the resource usage of exactly this child (ru_maxrss is in KiB on
    Linux), unlike RUSAGE_CHILDREN, which is the maximum over every child so far.
    """
    argv = [str(PYTHON), *args] if python else [str(INFOBOT), *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=workdir,
            env=child_env(db, workdir),
            stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def must(outcome: Outcome, what: str) -> Outcome:
    if outcome.returncode != 0:
        print(f"\n!! {what} failed with exit code {outcome.returncode}", file=sys.stderr)
        print(outcome.stdout[-3000:], file=sys.stderr)
        print(outcome.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"bench: {what} failed; the figures below it cannot be measured")
    return outcome


@dataclass
class Timing:
    median: float
    low: float
    high: float
    cpu: float  # median CPU seconds


def compare_times(
    args: Sequence[str], places: Sequence[tuple[Path, Path]], runs: int
) -> list[Timing]:
    """Time ``infobot ARGS`` against each (database, workdir), ``runs`` times each.

    One untimed warm-up run per place first; then the places take turns (A B C A B C ...)
    so that a burst of load from elsewhere on the machine hits all of them alike.
    """
    label = "infobot " + " ".join(args)
    for db, workdir in places:
        must(run_cli(args, db, workdir), f"{label} (warm-up)")
    walls: list[list[float]] = [[] for _ in places]
    cpus: list[list[float]] = [[] for _ in places]
    for _ in range(runs):
        for index, (db, workdir) in enumerate(places):
            outcome = must(run_cli(args, db, workdir, capture=False), label)
            walls[index].append(outcome.seconds)
            cpus[index].append(outcome.cpu_seconds)
    return [
        Timing(statistics.median(w), min(w), max(w), statistics.median(c))
        for w, c in zip(walls, cpus, strict=True)
    ]


def fresh_dir(name: str) -> Path:
    path = DATA / "work" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def new_database(name: str) -> tuple[Path, Path]:
    """An empty working directory and a database migrated by the CLI itself."""
    workdir = fresh_dir(name)
    db = workdir / "infobot.db"
    must(run_cli(["status"], db, workdir), f"creating the {name} database")
    return db, workdir


# ------------------------------------------------------------------------------------------
# Test data
# ------------------------------------------------------------------------------------------


def pool(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


FIRST_NAMES = pool(
    "Zoë|Amara|Siân|Tomasz|Priya|Oluwaseun|Eilidh|Mohammed|Grace|Dylan|Aoife|Hamish|Fatima|"
    "Rhys|Chloe|Kwame|Ines|Callum|Mei|Bartosz|Niamh|Imran|Hannah|Joseph|Saoirse|Lukas|"
    "Ayesha|Owen"
)
LAST_NAMES = pool(
    "Adeyemi-Brown|Jones|Kowalski|Patel|MacLeod|Okafor|O'Neill|Hughes|Rahman|Evans|Nguyen|"
    "Campbell|Ahmed|Williams|Murphy|Davies|Singh|Fraser|Nowak|Thompson|Byrne|Khan|Roberts|"
    "Morgan|Chen|Reid"
)
ROLES = pool(
    "Designated Safeguarding Lead|Ward Sister|Social Worker|Practice Manager|"
    "Head of Adult Social Care|Community Nurse|GP Partner|Data Protection Officer|"
    "Paramedic|Housing Officer|Pharmacist|Health Visitor|School Business Manager|"
    "Occupational Therapist|Information Governance Lead|Care Home Manager"
)
ORGS = pool(
    "Hollinsbridge Primary School|St Aldhelm's Hospital NHS Trust|Calderfield Council|"
    "Northmoor Health Centre|Riverside Care Home|Westhaven Ambulance Service|"
    "Glenbrae Health and Social Care Partnership|Pen-y-Bryn Surgery|"
    "Ashcombe Housing Association|Kingsmere Community Pharmacy|Dunmore Academy Trust"
)
OPENINGS = (
    "When I started in this job, a family in crisis could have eleven different workers and "
    "eleven different files.",
    "Last winter an older man was discharged from hospital on a Friday afternoon.",
    "One of our pupils kept missing PE with tummy aches, and on its own that meant nothing.",
    "A woman rang us at 2am, frightened, and with no idea which service she needed.",
    "We used to fax referrals, then wait a fortnight for a letter back.",
    "Our district nurses spent the first hour of every visit asking the same questions again.",
    "A young carer turned up at the surgery asking about her mum's tablets.",
    "Nobody was careless. The systems just didn't talk to each other.",
    "For years the pharmacy couldn't see what the hospital had changed.",
    "The crew arrived to find a man who couldn't tell them what he took or why.",
)
MIDDLES = (
    "Because the team could see the discharge summary the same day, a carer was at his door "
    "by six o'clock.",
    "Once school and GP notes were looked at together, the pattern was clear.",
    "With the shared record we could see her history in seconds and call the right team.",
    "Now the referral lands in the right inbox within the hour, with consent recorded.",
    "Having the allergy list on the tablet meant we didn't give him the one drug that would "
    "have hurt him.",
    "Sharing just the facts that mattered, and nothing more, kept everyone on the same page.",
    "The information was there, properly protected, and the right person could act on it.",
    "We checked the data sharing agreement first; it took ten minutes, not ten weeks.",
    "Her social worker, her teacher and her GP finally had the same picture.",
)
ENDINGS = (
    "Ten years ago he would have waited over the weekend, alone, with no food in the house.",
    "The right help arrived within a week, not a term.",
    "That is what good information sharing looks like: quiet, safe and on time.",
    "Nobody had to tell their story five times.",
    "It felt like the system was finally on the family's side.",
    "Small change, big difference, and no one's privacy was put at risk.",
    "She's back at school and thriving, and her mum got the support she needed too.",
    "We'd never go back to the old way.",
)
TITLE_WORDS = (
    ("Joined-up", "Shared", "Timely", "Safe", "Quiet", "Better", "Faster", "Kinder", "Clearer"),
    ("notes", "records", "referrals", "information", "data", "answers", "hand-overs", "care"),
    (
        "spotted what none of us could alone",
        "got him home safely",
        "kept a family together",
        "made the difference",
        "saved a week of waiting",
        "meant one phone call, not five",
        "helped us act in time",
        "put the right people in the room",
    ),
)
SCOPES = (
    "social media, website, 12 months",
    "social media only",
    "all channels, no time limit",
    "social media and newsletter, 24 months",
)
LANGUAGES = ("en", "en", "en", "en", "en", "en", "cy", "gd", "ga", "pl", "ur", "fr")
LOCAL_IMAGES = 5  # tiny placeholder pictures next to the CSV; the rest are https:// images


def story_text(rng: random.Random, number: int) -> tuple[str, str, str]:
    """(title, body, author) for one story: ~300 characters of body."""
    title = (
        f"{rng.choice(TITLE_WORDS[0])} {rng.choice(TITLE_WORDS[1])} {rng.choice(TITLE_WORDS[2])}"
    )
    parts = [rng.choice(OPENINGS), rng.choice(MIDDLES), rng.choice(ENDINGS)]
    while sum(map(len, parts)) < 260:
        parts.insert(-1, rng.choice(MIDDLES))
    sep = "\n\n" if number % 7 == 0 else " "  # some bodies are multi-line cells
    body = sep.join(parts)
    # Real stories differ in their details: a place, a number of days, an age.
    detail = f" (That was in {rng.choice(ORGS).split()[0]}, {number % 97 + 2} days ago.)"
    body += detail
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return title, body, author


def import_csv() -> Path:
    """100,000 unique, valid stories with every column filled (pin_date: see below)."""
    path = DATA / f"stories-{CSV_VERSION}-{IMPORT_ROWS}.csv"
    images = DATA / "images"
    images.mkdir(parents=True, exist_ok=True)
    for n in range(LOCAL_IMAGES):
        picture = images / f"photo-{n}.jpg"
        if not picture.exists():
            picture.write_bytes(b"\xff\xd8\xff\xe0" + bytes(60) + b"\xff\xd9")
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


def tiny_csv() -> Path:
    """A few stories for the warm-up, so the importer's bytecode is written before timing."""
    path = DATA / "warmup.csv"
    rng = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for number in range(5):
            title, body, author = story_text(rng, number)
            blanks = ["", "", "", "", ""]
            writer.writerow([title, body, author, *blanks, "en", author, "2026-10-01", "", "", ""])
    return path


def schema_revision() -> str:
    text = (ROOT / "infobot" / "store" / "migrate.py").read_text(encoding="utf-8")
    found = re.search(r'^HEAD\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else "unknown"


@dataclass(frozen=True)
class Shape:
    """What a generated database holds."""

    name: str
    stories: int
    slots: int  # past campaign days, each with a posted story and its delivery
    events: int

    @property
    def version(self) -> str:
        return f"{DB_VERSION}-{self.stories}-{self.slots}-{self.events}-rev{schema_revision()}"


BIG = Shape("big", BIG_STORIES, BIG_SLOTS, BIG_EVENTS)
REFERENCE = Shape("ref", REF_STORIES, REF_SLOTS, REF_EVENTS)


def sa_time(moment: datetime) -> str:
    """Naive UTC text as SQLAlchemy's SQLite DateTime writes it."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def generated_database(shape: Shape) -> tuple[Path, float | None]:
    """A cached database of ``shape``; (path, seconds spent building it, None if cached)."""
    final = DATA / f"{shape.name}-{shape.version}.db"
    if final.exists():
        return final, None
    start = time.perf_counter()
    for old in DATA.glob(f"{shape.name}-*.db*"):
        old.unlink()
    workdir = fresh_dir(f"{shape.name}-build")
    building = workdir / "infobot.db"
    # the CLI creates the schema (migrations) and the campaign row, exactly as in real use
    must(run_cli(["status"], building, workdir), f"creating the {shape.name} database schema")
    fill(building, shape)
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    building.replace(final)
    shutil.rmtree(workdir, ignore_errors=True)
    return final, time.perf_counter() - start


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
    posted_ids = list(range(1, shape.slots + 1))  # the oldest stories went out, one a day
    pinned = {}  # story id -> future pin date: 40 approved stories pinned in the future
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
    conn.executemany(
        "INSERT INTO stories (id, campaign_id, fingerprint, status, sort_key, title, body, "
        "author, role, organisation, link, image, image_alt, language, consent_by, "
        "consent_date, consent_scope, pin_date, notes, source, status_reason, created_by, "
        "created_at, updated_by, updated_at, approved_by, approved_at) "
        "VALUES (" + ", ".join("?" * 27) + ")",
        story_rows(),
    )
    # ~300 past days, each with its story delivered to the outbox
    first_day = TODAY - timedelta(days=shape.slots)
    slots = []
    deliveries = []
    for n, sid in enumerate(posted_ids):
        day = first_day + timedelta(days=n)
        due = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        slot_id = n + 1
        slots.append(
            (
                slot_id,
                campaign_id,
                day.isoformat(),
                sid,
                "posted",
                "",
                sa_time(due),
                sa_time(due),
                "daemon",
                sa_time(due + timedelta(seconds=4)),
            )
        )
        deliveries.append(
            (
                n + 1,
                sid,
                slot_id,
                "outbox",
                "sent",
                f"{campaign_id}:{sid}:outbox",
                1,
                None,
                f"outbox-{sid}",
                f"file:///outbox#{sid}",
                "[]",
                "",
                sa_time(due),
                sa_time(due + timedelta(seconds=3)),
                sa_time(due + timedelta(seconds=3)),
            )
        )
    conn.executemany(
        "INSERT INTO slots (id, campaign_id, local_date, story_id, status, reason, due_at, "
        "claimed_at, claimed_by, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        slots,
    )
    conn.executemany(
        "INSERT INTO deliveries (id, story_id, slot_id, platform, status, idempotency_key, "
        "attempts, next_attempt_at, remote_id, remote_url, parts, error, created_at, "
        "updated_at, sent_at) VALUES (" + ", ".join("?" * 15) + ")",
        deliveries,
    )

    def event_rows() -> Iterator[tuple[object, ...]]:
        for n in range(shape.events):
            sid = n * (shape.stories // shape.events) + 1
            action = ("story.imported", "story.approved", "story.edited")[n % 3]
            yield (
                sa_time(base + timedelta(seconds=sid * 20 + 5)),
                "bench",
                action,
                campaign_id,
                sid,
                None,
                None,
                '{"status": "approved"}',
                f"{action} by the bench",
            )

    conn.executemany(
        "INSERT INTO events (at, actor, action, campaign_id, story_id, delivery_id, before, "
        "after, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        event_rows(),
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: str
    goal: str
    ok: bool | None  # None: for information only


FIGURES: list[Figure] = []


def figure(name: str, value: str, goal: str = "", ok: bool | None = None, note: str = "") -> None:
    FIGURES.append(Figure(name, value, goal, ok))
    verdict = "" if ok is None else ("PASS" if ok else "MISS <<<<<<")
    line = f"  {name:<40} {value:>15}  {goal:<10} {verdict:<11} {note}"
    print(line.rstrip(), flush=True)


def header(title: str) -> None:
    print()
    print(title)
    print("-" * WIDTH)
    print(f"  {'figure':<40} {'measured':>15}  {'goal':<10} {'verdict':<11} notes")


def seconds(value: float) -> str:
    return f"{value:.3f} s"


WIDTH = 100


class Noise:
    """How busy the machine was with other work: timings on a shared machine drift."""

    def __init__(self) -> None:
        self.busy0 = self._busy()
        self.own0 = self._own()

    @staticmethod
    def _busy() -> float | None:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def others(self, wall: float) -> str:
        busy = self._busy()
        if busy is None or self.busy0 is None:
            return "unknown (no /proc/stat)"
        other = max(0.0, (busy - self.busy0) - (self._own() - self.own0))
        return f"{other:.0f} CPU-seconds ({100 * other / wall:.0f}% of one CPU on average)"


def calibrate() -> str:
    """A fixed pure-Python loop: compare this line between runs to see machine speed."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for n in range(3_000_000):
            total += n
        times.append(time.perf_counter() - start)
    low, high = min(times), max(times)
    return f"3M-step Python loop: {statistics.median(times):.3f} s (runs {low:.3f}-{high:.3f})"


def machine_context() -> None:
    print("infobot benchmarks")
    print("=" * WIDTH)
    print(f"  python      {platform.python_version()} ({PYTHON})")
    print(f"  SQLite      {sqlite3.sqlite_version}")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"  CPUs        {os.cpu_count()} (usable by this process: {usable})")
    print(f"  platform    {platform.platform()}")
    if hasattr(os, "getloadavg"):
        print(
            "  load avg    {:.2f} {:.2f} {:.2f} (1/5/15 min) at the start".format(*os.getloadavg())
        )
    print(f"  speed       {calibrate()}")
    state = "SET" if "PYTHONDONTWRITEBYTECODE" in os.environ else "not set"
    print(f"  PYTHONDONTWRITEBYTECODE is {state} in this shell. The infobot children run with it")
    print("              UNSET, after warm-up runs that write the bytecode, so no timed run pays")
    print("              for compiling infobot (as for a normal install).")
    print(f"  clock       INFOBOT_CLOCK_START={CLOCK_START}; platforms: outbox")
    print(f"  data        {DATA}")


def warm_up() -> None:
    """Write bytecode for every code path timed below (import, status, preview, help)."""
    db, workdir = new_database("warmup")
    must(run_cli(["--help"], db, workdir), "infobot --help (warm-up)")
    must(run_cli(["import", str(tiny_csv()), "--by", "bench"], db, workdir), "warm-up import")
    must(run_cli(["stories", "approve", "1", "2", "--by", "boss"], db, workdir), "warm-up approve")
    must(run_cli(["preview", "--days", "30"], db, workdir), "warm-up preview")
    must(run_cli(["status"], db, workdir), "warm-up status")
    shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# 1. import
# ------------------------------------------------------------------------------------------


def bench_import(runs: int) -> None:
    start = time.perf_counter()
    path = import_csv()
    made = time.perf_counter() - start
    size_mb = path.stat().st_size / 1e6
    print(
        f"\n  input: bench/.data/{path.name}: {IMPORT_ROWS:,} unique stories, {size_mb:.1f} MB "
        f"({'made' if made > 1 else 'cached'} in {made:.1f} s); every column filled"
    )
    print("  (pin_date on 1 row in 1,000: pins must be distinct future days)")
    outcomes = []
    added = []
    counts = (0, 0)
    for _ in range(runs):
        db, workdir = new_database("import")  # migrated and empty, like a first import
        args = ["import", str(path), "--by", "bench", "--json"]
        outcome = must(run_cli(args, db, workdir), "infobot import")
        outcomes.append(outcome)
        added.append(json.loads(outcome.stdout).get("added"))
        with sqlite3.connect(db) as conn:
            counts = (
                conn.execute("SELECT count(*) FROM stories").fetchone()[0],
                conn.execute("SELECT count(*) FROM events").fetchone()[0],
            )
        shutil.rmtree(workdir, ignore_errors=True)
    db, workdir = new_database("import-dry")
    dry = must(
        run_cli(["import", str(path), "--by", "bench", "--json", "--dry-run"], db, workdir),
        "infobot import --dry-run",
    )
    shutil.rmtree(workdir, ignore_errors=True)

    walls = [o.seconds for o in outcomes]
    wall = statistics.median(walls)
    rss = max(o.max_rss_mb for o in outcomes)
    spread = f"runs {min(walls):.1f}-{max(walls):.1f} s" if runs > 1 else "1 run"
    header(f"1. infobot import of a {IMPORT_ROWS:,}-story CSV (median of {runs} runs)")
    ok_added = all(n == IMPORT_ROWS for n in added)
    figure("stories added (every run)", f"{min(added):,}", f"{IMPORT_ROWS:,}", ok_added)
    figure(
        "wall time",
        f"{wall:.2f} s",
        f"<= {GOAL_IMPORT_SECONDS:.0f} s",
        wall <= GOAL_IMPORT_SECONDS,
        spread,
    )
    figure(
        "peak RSS of the infobot process",
        f"{rss:.0f} MB",
        f"<= {GOAL_IMPORT_RSS_MB:.0f} MB",
        rss <= GOAL_IMPORT_RSS_MB,
        "highest of the runs",
    )
    figure("throughput", f"{IMPORT_ROWS / wall:,.0f} rows/s")
    figure(
        "CPU time (user + system)", f"{statistics.median(o.cpu_seconds for o in outcomes):.2f} s"
    )
    figure(
        "  of which read + validate (--dry-run)",
        f"{dry.seconds:.2f} s",
        note=f"1 run, peak RSS {dry.max_rss_mb:.0f} MB",
    )
    figure(
        "rows written (stories + events)",
        f"{counts[0]:,}+{counts[1]:,}",
        note="1 event per story (+1 campaign)",
    )


# ------------------------------------------------------------------------------------------
# 2. status and preview at scale
# ------------------------------------------------------------------------------------------


def describe(path: Path, built: float | None) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        counts = dict(conn.execute("SELECT status, count(*) FROM stories GROUP BY status"))
        pins = conn.execute("SELECT count(pin_date) FROM stories").fetchone()[0]
        slots = conn.execute("SELECT count(*) FROM slots").fetchone()[0]
        deliveries = conn.execute("SELECT count(*) FROM deliveries").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    stories = ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items()))
    note = f"built in {built:.0f} s" if built is not None else "cached"
    return (
        f"{path.name} ({path.stat().st_size / 1e6:,.0f} MB, {note}):\n      {stories}; "
        f"{pins} pinned; {slots} slots, {deliveries} deliveries, {events:,} events"
    )


def bench_scale(runs: int) -> None:
    big, big_built = generated_database(BIG)
    ref, ref_built = generated_database(REFERENCE)
    print(f"\n  1M database:  {describe(big, big_built)}")
    print(f"  1k reference: {describe(ref, ref_built)}")
    empty_db, empty_dir = new_database("empty")
    places = [(empty_db, empty_dir), (ref, fresh_dir("ref-run")), (big, fresh_dir("big-run"))]
    header(
        f"2. status and preview: empty vs 1,000 vs 1,000,000 stories "
        f"(median of {runs}, runs interleaved)"
    )
    for args in (["status"], ["preview", "--days", "30"]):
        label = " ".join(args)
        empty, small, large = compare_times(args, places, runs)
        for name, t in (("empty", empty), ("1k stories", small), ("1M stories", large)):
            note = f"runs {t.low:.3f}-{t.high:.3f}; CPU {t.cpu:.3f} s"
            figure(f"{label}: {name}", seconds(t.median), note=note)
        extra = large.median - empty.median
        figure(
            f"{label}: 1M minus empty",
            f"{extra:+.3f} s",
            f"<= +{GOAL_SCALE_EXTRA_SECONDS:.1f} s",
            extra <= GOAL_SCALE_EXTRA_SECONDS,
        )
        figure(
            f"{label}: 1M minus 1k",
            f"{large.median - small.median:+.3f} s",
            note="size alone" + (": both render 30 stories" if args[0] == "preview" else ""),
        )
    for _, workdir in places:
        if workdir.is_relative_to(DATA / "work"):
            shutil.rmtree(workdir, ignore_errors=True)
    for path in (big, ref):  # read-only commands leave WAL files behind
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------
# 3. --help
# ------------------------------------------------------------------------------------------

HELP_PROBE = """
import contextlib, io, json, sys
from infobot.cli.main import run
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = run(["--help"])
names = set(%r)
loaded = sorted(n for n in sys.modules if n.split(".")[0] in names)
print(json.dumps({"code": code, "loaded": loaded, "help": out.getvalue()[:40]}))
""" % (FORBIDDEN_ON_HELP,)  # noqa: UP031 - a literal tuple inside code


def bench_help(runs: int) -> None:
    workdir = fresh_dir("help")
    db = workdir / "never-created.db"
    header(f"3. infobot --help (median of {runs})")
    (t,) = compare_times(["--help"], [(db, workdir)], runs)
    figure(
        "infobot --help",
        seconds(t.median),
        f"<= {GOAL_HELP_SECONDS} s",
        t.median <= GOAL_HELP_SECONDS,
        f"runs {t.low:.3f}-{t.high:.3f}",
    )
    probe = must(run_cli(["-c", HELP_PROBE], db, workdir, python=True), "the --help import probe")
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    roots = sorted({n.split(".")[0] for n in found["loaded"]})
    ok = found["code"] == 0 and not roots and found["help"].startswith("Usage")
    figure(
        "heavy modules imported by --help",
        ", ".join(roots) or "none",
        "none",
        ok,
        "checked: " + ", ".join(FORBIDDEN_ON_HELP),
    )
    figure("--help left a database behind", "yes" if db.exists() else "no", "no", not db.exists())
    shutil.rmtree(workdir, ignore_errors=True)


SECTIONS = ("import", "scale", "help", "daemon", "size", "web")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--import-runs", type=int, default=3, help="imports to time (3)")
    parser.add_argument("--runs", type=int, default=TIMED_RUNS, help="status/preview runs (5)")
    parser.add_argument("--help-runs", type=int, default=HELP_RUNS, help="--help runs (10)")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeat for several); default: all",
    )
    options = parser.parse_args(argv)
    chosen = set(options.only or SECTIONS)
    began = time.perf_counter()
    noise = Noise()
    machine_context()
    DATA.mkdir(parents=True, exist_ok=True)
    if chosen & {"import", "scale", "help"}:
        print("\nWarm-up: writes bytecode and checks that the CLI works ...", flush=True)
        warm_up()
    if "import" in chosen:
        bench_import(max(1, options.import_runs))
    if "scale" in chosen:
        bench_scale(max(1, options.runs))
    if "help" in chosen:
        bench_help(max(1, options.help_runs))
    if "daemon" in chosen:
        import daemon  # bench/daemon.py: this script's folder is on sys.path

        daemon.bench_daemon(sys.modules[__name__])
    if "size" in chosen:
        import size  # bench/size.py

        size.bench_size(sys.modules[__name__])
    if "web" in chosen:
        import web as web_bench  # bench/web.py

        web_bench.bench_web(sys.modules[__name__])
    shutil.rmtree(DATA / "work", ignore_errors=True)

    elapsed = time.perf_counter() - began
    print()
    print("=" * WIDTH)
    print(f"  took {elapsed:.0f} s; other processes used {noise.others(elapsed)} meanwhile")
    print(f"  speed now: {calibrate()}")
    print("  (a busy machine makes every time longer: compare the speed lines between runs)")
    missed = [f for f in FIGURES if f.ok is False]
    print("=" * WIDTH)
    if missed:
        print(f"MISS: {len(missed)} of {sum(f.ok is not None for f in FIGURES)} goals missed:")
        for f in missed:
            print(f"  !!! MISS  {f.name.strip()}: {f.value} (goal {f.goal})")
    else:
        print(f"PASS: all {sum(1 for f in FIGURES if f.ok)} goals met.")
    return 0  # a benchmark reports; it does not fail the build


if __name__ == "__main__":
    sys.exit(main())
