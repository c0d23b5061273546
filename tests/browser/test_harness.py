"""The browser harness itself, and the built GOV.UK Frontend CSS in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.browser.conftest import REPO, UI, format_violations

CSS = REPO / "infobot" / "web" / "static" / "govuk" / "govuk-frontend.min.css"

PAGE = """<!doctype html>
<html lang="en" class="govuk-template"><head><title>Harness</title></head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-l">Harness</h1>
<p class="govuk-body"><a class="govuk-link" href="#x">A link</a></p>
<button class="govuk-button">Save</button>
</main></body></html>"""


def test_axe_reports_violations_readably(make_ui: Callable[..., UI]) -> None:
    ui = make_ui(None)
    ui.page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    violations = ui.axe_violations()
    ids = {v["id"] for v in violations}
    assert {"html-has-lang", "document-title", "image-alt", "label"} <= ids
    text = format_violations(violations)
    assert "[critical] image-alt" in text
    assert '    at img\n       <img src="x.png">' in text


def test_built_css_uses_the_system_font_and_govuk_focus_style(
    make_ui: Callable[..., UI],
) -> None:
    ui = make_ui(None)
    ui.page.set_content(PAGE)
    ui.page.add_style_tag(path=str(CSS))
    font = ui.page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith("system-ui"), font
    assert "GDS Transport" not in font
    assert ui.axe_violations() == []

    # The skip link is hidden until it has the keyboard focus, then shows in yellow.
    skip = ui.page.locator(".govuk-skip-link")
    assert skip.bounding_box()["width"] <= 1  # type: ignore[index]
    ui.page.keyboard.press("Tab")
    assert ui.page.evaluate("document.activeElement.className") == "govuk-skip-link"
    assert skip.bounding_box()["width"] > 10  # type: ignore[index]
    background = skip.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(255, 221, 0)", background  # $govuk-focus-colour


def test_artifacts_folder_is_ignored_by_git() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "tests/browser/artifacts/" in ignored
    assert Path(__file__).parent.joinpath("artifacts").resolve().is_relative_to(REPO)
