"""Property tests: whatever the team types, a CSV or YAML export of it loads back exactly.

Stories are generated from arbitrary text (quotes, commas, semicolons, line breaks, tabs,
emoji sequences, combining accents, right-to-left scripts...) minus the characters
validation rejects on purpose, written the way a spreadsheet or a script would write
them, and loaded from a real file.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobot.domain.story import STORY_FIELDS, StoryInput
from infobot.domain.validate import validate_record
from infobot.service.importers import load

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]

# Anything but control characters (Cc), lone surrogates (Cs) and bidi controls: those are
# rejected on purpose and have their own tests. Tab and line feed are control characters
# that are allowed, so they are added back, with characters worth trying on purpose.
pieces = st.one_of(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="".join(BIDI)),
    st.sampled_from(
        [
            '"',
            "'",
            ",",
            ";",
            "\n",
            "\t",
            " ",
            "=",
            "+",
            "@",
            "\u00a0",
            "\u2028",
            "\ufeff",
            "e\u0301",
            "👩\u200d⚕️",
            "👨\u200d👩\u200d👧",
            "שלום",
            "—",
        ]
    ),
)


def text(max_pieces: int, *, required: bool = False) -> st.SearchStrategy[str]:
    """Text of up to ``max_pieces`` characters or sequences, as a field holds it (stripped)."""
    stripped = st.lists(pieces, max_size=max_pieces).map("".join).map(str.strip)
    return stripped.filter(bool) if required else stripped


dates = st.dates(
    min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)
)  # infobot's range (bounds.py)

stories = st.builds(
    StoryInput,
    body=text(300, required=True),
    title=text(35),  # a piece is at most 5 code points: stays under the 200 limit
    author=text(40),
    role=text(40),
    organisation=text(40),
    link=st.sampled_from(["", "https://example.org/a?b=c,d#e", "http://example.org/x"]),
    language=st.sampled_from(["en", "cy", "gd", "fr", "ur"]),
    consent_by=text(40, required=True),
    consent_date=dates,
    consent_scope=text(40),
    pin_date=st.none() | dates,
    notes=text(120),
)
batches = st.lists(stories, min_size=1, max_size=8, unique_by=lambda s: s.fingerprint())


def _cell(story: StoryInput, field: str, uk_dates: bool) -> str:
    value = getattr(story, field)
    if isinstance(value, date):
        return f"{value.day:02}/{value.month:02}/{value.year:04}" if uk_dates else value.isoformat()
    return "" if value is None else str(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batch=batches,
    bom=st.booleans(),
    crlf=st.booleans(),
    uk_dates=st.booleans(),
)
def test_csv_round_trip_with_line_numbers(
    batch: list[StoryInput], bom: bool, crlf: bool, uk_dates: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stories.csv"
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
            writer.writerow(STORY_FIELDS)
            for story in batch:
                writer.writerow([_cell(story, field, uk_dates) for field in STORY_FIELDS])

        result = load([path])

    assert result.problems == [], [str(p) for p in result.problems]
    assert [p.story for p in result.items] == batch
    expected_lines = []
    line = 2
    for story in batch:
        expected_lines.append(line)
        line += 1 + sum(_cell(story, field, uk_dates).count("\n") for field in STORY_FIELDS)
    assert [p.line for p in result.items] == expected_lines
    assert result.rows_seen == len(batch)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches, wrapped=st.booleans(), allow_unicode=st.booleans())
def test_yaml_round_trip(batch: list[StoryInput], wrapped: bool, allow_unicode: bool) -> None:
    records = [{field: getattr(story, field) for field in STORY_FIELDS} for story in batch]
    document: object = {"stories": records} if wrapped else records
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stories.yaml"
        path.write_text(
            yaml.safe_dump(document, allow_unicode=allow_unicode, sort_keys=False),
            encoding="utf-8",
        )
        result = load([path])

    assert result.problems == [], [str(p) for p in result.problems]
    assert [p.story for p in result.items] == batch
    lines = [p.line for p in result.items]
    assert lines[0] == (2 if wrapped else 1)
    assert lines == sorted(set(lines))


@settings(max_examples=200, deadline=None)
@given(
    before=text(80),
    after=text(80),
    bad=st.sampled_from([*BIDI, "\x00", "\x07", "\x1b", "\x7f", "\x9b"]),
)
def test_a_rejected_character_is_found_wherever_it_is(before: str, after: str, bad: str) -> None:
    body = f"x{before}{bad}{after}x"
    story, problems = validate_record(
        {"body": body, "consent_by": "A", "consent_date": "2026-11-03"}, file="f", line=1
    )
    assert story is None
    assert [p.field for p in problems] == ["body"]
    index = body.index(bad)
    line = body.count("\n", 0, index) + 1
    column = index - (body.rfind("\n", 0, index) + 1) + 1
    where = f"line {line}, character {column}" if line > 1 else f"character {column}"
    assert f"U+{ord(bad):04X}" in problems[0].message
    assert f" at {where}" in problems[0].message
