"""Importing stories from CSV, Excel, YAML, JSON and Markdown: real files on disk.

Every problem is checked by its ``file:line: field`` (the part a communicator uses to find
it), and the happy paths check line numbers as well as content.
"""

from __future__ import annotations

import csv
import json
import time
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from infobot.domain.errors import Problem
from infobot.domain.story import StoryInput
from infobot.domain.validate import (
    FIELD_LIMITS,
    MAX_BODY,
    MAX_IMAGE_ALT,
    MAX_NOTES,
    MAX_OTHER,
    MAX_TITLE,
    normalise_header,
    validate_record,
)
from infobot.service.importers import LoadResult, load
from infobot.service.media import MediaFolder, local_pictures

DATA = Path(__file__).parent / "data" / "import"
HEADER = "body,author,consent_by,consent_date"
BOM = "\ufeff"


# --- helpers ------------------------------------------------------------------------------


def where(problem: Problem) -> str:
    """``name:line: field`` of a problem (the file's name, not its whole path)."""
    name = Path(problem.file).name
    at = name if problem.line is None else f"{name}:{problem.line}"
    return f"{at}: {problem.field}"


def places(problems: list[Problem]) -> list[str]:
    return [where(p) for p in problems]


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "s.csv") -> Path:
    return write(tmp_path / name, "\n".join([header, *rows]) + "\n")


#: The test data's folder is the media folder: a story's picture is named by its path there.
MEDIA = MediaFolder(DATA)


def load_one(path: Path, *, require_consent: bool = True) -> LoadResult:
    return load([path], require_consent=require_consent, media=MEDIA)


def only_problem(result: LoadResult) -> Problem:
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    return result.problems[0]


def one_story(result: LoadResult) -> StoryInput:
    assert result.problems == [], [str(p) for p in result.problems]
    assert len(result.items) == 1
    return result.items[0].story


# --- CSV ----------------------------------------------------------------------------------


def test_csv_excel_export_fixture_with_friendly_headings() -> None:
    result = load_one(DATA / "excel_export.csv")

    assert result.problems == [], [str(p) for p in result.problems]
    assert [(Path(p.file).name, p.line) for p in result.items] == [
        ("excel_export.csv", 2),  # body spans lines 2-4
        ("excel_export.csv", 5),
        ("excel_export.csv", 6),
    ]
    first, welsh, formula = (p.story for p in result.items)
    assert first == StoryInput(
        body=(
            "Our health visitor spotted the signs early.\n\n"
            'She said: "call us any time", and we did.'
        ),
        title="Early help",
        author="Amina Okafor",
        role="Parent",
        organisation="Leeds City Council",
        link="https://example.org/early-help",
        image="photo.png",
        image_alt="A mother and baby, smiling",
        language="en",
        consent_by="Amina Okafor",
        consent_date=date(2026, 11, 3),
        consent_scope="All platforms",
        pin_date=None,
        notes="Checked by comms",
    )
    assert welsh.body == "Ffoniwch ni unrhyw bryd – diolch! 👩\u200d⚕️"
    assert (welsh.language, welsh.pin_date) == ("cy", date(2026, 11, 20))
    assert formula.body == '=HYPERLINK("http://x","y")'
    assert result.rows_seen == 3


def test_csv_with_bom_crlf_and_multiline_quoted_cells(tmp_path: Path) -> None:
    text = (
        BOM + "body,author,consent_by,consent_date\r\n"
        '"First line\r\nsecond line\r\n\r\nfourth line",Ann,Ann,2026-11-03\r\n'
        '"One, with a comma and ""quotes""",Bob,Bob,03/11/2026\r\n'
    )
    path = write(tmp_path / "excel.csv", text)
    result = load_one(path)

    assert [p.line for p in result.items] == [2, 6]
    first, second = (p.story for p in result.items)
    assert first.body == "First line\nsecond line\n\nfourth line"
    assert second.body == 'One, with a comma and "quotes"'
    assert first.author == "Ann"  # the BOM did not end up in the first heading


def test_csv_google_sheets_export_lf_no_bom(tmp_path: Path) -> None:
    path = csv_file(tmp_path, '"a\nb",Ann,Ann,2026-11-03', "c,Bob,Bob,2026-11-03")
    result = load_one(path)
    assert [(p.line, p.story.body) for p in result.items] == [(2, "a\nb"), (4, "c")]


