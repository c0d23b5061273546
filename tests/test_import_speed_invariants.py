"""What the import speed-ups must not change: fingerprints, address checks, stored JSON."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from infobot.domain.story import StoryInput, _norm
from infobot.domain.validate import validate_record
from infobot.domain.validate.values import _HTTPS_ADDRESS, _WEB_ADDRESS, _web_address
from infobot.service import audit
from infobot.service.importing import _imported_after_json
from infobot.service.media import LocalPictures, MediaFolder, local_pictures
from tests.support.pictures import png

if TYPE_CHECKING:
    from datetime import datetime

    from infobot.store.imports import ImportedStories
    from infobot.store.reader import Reader

# Computed with the code as it was before the speed-ups: existing databases hold these.
KNOWN_FINGERPRINTS = [
    (
        StoryInput(body="Hello world"),
        "47c91320341936af7787756a953d98f845cfe8f36221bbef47ffe3bd33f772cd",
    ),
    (
        StoryInput(body="  Two  spaces\n\nand lines\t tab ", author="Zoë Byrne", title="Café"),
        "1c2f13ccc6be566935a3f96db901b31bb3d5b822ae3deab9b253ee04bfb8f53f",
    ),
    (
        StoryInput(
            body="Cafe\u0301 decomposed\u00a0nbsp\u2028sep", author="A\x1fB", title="x\x1cy"
        ),
        "d04bda3ed4217eb88e4b6594cfdbdea9359a3e3141bb7ebf11dadb30be4979b7",
    ),
    (
        StoryInput(body="ﬁ ligature Ω ohm \u212b angstrom", author="", title="  "),
        "05c5c7967fbb81b0fc9ae00025e970bdfe85071a21087eb7399602bafaa784c2",
    ),
    (
        StoryInput(body="emoji 👩🏽\u200d⚕️ and ｆｕｌｌ width", author="O'Neill", title="T"),
        "d7d8e696238b5c1511ac7870d5935670f4601e681d2f3acfc516745e4014ad13",
    ),
]


@pytest.mark.parametrize(("story", "expected"), KNOWN_FINGERPRINTS)
def test_fingerprints_are_unchanged(story: StoryInput, expected: str) -> None:
    """The whole SHA-256 is what fingerprints were before migration 0013, which keeps the
    first 32 digits of each: the fingerprint worked out now must be exactly those."""
    assert story.fingerprint() == expected[:32]
    assert len(expected) == 64


def _norm_by_definition(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_norm_matches_its_definition() -> None:
    pieces = [
        "a", "b", " ", "  ", "\t", "\n", "\r", "\x1c", "\x1f", "\x85", "\xa0", "\u2028",
        "\u3000", "e\u0301", "\u212b", "ﬁ", "Zoë", "👩🏽\u200d⚕️", "",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _norm(text) == _norm_by_definition(text), repr(text)


def test_only_the_ascii_space_is_printable_whitespace() -> None:
    """What the fast path of ``_norm`` relies on."""
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert [c for c in spaces if c.isprintable()] == [" "]


_WHITESPACE = re.compile(r"\s")
_NETLOC_END = re.compile(r"[/?#]")
_HOST = re.compile(r"(?:[^\s/?#:@\[\]]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def _web_address_by_parts(text: str, *, https_only: bool) -> bool:
    """The step-by-step definition the one-pass ``_web_address`` must match."""
    head = text[:8].lower()
    if head == "https://":
        rest = text[8:]
    elif head.startswith("http://") and not https_only:
        rest = text[7:]
    else:
        return False
    if _WHITESPACE.search(text):
        return False
    netloc = _NETLOC_END.split(rest, maxsplit=1)[0]
    host = netloc.rpartition("@")[2]
    return _HOST.fullmatch(host) is not None


def test_web_address_matches_its_definition() -> None:
    alphabet = [
        *"hHtTpPsS:/?#@[]:.0123456789abcfAF-_ \t\n\u00a0\u2028ſK%",
        *("https://", "http://", "HTTPS://", "@", "[::1]", ":80", ":123456", "example.org"),
    ]
    rng = random.Random(1)
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.7:
            text = rng.choice(["https://", "http://", "HTTPS://", "hTtP://"]) + text
        for https_only in (True, False):
            assert _web_address(text, https_only=https_only) == _web_address_by_parts(
                text, https_only=https_only
            ), (text, https_only)
        # the quick whole-cell patterns check_rows uses: a match is always an address
        if _HTTPS_ADDRESS.fullmatch(text):
            assert _web_address(text, https_only=True), text
        if _WEB_ADDRESS.fullmatch(text):
            assert _web_address(text, https_only=False), text


@pytest.mark.parametrize(
    "source",
    ["stories.csv:2", 'Zoë "quoted" \\ path\n\t:7', "\udcff\u2028\x00\x7f:3", "", "€ ✓ 👩🏽:9"],
)
def test_imported_event_json_is_unchanged(source: str) -> None:
    after = _imported_after_json()
    assert after(source) == audit.to_json({"source": source, "status": "draft"})


def test_image_cache_gives_the_same_answers(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(png())
    media = MediaFolder(tmp_path)
    cache = LocalPictures(media)
    for image in ["a.jpg", "a.jpg", "missing.jpg", "missing.jpg", "a.txt", "./a.jpg"]:
        raw = {"body": "b", "consent_by": "c", "consent_date": "2026-01-02"}
        raw |= {"image": image, "image_alt": "alt"}
        cached = validate_record(raw, file="f.csv", line=2, images=cache)
        plain = validate_record(raw, file="f.csv", line=2, images=local_pictures(media))
        assert cached == plain


def _sqlite_writer(r: Reader, campaign_id: int, actor: str, now: datetime) -> ImportedStories:
    """An import's writer whose events SQLite works out (skipped where it cannot)."""
    from infobot.store.imports import ImportedStories

    writer = ImportedStories(
        r, campaign_id=campaign_id, actor=actor, now=now, event_after=_imported_after_json()
    )
    if not writer.events_by_select:
        pytest.skip("this SQLite quotes JSON differently: the Python path is used")
    return writer


