"""The pages issue 16 changed, in a real browser at 1280 and 320 px, checked by axe-core:
the import check, post now's question, the overdue queue, "Add a story" with its live
preview, the calendar with each day's post text (and paused), history and the audit trail
in sentences. At 320 px no page may scroll sideways (WCAG 2.2, 1.4.10 Reflow): the whole
document's width is measured, tables included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import UI, Server, start_server, stop_server, story_id
from tests.conftest import story_row, write_csv

WIDTHS = (1280, 320)
PHONE_HEIGHT = 640
MONTH = "/calendar?month=2026-11"
#: How far the page itself scrolls sideways: 0 when nothing sticks out.
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def late_server(
    _shared_server: Callable[[], object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server whose clock starts at 10:27 on a campaign day, with no daemon running."""
    _shared_server()
    own, proc = start_server(
        tmp_path_factory,
        {"erin": "editor", "alex": "approver"},
        {"INFOBOT_CLOCK_START": "2026-11-23T10:27:00+00:00", "INFOBOT_FOUR_EYES": "false"},
    )
    try:
        yield own
    finally:
        stop_server(proc)


def sized(make_ui: Callable[..., UI], server: Server, width: int, who: str) -> UI:
    ui = make_ui(server, f"{who}-{width}")
    ui.page.set_viewport_size({"width": width, "height": 900 if width > 400 else PHONE_HEIGHT})
    return ui


def no_sideways_scroll(ui: UI, name: str, problems: dict[str, int]) -> None:
    over = int(ui.page.evaluate(SIDEWAYS))
    if over > 0:
        problems[name] = over
        ui.screenshot(f"sideways {name}")


def seed(server: Server, tmp_path: Path, prefix: str) -> list[int]:
    """Three approved stories of this test's own, one of them long enough for a thread."""
    rows = [
        story_row(
            f"{prefix} {n}", body=f"{prefix} {n}: " + "records helped us. " * (40 if n == 1 else 3)
        )
        for n in (1, 2, 3)
    ]
    path = write_csv(tmp_path / f"{prefix}.csv", rows)
    server.cli("import", str(path), "--by", "erin")
    ids = [story_id(server, f"Story {prefix} {n}") for n in (1, 2, 3)]
    server.cli("stories", "approve", *map(str, ids), "--by", "alex")
    return ids


@pytest.mark.parametrize("width", WIDTHS)
def test_import_check_post_now_and_add_a_story(
    server: Server, make_ui: Callable[..., UI], tmp_path: Path, width: int
) -> None:
    prefix = f"Check {width}"
    editor = sized(make_ui, server, width, "editor")
    editor.login("erin")
    sideways: dict[str, int] = {}

    # The import shows what it would do, then imports on "Import".
    path = write_csv(
        tmp_path / "check.csv",
        [story_row(f"{prefix} {n}") for n in (1, 2)]
        + [story_row(f"{prefix} bad", consent_date="31/02/2026")],
    )
    editor.goto("/import", "import")
    editor.page.set_input_files("#file", str(path))
    editor.click("Check the file", check="import check with a problem", shot=True)
    editor.expect_text("Problems", "main")
    no_sideways_scroll(editor, "import problems", sideways)
    good = write_csv(tmp_path / "good.csv", [story_row(f"{prefix} {n}") for n in (1, 2)])
    editor.page.set_input_files("#file", str(good))
    editor.click("Check the file", check="import check", shot=True)
    editor.expect_text("Stories to add", "main")
    no_sideways_scroll(editor, "import check", sideways)
    editor.click("Import 2 stories", check="imported")
    editor.expect_text("added 2 new stories as drafts", ".govuk-notification-banner")
    ids = [story_id(server, f"Story {prefix} {n}") for n in (1, 2)]
    server.cli("stories", "approve", *map(str, ids), "--by", "alex")

    # "Add a story" previews as you type (the page's script fetches the preview).
    editor.goto("/stories/new", "add a story", shot=True)
    editor.page.locator("#body").press_sequentially("Typed here, shown there.", delay=5)
    editor.expect_text("Typed here, shown there.", "#preview")
    editor.expect_text("#infostory", "#preview")
    editor.check("add a story, previewed", screenshot=True)
    no_sideways_scroll(editor, "add a story", sideways)

    # Post now asks first, naming the platforms; "No" sends nothing.
    approver = sized(make_ui, server, width, "approver")
    approver.login("alex")
    approver.goto("/queue", "queue")
    with approver.page.expect_navigation():
        approver.page.get_by_role("button", name="Post now").click()
    approver.check("post now question", screenshot=True)
    approver.expect_text("It goes out straight away on Outbox", "main")
    no_sideways_scroll(approver, "post now question", sideways)
    sent_before = server.outbox.read_text("utf-8") if server.outbox.exists() else ""
    approver.page.get_by_role("link", name="No, go back to the queue").click()
    approver.check("queue after no")
    sent_after = server.outbox.read_text("utf-8") if server.outbox.exists() else ""
    assert sent_after == sent_before, "answering no must send nothing"

    assert not sideways, f"sideways scrolling at {width} px: {sideways}"
    for ui in (editor, approver):
        ui.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_calendar_history_and_audit_fit_and_speak_plainly(
    late_server: Server, make_ui: Callable[..., UI], tmp_path: Path, width: int
) -> None:
    server = late_server
    ids = seed(server, tmp_path, f"Cal {width}")
    ui = sized(make_ui, server, width, "approver")
    ui.login("alex")
    sideways: dict[str, int] = {}

    # 10:27 and the 9:00 post is not out: the queue says so, and why.
    ui.goto("/queue", "queue, overdue", shot=True)
    ui.expect_text("Overdue", "main")
    ui.expect_text("no infobot daemon has ever run", "main")
    no_sideways_scroll(ui, "queue overdue", sideways)

    # The calendar shows each day's post text, collapsed, with the hashtag.
    ui.goto(MONTH, "calendar", shot=True)
    posts = ui.page.locator("details.app-calendar__posts").first
    assert posts.is_visible()
    assert not posts.locator(".app-calendar__text").first.is_visible()  # collapsed
    posts.locator("summary").click()
    assert posts.locator(".app-calendar__text").first.is_visible()
    assert "#infostory" in posts.inner_text()
    ui.check("calendar, a day's posts open", screenshot=True)
    no_sideways_scroll(ui, "calendar", sideways)

    # Paused: past days are not marked paused, and the runway does not promise anything.
    server.cli("campaign", "pause", "--reason", "Election", "--by", "alex")
    try:
        ui.goto(MONTH, "calendar paused", shot=True)
        ui.expect_text("paused until someone resumes it", "main")
        no_sideways_scroll(ui, "calendar paused", sideways)
    finally:
        server.cli("campaign", "resume", "--by", "alex")

    # Post now (asked and answered), then history and the audit trail in sentences.
    ui.goto("/post-now", "post now question")
    ui.click("Yes, post it now on Outbox", check="history after post now")
    ui.goto("/history", "history", shot=True)
    no_sideways_scroll(ui, "history", sideways)
    ui.goto("/audit", "audit trail", shot=True)
    ui.expect_text(f"alex approved story {ids[0]}", "main")
    no_sideways_scroll(ui, "audit", sideways)

    # An address out of range is a clear 400, not a crash.
    ui.goto("/calendar?month=9999-12", "out of range", status=400)
    ui.expect_text("out of range", "main")

    assert not sideways, f"sideways scrolling at {width} px: {sideways}"
    ui.assert_clean()
