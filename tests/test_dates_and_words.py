"""Dates in one style (GOV.UK's), platforms by their names, and the audit trail in
sentences: the domain's words for people, used by the web page and the command line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from infobot.domain import dates
from infobot.domain.audit_text import BUILDERS, Entry, change_lines, sentence
from infobot.domain.platform_names import display_name, platform_problem

LONDON = ZoneInfo("Europe/London")


def test_dates_read_the_gov_uk_way() -> None:
    friday = date(2026, 12, 4)
    assert dates.long_date(friday) == "4 December 2026"
    assert dates.weekday_date(friday) == "Friday 4 December 2026"
    assert dates.month_year(friday) == "December 2026"
    assert dates.clock_time(time(9, 0)) == "9:00am"
    assert dates.clock_time(time(17, 30)) == "5:30pm"
    assert dates.clock_time(time(12, 0)) == "midday"
    assert dates.clock_time(time(0, 0)) == "midnight"
    assert dates.clock_time(time(0, 5)) == "12:05am"
    summer = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # 9:00am in London (BST)
    assert dates.date_time(summer, LONDON) == "1 July 2026 at 9:00am"
    assert dates.date_time(summer, LONDON, weekday=True) == "Wednesday 1 July 2026 at 9:00am"


@pytest.mark.parametrize("day", [date.min, date.max, date(9999, 12, 31)])
def test_every_date_python_holds_has_words(day: date) -> None:
    assert str(day.year) in dates.weekday_date(day)
    end = datetime.max.replace(tzinfo=UTC)
    assert dates.date_time(end, LONDON).startswith("31 December 9999")  # no overflow


def test_platforms_have_their_own_names_once() -> None:
    assert [display_name(n) for n in ("x", "mastodon", "bluesky", "outbox")] == [
        "X",
        "Mastodon",
        "Bluesky",
        "Outbox",
    ]
    assert display_name("shouty") == "Shouty"  # a plug-in
    assert platform_problem("x", "the post is 312 characters").startswith("X: the post")


def event(action: str, **fields: object) -> Entry:
    return Entry(action=action, actor=str(fields.pop("actor", "Alex")), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            event(
                "story.moved",
                story_id=12,
                before={"position": None, "sort_key": 3072},
                after={"position": 3, "sort_key": 1536},
            ),
            "Alex moved story 12 up the queue, to number 3.",
        ),
        (
            event(
                "campaign.paused",
                actor="Sam",
                after={"paused": True, "paused_until": "2026-12-01", "reason": "Election"},
            ),
            "Sam paused the campaign until Tuesday 1 December 2026: Election.",
        ),
        (
            event("campaign.resumed", before={"paused": True}, after={"paused": False}),
            "Alex resumed the campaign.",
        ),
        (
            event(
                "story.pinned",
                story_id=4,
                before={"pin_date": None},
                after={"pin_date": "2026-12-10"},
            ),
            "Alex pinned story 4 to Thursday 10 December 2026.",
        ),
        (
            event("story.approved", story_id=2, message="approved with 1 warning(s)"),
            "Alex approved story 2 with 1 warning to look at.",
        ),
        (
            event(
                "delivery.retry_wait",
                actor="host:123",
                story_id=5,
                message="x: X answered 503",
                after={"status": "retry_wait", "next_attempt_at": "2026-11-23T10:42:00+00:00"},
                tz=LONDON,
            ),
            "Story 5 did not go out on X yet: X answered 503. infobot tries again at 10:42am.",
        ),
        (
            event(
                "delivery.part_sent",
                actor="host:123",
                story_id=5,
                after={"platform": "mastodon", "part": 1, "of": 2},
            ),
            "Story 5 is live on Mastodon (part 1 of 2).",
        ),
        (
            event(
                "slot.skipped",
                actor="host:1",
                after={"day": "2026-11-25"},
                message="campaign paused",
            ),
            "No post on Wednesday 25 November 2026: campaign paused.",
        ),
        (
            event(
                "user.role_changed",
                actor="Ada",
                before={"name": "Sam", "role": "editor"},
                after={"name": "Sam", "role": "admin"},
            ),
            "Ada made Sam an admin (was an editor).",
        ),
        (event("something.new", message="did a new thing"), "Alex: did a new thing."),
    ],
)
def test_the_audit_trail_reads_as_sentences(entry: Entry, expected: str) -> None:
    assert sentence(entry) == expected


def test_every_action_infobot_records_has_a_sentence() -> None:
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "infobot"
    recorded: set[str] = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        recorded |= set(re.findall(r'"action": "([a-z_]+\.[a-z_]+)"', text))
    recorded |= {
        f"story.{s}" for s in ("rejected", "withdrawn", "posted", "partly_posted", "failed")
    }
    recorded |= {"delivery.retry_wait", "delivery.failed", "delivery.in_doubt", "delivery.sent"}
    recorded |= {"slot.skipped", "slot.missed", "user.disabled", "user.enabled"}
    recorded |= {f"signin.{s}_waits" for s in ("account", "address", "pair")}
    missing = sorted(recorded - set(BUILDERS))
    assert not missing, f"actions without a sentence in infobot/domain/audit_text.py: {missing}"


def test_changes_are_told_field_by_field_without_bookkeeping() -> None:
    edited = event(
        "story.edited",
        story_id=3,
        before={"title": "Old", "sort_key": 3072, "status": "approved", "pin_date": None},
        after={"title": "New", "sort_key": 1536, "status": "draft", "pin_date": "2026-12-10"},
    )
    assert sentence(edited) == (
        "Alex edited story 3: title and post on this date; it went back to draft for another "
        "review."
    )
    assert change_lines(edited) == [
        "Title: “Old” → “New”",
        "Status: “approved” → “draft”",
        "Post on this date: (empty) → 10 December 2026",
    ]
    flags = event("user.disabled", before={"disabled": False}, after={"disabled": True})
    assert change_lines(flags) == ["Disabled: no → yes"]
