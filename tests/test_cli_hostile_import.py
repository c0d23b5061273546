"""Hostile import files: each is handled on purpose and the database is left unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli, story_row, write_csv

HEADER = "title,body,author,consent_by,consent_date\r\n"
GOOD = "T,A good story about shared notes.,Ann,Ann,2026-10-01\r\n"


def invalid_utf8(p: Path) -> Path:
    p.write_bytes((HEADER + GOOD).encode() + b"T2,Caf\xe9 story,Bob,Bob,2026-10-01\r\n")
    return p


def missing_body_column(p: Path) -> Path:
    p.write_text(
        "title,author,consent_by,consent_date\r\nT,Ann,Ann,2026-10-01\r\n", encoding="utf-8"
    )
    return p


def unknown_column(p: Path) -> Path:
    p.write_text("title,boddy,consent_by,consent_date\r\nT,x,Ann,2026-10-01\r\n", encoding="utf-8")
    return p


def ten_megabyte_field(p: Path) -> Path:
    p.write_text(
        HEADER + GOOD + "T2," + "x" * 10_000_000 + ",Bob,Bob,2026-10-01\r\n", encoding="utf-8"
    )
    return p


def bidi_override(p: Path) -> Path:
    p.write_text(HEADER + "T,Pay to \u202eevil\u202c now,Ann,Ann,2026-10-01\r\n", encoding="utf-8")
    return p


def empty_file(p: Path) -> Path:
    p.write_text("", encoding="utf-8")
    return p


def header_only(p: Path) -> Path:
    p.write_text(HEADER, encoding="utf-8")
    return p


def conflicting_duplicate(p: Path) -> Path:
    row = "T,Same story twice.,Ann,Ann,2026-10-01\r\n"
    p.write_text(HEADER + row + row.replace("2026-10-01", "2026-10-02"), encoding="utf-8")
    return p


def image_without_alt(p: Path) -> Path:
    return write_csv(p, [story_row(1, image="https://example.org/a.png")])


CASES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # name: (maker, expected "file:line: field", words in the message)
    "invalid utf-8": (invalid_utf8, ":3:", "UTF-8"),
    "missing body column": (missing_body_column, ":1: body", "body"),
    "unknown column": (unknown_column, ":1: boddy", "did you mean 'body'"),
    "10 MB field": (ten_megabyte_field, ":3: body", "10,000,000 characters"),
    "bidi override": (bidi_override, ":2: body", "U+202E"),
    "empty file": (empty_file, "", "no stories"),
    "header only": (header_only, "", "no stories"),
    "conflicting duplicate": (conflicting_duplicate, ":3:", "line 2"),
    "image without alt text": (image_without_alt, ":2: image_alt", ""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_rejected_and_nothing_changes(cli: Cli, tmp_path: Path, name: str) -> None:
    cli.ok("status")  # create the database first
    events_before = cli.count("events")
    maker, where, words = CASES[name]
    path = maker(tmp_path / "hostile.csv")
    result = cli("import", str(path), "--by", "sam")
    assert result.code == 2, result
    assert f"{path}{where}" in result.err
    assert words in result.err
    assert "nothing was changed" in result.err
    assert cli.count("stories") == 0
    assert cli.count("events") == events_before


def test_blank_and_exact_duplicate_rows_are_skipped_and_reported(cli: Cli, tmp_path: Path) -> None:
    row = "T,A story told once.,Ann,Ann,2026-10-01\r\n"
    path = tmp_path / "kind.csv"
    path.write_text(HEADER + row + ",,,,\r\n" + row, encoding="utf-8")
    result = cli.ok("import", str(path))
    assert "added 1 new story" in result.out
    assert f"{path}:3:" in result.err and f"{path}:4:" in result.err
    assert cli.count("stories") == 1


def test_text_that_only_looks_dangerous_is_stored_verbatim(cli: Cli, tmp_path: Path) -> None:
    body = '=HYPERLINK("https://example.org","more") 👩‍⚕️ and 👨‍👩‍👧 and é'
    path = write_csv(tmp_path / "ok.csv", [story_row(1, body=body)])
    cli.ok("import", str(path))
    assert cli.sql("SELECT body FROM stories")[0][0] == body
