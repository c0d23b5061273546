"""Pictures uploaded on the team's pages (issue 12, item 4): the edit page and "Add a
story" take the picture itself, check it from its content, store it in the media folder
without its metadata under a name made from its content, and refuse anything else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import story_row
from tests.support.pictures import has_metadata, jpeg_with_gps, png
from tests.web_support import Site, post, site_fixture, text_of

#: What the edit page sends back for the first imported story (every field, as a browser).
FIRST = {**story_row(1), "language": "en"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path, media_max_bytes="100000")


def media_files(site: Site) -> list[Path]:
    folder = site.tmp / "media"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def test_the_edit_page_takes_a_picture_and_strips_its_metadata(site: Site) -> None:
    (story_id,) = site.import_stories(1)
    editor = site.signed_in("Erin", "editor")
    form = editor.get(f"/stories/{story_id}")
    assert 'enctype="multipart/form-data"' in form.text and 'id="image_file"' in form.text
    response = post(
        editor,
        f"/stories/{story_id}",
        {**FIRST, "body": "Story with a picture now.", "image_alt": "A red square"},
        files={"image_file": ("phone.jpg", jpeg_with_gps(), "image/jpeg")},
        token_from=f"/stories/{story_id}",
    )
    assert response.status_code == 303, text_of(response.text)[:500]
    (picture,) = media_files(site)
    assert site.sql("SELECT image FROM stories") == [(picture.name,)]
    assert picture.suffix == ".jpg" and len(picture.stem) == 32
    assert not has_metadata(picture.read_bytes())
    ((after,),) = site.sql("SELECT after FROM events WHERE action = 'story.edited'")
    assert picture.name in after  # the audit trail names the new picture


def test_add_a_story_takes_a_picture(site: Site) -> None:
    editor = site.signed_in("Erin", "editor")
    response = post(
        editor,
        "/stories/new",
        {
            "body": "A new story with its picture.",
            "image_alt": "A blue square",
            "consent_by": "Jo",
            "consent_date": "2026-10-01",
        },
        files={"image_file": ("square.png", png(), "image/png")},
        token_from="/stories/new",
    )
    assert response.status_code == 303, text_of(response.text)[:500]
    (picture,) = media_files(site)
    assert site.sql("SELECT image FROM stories") == [(picture.name,)]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("notes.jpg", b"name,salary\nAlex,52000\n", "image/jpeg"), "cannot be used as a picture"),
        (("big.png", png() + b"\0" * 100_001, "image/png"), "the picture is too big"),
    ],
)
def test_an_upload_that_is_not_a_picture_or_too_big_changes_nothing(
    site: Site, upload: tuple[str, bytes, str], message: str
) -> None:
    (story_id,) = site.import_stories(1)
    editor = site.signed_in("Erin", "editor")
    before = site.sql("SELECT * FROM stories")
    response = post(
        editor,
        f"/stories/{story_id}",
        {**FIRST, "body": "Changed text that must not be saved.", "image_alt": "x"},
        files={"image_file": upload},
        token_from=f"/stories/{story_id}",
    )
    assert response.status_code == 400
    assert message in text_of(response.text).lower()
    assert 'href="#image_file"' in response.text
    assert site.sql("SELECT * FROM stories") == before
    assert media_files(site) == []


def test_a_path_outside_the_media_folder_is_refused_on_the_web(site: Site) -> None:
    (story_id,) = site.import_stories(1)
    secret = site.tmp / "secret.png"
    secret.write_bytes(png())
    editor = site.signed_in("Erin", "editor")
    for image in (str(secret), "../secret.png", "~/secret.png"):
        response = post(
            editor,
            f"/stories/{story_id}",
            {**FIRST, "image": image, "image_alt": "x"},
            token_from=f"/stories/{story_id}",
        )
        assert response.status_code == 400
        assert "is not a picture in the media folder" in text_of(response.text)
    assert site.sql("SELECT image FROM stories") == [("",)]
