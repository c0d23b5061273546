"""The GOV.UK Frontend build checked in under infobot/web/static/govuk/ (make assets)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "infobot" / "web" / "static" / "govuk"
CSS = STATIC / "govuk-frontend.min.css"
JS = STATIC / "govuk-frontend.min.js"
VERSION = STATIC / "VERSION"
BUILD = REPO / "scripts" / "build-assets.sh"
LOCK = REPO / "package-lock.json"

# Starts of the crown's SVG paths in GOV.UK Frontend's logo macro (Tudor and St Edward's).
CROWN_PATHS = ("M33.1,9.8c.2-.1.3-.3.5-.5", "M13.4,22.3c2,.8,4.2-.2,5-2")


def version_lines() -> dict[str, str]:
    lines = {}
    for line in VERSION.read_text(encoding="utf-8").splitlines():
        first, _, rest = line.partition(" ")
        if first.startswith(("govuk-", "sass", "inputs-")):
            lines[first] = rest
        else:  # "<sha256>  <file>" as sha256sum writes it
            lines[rest.strip()] = first
    return lines


def test_built_files_are_checked_in() -> None:
    for path in (CSS, JS, VERSION):
        assert path.is_file(), f"{path} is missing: run `make assets`"
    assert CSS.stat().st_size > 50_000
    assert "govuk-" in CSS.read_text(encoding="utf-8")


def test_css_has_no_gds_transport_font() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "/fonts/" not in css
    assert 'font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif' in css


def test_no_crown_or_crest_is_shipped() -> None:
    for path in (CSS, JS):
        text = path.read_text(encoding="utf-8")
        assert "govuk-crest" not in text, path
        for crown in CROWN_PATHS:
            assert crown not in text, path
    assert "<svg" not in CSS.read_text(encoding="utf-8")
    shipped = {p.name for p in STATIC.rglob("*") if p.is_file()}
    assert shipped <= {"govuk-frontend.min.css", "govuk-frontend.min.js", "VERSION", "NOTICE"}, (
        "only the CSS, JS, VERSION and NOTICE are shipped: GOV.UK Frontend's fonts and images "
        f"are reserved for GOV.UK, found {sorted(shipped)}"
    )


def test_version_matches_package_lock() -> None:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    packages = lock["packages"]
    lines = version_lines()
    assert lines["govuk-frontend"] == packages["node_modules/govuk-frontend"]["version"]
    assert lines["sass"] == packages["node_modules/sass"]["version"]
    assert lines["govuk-frontend"].startswith("5.")


def test_build_is_up_to_date_with_its_inputs() -> None:
    """Changing package-lock.json or the build script without `make assets` fails here."""
    lines = version_lines()
    inputs = hashlib.sha256(LOCK.read_bytes() + BUILD.read_bytes()).hexdigest()
    assert lines["inputs-sha256"].split()[0] == inputs, "inputs changed: run `make assets`"
    for path in (CSS, JS):
        assert lines[path.name] == hashlib.sha256(path.read_bytes()).hexdigest(), path


def test_rebuild_gives_the_same_bytes(tmp_path: Path) -> None:
    if not (REPO / "node_modules" / "govuk-frontend").is_dir() or shutil.which("node") is None:
        pytest.skip("node_modules or Node.js absent: `npm ci` (make install) to check the rebuild")
    out = tmp_path / "govuk"
    result = subprocess.run(
        ["bash", str(BUILD), "--no-install", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js", "VERSION", "NOTICE"):
        assert (out / name).read_bytes() == (STATIC / name).read_bytes(), (
            f"{name} differs from a fresh build: run `make assets`"
        )


def test_no_web_file_asks_for_the_gds_transport_font_or_shows_the_crown() -> None:
    """Not only the build: no stylesheet, script or template of the web page may use them."""
    web = REPO / "infobot" / "web"
    offenders = []
    for path in sorted([*web.joinpath("static").rglob("*"), *web.joinpath("templates").rglob("*")]):
        if (path.parent == STATIC and path.name == "NOTICE") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for bad in ("GDS Transport", "govuk-crest", "logotype-crown", *CROWN_PATHS):
            for number, line in enumerate(text.splitlines(), 1):
                if bad in line:
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:80]}")
    assert not offenders, (
        "GOV.UK's font and crown are for GOV.UK only. Use the font the build gives "
        'GOV.UK Frontend, font-family: system-ui, -apple-system, "Segoe UI", Arial, '
        "sans-serif:\n" + "\n".join(offenders)
    )
