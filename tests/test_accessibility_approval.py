"""Accessibility checks where the team meets them: the live preview on the web page and
``stories show``, and approval (each warning acknowledged and recorded, or a refusal where
the campaign says so). The checks themselves: tests/test_accessibility.py."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from infobot.domain.accessibility import CHECKS, Check
from tests.conftest import Cli, story_row, write_csv
from tests.web_support import Site, follow, post, site_fixture, text_of

LONG = " ".join(["word"] * 30) + "."
X_KEYS = {
    "platforms": "outbox,x",
    "hashtag_display": "#InfoStory",
    **{f"x__{k}": f"dummy-{k}-123" for k in ("consumer_key", "consumer_secret")},
    **{f"x__{k}": f"dummy-{k}-123" for k in ("access_token", "access_token_secret")},
}
IMAGE = "https://example.org/nurse.png"


@dataclass(frozen=True)
class Case:
    check: Check
    failing: dict[str, str]
    passing: dict[str, str]
    says: str  # in the message shown


CASES = [
    Case(
        Check.HASHTAG_CASE,
        {"body": "We shared the notes. #infostory"},
        {"body": "We shared the notes."},
        "Write #infostory as #InfoStory",
    ),
    Case(
        Check.TOO_MANY_HASHTAGS,
        {"body": "We shared the notes. #NHS #Wales"},
        {"body": "We shared the notes. #NHS"},
        "Use at most 2 hashtags",
    ),
    Case(
        Check.HASHTAGS_NOT_AT_END,
        {"body": "Our #NHS team shared the notes."},
        {"body": "Our team shared the notes. #NHS"},
        "to the end of the post",
    ),
    Case(
        Check.TOO_MANY_LINKS,
        {"body": "Read https://example.org/a and https://example.org/b today."},
        {"body": "Read https://example.org/a today."},
        "Use at most 1 link",
    ),
    Case(
        Check.TOO_MANY_EMOJI,
        {"body": "We shared the notes. 🎉 🏥 💙 🙌"},
        {"body": "We shared the notes. 🎉"},
        "Use at most 3 emoji",
    ),
    Case(
        Check.EMOJI_FOR_WORD,
        {"body": "We ❤️ sharing the notes."},
        {"body": "We love sharing the notes. ❤️"},
        "sits between words",
    ),
    Case(
        Check.REPEATED_EMOJI,
        {"body": "Shared. 👍 Thanks. 👍"},
        {"body": "Shared. Thanks. 👍"},
        "is used twice",
    ),
    Case(
        Check.LONG_SENTENCE,
        {"body": LONG},
        {"body": "Short and clear."},
        "has 30 words",
    ),
    Case(
        Check.ALT_TEXT_START,
        {"body": "A nurse.", "image": IMAGE, "image_alt": "Image of a nurse at a door."},
        {"body": "A nurse.", "image": IMAGE, "image_alt": "A nurse at a door."},
        "not “Image of”",
    ),
    Case(
        Check.ALT_TEXT_TOO_LONG,
        {"body": "A nurse.", "image": IMAGE, "image_alt": "A nurse at a door. " * 60},
        {"body": "A nurse.", "image": IMAGE, "image_alt": "A nurse at a door."},
        "X allows 1,000",
    ),
]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, **X_KEYS)


def add(site: Site, fields: dict[str, str], title: str = "") -> int:
    values = {"consent_by": "Ann", "consent_date": "2026-10-01", "title": title, **fields}
    return site.app.editorial().add(values, actor="sam", source="web").id


def test_every_check_has_a_case_here_or_is_refused_before_it() -> None:
    # alt_text_missing: a story with an image and no alt text is refused when it is added
    # (see test_an_image_without_alt_text_is_refused_on_the_web_page)
    assert {c.check for c in CASES} | {Check.ALT_TEXT_MISSING} == set(CHECKS)


@pytest.mark.parametrize("case", CASES, ids=[c.check.value for c in CASES])
def test_each_check_warns_in_the_live_preview_and_not_when_fixed(site: Site, case: Case) -> None:
    bad, good = add(site, case.failing, "failing"), add(site, case.passing, "passing")
    reads = site.app.reads.stories
    assert case.check in [f.check for f in reads.show(bad).accessibility]
    assert case.check not in [f.check for f in reads.show(good).accessibility]
    browser = site.signed_in("alex", "approver")
    shown = text_of(browser.get(f"/stories/{bad}").text)
    assert "Accessibility: " in shown and case.says in shown
    assert case.says not in text_of(browser.get(f"/stories/{good}").text)
    # the live preview follows the form as it is typed
    fixed = browser.get(f"/stories/{bad}/preview", params=case.passing).text
    assert case.says not in text_of(fixed)
    # and the approver's checkbox carries the check
    assert (
        f'name="acknowledge" type="checkbox" value="{case.check.value}"'
        in browser.get(f"/stories/{bad}").text
    )


def test_an_image_without_alt_text_is_refused_on_the_web_page(site: Site) -> None:
    browser = site.signed_in("erin", "editor")
    values = {"body": "A nurse.", "image": IMAGE, "consent_by": "Ann", "language": "en"}
    values["consent_date"] = "2026-10-01"
    answer = post(browser, "/stories/new", values, token_from="/stories/new")
    assert answer.status_code == 400
    assert "the image has no alt text" in text_of(answer.text)


def test_approval_on_the_web_page_needs_each_warning_ticked(site: Site) -> None:
    sid = add(site, {"body": LONG + " 🎉 🏥 💙 🙌"})
    browser = site.signed_in("alex", "approver")
    page = browser.get(f"/stories/{sid}").text
    assert "Accessibility warnings on story #" in text_of(page)
    refused = follow(browser, post(browser, f"/stories/{sid}/approve", {}))
    assert "was not approved" in text_of(refused.text)
    assert "Tick each accessibility warning you accept" in text_of(refused.text)
    half = follow(
        browser, post(browser, f"/stories/{sid}/approve", {"acknowledge": "long_sentence"})
    )
    assert "too_many_emoji" in text_of(half.text)
    assert site.sql("SELECT status FROM stories") == [("draft",)]
    token = {"return_to": f"/stories/{sid}"}
    from tests.web_support import csrf_of

    answer = browser.post(
        f"/stories/{sid}/approve",
        data={
            **token,
            "acknowledge": ["long_sentence", "too_many_emoji"],
            "csrf_token": csrf_of(browser, "/queue"),
        },
    )
    shown = text_of(follow(browser, answer).text)
    assert "Approved story #" in shown and "Acknowledged:" in shown
    [(actor, after)] = site.sql(
        "SELECT actor, after FROM events WHERE action = 'story.accessibility_acknowledged'"
    )
    assert actor == "alex"
    assert json.loads(after)["checks"] == ["long_sentence", "too_many_emoji"]


# -- the command line ----------------------------------------------------------------------------
def test_the_command_line_names_each_warning_and_records_what_was_acknowledged(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [story_row(1, body=LONG), story_row(2, body="Fine. 👍 Good. 👍")]
    cli.ok("import", str(write_csv(tmp_path / "s.csv", rows)), "--by", "sam")
    shown = cli.ok("stories", "show", "1").out
    assert "accessibility (long_sentence, to acknowledge): The sentence starting" in shown
    refused = cli("stories", "approve", "1", "2", "--by", "alex")
    assert refused.code == 2
    assert "story #1: accessibility warning (long_sentence)" in refused.err
    assert "story #2: accessibility warning (repeated_emoji)" in refused.err
    assert "--acknowledge CHECK" in refused.err
    part = cli("stories", "approve", "1", "2", "--by", "alex", "--acknowledge", "long_sentence")
    assert part.code == 2 and "repeated_emoji" in part.err and "long_sentence" not in part.err
    wrong = cli("stories", "approve", "1", "--by", "alex", "--acknowledge", "long_sentences")
    assert wrong.code == 2 and "not an accessibility check" in wrong.err
    misplaced = cli("stories", "approve", "2", "--acknowledge", "1", "--by", "alex")
    assert misplaced.code == 2 and "put the story numbers before --acknowledge" in misplaced.err
    done = cli.ok(
        "stories", "approve", "1", "--by", "alex", "--acknowledge", "long_sentence"
    )  # fmt: skip
    assert "acknowledged (long_sentence)" in done.out
    cli.ok("stories", "approve", "2", "--by", "alex", "--acknowledge")
    events = cli.sql(
        "SELECT story_id, actor, after, message FROM events"
        " WHERE action = 'story.accessibility_acknowledged' ORDER BY id"
    )
    assert [(sid, actor, json.loads(after)["checks"]) for sid, actor, after, _ in events] == [
        (1, "alex", ["long_sentence"]),
        (2, "alex", ["repeated_emoji"]),
    ]
    assert "is used twice" in events[1][3]


def test_a_check_the_campaign_refuses_cannot_be_acknowledged(cli: Cli, tmp_path: Path) -> None:
    os.environ["INFOBOT_ACCESSIBILITY_REFUSE"] = "long_sentence"
    cli.ok("import", str(write_csv(tmp_path / "s.csv", [story_row(1, body=LONG)])), "--by", "sam")
    assert "accessibility (long_sentence, refused)" in cli.ok("stories", "show", "1").out
    refused = cli("stories", "approve", "1", "--by", "alex", "--acknowledge")
    assert refused.code == 2 and "story #1: accessibility: The sentence starting" in refused.err
    assert cli.sql("SELECT status FROM stories") == [("draft",)]


def test_each_version_of_a_bilingual_story_is_checked(cli: Cli, tmp_path: Path) -> None:
    os.environ["INFOBOT_LANGUAGES"] = "cy,en"
    row = story_row(1, body="Short and clear.", body_cy=" ".join(["gair"] * 30) + ".")
    cli.ok("import", str(write_csv(tmp_path / "s.csv", [row])), "--by", "sam")
    findings = cli.ok("stories", "show", "1", "--json").json()["accessibility"]
    assert [(f["check"], f["message"].split(":")[0]) for f in findings] == [
        ("long_sentence", "Welsh")
    ]