def test_events_written_by_sqlite_are_those_python_writes(tmp_path: Path) -> None:
    """On SQLite the import's events come from one INSERT ... SELECT; they must be exactly
    the rows the Python path writes, whatever the sources hold."""
    from datetime import UTC, datetime

    from infobot.app import App
    from infobot.clock import FixedClock
    from infobot.domain.story import StoryInput
    from infobot.settings import load_settings
    from infobot.store.models import Event

    now = datetime(2026, 11, 23, 8, tzinfo=UTC)
    from infobot.service.importers import Parsed, StoryRun

    sources = [("a.csv", 2), ('Zoë "q" \\ p\n\t', 3), ("\x01\x7f\u2028", 4), ("€ 👩🏽.csv", 5)]
    sources.append(("'x'", 6))
    chunk = StoryRun.of([Parsed(f, n, StoryInput(body=f"b{n}"), f"{n:032x}") for f, n in sources])
    written = []
    for by_select in (True, False):
        db = tmp_path / f"{by_select}.db"
        app = App.open(load_settings(database_url=f"sqlite:///{db}"), FixedClock(now))
        try:
            with app.db.bulk_writer() as r:
                writer = _sqlite_writer(r, app.campaign_id, "Zoë 'q'", now)
                writer.events_by_select = by_select
                writer.write(chunk)
            with app.db.read() as session:
                rows = session.query(Event).filter(Event.action == "story.imported")
                columns = ("at", "actor", "campaign_id", "story_id", "delivery_id", "before")
                written.append(
                    [
                        (*(getattr(e, c) for c in columns), e.after, e.message)
                        for e in rows.order_by(Event.id)
                    ]
                )
            with app.db.engine.connect() as conn:
                raw = conn.exec_driver_sql(
                    "SELECT at, typeof(at), after, message FROM events WHERE story_id IS NOT NULL"
                ).fetchall()
            written.append([tuple(r) for r in raw])
        finally:
            app.close()
    by_select_rows, by_select_raw, python_rows, python_raw = written
    assert by_select_rows == python_rows and len(python_rows) == len(sources)
    assert by_select_raw == python_raw