def test_csv_semicolons_and_tsv(tmp_path: Path) -> None:
    semi = write(
        tmp_path / "semi.csv", "body;author;consent_by;consent_date\nHi, there;A;A;2026-11-03\n"
    )
    tsv = write(
        tmp_path / "s.tsv", "body\tauthor\tconsent_by\tconsent_date\nHi, there\tA\tA\t2026-11-03\n"
    )
    assert one_story(load_one(semi)).body == "Hi, there"
    assert one_story(load_one(tsv)).body == "Hi, there"


def test_csv_blank_rows_are_notes_and_line_numbers_still_count_them(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A,A,2026-11-03", ",,,", "", "   ,  ,,", "b,B,B,2026-11-03")
    result = load_one(path)
    assert result.problems == []
    assert [p.line for p in result.items] == [2, 6]
    assert places(result.notes) == ["s.csv:3: row", "s.csv:4: row", "s.csv:5: row"]
    assert result.rows_seen == 5


def test_csv_exact_duplicate_is_a_note_naming_the_first_line(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A,A,2026-11-03", "b,B,B,2026-11-03", "a,A,A,03/11/2026")
    result = load_one(path)
    assert result.problems == []
    assert [p.line for p in result.items] == [2, 3]
    assert [str(n) for n in result.notes] == [f"{path}:4: story: same story as line 2; skipped"]


def test_csv_same_story_with_conflicting_fields_is_an_error(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A,A,2026-11-03", "a,  A ,Someone else,2026-11-03")
    problem = only_problem(load_one(path))
    assert where(problem) == "s.csv:3: story"
    assert "line 2" in problem.message and "consent_by" in problem.message


def test_duplicates_across_files_name_the_other_file(tmp_path: Path) -> None:
    first = csv_file(tmp_path, "a,A,A,2026-11-03", name="one.csv")
    second = csv_file(tmp_path, "a,A,A,2026-11-03", name="two.csv")
    result = load([first, second])
    assert len(result.items) == 1
    assert result.notes[0].message == f"same story as {first} line 2; skipped"


def test_csv_unknown_column_suggests_the_closest_field(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A,A,2026-11-03,x", header=HEADER + ",boddy")
    problem = only_problem(load_one(path))
    assert str(problem) == f"{path}:1: boddy: unknown column 'boddy' — did you mean 'body'?"
    assert load_one(path).items == []  # a file with a bad header imports nothing


def test_csv_missing_body_column_is_reported_at_the_header_line(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "", "A,A,2026-11-03", header="\n\nauthor,consent_by,consent_date")
    result = load_one(path)
    assert places(result.problems) == ["s.csv:3: body"]  # blank lines before the header


def test_csv_missing_consent_columns_reported_once_at_the_header(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A", "b,B", header="body,author")
    result = load_one(path)
    assert places(result.problems) == ["s.csv:1: consent_by", "s.csv:1: consent_date"]
    assert result.items == []
    assert load_one(path, require_consent=False).problems == []


def test_csv_text_in_a_column_without_heading(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A,A,2026-11-03,,", "b,B,B,2026-11-03,,oops", header=HEADER + ",")
    result = load_one(path)
    assert places(result.problems) == ["s.csv:3: column F"]
    assert [p.line for p in result.items] == [2]


def test_csv_two_columns_meaning_the_same_field(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,b,A,A,2026-11-03", header="Body,Story," + HEADER[5:])
    problem = only_problem(load_one(path))
    assert where(problem) == "s.csv:1: body"
    assert "columns A and B" in problem.message


def test_csv_valid_rows_are_kept_beside_invalid_ones(tmp_path: Path) -> None:
    # What the caller uses with --skip-invalid: every problem, and the stories that are fine.
    path = csv_file(tmp_path, "a,A,A,2026-11-03", "b,B,,2026-11-03", "c,C,C,2026-11-03")
    result = load_one(path)
    assert places(result.problems) == ["s.csv:3: consent_by"]
    assert [p.line for p in result.items] == [2, 4]


def test_csv_text_after_a_closing_quote(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "a,A,A,2026-11-03", '"quoted" then more,B,B,2026-11-03')
    problem = only_problem(load_one(path))
    assert where(problem) == "s.csv:3: row"
    assert '""' in problem.message


def test_csv_header_only_and_empty_file_find_no_stories(tmp_path: Path) -> None:
    header_only = csv_file(tmp_path, name="h.csv")
    empty = write(tmp_path / "e.csv", "")
    bom_only = write(tmp_path / "b.csv", BOM)
    result = load([header_only, empty, bom_only])
    assert [str(p) for p in result.problems] == [
        f"{header_only}: file: no stories found",
        f"{empty}: file: no stories found",
        f"{bom_only}: file: no stories found",
    ]


def test_csv_invalid_utf8_names_line_byte_and_export_advice(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\nfine,A,A,2026-11-03\n").encode() + "Café,B,B,2026-11-03\n".encode("cp1252")
    )
    problem = only_problem(load_one(path))
    assert where(problem) == "latin1.csv:3: body"
    assert "0xE9" in problem.message and "CSV UTF-8" in problem.message


def test_csv_saved_as_utf16_is_one_clear_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "u16.csv", HEADER + "\na,A,A,2026-11-03\n", encoding="utf-16")
    problem = only_problem(load_one(path))
    assert where(problem) == "u16.csv:1: file"
    assert "UTF-16" in problem.message and "CSV UTF-8" in problem.message


def test_csv_nul_byte_is_an_error(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "ok,A,A,2026-11-03", "bad\x00text,B,B,2026-11-03")
    problem = only_problem(load_one(path))
    assert where(problem) == "s.csv:3: body"
    assert "NUL" in problem.message


def test_csv_unclosed_quote_stops_with_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path, "ok,A,A,2026-11-03", '"never closed,B,B,2026-11-03', "c,C,C,2026-11-03"
    )
    result = load_one(path)
    problem = only_problem(result)
    assert where(problem) == "s.csv:3: row"
    assert "never closed" in problem.message
    assert result.items == []  # not even the row before the damage


def test_csv_ten_megabyte_cell_is_rejected_quickly_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(
        HEADER + "\nok,A,A,2026-11-03\n" + "x" * 10_000_000 + ",B,B,2026-11-03\nc,C,,2026-11-03\n"
    )
    started = time.perf_counter()
    result = load_one(path)
    assert time.perf_counter() - started < 2
    assert places(result.problems) == ["huge.csv:3: body", "huge.csv:4: consent_by"]
    assert result.problems[0].message == (
        "is 10,000,000 characters long, over the 10,000-character limit"
    )
    assert csv.field_size_limit() == 131_072  # the module-wide limit was put back


def test_csv_quoted_ten_megabyte_cell_spanning_lines(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + '\n"' + "line\n" * 2_000_000 + '",B,B,2026-11-03\nc,C,C,2026-11-03\n')
    result = load_one(path)
    assert places(result.problems) == ["huge.csv:2: body"]
    assert "9,999,999 characters" in result.problems[0].message
    assert [p.line for p in result.items] == [2_000_003]


def test_csv_unclosed_quote_in_a_big_file_reads_to_the_end_then_stops(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    rows = [f"story {n},A,A,2026-11-03" for n in range(50_000)]
    path.write_text("\n".join([HEADER, "ok,A,A,2026-11-03", '"oops,B,B,2026-11-03', *rows]) + "\n")
    problem = only_problem(load_one(path))
    assert where(problem) == "open.csv:3: row"
    assert "never closed" in problem.message


# --- Excel ----------------------------------------------------------------------------------


def test_xlsx_first_sheet_header_in_first_non_empty_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Stories"
    sheet["A2"] = "Body"
    sheet["B2"] = "Consent by"
    sheet["C2"] = "Consent date"
    sheet["D2"] = "Pin date"
    sheet["E2"] = "Notes"
    sheet.append(
        ["First story\nwith a second line", "Ann", datetime(2026, 11, 3), None, 447700900123]
    )
    sheet.append([None, None, None, None, None])  # a blank row in the middle
    sheet.append(["Second", "Bob", "03/11/2026", datetime(2026, 11, 20), 1.5])
    formula = sheet.cell(row=6, column=1, value='=HYPERLINK("http://x","y")')
    formula.data_type = "s"  # typed as text, as Excel stores it after a leading apostrophe
    sheet.cell(row=6, column=2, value="Cat")
    sheet.cell(row=6, column=3, value=datetime(2026, 11, 3))
    book.create_sheet("Ignored")["A1"] = "not read"
    path = tmp_path / "stories.xlsx"
    book.save(path)

    result = load_one(path)

    assert result.problems == [], [str(p) for p in result.problems]
    assert [p.line for p in result.items] == [3, 5, 6]
    first, second, third = (p.story for p in result.items)
    assert first.body == "First story\nwith a second line"
    assert (first.consent_date, first.notes) == (date(2026, 11, 3), "447700900123")
    assert (second.consent_date, second.pin_date, second.notes) == (
        date(2026, 11, 3),
        date(2026, 11, 20),
        "1.5",
    )
    assert third.body == '=HYPERLINK("http://x","y")'
    assert places(result.notes) == ["stories.xlsx:4: row"]


def test_xlsx_problems_use_spreadsheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["body", "consent_by", "consent_date", "image"])
    sheet.append(["ok", "Ann", datetime(2026, 11, 3), None])
    sheet.append(["bad date", "Bob", "next Tuesday", None])
    sheet.append(["no alt", "Cat", "2026-11-03", "https://example.org/p.png"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    assert places(load_one(path).problems) == ["bad.xlsx:3: consent_date", "bad.xlsx:4: image_alt"]


def test_xlsx_with_a_damaged_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(50):
        sheet.append(["body", "consent_by", "consent_date"] if n == 0 else [f"s{n}", "A", "x"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off mid-way
            target.writestr(entry, data)
    result = load_one(damaged)
    assert places(result.problems)[-1] == "damaged.xlsx: file"
    assert "Excel" in result.problems[-1].message
    assert result.items == []


def test_xlsx_zip_bomb_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    problem = only_problem(load_one(path))
    assert where(problem) == "bomb.xlsx: file"
    assert "60,000,000 bytes" in problem.message


def test_not_really_an_xlsx_file(tmp_path: Path) -> None:
    path = write(tmp_path / "fake.xlsx", HEADER)
    problem = only_problem(load_one(path))
    assert where(problem) == "fake.xlsx: file"
    assert "Excel" in problem.message


# --- YAML -----------------------------------------------------------------------------------


def test_yaml_fixture_stories_mapping() -> None:
    result = load_one(DATA / "stories.yaml")
    assert result.problems == [], [str(p) for p in result.problems]
    assert [p.line for p in result.items] == [3, 18]
    first, second = (p.story for p in result.items)
    assert first.body == (
        'Our health visitor spotted the signs early.\n\nShe said "call us any time", and we did.'
    )
    assert (first.consent_date, first.pin_date) == (date(2026, 11, 3), date(2026, 11, 20))
    assert first.image == "photo.png"
    assert second.title == "no"  # not False: YAML values are kept as written
    assert second.body == "Quoted, with a tab\there and an emoji 👨\u200d👩\u200d👧"
    assert second.language == "fr"


def test_yaml_plain_list_with_problems_on_their_own_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "- body: fine\n"  # 1
        "  consent_by: A\n"
        "  consent_date: 2026-11-03\n"
        "- body: second\n"  # 4
        "  boddy: typo\n"
        "  consent_by: B\n"
        "  consent_date: 2026-02-30\n"
        "  link: www.example.org\n"  # 8
        "  consent_by: again\n",
    )
    result = load_one(path)
    assert [p.line for p in result.items] == [1]
    assert places(result.problems) == [
        "s.yaml:9: consent_by",  # the reader's own check comes first
        "s.yaml:5: boddy",
        "s.yaml:7: consent_date",
        "s.yaml:8: link",
    ]
    assert "did you mean 'body'" in result.problems[1].message


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "- body: fine\n  consent_by: [unclosed\n- body: x\n")
    problem = only_problem(load_one(path))
    assert where(problem).startswith("s.yaml:") and problem.field == "file"
    assert problem.line in (2, 3)


def test_yaml_control_character_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "- body: fine\n- body: bad\x07bell\n")
    problem = only_problem(load_one(path))
    assert where(problem) == "s.yaml:2: file"
    assert "U+0007" in problem.message


@pytest.mark.parametrize("name", ["s.yaml", "s.json", "s.md"])
def test_invalid_utf8_in_yaml_json_markdown_names_line_and_byte(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"---\n" + "- body: Caf\u00e9\n".encode("cp1252"))
    problem = only_problem(load_one(path))
    assert where(problem) == f"{name}:2: file"
    assert "0xE9" in problem.message and "UTF-8" in problem.message


def test_nul_byte_in_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "- body: fine\n  title: a\x00b\n")
    problem = only_problem(load_one(path))
    assert where(problem) == "s.yaml:2: file"
    assert "U+0000" in problem.message


def test_yaml_escaped_bidi_override_is_caught_by_validation(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        '- body: "abc \\u202Edef"\n  consent_by: A\n  consent_date: 2026-11-03\n',
    )
    problem = only_problem(load_one(path))
    assert where(problem) == "s.yaml:1: body"
    assert "U+202E" in problem.message and "character 5" in problem.message


def test_yaml_wrong_shapes(tmp_path: Path) -> None:
    one = write(tmp_path / "one.yaml", "body: a single story\nconsent_by: A\n")
    scalar = write(tmp_path / "scalar.yaml", "just text\n")
    nested = write(
        tmp_path / "nested.yaml",
        "- body: [a, list]\n  consent_by: A\n  consent_date: 2026-11-03\n- plain\n",
    )
    result = load([one, scalar, nested])
    assert places(result.problems) == [
        "one.yaml:1: file",
        "scalar.yaml:1: file",
        "nested.yaml:1: body",
        "nested.yaml:4: story",
    ]
    assert "start its first line with '- '" in result.problems[0].message


def test_yaml_alias_bomb_is_not_expanded(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    lines.append("stories:\n  - body: *a9\n    consent_by: A\n    consent_date: 2026-11-03")
    path = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    result = load_one(path)
    assert time.perf_counter() - started < 2
    assert places(result.problems) == [
        *(f"bomb.yaml:{n}: file" for n in range(1, 11)),  # a0..a9 are not stories
        "bomb.yaml:12: body",  # a list, never expanded
    ]
    assert result.problems[-1].message == "expected text here, found a list"


def test_yaml_several_documents(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "- body: one\n  author: A\n---\nstories:\n  - body: two\n    Consent-By: B\n",
    )
    result = load_one(path, require_consent=False)
    assert [(p.line, p.story.body) for p in result.items] == [(1, "one"), (5, "two")]
    assert result.items[1].story.consent_by == "B"


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 200_000 + "]" * 200_000,
        "{a: " * 200_000 + "}" * 200_000,
        "\n" + "".join("  " * (n + 2) + "-\n" for n in range(200)),
    ],
    ids=["brackets", "braces", "block"],
)
def test_yaml_deep_nesting_is_refused_quickly(tmp_path: Path, nested: str) -> None:
    path = write(tmp_path / "deep.yaml", "- title: fine\n  body: " + nested + "\n")
    started = time.perf_counter()
    result = load_one(path)
    assert time.perf_counter() - started < 2
    problem = only_problem(result)
    assert problem.field == "file" and problem.line is not None
    assert "nested more than 64 deep" in problem.message


def test_yaml_aliases(tmp_path: Path) -> None:
    text = (
        "- body: &text The same words\n  consent_by: &who Ann\n  consent_date: 2026-11-03\n"
        "- body: Other words\n  title: *text\n  consent_by: *who\n  consent_date: 2026-11-03\n"
    )
    good = write(tmp_path / "good.yaml", text)
    second = load_one(good).items[1].story
    assert (second.title, second.consent_by) == ("The same words", "Ann")

    merge = write(
        tmp_path / "merge.yaml",
        "- &ann\n  body: First\n  author: Ann\n  consent_by: Ann\n  consent_date: 2026-11-03\n"
        "- <<: *ann\n  body: Second\n"  # 6
        "- *ann\n",  # 8: a whole story again is refused
    )
    result = load_one(merge)
    assert [(p.line, p.story.body, p.story.author) for p in result.items] == [
        (1, "First", "Ann"),
        (6, "Second", "Ann"),
    ]
    assert places(result.problems) == ["merge.yaml:8: story"]

    bad = write(tmp_path / "bad.yaml", text + "- body: *nowhere\n")
    result = load_one(bad)
    assert places(result.problems) == ["bad.yaml:8: file"]
    assert "*nowhere" in result.problems[0].message
    assert result.items == []  # the file could not be read to the end


def test_empty_yaml_finds_no_stories(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "# nothing yet\n")
    assert [str(p) for p in load_one(path).problems] == [f"{path}: file: no stories found"]


# --- JSON -----------------------------------------------------------------------------------


def test_json_fixture_with_json_only_escapes() -> None:
    result = load_one(DATA / "stories.json")
    assert result.problems == [], [str(p) for p in result.problems]
    assert [p.line for p in result.items] == [2, 11]
    first, second = (p.story for p in result.items)
    assert first.body.endswith("– see https://example.org/early-help")
    assert second.body == "Emoji by escape: 👩\u200d⚕️"
    assert second.consent_date == date(2026, 10, 1)


def test_json_stories_object_and_field_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.json",
        '{\n  "stories": [\n'
        '    {"body": "ok", "consent_by": "A", "consent_date": "2026-11-03"},\n'  # 3
        "    {\n"  # 4
        '      "body": "second",\n'
        '      "consent_by": "B",\n'
        '      "consent_date": "someday",\n'  # 7
        '      "body": "twice"\n'
        "    }\n  ]\n}\n",
    )
    result = load_one(path)
    assert [p.line for p in result.items] == [3]
    assert places(result.problems) == ["s.json:5: body", "s.json:7: consent_date"]


def test_json_syntax_error_has_a_line_and_the_file_gives_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", '[\n  {"body": "a"},\n  {"body": "b",}\n]\n')
    result = load_one(path, require_consent=False)
    assert where(only_problem(result)) == "s.json:3: file"
    assert result.items == []  # not even the story before the damage


def test_json_big_file_keeps_line_numbers(tmp_path: Path) -> None:
    stories = [
        {"body": f"Story {n} \u2013 \ud83d\ude00", "consent_by": "A", "consent_date": "2026-11-03"}
        for n in range(20_000)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(stories, indent=1))  # ASCII only, with surrogate-pair escapes
    started = time.perf_counter()
    result = load_one(path)
    assert time.perf_counter() - started < 5
    assert len(result.items) == 20_000
    assert result.items[-1].line == 1 + 5 * 19_999 + 1
    assert result.items[-1].story.body == "Story 19999 – 😀"


def test_json_deep_nesting_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = write(
        tmp_path / "deep.json",
        '[\n {"body": "ok"},\n {"body": ' + "[" * 200_000 + "]" * 200_000 + "}]",
    )
    problem = only_problem(load_one(path, require_consent=False))
    assert where(problem) == "deep.json:3: file"
    assert "nested" in problem.message


def test_json_element_that_is_not_a_story_leaves_the_others(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", '[\n  "just text",\n  {"body": "ok"}\n]')
    result = load_one(path, require_consent=False)
    assert places(result.problems) == ["s.json:2: story"]
    assert [p.line for p in result.items] == [3]


def test_json_wrong_top_level(tmp_path: Path) -> None:
    wrong_key = write(tmp_path / "key.json", '{\n  "story": []\n}')
    text = write(tmp_path / "text.json", '"just text"')
    assert places(load([wrong_key, text]).problems) == [
        "key.json:2: file",  # unexpected "story"
        "key.json:1: file",  # expected a "stories" list
        "text.json:1: file",
    ]


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_folder_sorted_by_name_only_md_files() -> None:
    result = load_one(DATA / "markdown")
    assert result.problems == [], [str(p) for p in result.problems]
    assert [(Path(p.file).name, p.line) for p in result.items] == [
        ("01-amina.md", 1),
        ("02-tom.md", 1),
    ]
    amina, tom = (p.story for p in result.items)
    assert amina.body == (
        'Our health visitor spotted the signs early.\n\nShe said "call us any time", and we did.'
    )
    assert amina.image == "photo.png"  # its name in the media folder
    assert tom.body == "The library bus came every Tuesday."


def test_markdown_body_in_front_matter_and_below_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.md",
        "---\nauthor: A\nbody: in front\nconsent_by: A\nconsent_date: 2026-11-03\n---\n\nBelow.\n",
    )
    problem = only_problem(load_one(path))
    assert where(problem) == "s.md:3: body"
    assert "twice" in problem.message


def test_markdown_problem_lines_count_the_front_matter_fence(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.md",
        "---\r\nauthor: A\r\nconsent_by: A\r\nconsent_date: 31/11/2026\r\n"
        "---\r\n\r\nBody\u202e\r\n",
    )
    result = load_one(path)
    assert places(result.problems) == ["s.md:4: consent_date", "s.md:7: body"]


def test_markdown_without_front_matter_or_unclosed(tmp_path: Path) -> None:
    plain = write(tmp_path / "plain.md", "\n\nJust a story.\n")
    unclosed = write(tmp_path / "open.md", "---\nauthor: A\n\nText\n")
    result = load([plain, unclosed])
    assert places(result.problems) == [
        "plain.md:1: consent_by",
        "plain.md:1: consent_date",
        "open.md:1: file",
    ]
    assert one_story(load_one(plain, require_consent=False)).body == "Just a story."


def test_markdown_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not markdown")
    assert [str(p) for p in load_one(folder).problems] == [f"{folder}: file: no stories found"]


# --- files ----------------------------------------------------------------------------------


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    doc = write(tmp_path / "stories.docx", "x")
    xls = write(tmp_path / "old.xls", "x")
    missing = tmp_path / "gone.csv"
    result = load([doc, xls, missing])
    assert [(where(p), p.line) for p in result.problems] == [
        ("stories.docx: file", None),
        ("old.xls: file", None),
        ("gone.csv: file", None),
    ]
    assert "'.docx'" in result.problems[0].message
    assert ".xlsx" in result.problems[1].message
    assert "not found" in result.problems[2].message


@pytest.mark.parametrize("kind", ["csv", "json", "yaml"])
def test_progress_reaches_the_total(tmp_path: Path, kind: str) -> None:
    stories = [
        {"body": f"story {n}", "consent_by": "A", "consent_date": "2026-11-03"}
        for n in range(10_000)
    ]
    if kind == "csv":
        path = csv_file(tmp_path, *(f"story {n},A,A,2026-11-03" for n in range(10_000)))
    elif kind == "json":
        path = tmp_path / "s.json"
        path.write_text(json.dumps(stories, indent=1))
    else:
        path = tmp_path / "s.yaml"
        path.write_text(yaml.safe_dump(stories))
    calls: list[tuple[int, int]] = []
    result = load([path], progress=lambda done, total: calls.append((done, total)))
    assert len(result.items) == 10_000
    size = path.stat().st_size
    assert len(calls) > 2
    assert all(total == size for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (size, size)


# --- validation -----------------------------------------------------------------------------


def check(**raw: object) -> tuple[StoryInput | None, list[str]]:
    story, problems = validate_record(raw, file="f.csv", line=7, images=local_pictures(MEDIA))
    return story, [f"{p.field}: {p.message}" for p in problems]


def fields_of(**raw: object) -> list[str]:
    return [line.split(":")[0] for line in check(**raw)[1]]


CONSENT = {"consent_by": "Ann", "consent_date": "2026-11-03"}


def test_required_fields() -> None:
    assert fields_of() == ["body", "consent_by", "consent_date"]
    assert fields_of(body="  \n ", **CONSENT) == ["body"]
    story, problems = validate_record({"body": "x"}, file="f", line=1, require_consent=False)
    assert problems == [] and story == StoryInput(body="x")


def test_problem_strings_are_file_line_field_message() -> None:
    _, problems = validate_record({"body": "x"}, file="f.csv", line=7)
    assert [str(p) for p in problems] == [
        "f.csv:7: consent_by: is empty; who gave consent must be recorded before a story can be "
        "imported",
        "f.csv:7: consent_date: is empty; the date consent was given must be recorded before a "
        "story can be imported",
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("03/11/2026", date(2026, 11, 3)),
        ("3/11/2026", date(2026, 11, 3)),
        (" 03/11/2026 ", date(2026, 11, 3)),
        (datetime(2026, 11, 3, 0, 0), date(2026, 11, 3)),
        (date(2026, 11, 3), date(2026, 11, 3)),
    ],
)
def test_accepted_dates(given: object, expected: date) -> None:
    story, problems = check(body="x", consent_by="A", consent_date=given, pin_date=given)
    assert problems == []
    assert story is not None and story.consent_date == story.pin_date == expected


@pytest.mark.parametrize(
    "given", ["3 Nov 2026", "11/23/2026", "2026-02-30", "2026/11/03", "03-11-2026", 45000, True]
)
def test_rejected_dates_show_the_value_and_the_forms(given: object) -> None:
    _, problems = check(body="x", consent_by="A", consent_date=given)
    assert len(problems) == 1
    assert problems[0].startswith("consent_date: ")
    assert "2026-11-03 or 03/11/2026" in problems[0]
    if not isinstance(given, bool):
        assert str(given) in problems[0]


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("https://example.org/a?b=c#d", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("https://user@example.org:8443/x", True),
        ("www.example.org", False),
        ("ftp://example.org", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("https://exa mple.org", False),
        ("mailto:a@example.org", False),
    ],
)
def test_link_must_be_a_web_address(link: str, ok: bool) -> None:
    assert (fields_of(body="x", link=link, **CONSENT) == []) is ok


@pytest.mark.parametrize(
    ("language", "stored"), [("en", "en"), ("CY", "cy"), (" gd ", "gd"), ("", "en"), (None, "en")]
)
def test_language_codes(language: object, stored: str) -> None:
    story, problems = check(body="x", language=language, **CONSENT)
    assert problems == [] and story is not None and story.language == stored


@pytest.mark.parametrize("language", ["eng", "english", "en-GB", "xx", "e"])
def test_bad_language_codes(language: str) -> None:
    assert fields_of(body="x", language=language, **CONSENT) == ["language"]


def test_images() -> None:
    story, problems = check(body="x", image="photo.png", image_alt="A photo", **CONSENT)
    assert problems == [] and story is not None
    assert story.image == "photo.png"  # its name in the media folder
    story, problems = check(body="x", image="markdown/photo.png", image_alt="A", **CONSENT)
    assert problems == [] and story is not None and story.image == "markdown/photo.png"
    story, _ = check(body="x", image="https://example.org/p.jpg", image_alt="A", **CONSENT)
    assert story is not None and story.image == "https://example.org/p.jpg"
    assert fields_of(body="x", image="photo.png", **CONSENT) == ["image_alt"]
    assert fields_of(body="x", image="missing.png", image_alt="A", **CONSENT) == ["image"]
    assert fields_of(body="x", image="stories.json", image_alt="A", **CONSENT) == ["image"]
    assert fields_of(body="x", image="http://example.org/p.png", image_alt="A", **CONSENT) == [
        "image"
    ]


def test_image_alt_problem_points_at_the_right_line() -> None:
    _, problems = validate_record(
        {"body": "x", "image": "https://e.org/p.png", "image_alt": "", **CONSENT},
        file="s.yaml",
        line=1,
        field_lines={"body": 1, "image": 4, "image_alt": 5},
    )
    assert places(problems) == ["s.yaml:5: image_alt"]


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("body", MAX_BODY),
        ("title", MAX_TITLE),
        ("notes", MAX_NOTES),
        ("image_alt", MAX_IMAGE_ALT),
        ("author", MAX_OTHER),
        ("consent_scope", MAX_OTHER),
    ],
)
def test_length_limits(field: str, limit: int) -> None:
    assert FIELD_LIMITS[field] == limit
    raw: dict[str, object] = {"body": "x", **CONSENT}
    raw[field] = "é" * limit
    assert check(**raw)[1] == []
    raw[field] = "é" * (limit + 1)
    assert check(**raw)[1] == [
        f"{field}: is {limit + 1:,} characters long, over the {limit:,}-character limit"
    ]


@pytest.mark.parametrize("char", [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]])
def test_bidi_controls_are_rejected_with_code_point_and_position(char: str) -> None:
    problems = check(body=f"Pay\n  ab{char}cd", **CONSENT)[1]
    assert len(problems) == 1
    assert problems[0].startswith(
        f"body: contains an invisible text-direction character U+{ord(char):04X}"
    )
    assert "line 2, character 5" in problems[0]


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
)
def test_control_characters_are_rejected(char: str) -> None:
    problems = check(title=f"a{char}b", body="x", **CONSENT)[1]
    assert len(problems) == 1
    assert problems[0].startswith("title: contains")
    assert f"U+{ord(char):04X}" in problems[0]


