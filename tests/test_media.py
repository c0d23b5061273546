"""Pictures on disk: the media folder that confines them, and the check the domain's
validation is given (issue 12, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infobot.domain.validate import validate_record
from infobot.service.media import LocalPictures, MediaFolder, local_pictures
from infobot.settings_intake import default_media_dir
from tests.conftest import Cli
from tests.support.pictures import png

CONSENT = {"consent_by": "Ann", "consent_date": "2026-11-03"}
STORY = ("--consent-by", "Jo", "--consent-date", "2026-10-01", "--image-alt", "A nurse")


def test_a_name_is_looked_up_in_the_media_folder(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(png())
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "ward.png").write_bytes(png())
    check = local_pictures(MediaFolder(tmp_path))
    assert check("photo.png") == ("photo.png", None)
    assert check("./team//ward.png") == ("team/ward.png", None)  # stored as a clean name
    stored, problem = check("missing.png")
    assert stored == "missing.png"
    assert problem is not None and problem.startswith("'missing.png' is not a picture in the")


def test_the_media_folder_defaults_to_media_next_to_the_database() -> None:
    assert default_media_dir("sqlite:////data/infobot.db") == Path("/data/media")
    assert default_media_dir("sqlite:///queue/infobot.db") == Path("queue/media")
    assert default_media_dir("postgresql://db/infobot") == Path("queue/media")


def test_one_import_looks_for_each_picture_once(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path)
    pictures = LocalPictures(media)
    assert pictures("late.png")[1] is not None
    (tmp_path / "late.png").write_bytes(png())
    assert pictures("late.png")[1] is not None  # remembered for this import
    assert local_pictures(media)("late.png")[1] is None  # a new check looks again


def test_validation_without_a_check_refuses_a_local_path() -> None:
    raw = {"body": "x", "image": "photo.png", "image_alt": "A photo", **CONSENT}
    story, problems = validate_record(raw, file="f", line=1)
    assert story is None
    assert [(p.field, p.message) for p in problems] == [
        (
            "image",
            "'photo.png' is a file on this computer, which cannot be looked for here;"
            " use an https:// address",
        )
    ]
    web = {**raw, "image": "https://example.org/p.png"}
    story, problems = validate_record(web, file="f", line=1)
    assert problems == [] and story is not None


def test_stories_add_looks_for_the_image_in_the_media_folder(cli: Cli, tmp_path: Path) -> None:
    media = tmp_path / "media"  # next to the test's database
    media.mkdir()
    (media / "nurse.png").write_bytes(png())
    (tmp_path / "here.png").write_bytes(png())  # in the working directory: not enough
    missing = cli("stories", "add", "--body", "One.", "--image", "gone.png", *STORY)
    assert missing.code == 2 and "is not a picture in the media folder" in missing.err
    here = cli("stories", "add", "--body", "Three.", "--image", "here.png", *STORY)
    assert here.code == 2 and "is not a picture in the media folder" in here.err
    cli.ok("stories", "add", "--body", "Two.", "--image", "nurse.png", *STORY)
    assert cli.sql("SELECT image FROM stories") == [("nurse.png",)]


def test_the_media_folder_can_be_set(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "pictures"
    elsewhere.mkdir()
    (elsewhere / "nurse.png").write_bytes(png())
    monkeypatch.setenv("INFOBOT_MEDIA_DIR", str(elsewhere))
    cli.ok("stories", "add", "--body", "Two.", "--image", "nurse.png", *STORY)
    assert cli.sql("SELECT image FROM stories") == [("nurse.png",)]
