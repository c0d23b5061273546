"""Generated hostile and valid story files through the real ``infobot import`` (issue 12).

Each example writes one file (CSV, TSV, XLSX, YAML, JSON or Markdown) built from stories
that are valid or not (bad dates, overlong fields, formula-like text, direction
overrides, NULs, words YAML reads as other types, images outside the folder...), then
perhaps damaged as a hostile tool would (another encoding, a byte-order mark, NULs,
cut short, blank rows by the thousand, deep nesting, YAML tags, broken front matter).
The real CLI imports it into a real SQLite file that already holds stories, and:

* it exits 0 or 2, never with a traceback;
* ``--dry-run`` never writes, and on exit 2 the database is exactly as it was;
* on exit 2 every problem names the file, and each one about a part of the file its line;
* a file that imported is exported (``infobot export``) and the export imported into a
  copy of the first database: both then hold the same stories, field for field.

``make test`` runs a fixed seed and a modest number of examples; ``make fuzz`` runs more
(``INFOBOT_FUZZ_EXAMPLES``, ``INFOBOT_FUZZ_SEED``). The counts (files per format and
outcome) are printed at the end and, with ``INFOBOT_FUZZ_REPORT=path``, written as JSON.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from infobot.domain.story import STORY_FIELDS
from tests.conftest import NOW

EXAMPLES = int(os.environ.get("INFOBOT_FUZZ_EXAMPLES", "120"))
SEED = int(os.environ.get("INFOBOT_FUZZ_SEED", "20261204"))
REPORT = os.path.abspath(os.environ.get("INFOBOT_FUZZ_REPORT", "") or os.devnull)  # read now
COUNTS: Counter[str] = Counter()

FIELDS = STORY_FIELDS

# --- values -----------------------------------------------------------------------------------
#
# Everything is drawn from one ``random.Random`` that Hypothesis seeds (and shrinks), so that
# the weights below hold: Hypothesis's own strategies lean hard towards the first choice.

RTL = "\u202e"
HOSTILE_PIECES = [
    '=HYPERLINK("https://evil.example","x")',
    "+44 20 7946 0000",
    "-5",
    "@everyone",
    "'=quoted",
    "'",
    "%0A",
    "|pipe",
    RTL,
    "\u2066",
    "\x00",
    "\x07",
    "\r\n",
    "\ufeff",
    "\udcff",
    "\u2028",
    "no",
    "yes",
    "on",
    "null",
    "~",
    "1.0",
    "0x1F",
    "2026-11-03",
    "!!python/object:os.system",
    "*alias",
    "&anchor",
    "{{x}}",
    '"',
    ",",
    ";",
    "\t",
]
#: Ranges of characters ordinary text is made of, in many scripts.
SCRIPTS = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1
    (0x100, 0x17F),  # Latin extended
    (0x300, 0x36F),  # combining marks
    (0x391, 0x3C9),  # Greek
    (0x410, 0x44F),  # Cyrillic
    (0x5D0, 0x5EA),  # Hebrew
    (0x627, 0x64A),  # Arabic
    (0x4E00, 0x4E80),  # CJK
    (0x1F600, 0x1F64F),  # emoji
]
EMOJI = ["👩\u200d⚕️", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "e\u0301", "שלום", "Zoë"]


def text(rng: Random, low: int = 3, high: int = 60) -> str:
    """Ordinary text (valid anywhere a story's text goes), stripped, never empty."""
    while True:
        out = []
        for _ in range(rng.randint(low, high)):
            if rng.random() < 0.05:
                out.append(rng.choice(EMOJI))
            else:
                first, last = rng.choice(SCRIPTS[:4] if rng.random() < 0.7 else SCRIPTS)
                out.append(chr(rng.randint(first, last)))
        value = "".join(out).strip()
        if value and not value.startswith(("\u0300", "\u0301")):
            return value


def hostile_text(rng: Random) -> str:
    return " ".join(
        rng.choice(HOSTILE_PIECES) if rng.random() < 0.6 else text(rng, 1, 10)
        for _ in range(rng.randint(1, 4))
    )


def a_date(rng: Random, start: date, days: int) -> date:
    return start + timedelta(days=rng.randrange(days))


def date_text(value: date, rng: Random) -> str:
    return value.isoformat() if rng.random() < 0.7 else value.strftime("%d/%m/%Y")


BAD_DATES = ["2026-02-30", "31/02/2026", "next tuesday", "2026-13-01", "99999-01-01",
             "0000-01-01", "2026-1-1", "03.11.2026", "1e9", "2026-11-03T10:00"]  # fmt: skip
IMAGES = ["photo.jpg", "./photo.jpg", "../outside.jpg", "missing.png", "notes.txt", "~/photo.jpg",
          "https://example.org/a.jpg", "http://example.org/a.jpg", "/etc/passwd",
          "link-out.jpg"]  # fmt: skip
ODD_NAMES = ["boddy", "Story", "Alt text", "ti" + RTL + "tle", "x" * 300, "con\x00sent_by"]


@dataclass
class Case:
    """One generated file and what went into it."""

    fmt: str
    name: str
    data: bytes
    tags: list[str] = field(default_factory=list)


def story(rng: Random, number: int, hostile: bool, tags: list[str]) -> dict[str, object]:
    """One story's fields as text; with ``hostile``, something in it is (likely) wrong."""
    values: dict[str, object] = {
        "body": f"Story {number}: {text(rng)}",
        "author": text(rng, 3, 20),
        "consent_by": text(rng, 3, 20),
        "consent_date": date_text(a_date(rng, date(2020, 1, 1), 2500), rng),
    }
    for name in rng.sample(FIELDS, rng.randint(0, 5)):
        if name in ("consent_date", "pin_date"):
            start = date(2026, 11, 24) if name == "pin_date" else date(2020, 1, 1)
            values[name] = date_text(a_date(rng, start, 400), rng)
        elif name == "image":
            values[name] = rng.choice(IMAGES[:2] + IMAGES[6:7])
            values["image_alt"] = text(rng)
        elif name == "language":
            values[name] = rng.choice(["en", "cy", "FR", "gd", "pl"])
        elif name == "link":
            values[name] = f"https://example.org/{number}?a=b"
        else:
            values[name] = text(rng, 1, 40)
    if not hostile:
        return values
    what = rng.choice(["text", "long", "date", "image", "name", "language", "link", "empty"])
    tags.append(f"hostile {what}")
    name = rng.choice(["body", "title", "author", "notes", "role", "image_alt"])
    if what == "text":
        values[name] = hostile_text(rng)
    elif what == "long":
        values[name] = "x" * rng.choice([201, 501, 1_501, 5_001, 10_001, 40_000, 300_000])
    elif what == "date":
        values[rng.choice(["consent_date", "pin_date"])] = rng.choice(BAD_DATES)
    elif what == "image":
        values["image"] = rng.choice(IMAGES)
        if rng.random() < 0.7:
            values["image_alt"] = text(rng)
    elif what == "name":
        values[rng.choice(ODD_NAMES)] = "?"
    elif what == "language":
        values["language"] = rng.choice(["en-GB", "english", "xx", "e n"])
    elif what == "link":
        values["link"] = rng.choice(["example.org", "javascript:alert(1)", "https://a b"])
    else:
        values[rng.choice(["body", "consent_by", "consent_date"])] = ""
    return values


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def write_csv(stories: list[dict[str, object]], delimiter: str, newline: str) -> str:
    names = list(dict.fromkeys(k for s in stories for k in s))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(names)
    for values in stories:
        writer.writerow([_cell(values.get(n)) for n in names])
    return out.getvalue()


def write_xlsx(stories: list[dict[str, object]], blank_rows: int, far_row: int | None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    names = list(dict.fromkeys(k for s in stories for k in s))
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", n) for n in names])
    for number, values in enumerate(stories):
        row: list[object] = []
        for name in names:
            value = values.get(name)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\udcff", ""))
                if name.endswith("date") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    with contextlib.suppress(ValueError):
                        value = datetime.fromisoformat(value)  # a real date cell
            row.append(value)
        sheet.append(row)
        if number == 0:
            for _ in range(blank_rows):
                sheet.append([None] * len(names))
    if far_row is not None:
        sheet.cell(row=far_row, column=1, value="far away")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def yaml_text(stories: list[dict[str, object]], rng: Random) -> str:
    style = rng.randrange(3)
    unicode = rng.random() < 0.5
    if style == 0:
        return yaml.safe_dump(stories, allow_unicode=unicode, sort_keys=False)
    if style == 1:
        return yaml.safe_dump({"stories": stories}, allow_unicode=unicode)
    first = yaml.safe_dump([stories[0]], allow_unicode=unicode, sort_keys=False)
    rest = yaml.safe_dump(stories[1:], allow_unicode=unicode) if stories[1:] else "[]\n"
    return first + "---\n" + rest  # two documents


def markdown_text(values: dict[str, object]) -> str:
    front = {k: v for k, v in values.items() if k != "body"}
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False) if front else ""
    return f"---\n{dumped}---\n\n{values.get('body', '')}\n"


HOSTILE_YAML = [
    "- body: !!python/object/apply:os.system ['echo hi']\n  consent_by: a\n"
    "  consent_date: 2026-01-01\n",
    "- body: !!binary aGVsbG8=\n  consent_by: a\n  consent_date: 2026-01-01\n",
    "- body: !custom tagged\n  consent_by: !!str 5\n  consent_date: !!timestamp 2026-01-01\n",
    "- &a {body: x, consent_by: a, consent_date: 2026-01-01}\n- *a\n",
    "- {<<: *nowhere, body: y}\n",
    "- body: " + "[" * 200 + "]" * 200 + "\n",
    "- body: " + "{a: " * 100 + "b" + "}" * 100 + "\n",
    "stories: yes\n",
    "just text\n",
    "- body: a\n  body: b\n  consent_by: c\n  consent_date: 2026-01-01\n",
    "- body: 'unclosed\n",
    "- body: ok\n\tconsent_by: tab\n",
    "a: &a [*a]\n",
    "- body: x\n  consent_by: a\n  consent_date: 2026-01-01\n  \u202etitle: y\n",
]
HOSTILE_JSON = [
    '[{"body": ' + "9" * 5000 + ', "consent_by": "a", "consent_date": "2026-01-01"}]',
    '[{"title": ' + "9" * 5000 + ', "body": "x", "consent_by": "a", "consent_date": "2026-01-01"}]',
    "[" * 3000 + "]" * 3000,
    '[{"body": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}]",
    '{"stories": [{"body": "x", "consent_by": "a", "consent_date": "2026-01-01"}], "x": 1}',
    '[{"body": "x", "body": "y"}]',
    '[{"body": NaN, "consent_by": "a", "consent_date": "2026-01-01"}]',
    '[{"body": 1e999, "consent_by": "a", "consent_date": "2026-01-01"}]',
    '[{"body": "x", "consent_by": "a", "consent_date": "2026-01-01"}] trailing',
    '[1, "two", null, []]',
    '{"stories": "none"}',
    '[{"body": "\\ud800", "consent_by": "a", "consent_date": "2026-01-01"}]',
    '[{"body": "x", "consent_by": "a", "consent_date": "2026-01-01", "ti\\u202etle\\u0000": 1}]',
    '{"stories": [}',
]
HOSTILE_MARKDOWN = [
    "---\nauthor: a\nno closing fence\n",
    "---\n- a list\n---\nbody\n",
    "---\nauthor: [unclosed\n---\nbody\n",
    "---\nbody: in front\n---\nand below\n",
    "---\n---\n",
    "",
    "---\nconsent_by: a\nconsent_date: 2026-01-01\n...\nEnds with dots.\n",
    "---\nconsent_by: !!python/name:os.system\nconsent_date: 2026-01-01\n---\nTagged.\n",
    "---\nauthor: a\nauthor: b\nconsent_by: a\nconsent_date: 2026-01-01\n---\nTwice.\n",
]


def text_file(fmt: str, stories: list[dict[str, object]], rng: Random, tags: list[str]) -> str:
    hostile = {"yaml": HOSTILE_YAML, "json": HOSTILE_JSON, "md": HOSTILE_MARKDOWN}[fmt]
    if rng.random() < 0.15:
        tags.append(f"hostile {fmt} syntax")
        return rng.choice(hostile)
    if fmt == "yaml":
        return yaml_text(stories, rng)
    if fmt == "json":
        shape: object = stories if rng.random() < 0.5 else {"stories": stories}
        indent = rng.choice([None, 2])
        return json.dumps(shape, ensure_ascii=rng.random() < 0.5, indent=indent)
    return markdown_text(stories[0])


def damage(data: bytes, fmt: str, rng: Random, tags: list[str]) -> bytes:
    """Damage as a hostile (or careless) tool would, one time in four."""
    if rng.random() >= 0.25 or not data:
        return data
    how = rng.choice(["NUL byte", "cut short", "extra BOM", "bad bytes", "RTL override"])
    at = rng.randrange(len(data))
    tags.append(how)
    if how == "NUL byte":
        return data[:at] + b"\x00" + data[at:]
    if how == "cut short":
        return data[:at]
    if how == "extra BOM":
        return b"\xef\xbb\xbf" + data
    if how == "bad bytes":
        return data[:at] + b"\xff\xfe" + data[at:]
    return data[:at] + RTL.encode() + data[at:]


FORMATS = ["csv", "csv", "tsv", "xlsx", "yaml", "json", "md"]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    rng = draw(st.randoms(use_true_random=True))
    fmt = rng.choice(FORMATS)
    tags: list[str] = []
    count = 1 if fmt == "md" else rng.randint(1, 6)
    hostile = rng.random() < 0.35  # a story (likely) wrong: the file is refused
    bad = rng.randrange(count) if hostile else -1
    stories = [story(rng, n, n == bad, tags) for n in range(count)]
    if fmt in ("csv", "tsv"):
        delimiter = "\t" if fmt == "tsv" else rng.choice([",", ",", ";"])
        body = write_csv(stories, delimiter, rng.choice(["\r\n", "\n"]))
        if rng.random() < 0.08:
            lines = rng.choice([10, 3_000, 250_000])
            body += "," * 3 + "\n" * lines
            tags.append(f"blank rows {lines}")
        encoding = rng.choice(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"])
        if encoding != "utf-8":
            tags.append(f"encoding {encoding}")
        errors = "replace" if encoding == "cp1252" else "surrogatepass"
        data = body.encode(encoding, errors=errors)
    elif fmt == "xlsx":
        blank = rng.choice([0, 0, 0, 0, 5, 2_000])
        far = rng.choice([None] * 12 + [50, 250_000])
        data = write_xlsx(stories, blank, far)
        tags += [f"blank rows {blank}"] if blank else []
        tags += [f"cell at row {far}"] if far else []
    else:
        data = text_file(fmt, stories, rng, tags).encode("utf-8", errors="surrogatepass")
    return Case(fmt, f"stories.{fmt}", damage(data, fmt, rng, tags), tags)


# --- the CLI, a database and its digest ---------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str


def infobot(db: Path, *args: str) -> Run:
    """``infobot ARGS`` in this process against the SQLite file ``db``."""
    from infobot.cli.main import run

    os.environ["INFOBOT_DATABASE_URL"] = f"sqlite:///{db}"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return Run(code, out.getvalue(), err.getvalue())


def digest(db: Path) -> str:
    """Everything in the database that an import could change, hashed."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        hashed = hashlib.sha256()
        for table in ("stories", "events", "slots", "campaigns"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY id"):
                hashed.update(repr(row).encode())
    return hashed.hexdigest()


STORY_COLUMNS = ", ".join((*FIELDS, "fingerprint", "status", "campaign_id"))


def stories_in(db: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(f"SELECT {STORY_COLUMNS} FROM stories ORDER BY fingerprint").fetchall()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated database holding three stories, copied for every example."""
    folder = tmp_path_factory.mktemp("fuzz-template")
    saved = dict(os.environ)
    os.environ["INFOBOT_CLOCK_START"] = NOW
    os.environ["INFOBOT_OUTBOX_PATH"] = str(folder / "outbox.jsonl")
    seed_file = folder / "seed.csv"
    seed_file.write_text(
        "body,author,consent_by,consent_date\n"
        + "".join(f"Seed story {n} about joined-up notes.,Ann,Ann,2026-10-01\n" for n in range(3)),
        encoding="utf-8",
    )
    db = folder / "template.db"
    assert infobot(db, "import", str(seed_file), "--by", "seed").code == 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield db
    os.environ.clear()
    os.environ.update(saved)


_PROBLEM = re.compile(r":(\d+): ")


def check_problems(err: str, shown: str) -> None:
    """On exit 2 every problem names the file, and its line unless it is about the file."""
    lines = [line for line in err.splitlines() if line and not line.startswith("error: ")]
    assert lines, err
    for line in lines:
        assert line.startswith(shown), f"problem not naming the file: {line[:300]!r}"
        rest = line[len(shown) :]
        if not _PROBLEM.match(rest):
            assert rest.startswith(": file: "), f"problem without a line: {line[:300]!r}"


def counter_for(case: Case, outcome: str) -> None:
    COUNTS[f"format {case.fmt}"] += 1
    COUNTS[f"outcome {outcome}"] += 1
    COUNTS[f"{case.fmt} {outcome}"] += 1
    for tag in case.tags:
        COUNTS[f"tag {tag.split(' ')[0] if tag.startswith('encoding') else tag}"] += 1
    COUNTS["files"] += 1


_N = [0]


@pytest.mark.slow
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(case=cases())
def test_generated_files_through_the_real_import(
    template: Path, tmp_path: Path, case: Case
) -> None:
    _N[0] += 1
    folder = tmp_path / f"ex{_N[0]}"
    folder.mkdir()
    outside = tmp_path / "outside.jpg"
    if not outside.exists():
        from PIL import Image

        Image.new("RGB", (2, 2)).save(outside, "JPEG")
    shutil.copy(outside, folder / "photo.jpg")
    with contextlib.suppress(OSError):
        (folder / "link-out.jpg").symlink_to(outside)
    (folder / "notes.txt").write_text("not a picture", encoding="utf-8")
    path = folder / case.name
    path.write_bytes(case.data)
    db = folder / "queue.db"
    shutil.copy(template, db)
    before = digest(db)

    dry = infobot(db, "import", str(path), "--by", "fuzz", "--dry-run")
    assert dry.code in (0, 2), dry
    assert "Traceback" not in dry.err
    assert digest(db) == before, "--dry-run wrote to the database"

    real = infobot(db, "import", str(path), "--by", "fuzz")
    assert real.code in (0, 2), real
    assert "Traceback" not in real.err
    assert real.code == dry.code, (dry, real)
    if real.code == 2:
        assert digest(db) == before, "a refused import changed the database"
        check_problems(real.err, str(path))
        counter_for(case, "refused (exit 2)")
        return

    added = int(re.search(r"added (\d+) new stor", real.out).group(1))  # type: ignore[union-attr]
    counter_for(case, "imported (exit 0)" if added else "nothing new (exit 0)")
    if not added:
        return
    # export -> import into a copy of the first database: the same stories, field for field
    export = folder / "export.csv"
    assert infobot(db, "export", "--what", "stories", "--output", str(export)).code == 0
    mirror = folder / "mirror.db"
    shutil.copy(template, mirror)
    again = infobot(mirror, "import", str(export), "--by", "fuzz")
    assert again.code == 0, (again, export.read_text(encoding="utf-8-sig")[:3000])
    assert stories_in(mirror) == stories_in(db)
    COUNTS["round trips"] += 1


def test_zz_fuzz_counts() -> None:
    """The counts of the run above (printed; written as JSON with INFOBOT_FUZZ_REPORT)."""
    report = dict(sorted(COUNTS.items()))
    print(json.dumps(report, indent=2), file=sys.stderr)
    if REPORT:
        Path(REPORT).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if COUNTS:
        assert COUNTS["files"] >= min(EXAMPLES, 50)