def test_hostile_text_in_a_csv_is_located(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "fine,A,A,2026-11-03",
        '"two\nlines",B\u202eB,B,2026-11-03',
        "bell\x07,C,C,2026-11-03",
        header=HEADER,
    )
    result = load_one(path)
    assert places(result.problems) == ["s.csv:3: author", "s.csv:5: body"]
    assert "U+202E" in result.problems[0].message and "character 2" in result.problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "+44 7700 900123",
        "-2+3",
        "@user and #hashtag",
        "👩\u200d⚕️ nurse, family 👨\u200d👩\u200d👧",
        "flag 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f, skin tone 👍🏽",
        "Cafe\u0301 (combining accent, not NFC)",
        "Tab\tinside and \u00a0non-breaking space",
        "مرحبا بالعالم and עברית mixed with English",
        "\u200f\u200e marks are fine",
    ],
)
def test_text_that_only_looks_dangerous_round_trips_verbatim(tmp_path: Path, text: str) -> None:
    path = tmp_path / "v.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["body", "title", "consent_by", "consent_date"])
        writer.writerow([text, text, "A", "2026-11-03"])
    story = one_story(load_one(path))
    assert story.body == story.title == text.strip()
    if "\u0301" in text:
        assert story.body != unicodedata.normalize("NFC", story.body)