def test_a_source_written_as_file_and_line_is_the_text_python_makes(tmp_path: Path) -> None:
    """On SQLite a run from one file is written as ``'FILE:' || line`` (the line bound as
    a number), and a story in one language binds its language once for two columns: what
    is stored is exactly the text and values of the Python path, whatever the file name."""
    from datetime import UTC, datetime

    from infobot.app import App
    from infobot.clock import FixedClock
    from infobot.service.importers import Parsed, StoryRun
    from infobot.settings import load_settings

    now = datetime(2026, 11, 23, 8, tzinfo=UTC)
    names = ["a.csv", "it's.csv", 'Zoë "q" \\ p.csv', "\x01\u2028.csv", "€ 👩🏽.csv", ""]
    app = App.open(load_settings(database_url=f"sqlite:///{tmp_path / 's.db'}"), FixedClock(now))
    try:
        expected = []
        for number, name in enumerate(names):
            items = [
                Parsed(
                    name,
                    line,
                    StoryInput(body=f"b{number} {line}", language="cy"),
                    f"{number}{line:031x}",
                )
                for line in (2, 3, 10_000_000_000)
            ]
            expected += [(f"{name}:{item.line}", "cy", "cy") for item in items]
            with app.db.bulk_writer() as r:
                _sqlite_writer(r, app.campaign_id, "sam", now).write(StoryRun.of(items))
        with app.db.reader() as r:
            stored = r.rows("SELECT source, language, languages FROM stories ORDER BY id")
    finally:
        app.close()
    assert [tuple(row) for row in stored] == expected


