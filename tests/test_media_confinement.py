"""Issue 12, item 4: any image on the server could be posted. Each test here failed on the
code before the media folder: a story's picture is now only ever a file inside it, its type
is read from its content, and what reaches a platform carries no metadata."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import update

from infobot.app import App
from infobot.clock import FixedClock
from infobot.store.models import Story
from tests.conftest import Cli
from tests.harness_bluesky import BlueskyHarness, make_harness
from tests.support.pictures import CAMERA, has_metadata, jpeg_with_gps, png

STORY = ("--consent-by", "Jo", "--consent-date", "2026-10-01", "--image-alt", "A picture")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def places(tmp_path: Path) -> tuple[Path, Path]:
    """The media folder (next to the test's database) and a secret picture outside it."""
    media = tmp_path / "media"
    media.mkdir()
    (media / "ok.png").write_bytes(png())
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "secret.png"
    secret.write_bytes(png(colour=(255, 0, 0)))
    return media, secret


def _refused(cli: Cli, image: str) -> str:
    result = cli("stories", "add", "--body", f"Story with {image}.", "--image", image, *STORY)
    assert result.code == 2, result.out
    assert cli.count("stories") == 0, "a refused picture must add nothing"
    return result.err


def test_an_absolute_path_is_refused(cli: Cli, places: tuple[Path, Path]) -> None:
    _, secret = places
    err = _refused(cli, str(secret))
    assert "is not a picture in the media folder" in err
    assert "/etc/passwd" in _refused(cli, "/etc/passwd")


def test_dot_dot_is_refused_even_when_it_lands_inside(cli: Cli, places: tuple[Path, Path]) -> None:
    _refused(cli, "../private/secret.png")
    _refused(cli, "media/../private/secret.png")  # from the working directory, as before
    _refused(cli, "../media/ok.png")  # `..` is never accepted: the name must stay inside
    _refused(cli, "sub/../../private/secret.png")


def test_a_home_directory_path_is_refused(
    cli: Cli, places: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, secret = places
    monkeypatch.setenv("HOME", str(secret.parent))
    _refused(cli, "~/secret.png")


def test_a_symlink_out_of_the_folder_is_refused(cli: Cli, places: tuple[Path, Path]) -> None:
    media, secret = places
    (media / "innocent.png").symlink_to(secret)
    (media / "escape").symlink_to(secret.parent, target_is_directory=True)
    _refused(cli, "innocent.png")
    _refused(cli, "escape/secret.png")
    (media / "inside.png").symlink_to(media / "ok.png")  # a link within the folder is fine
    cli.ok("stories", "add", "--body", "Linked.", "--image", "inside.png", *STORY)


def test_missing_and_forbidden_get_the_same_message(cli: Cli, places: tuple[Path, Path]) -> None:
    media, secret = places
    (media / "link.png").symlink_to(secret)
    messages = {
        name: re.sub(r"'[^']*'", "'NAME'", _refused(cli, name))
        for name in ("nothing-here.png", "link.png", str(secret), "../private/secret.png")
    }
    assert len(set(messages.values())) == 1, messages


def test_a_text_file_named_jpg_is_refused_from_its_content(
    cli: Cli, places: tuple[Path, Path]
) -> None:
    media, _ = places
    (media / "holiday.jpg").write_text("name,salary\nAlex,52000\n", encoding="utf-8")
    err = _refused(cli, "holiday.jpg")
    assert "not a PNG, JPEG, GIF or WebP picture (checked from its content)" in err
    (media / "really-a-png.jpg").write_bytes(png())  # the name does not matter either way
    cli.ok("stories", "add", "--body", "Named oddly.", "--image", "really-a-png.jpg", *STORY)


def test_an_oversize_picture_is_refused(
    cli: Cli, places: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    media, _ = places
    monkeypatch.setenv("INFOBOT_MEDIA_MAX_BYTES", "100000")
    (media / "big.png").write_bytes(png() + b"\0" * 100_001)
    assert "a picture may be at most 0.1 MB" in _refused(cli, "big.png")


# -- what reaches a platform ------------------------------------------------------------


@pytest.fixture
def bluesky(tmp_path: Path) -> Iterator[BlueskyHarness]:
    with make_harness(tmp_path) as harness:
        yield harness


@pytest.fixture
def app(tmp_path: Path, bluesky: BlueskyHarness) -> Iterator[App]:
    from infobot.settings import load_settings

    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        platforms="bluesky",
        media_dir=tmp_path / "media",
    )
    application = App.open(settings, FixedClock(NOW), platforms={"bluesky": bluesky.platform})
    yield application
    application.close()


def _approved_with(app: App, image: str) -> int:
    story = app.editorial().add(
        {
            "body": "The GP saw the discharge letter the same morning.",
            "image": image,
            "image_alt": "A red square",
            "consent_by": "Jo",
            "consent_date": "2026-10-01",
        },
        actor="sam",
    )
    app.editorial().approve([story.id], actor="alex")
    return story.id


def test_a_jpeg_with_gps_is_uploaded_without_its_metadata(
    app: App, bluesky: BlueskyHarness, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    original = jpeg_with_gps()
    assert has_metadata(original)
    (media / "walk.jpg").write_bytes(original)  # put there by hand, not through an upload
    story_id = _approved_with(app, "walk.jpg")
    app.publisher().claim(date(2026, 11, 23))
    delivered = app.publisher().deliver(story_id)
    assert [o.status for o in delivered.outcomes] == ["sent"]
    (sent,) = bluesky.pds.blobs.values()
    mime, data = sent
    assert mime == "image/jpeg"
    assert not has_metadata(data), "the GPS position and camera must not leave the building"
    assert CAMERA.encode() not in data
    with Image.open(io.BytesIO(data)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.size == before.size  # the same picture, without the metadata
    assert (media / "walk.jpg").read_bytes() == original  # the file itself is left alone


def test_a_path_changed_behind_the_teams_back_is_refused_at_posting(
    app: App, bluesky: BlueskyHarness, tmp_path: Path, places: tuple[Path, Path]
) -> None:
    _, secret = places
    story_id = _approved_with(app, "ok.png")
    with app.db.write() as session:  # as an old database, or someone with SQL access
        session.execute(update(Story).where(Story.id == story_id).values(image=str(secret)))
    app.publisher().claim(date(2026, 11, 23))
    delivered = app.publisher().deliver(story_id)
    assert [o.status for o in delivered.outcomes] == ["failed"]
    assert "is not a picture in the media folder" in delivered.outcomes[0].error
    assert bluesky.pds.blobs == {} and bluesky.pds.live() == []
    assert os.path.exists(secret)
