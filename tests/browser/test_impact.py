"""The Impact page in a real browser, after a few campaign days run by ``infobot run
--once`` in accelerated time: axe-core at 1280 and 320 px, no sideways scrolling on a
phone outside data tables, the charts' figures behind "The figures in this chart"."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from tests.browser.conftest import UI, Server, infobot_command
from tests.browser.test_pages import OVERFLOW, PHONE

DESKTOP = {"width": 1280, "height": 900}


def run_once(server: Server, at: str) -> None:
    env = {**server.env, "INFOBOT_CLOCK_START": at}
    result = subprocess.run(
        [*infobot_command(), "run", "--once"],
        cwd=server.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_impact_page_is_accessible_at_1280_and_320_px(
    fresh_server: Server, make_ui: Callable[..., UI]
) -> None:
    server = fresh_server
    rows = "\n".join(
        f"Impact story {n},Impact story {n}: the shared record saved a week.,Sam {n},"
        f"Sam {n},2026-10-01"
        for n in range(1, 5)
    )
    path = server.root / "impact.csv"
    path.write_text(f"title,body,author,consent_by,consent_date\n{rows}\n", encoding="utf-8")
    server.cli("import", str(path), "--by", "erin")
    ids = [r[0] for r in server.sql("SELECT id FROM stories ORDER BY id")]
    server.cli("stories", "approve", *map(str, ids), "--by", "alex")
    for day in (23, 24, 25):
        run_once(server, f"2026-11-{day}T09:00:05+00:00")
        run_once(server, f"2026-11-{day}T15:00:05+00:00")
    assert server.count("engagement_snapshots") >= 5

    ui = make_ui(server, "editor")
    ui.page.set_viewport_size(DESKTOP)
    ui.login("erin")
    ui.goto("/impact", "impact 1280", shot=True)
    ui.expect_text("Posts and engagement per week", "main")
    assert ui.page.locator("svg[role=img]").count() == 2
    ui.page.get_by_text("The figures in this chart").first.click()
    ui.check("impact chart figures open")
    ui.page.select_option("#story", label="#2 Impact story 2")
    with ui.page.expect_event("load"):
        ui.page.get_by_role("button", name="Show its growth").click()
    ui.expect_text("Growth of “Impact story 2”", "main")
    ui.check("impact growth of story 2")

    ui.page.set_viewport_size(PHONE)
    ui.goto("/impact", "impact 320", shot=True)
    overflow = ui.page.evaluate(OVERFLOW)
    assert not overflow, f"sideways scrolling at 320 px: {overflow}"
    ui.assert_clean()