def test_line_endings_normalised_and_fields_stripped() -> None:
    story, problems = check(body="  a\r\nb\rc\n  ", author=" Ann ", **CONSENT)
    assert problems == [] and story is not None
    assert (story.body, story.author) == ("a\nb\nc", "Ann")


def test_numbers_become_text_but_containers_do_not() -> None:
    story, _ = check(body="x", notes=12.0, role=7, **CONSENT)
    assert story is not None and (story.notes, story.role) == ("12", "7")
    assert fields_of(body=["a"], **CONSENT) == ["body"]


def test_unknown_and_doubled_keys_in_a_record() -> None:
    assert check(body="x", tittle="t", **CONSENT)[1] == [
        "tittle: unknown field 'tittle' — did you mean 'title'?"
    ]
    assert fields_of(body="x", story="y", **CONSENT) == ["body"]
    assert fields_of(Story="x", text="y", **CONSENT) == ["body"]


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Body", "body"),
        ("CONSENT DATE", "consent_date"),
        ("consent-date", "consent_date"),
        ("Consent_By", "consent_by"),
        (" Story ", "body"),
        ("text", "body"),
        ("Name", "author"),
        ("Job title", "role"),
        ("Organization", "organisation"),
        ("Alt text", "image_alt"),
        ("image-alt", "image_alt"),
        ("URL", "link"),
        ("\ufeffbody", "body"),
        ("Body*", "body"),
        ("boddy", None),
        ("", None),
    ],
)
def test_normalise_header(heading: str, field: str | None) -> None:
    assert normalise_header(heading) == field