def test_a_chunk_s_events_find_its_stories_by_their_ids(tmp_path: Path) -> None:
    """The events of a chunk are made from the stories written after the last id: SQLite
    reads them by the primary key, not every story of the campaign again (per chunk), and
    in its order (the chunk's ids follow its keys), with no sort."""
    from datetime import UTC, datetime

    from infobot.app import App
    from infobot.clock import FixedClock
    from infobot.settings import load_settings

    now = datetime(2026, 11, 23, 8, tzinfo=UTC)
    app = App.open(load_settings(database_url=f"sqlite:///{tmp_path / 'plan.db'}"), FixedClock(now))
    try:
        from infobot.store.imports import _EVENTS_BY_SELECT

        with app.db.bulk_writer() as r:
            assert _sqlite_writer(r, app.campaign_id, "bench", now).events_by_select
            span = {"last_id": 5, "first_key": 0, "last_key": 10_000}
            values = {"at": now, "actor": "bench", "cid": app.campaign_id, **span}
            plan = [
                str(row[-1]) for row in r.rows(f"EXPLAIN QUERY PLAN {_EVENTS_BY_SELECT}", **values)
            ]
    finally:
        app.close()
    assert any("INTEGER PRIMARY KEY (rowid>?)" in step for step in plan), plan
    assert not any("INDEX" in step.replace("PRIMARY KEY", "") for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # read in id order, no sort


_CELLS = [
    "", " ", "  x  ", "Ann", "Zoë Byrne", "a\nb", "a\r\nb", "\r", "\t", "x\x00", "\u202eevil",
    "\ufeff", "\u2028", "\x85", "2026-11-03", "03/11/2026", "31/02/2026", "2026-02-30",
    "next week", "https://example.org/a", "https://example.org/p.jpg", "http://example.org/p.jpg",
    "https://ex ample.org", "example.org", "photo.jpg", "missing.png", "notes.txt", "../x.jpg",
    "en", "EN", "cy", "en-GB", "english", "=SUM(A1)", "'quoted", "no", "1.0", "x" * 201,
    "y" * 501, "z" * 1_501, "w" * 5_001, "b" * 10_001, "emoji 👩🏽\u200d⚕️",
]  # fmt: skip
_FIELDS = ["body", "title", "author", "role", "link", "image", "image_alt", "language",
           "consent_by", "consent_date", "pin_date", "notes", "consent_scope"]  # fmt: skip


def test_rows_checked_together_get_the_story_validate_record_builds(tmp_path: Path) -> None:
    """``check_rows`` accepts a row only when ``validate_record`` does, with the same story;
    and it accepts the ordinary rows (else it would be no quicker)."""
    from infobot.domain.validate import check_rows

    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    rng = random.Random(13)
    accepted = 0
    for _ in range(400):
        names = rng.sample(_FIELDS, rng.randint(1, len(_FIELDS)))
        if rng.random() < 0.7:
            names = list(dict.fromkeys(["body", "consent_by", "consent_date", *names]))
        fields = tuple(enumerate(names))
        rows = []
        for _ in range(rng.randint(1, 30)):
            row = [rng.choice(_CELLS) for _ in names]
            if rng.random() < 0.5:  # an ordinary row
                good = {"body": "A story.", "consent_by": "Ann", "consent_date": "2026-10-01"}
                good |= {"image": "photo.jpg", "image_alt": "A photo", "language": "cy"}
                good |= {"link": "https://example.org/x", "pin_date": "03/12/2026"}
                row = [good.get(name, f"text {name}") for name in names]
            rows.append(row)
        require = rng.random() < 0.8
        pictures = LocalPictures(MediaFolder(tmp_path))
        fast = check_rows(fields, rows, require_consent=require, images=pictures)
        for row, story in zip(rows, fast, strict=True):
            record = dict(zip(names, row, strict=True))
            slow = validate_record(
                record,
                file="f.csv",
                line=2,
                require_consent=require,
                images=LocalPictures(MediaFolder(tmp_path)),
            )
            if story is not None:
                accepted += 1
                assert slow == (story, []), (record, story, slow)
                assert vars(story) == vars(slow[0])
            elif slow[0] is not None:
                # declining is always allowed, but ordinary rows must not be declined
                assert record.get("body") not in ("A story.",), record
    assert accepted > 1_000


def _good_row(media: Path) -> dict[str, str]:
    """A valid row whose picture is in ``media``."""
    (media / "photo.jpg").write_bytes(b"\xff\xd8")
    good = {"body": "A story.", "consent_by": "Ann", "consent_date": "2026-10-01"}
    good |= {"image": "photo.jpg", "image_alt": "A photo", "language": ""}
    return good | {"link": "https://example.org/x", "pin_date": "03/12/2026"}


def _some_fields_with_consent(rng: random.Random) -> list[str]:
    names = rng.sample(_FIELDS, rng.randint(1, len(_FIELDS)))
    return list(dict.fromkeys(["body", "consent_by", "consent_date", *names]))


def test_the_values_of_rows_checked_together_are_the_stories_values(tmp_path: Path) -> None:
    """``check_rows_by_field`` gives each field's values, as the stories hold them, only
    when it accepts every row; remembering the stories from those values (``Seen``) is
    the same as from the stories."""
    from infobot.domain.story import STORY_FIELDS, fingerprints
    from infobot.domain.validate import check_rows_by_field
    from infobot.service.importers.seen import Seen

    good = _good_row(tmp_path)
    rng = random.Random(19)
    given = 0
    for _ in range(300):
        names = _some_fields_with_consent(rng)
        rows = []
        for n in range(rng.randint(1, 20)):
            row = {**good, "body": f"Story {n}.", "language": rng.choice(["", "cy", "EN"])}
            if rng.random() < 0.05:
                row[rng.choice(names)] = rng.choice(_CELLS)
            rows.append([row.get(name, f"text {name} {n}") for name in names])
        pictures = LocalPictures(MediaFolder(tmp_path))
        stories, values = check_rows_by_field(tuple(enumerate(names)), rows, images=pictures)
        if values is None:
            continue
        given += 1
        assert None not in stories
        accepted = [story for story in stories if story is not None]
        for name in STORY_FIELDS:
            if name in values:
                assert list(values[name]) == [getattr(story, name) for story in accepted]
        lines = list(range(2, len(rows) + 2))
        prints = fingerprints(accepted)
        by_values, by_stories = Seen(), Seen()
        by_values.add_all("f.csv", lines, accepted, prints, values)
        by_stories.add_all("f.csv", lines, accepted, prints)
        assert by_values.prints == by_stories.prints
    assert 50 < given < 300


def test_a_batch_read_as_columns_holds_the_stories_validation_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of rows all valid and new is handed on as columns (``StoryRun``), with no
    story made: each story in them, its line, file and fingerprint are exactly what
    ``validate_record`` gives row by row (fields left out and empty languages included),
    and a batch with a duplicate or a bad row says the same as row by row."""
    import csv

    from infobot.service.importers import LoadResult, StoryRun, reading

    good = _good_row(tmp_path)
    rng = random.Random(23)
    columnar = 0
    for attempt in range(60):
        names = _some_fields_with_consent(rng)
        rows = []
        for n in range(rng.randint(1, 40)):
            row = {**good, "body": f"Story {n} of {attempt}.", "language": rng.choice(["", "cy"])}
            row["author"] = rng.choice(["", "Zoë  Byrne", "Ann"])
            if rng.random() < 0.03:
                row[rng.choice(names)] = rng.choice(_CELLS)
            rows.append(row)
        if rng.random() < 0.2:
            rows.append(dict(rows[0]))  # the same story twice
        path = tmp_path / f"s{attempt}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows([row.get(name, f"text {name}") for name in names] for row in rows)
        media = MediaFolder(tmp_path)
        said = []
        for fast in (True, False):
            monkeypatch.setattr(reading, "COLUMNS_ARE_STORIES", fast)
            if not fast:  # every row the way of a record: validate_record builds each story
                monkeypatch.setattr(reading, "check_rows_by_field", _no_row_checked)
            found = LoadResult()
            runs = [
                e for e in reading.stream([path], found, media=media) if isinstance(e, StoryRun)
            ]
            items = [item for run in runs for item in run.parsed()]
            assert all(story.fingerprint() == fp for _, _, story, fp in items)
            said.append((items, found.problems, found.notes, found.rows_seen))
            if fast:
                columnar += sum(1 for run in runs if len(run) > 1)
        assert said[0] == said[1]
    assert columnar > 10


def _no_row_checked(fields: object, rows: list[object], **_: object) -> tuple[list[None], None]:
    return [None] * len(rows), None


def test_fingerprints_of_many_stories_are_each_story_s_own() -> None:
    from infobot.domain.story import fingerprints

    pieces = [
        "a", "b", " ", "  ", "\t", "\n", "\r", "\x1c", "\x1f", "\x85", "\xa0", "\u2028",
        "\u3000", "e\u0301", "\u0301", "\u0327\u0301", "\u212b", "ﬁ", "Zoë", "가", "\u1100",
        "\u1161", "\u11a8", "👩🏽\u200d⚕️", "\x00", "\u2029", "\x1e", "",
    ]  # fmt: skip
    rng = random.Random(11)
    stories = [story for story, _ in KNOWN_FINGERPRINTS]
    for _ in range(3_000):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in "bat"]
        stories.append(StoryInput(body=texts[0], author=texts[1], title=texts[2]))
    for start in range(0, len(stories), 97):
        batch = stories[start : start + 97]
        clean = [s for s in batch if "\x00" not in s.body + s.author + s.title]
        # every text NFC already, some with line breaks or spaces to spare
        composed = [
            s
            for s in clean
            if all(unicodedata.is_normalized("NFC", t) for t in (s.body, s.author, s.title))
        ]
        assert composed != clean
        for group in (batch, clean, composed, composed[:1], []):
            assert fingerprints(group) == [story.fingerprint() for story in group]


def test_fingerprints_of_stories_in_paragraphs_are_each_story_s_own() -> None:
    """Stories whose only whitespace is the space and the line break: worked out for a
    batch at once (``_norm_all``)."""
    from infobot.domain.story import fingerprints

    pieces = ["a", "b", " ", "  ", "\n", "\n\n", " \n ", "Zoë", "가", "ﬁ", ""]
    rng = random.Random(13)
    for _ in range(300):
        batch = []
        for _ in range(rng.randint(1, 40)):
            texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in "bat"]
            batch.append(StoryInput(body=texts[0], author=texts[1], title=texts[2]))
        assert fingerprints(batch) == [story.fingerprint() for story in batch]


def test_a_bulk_write_checks_foreign_keys_again_once_it_ends(tmp_path: Path) -> None:
    """The import's write does not check foreign keys row by row on SQLite; the connection
    checks them again once the write is over, committed or rolled back."""
    from sqlalchemy import text

    from infobot.store.db import Database
    from infobot.store.models import Base

    db = Database(f"sqlite:///{tmp_path / 'bulk.db'}")
    Base.metadata.create_all(db.engine)

    def checked() -> int:
        with db.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA foreign_keys").scalar() or 0)

    with db.bulk_write() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 0
    assert checked() == 1
    with pytest.raises(RuntimeError), db.bulk_write():
        raise RuntimeError("the import failed")
    assert checked() == 1
    db.dispose()
