"""Hostile imports at scale (issue 12): small files that expand, files too big to read
whole, numbers Python refuses to convert, field names that hide text, and an export that
must import again as the same stories. Each case runs the real CLI on a real file."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infobot.app import App
from infobot.clock import FixedClock
from infobot.domain.errors import ValidationFailed
from infobot.service.importers import MAX_ROWS, SIZE_LIMITS, load
from infobot.settings import load_settings
from infobot.store.models import Event, Story
from tests.conftest import Cli, story_row, write_csv

HEADER = "body,author,consent_by,consent_date"
GOOD = "A good story about shared notes.,Ann,Ann,2026-10-01"

_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_OFFICE}.worksheet+xml"/></Types>'
)
_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
    '<sheets><sheet name="Stories" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(path: Path, rows: str) -> Path:
    """A minimal workbook whose first sheet's rows are the XML ``rows`` (written by hand,
    as a hostile tool would: a header row and whatever else)."""
    header = "".join(
        _cell(f"{col}1", name) for col, name in zip("ABCD", HEADER.split(","), strict=True)
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        f'<sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def good_row(number: int) -> str:
    values = GOOD.split(",")
    return (
        f'<row r="{number}">'
        + "".join(_cell(f"{col}{number}", value) for col, value in zip("ABCD", values, strict=True))
        + "</row>"
    )


# The peak RSS of this process alone: ru_maxrss would count the test runner it was forked
# from, VmHWM starts again at exec.
_CHILD = """
import re, resource, sys
from infobot.cli.main import run
code = run(sys.argv[1:])
status = open("/proc/self/status").read()
peak = int(re.search(r"VmHWM:\\s*(\\d+)", status).group(1)) // 1024
used = resource.getrusage(resource.RUSAGE_SELF)
print(f"peak-rss-mib={peak} cpu-seconds={used.ru_utime + used.ru_stime:.2f}", file=sys.stderr)
sys.exit(code)
"""


def refused(cli: Cli, path: Path, *words: str, seconds: float = 5.0, mib: int = 150) -> str:
    """Import ``path`` with the real CLI in a process of its own: it must be refused
    (exit 2) within ``seconds`` of CPU time (start-up included) and ``mib`` of peak memory,
    changing nothing, with every one of ``words`` in what it says; what it says is
    returned."""
    cli.ok("status")
    events = cli.count("events")
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, "import", str(path), "--by", "sam"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    said = result.stderr
    assert result.returncode == 2, said[-3000:]
    figures = re.search(r"peak-rss-mib=(\d+) cpu-seconds=([\d.]+)", said)
    assert figures is not None, said[-3000:]
    peak, took = int(figures.group(1)), float(figures.group(2))
    assert took < seconds, f"took {took:.1f} s of CPU"
    assert peak < mib, f"peak RSS {peak} MiB"
    assert "Traceback" not in said
    for word in words:
        assert word in said, said[:2000]
    assert cli.count("stories") == 0 and cli.count("events") == events
    return said


# --- small files that expand ------------------------------------------------------------------


def test_xlsx_with_a_cell_at_row_ten_million_is_refused_quickly(cli: Cli, tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "far.xlsx", good_row(2) + f'<row r="10000000">{_cell("A10000000", "x")}</row>'
    )
    assert path.stat().st_size < 5_000
    said = refused(cli, path, f"far.xlsx:{MAX_ROWS + 1}: row", f"{MAX_ROWS:,} rows")
    assert "nothing was changed" in said


def test_xlsx_with_millions_of_blank_rows_is_refused_quickly(cli: Cli, tmp_path: Path) -> None:
    blank = "".join(f'<row r="{n}"/>' for n in range(3, 2_500_000))
    path = xlsx(tmp_path / "blank.xlsx", good_row(2) + blank)
    assert path.stat().st_size < 10_000_000
    refused(cli, path, f"blank.xlsx:{MAX_ROWS + 1}: row", f"{MAX_ROWS:,} rows")


def test_csv_with_millions_of_blank_rows_is_refused_quickly(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n" + "\n" * 3_000_000, encoding="utf-8")
    refused(cli, path, f"blank.csv:{MAX_ROWS + 2}: row", f"{MAX_ROWS:,} rows")


def test_many_blank_rows_under_the_limit_give_a_bounded_list_of_notes(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n" + ",,,\n" * 5_000, encoding="utf-8")
    result = load([path])
    assert result.problems == [] and len(result.items) == 1
    assert len(result.notes) <= 101
    assert "4,900 more blank rows" in result.notes[-1].message


# --- files too big to read whole ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".md", ".csv", ".xlsx"])
def test_a_file_over_its_format_limit_is_refused_before_it_is_read(
    cli: Cli, tmp_path: Path, suffix: str
) -> None:
    limit = SIZE_LIMITS[suffix]
    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as handle:
        handle.write(b"x")
        handle.truncate(limit + 1)  # sparse: nothing is written to disk
    said = refused(cli, path, f"huge{suffix}: file", f"{limit:,} bytes", seconds=3)
    assert "split" in said or "smaller" in said


def test_the_web_can_ask_the_limit_before_parsing(cli: Cli) -> None:
    from infobot.app import App
    from infobot.settings import load_settings

    app = App.open(load_settings())
    try:
        importer = app.importer()
        assert importer.size_limit("stories.csv") == SIZE_LIMITS[".csv"]
        assert importer.size_limit("STORIES.XLSX") == SIZE_LIMITS[".xlsx"]
        assert importer.size_limit("notes.txt") is None
        assert importer.max_upload_bytes == max(SIZE_LIMITS.values())
    finally:
        app.close()


# --- numbers and names ------------------------------------------------------------------------


def test_a_json_number_of_thousands_of_digits_is_a_clear_problem(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    digits = "7" * 5_000
    path.write_text(
        '[{"body": "A story.", "consent_by": "Ann", "consent_date": "2026-10-01",\n'
        f'  "title": {digits}}}]',
        encoding="utf-8",
    )
    said = refused(cli, path, "big.json:2: title", "5,000 characters")
    assert "Exceeds the limit" not in said and "4300" not in said


def test_a_json_number_of_thousands_of_digits_is_kept_as_text_where_text_may_be_long(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.json"
    digits = "7" * 5_000
    path.write_text(
        f'[{{"body": {digits}, "consent_by": "Ann", "consent_date": "2026-10-01"}}]',
        encoding="utf-8",
    )
    result = load([path])
    assert result.problems == [] and result.items[0].story.body == digits


HIDDEN = "ti\u202etle\x00x"


def _no_hidden(said: str) -> None:
    assert "\u202e" not in said and "\x00" not in said
    assert "\\u202e" in said


def test_a_csv_heading_with_hidden_characters_is_escaped_in_the_field(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text(f"{HEADER},{HIDDEN}\n{GOOD},x\n", encoding="utf-8")
    _no_hidden(refused(cli, path, "names.csv:1: ti\\u202etle\\u0000x:"))


def test_a_yaml_or_json_field_name_with_hidden_characters_is_escaped(
    cli: Cli, tmp_path: Path
) -> None:
    yaml_path = tmp_path / "names.yaml"
    yaml_path.write_text(
        '- body: A story.\n  consent_by: Ann\n  consent_date: 2026-10-01\n  "ti\\u202etle": x\n'
        '  "ti\\u202etle": y\n',
        encoding="utf-8",
    )
    _no_hidden(refused(cli, yaml_path, "names.yaml:4: ti\\u202etle:"))
    json_path = tmp_path / "names.json"
    json_path.write_text(
        '[{"body": "A story.", "consent_by": "Ann", "consent_date": "2026-10-01",\n'
        '  "ti\\u202etle\\u0000x": "x", "ti\\u202etle\\u0000x": "y"}]',
        encoding="utf-8",
    )
    _no_hidden(refused(cli, json_path, "names.json:2: ti\\u202etle\\u0000x:"))


def test_a_megabyte_heading_is_shortened_in_the_message(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(f"{HEADER},{'h' * 1_000_000}\n{GOOD},x\n", encoding="utf-8")
    said = refused(cli, path, "wide.csv:1: hhhh")
    assert len(said) < 5_000


# --- an export imports again as the same stories ------------------------------------------------

AWKWARD = [
    "=SUM(A1:A2) is how we counted the referrals.",
    "+44 20 7946 0000 is the helpline, open all night.",
    "-5 degrees outside and the van still came.",
    "@localteam answered within the hour.",
    "'=not a formula' is what the form said.",
    "'Tis the season for joined-up notes.",
    "''Two quotes to start with.",
    "%PDF is not a story but here it is.",
    "|pipe first, then the story.",
    "-5",
    "Plain text with nothing odd.",
]


def _stories(cli: Cli) -> list[tuple[object, ...]]:
    columns = "body, title, author, role, organisation, link, image, image_alt, language, "
    columns += "consent_by, consent_date, consent_scope, pin_date, notes, fingerprint"
    return cli.sql(f"SELECT {columns} FROM stories ORDER BY body")


def test_a_csv_export_imports_again_as_the_same_stories(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        story_row(n, body=body, title=body[:20], author=f"=cmd|' /C calc'!A{n}", notes="@note")
        for n, body in enumerate(AWKWARD)
    ]
    cli.ok("import", str(write_csv(tmp_path / "awkward.csv", rows)))
    before = _stories(cli)
    export = tmp_path / "export.csv"
    cli.ok("export", "--what", "stories", "--output", str(export))
    text = export.read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=SUM(A1:A2) is how we counted the referrals." in cells  # still protected
    assert "''=not a formula' is what the form said." in cells  # a leading ' is escaped too

    again = cli.ok("import", str(export))  # into the same queue: every story already there
    assert f"{len(AWKWARD)} already queued" in again.out
    assert _stories(cli) == before

    monkeypatch.setenv("INFOBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    cli.db_path = tmp_path / "fresh.db"
    added = cli.ok("import", str(export))  # into an empty queue: the same stories
    assert f"added {len(AWKWARD)} new stories" in added.out
    assert _stories(cli) == before


def test_a_file_that_is_not_an_export_keeps_its_leading_quotes(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "typed.csv", [story_row(1, body="'=typed by hand")])
    assert load([path]).items[0].story.body == "'=typed by hand"


# --- all or nothing, written as it is read --------------------------------------------------


@pytest.fixture
def importing(db_url: str, tmp_path: Path) -> Iterator[App]:
    settings = load_settings(database_url=db_url, outbox_path=tmp_path / "outbox.jsonl")
    app = App.open(settings, FixedClock(datetime(2026, 11, 23, 8, tzinfo=UTC)))
    yield app
    app.close()


def _counts(app: App) -> tuple[int, int]:
    with app.db.read() as session:
        stories = session.scalar(select(func.count()).select_from(Story))
        events = session.scalar(select(func.count()).select_from(Event))
    return int(stories or 0), int(events or 0)


def test_a_problem_after_thousands_of_written_rows_changes_nothing(
    importing: App, tmp_path: Path
) -> None:
    """Stories are written as they are read; a problem at the very end undoes them all."""
    rows = [story_row(n) for n in range(5_000)]
    rows.append(story_row("last", consent_date="soon"))
    path = write_csv(tmp_path / "tail.csv", rows)
    before = _counts(importing)
    with pytest.raises(ValidationFailed) as failed:
        importing.importer().import_files([path], actor="sam")
    assert [(p.line, p.field) for p in failed.value.problems] == [(5_002, "consent_date")]
    assert _counts(importing) == before


def test_skip_invalid_leaves_out_a_file_broken_after_its_good_rows(
    importing: App, tmp_path: Path
) -> None:
    """With --skip-invalid a file unreadable further on gives nothing, though its first
    rows were already written (a savepoint per file), and the other files still count."""
    good = write_csv(tmp_path / "good.csv", [story_row(n) for n in range(3)])
    broken = tmp_path / "broken.csv"
    rows = "".join(f"Story {n},Body {n} of the broken file.,A,A,2026-10-01\n" for n in range(3_000))
    broken.write_text(HEADER_WITH_TITLE + rows + '"never closed,x,A,A,2026-10-01\n')
    before = _counts(importing)
    report = importing.importer().import_files([broken, good], actor="sam", skip_invalid=True)
    assert report.added == 3 and len(report.added_ids) == 3
    assert [p.field for p in report.problems] == ["row"]
    assert _counts(importing) == (before[0] + 3, before[1] + 3)
    with importing.db.read() as session:
        sources = set(session.scalars(select(Story.source)))
    assert all(source.startswith(str(good)) for source in sources)


HEADER_WITH_TITLE = "title,body,author,consent_by,consent_date\n"


def test_the_ids_reported_are_the_stories_written_in_file_order(
    importing: App, tmp_path: Path
) -> None:
    first = importing.importer().import_files(
        [write_csv(tmp_path / "a.csv", [story_row(f"a{n}") for n in range(3)])], actor="sam"
    )
    path = write_csv(tmp_path / "b.csv", [story_row(n) for n in range(4_500)])  # 3 chunks
    report = importing.importer().import_files([path], actor="sam")
    with importing.db.read() as session:
        written = session.execute(
            select(Story.id, Story.source)
            .where(Story.id.not_in(first.added_ids))
            .order_by(Story.sort_key)
        ).all()
        events = session.execute(
            select(Event.story_id, Event.message)
            .where(Event.action == "story.imported")
            .where(Event.story_id.not_in(first.added_ids))
            .order_by(Event.id)
        ).all()
    assert report.added_ids == [sid for sid, _ in written]
    assert [source for _, source in written] == [f"{path}:{n}" for n in range(2, 4_502)]
    assert events == [(sid, f"imported from {source}") for sid, source in written]


def test_the_web_refuses_an_upload_over_its_limit_without_reading_it(tmp_path: Path) -> None:
    from tests.web_support import post, site_fixture, text_of

    for site in site_fixture(tmp_path):
        browser = site.signed_in("Imogen", "editor")
        limit = SIZE_LIMITS[".md"]
        huge = b"---\nauthor: Jo\n---\n" + b"x" * (2 * limit)
        refused = post(browser, "/import", files={"file": ("big.md", huge, "text/markdown")})
        assert refused.status_code == 400
        said = text_of(refused.text)
        assert f"more than {limit:,} bytes" in said and "Nothing was imported" in said
        assert site.count("stories") == 0
