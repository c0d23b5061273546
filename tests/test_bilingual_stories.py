"""Welsh and English stories: the suffixed fields in every import format, the command line
and the web page; approval covers both versions; the runway counts stories ready in both."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from infobot.domain.render import PlatformRules, RenderOptions, render
from infobot.domain.story import StoryInput
from infobot.domain.validate import validate_record
from infobot.domain.versions import Version, account_languages
from tests.conftest import Cli, story_row, write_csv
from tests.web_support import Site, follow, post, site_fixture, text_of

CY = "Helpodd rhannu cofnodion i'r nyrs gyrraedd yn gynt."
EN = "Sharing records helped the nurse arrive sooner."
ALT_CY = "Nyrs yn siarad â dyn oedrannus yn ei gegin."
ALT_EN = "A nurse talks to an older man in his kitchen."
CONSENT = {"consent_by": "Ann", "consent_date": "2026-10-01"}


@pytest.fixture
def bilingual(cli: Cli) -> Cli:
    os.environ["INFOBOT_LANGUAGES"] = "cy,en"
    return cli


# -- the domain --------------------------------------------------------------------------------
def test_a_version_is_the_story_in_that_language() -> None:
    story = StoryInput(body=EN, title="Nurse", versions=(Version("cy", CY, "Nyrs", ALT_CY),))
    assert story.languages == ("en", "cy")
    welsh = story.version("cy")
    assert (welsh.language, welsh.body, welsh.title, welsh.image_alt) == ("cy", CY, "Nyrs", ALT_CY)
    assert welsh.versions == () and story.version("en").body == EN
    with pytest.raises(KeyError):
        story.version("ga")
    assert story.flat()["body_cy"] == CY and story.flat()["title_cy"] == "Nyrs"


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"title_cy": "Nyrs"}, "body_cy", "the Welsh version needs its text"),
        ({"body_en": "More"}, "body_en", "the story itself is in English"),
        (
            {"body_cy": CY, "image": "https://example.org/a.png", "image_alt": ALT_EN},
            "image_alt_cy",
            "no Welsh alt text",
        ),
        ({"body_cy": "x" * 10_001}, "body_cy", "over the 10,000-character limit"),
    ],
)
def test_version_fields_are_checked_like_the_others(
    extra: dict[str, str], field: str, words: str
) -> None:
    story, problems = validate_record({"body": EN, **CONSENT, **extra}, file="f.csv", line=2)
    assert story is None
    assert [(p.field, words in p.message) for p in problems] == [(field, True)]


def test_headings_name_the_versions() -> None:
    raw = {"Story": EN, "Story cy": CY, "Title (cy)": "Nyrs", "Alt text cy": ALT_CY, **CONSENT}
    story, problems = validate_record(raw, file="f.csv", line=2)
    assert problems == [] and story is not None
    assert story.versions == (Version("cy", CY, "Nyrs", ALT_CY),)


def test_the_three_modes_render_both_versions_with_the_hashtag_once_each() -> None:
    story = StoryInput(body=EN, author="Ann", versions=(Version("cy", CY),))
    rules = PlatformRules.bluesky()
    base = RenderOptions(languages=("cy", "en"))
    one = render(story, rules, base)
    assert one.ok and len(one.posts) == 1 and one.bilingual
    [post_] = one.posts
    assert post_.text == f"{CY}\n\n{EN}\n\n— Ann\n#infostory"
    assert (post_.language, post_.more_languages) == ("cy", ("en",))
    english_first = render(story, rules, RenderOptions(languages=("cy", "en"), first_language="en"))
    assert english_first.posts[0].text.startswith(EN)
    thread = render(story, rules, RenderOptions(languages=("cy", "en"), bilingual="thread"))
    assert [(p.text.split("\n")[0], p.language) for p in thread.posts] == [(CY, "cy"), (EN, "en")]
    assert all(p.text.count("#infostory") == 1 for p in thread.posts)
    options = RenderOptions(
        languages=("cy", "en"),
        bilingual="accounts",
        account_languages=(("bluesky_cy", "cy"),),
    )
    welsh = render(story, rules, options.for_platform("bluesky_cy"))
    assert [(p.text.split("\n")[0], p.language) for p in welsh.posts] == [(CY, "cy")]
    nobody = render(story, rules, options.for_platform("bluesky"))
    assert not nobody.ok and "no language is set for this account" in nobody.problems[0]
    lonely = render(StoryInput(body=EN), rules, base)
    assert not lonely.ok and "no Welsh version" in lonely.problems[0]


def test_x_without_threads_refuses_a_thread_of_two_languages() -> None:
    story = StoryInput(body=EN, versions=(Version("cy", CY),))
    rules = PlatformRules.x()
    from dataclasses import replace

    single = replace(rules, max_parts=1)
    rendered = render(story, single, RenderOptions(languages=("cy", "en"), bilingual="thread"))
    assert not rendered.ok and "a thread of 2 posts" in rendered.problems[0]


def test_an_account_without_a_language_posts_the_one_left() -> None:
    accounts = {"mastodon": ("mastodon", ""), "mastodon_cy": ("mastodon", "cy"), "x": ("x", "")}
    assert account_languages(accounts, ["cy", "en"]) == {"mastodon": "en", "mastodon_cy": "cy"}


# -- every import format -----------------------------------------------------------------------
FIELDS = {"title_cy": "Nyrs", "body_cy": CY, "image_alt_cy": ALT_CY}


def bilingual_row(n: int) -> dict[str, str]:
    row = story_row(n, image="https://example.org/nurse.png", image_alt=ALT_EN)
    row.update(FIELDS)
    return row


def write_formats(tmp: Path) -> list[Path]:
    csv_path = write_csv(tmp / "stories.csv", [bilingual_row(1)])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    row = bilingual_row(2)
    sheet.append(list(row))
    sheet.append(list(row.values()))
    xlsx_path = tmp / "stories.xlsx"
    book.save(xlsx_path)
    yaml_path = tmp / "stories.yaml"
    yaml_path.write_text(
        "stories:\n  - "
        + "\n    ".join(f"{k}: {json.dumps(v)}" for k, v in bilingual_row(3).items())
        + "\n",
        encoding="utf-8",
    )
    json_path = tmp / "stories.json"
    json_path.write_text(json.dumps([bilingual_row(4)], ensure_ascii=False), encoding="utf-8")
    md = bilingual_row(5)
    body = md.pop("body")
    md_path = tmp / "story.md"
    front = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in md.items())
    md_path.write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
    return [csv_path, xlsx_path, yaml_path, json_path, md_path]


def test_the_welsh_fields_in_every_import_format(bilingual: Cli, tmp_path: Path) -> None:
    files = write_formats(tmp_path)
    bilingual.ok("import", *map(str, files), "--by", "sam")
    assert bilingual.count("stories") == 5
    for story_id in range(1, 6):
        shown = bilingual.ok("stories", "show", str(story_id), "--json").json()
        assert shown["versions"] == [
            {"language": "cy", "body": CY, "title": "Nyrs", "image_alt": ALT_CY}
        ]
        assert shown["problems"] == []
    assert bilingual.sql("SELECT DISTINCT languages FROM stories") == [("cy en",)]


# -- the command line ----------------------------------------------------------------------------
def add_bilingual(cli: Cli) -> None:
    cli.ok(
        "stories", "add", "--title", "Nurse", "--body", EN, "--title-cy", "Nyrs",
        "--body-cy", CY, "--author", "Ann", "--consent-by", "Ann", "--consent-date", "2026-10-01",
    )  # fmt: skip


def test_add_show_and_preview_both_versions(bilingual: Cli) -> None:
    add_bilingual(bilingual)
    shown = bilingual.ok("stories", "show", "1").out
    assert "Welsh (cy):" in shown and "title_cy:     Nyrs" in shown and CY in shown
    assert "[" in shown and "cy+en" in shown
    bilingual.ok("stories", "approve", "1", "--by", "alex")
    preview = bilingual.ok("preview", "--days", "1").out
    assert preview.index(CY) < preview.index(EN)
    data = bilingual.ok("preview", "--days", "1", "--json").json()
    assert data[0]["platforms"]["outbox"]["posts"][0]["languages"] == ["cy", "en"]


def test_an_edit_to_the_welsh_text_sends_the_story_back_to_draft(bilingual: Cli) -> None:
    add_bilingual(bilingual)
    bilingual.ok("stories", "approve", "1", "--by", "alex")
    out = bilingual.ok("stories", "edit", "1", "--body-cy", CY + " Diolch.", "--by", "sam").out
    assert "back in draft" in out
    assert bilingual.sql("SELECT status, approved_by FROM stories") == [("draft", None)]
    [(after,)] = bilingual.sql("SELECT after FROM events WHERE action = 'story.edited'")
    assert json.loads(after)["body_cy"] == CY + " Diolch."
    # the same text again is no edit: it stays as it is
    bilingual.ok("stories", "approve", "1", "--by", "alex")
    bilingual.ok("stories", "edit", "1", "--body-cy", CY + " Diolch.", "--by", "sam")
    assert bilingual.sql("SELECT status FROM stories") == [("approved",)]


def test_a_story_in_one_language_cannot_be_approved(bilingual: Cli) -> None:
    bilingual.ok(
        "stories", "add", "--body", EN, "--consent-by", "Ann", "--consent-date", "2026-10-01"
    )
    refused = bilingual("stories", "approve", "1", "--by", "alex")
    assert refused.code == 2
    assert "it has no Welsh version" in refused.err and "body_cy" in refused.err
    assert bilingual.sql("SELECT status FROM stories") == [("draft",)]


def test_the_runway_counts_only_stories_ready_in_both(cli: Cli, tmp_path: Path) -> None:
    rows = [story_row(1), story_row(2, body_cy=CY)]
    cli.ok("import", str(write_csv(tmp_path / "s.csv", rows)), "--by", "sam")
    cli.ok("stories", "approve", "1", "2", "--by", "alex")  # one language: both fine
    assert cli.ok("status", "--json").json()["counts"]["approved"] == 2
    os.environ["INFOBOT_LANGUAGES"] = "cy,en"  # the campaign becomes bilingual
    status = cli.ok("status", "--json").json()
    assert status["counts"]["approved"] == 1 and status["runway_days"] == 1
    [item] = [a for a in status["attention"] if a["kind"] == "not_ready"]
    assert "story #1 is approved but it has no Welsh version" in item["message"]
    preview = cli.ok("preview", "--days", "2", "--json").json()
    assert [day["story_id"] for day in preview] == [2, None]


def test_the_editor_offers_the_campaigns_other_language(bilingual: Cli, tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    changes = [
        ("body_cy: ''", f"body_cy: {json.dumps(CY)}"),
        ("consent_by: ''", "consent_by: Ann"),
        ("consent_date: ''", "consent_date: '2026-10-01'"),
    ]
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1]); text = p.read_text()\n"
        f"for old, new in {changes!r}:\n"
        "    assert old in text, old\n"
        "    text = text.replace(old, new)\n"
        f"p.write_text(text.rstrip() + '\\n' + {EN!r} + '\\n')\n",
        encoding="utf-8",
    )
    import sys

    os.environ["EDITOR"] = f"{sys.executable} {script}"
    bilingual.ok("stories", "add")
    shown = bilingual.ok("stories", "show", "1", "--json").json()
    assert shown["body"] == EN and shown["versions"][0]["body"] == CY


# -- the web page --------------------------------------------------------------------------------
@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, languages="cy,en")


def test_the_web_page_edits_and_previews_both_versions(site: Site) -> None:
    sid = site.app.editorial().add({"body": EN, "body_cy": CY, **CONSENT}, actor="sam").id
    site.approve([sid])
    browser = site.signed_in("erin", "editor")
    page = browser.get(f"/stories/{sid}").text
    assert 'name="body_cy"' in page and "Story (Welsh)" in page and 'name="title_cy"' in page
    assert text_of(page).count(CY) >= 2  # the form and the preview
    assert "Welsh and English" in text_of(page)
    preview = browser.get(f"/stories/{sid}/preview", params={"body_cy": "Newydd."}).text
    assert "Newydd." in preview
    values = {"body": EN, "body_cy": CY + " Diolch.", **CONSENT, "language": "en"}
    answer = follow(browser, post(browser, f"/stories/{sid}", values, token_from=f"/stories/{sid}"))
    assert "back in draft" in text_of(answer.text)
    assert site.sql("SELECT status FROM stories") == [("draft",)]
    new = browser.get("/stories/new").text
    assert 'name="body_cy"' in new


def test_the_web_page_refuses_approval_of_a_story_in_one_language(site: Site) -> None:
    site.app.editorial().add({"body": EN, **CONSENT}, actor="sam", source="web")
    browser = site.signed_in("alex", "approver")
    answer = follow(browser, post(browser, "/stories/1/approve", {"return_to": "/stories/1"}))
    assert "it has no Welsh version" in text_of(answer.text)
    assert site.sql("SELECT status FROM stories") == [("draft",)]
