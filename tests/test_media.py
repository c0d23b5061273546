"""Pictures on disk: the service's image check that the domain's validation is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from infobot.domain.validate import validate_record
from infobot.service.media import LocalPictures, local_pictures
from tests.conftest import Cli

CONSENT = {"consent_by": "Ann", "consent_date": "2026-11-03"}


def test_a_relative_path_is_looked_up_in_the_story_files_folder(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    check = local_pictures(tmp_path)
    assert check("photo.png") == (str(tmp_path / "photo.png"), None)
    assert check(str(tmp_path / "photo.png")) == (str(tmp_path / "photo.png"), None)
    stored, problem = check("missing.png")
    assert stored == str(tmp_path / "missing.png")
    assert problem is not None and problem.startswith("no image file at ")
    stored, problem = check("notes.txt")
    assert problem is not None and "is not a picture infobot can post" in problem


def test_without_a_folder_the_working_directory_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.jpg").write_bytes(b"\xff\xd8")
    assert local_pictures()("here.jpg") == (str(tmp_path / "here.jpg"), None)


def test_one_import_looks_for_each_picture_once(tmp_path: Path) -> None:
    pictures = LocalPictures()
    check = pictures.under(tmp_path)
    assert check("late.png")[1] is not None
    (tmp_path / "late.png").write_bytes(b"\x89PNG")
    assert check("late.png")[1] is not None  # remembered for this import
    assert pictures.under(tmp_path / ".")("late.png")[1] is not None  # the same file
    assert local_pictures(tmp_path)("late.png")[1] is None  # a new check looks again


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


def test_stories_add_looks_for_the_image_in_the_working_directory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nurse.png").write_bytes(b"\x89PNG")
    story = ("--consent-by", "Jo", "--consent-date", "2026-10-01", "--image-alt", "A nurse")
    missing = cli("stories", "add", "--body", "One.", "--image", "gone.png", *story)
    assert missing.code == 2 and "no image file at" in missing.err
    cli.ok("stories", "add", "--body", "Two.", "--image", "nurse.png", *story)
    assert cli.sql("SELECT image FROM stories") == [(str(tmp_path / "nurse.png"),)]
