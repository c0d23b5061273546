"""The web import asks first (issue 16) and is safe to use (issue 12, items 1 and 12).

An upload is checked in a worker process and shows what it would do; only "Import" writes,
re-checking the file, for the same sign-in, within the hold time. An editor's file may not
pin stories. A big upload is refused before it is read, and the other pages keep
answering while a file is read (measured against a real server on a real socket).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from infobot.web import uploads
from tests.conftest import story_row, write_csv
from tests.web_support import PASSWORD, Site, follow, post, site_fixture, text_of

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from site_fixture(tmp_path)


def upload(browser: TestClient, path: Path, name: str = "stories.csv") -> httpx.Response:
    with path.open("rb") as handle:
        return post(browser, "/import", files={"file": (name, handle, "text/csv")})


def token_of(page: httpx.Response) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page.text)
    assert found, text_of(page.text)
    return found.group(1)


def confirm(browser: TestClient, token: str) -> httpx.Response:
    return post(browser, "/import/confirm", {"token": token}, token_from="/import")


def test_an_upload_shows_what_it_would_do_and_imports_only_when_confirmed(site: Site) -> None:
    site.approve(site.import_stories(1))  # "Story 1" is already in the queue
    browser = site.signed_in("Imogen", "editor")
    path = site.csv("new.csv", [story_row(1), story_row(2), story_row(3)])
    checked = upload(browser, path)
    assert checked.status_code == 200
    page = text_of(checked.text)
    assert "Stories to add 2 new, as drafts for review" in page
    assert "Already in the queue 1 (left as they are)" in page
    assert "Problems None" in page
    assert site.count("stories") == 1  # the check writes nothing
    assert site.count("events", "action = 'story.imported'") == 1

    done = confirm(browser, token_of(checked))
    assert done.headers["location"] == "/review"
    assert "added 2 new stories as drafts; 1 already in the queue" in text_of(
        follow(browser, done).text
    )
    assert site.count("stories") == 3
    again = confirm(browser, token_of(checked))  # the token is used up
    assert again.status_code == 400
    assert "upload the file again" in text_of(again.text)
    assert site.count("stories") == 3


def test_problems_are_listed_by_line_with_the_counts_and_nothing_can_be_imported(
    site: Site,
) -> None:
    browser = site.signed_in("Imogen", "editor")
    path = site.csv("mixed.csv", [story_row(1), story_row(2, consent_date="31/02/2026")])
    checked = upload(browser, path)
    assert checked.status_code == 400
    page = text_of(checked.text)
    assert "Stories to add 1" in page and "Problems 1, listed below by line" in page
    assert re.search(r"3 consent_date .*not a real date", page), page
    assert 'name="token"' not in checked.text  # no Import button
    assert site.count("stories") == 0


def test_a_check_is_bound_to_its_sign_in_and_expires(site: Site) -> None:
    imogen = site.signed_in("Imogen", "editor")
    checked = upload(imogen, site.csv("s.csv", [story_row(1)]))
    token = token_of(checked)
    # Another person, or the same person in another browser, cannot import it.
    for other in (site.signed_in("Sam", "approver"), site.signed_in("Imogen")):
        refused = confirm(other, token)
        assert refused.status_code == 400
        assert "another sign-in" in text_of(refused.text)
    assert site.count("stories") == 0
    # Past the hold time the held file is gone.
    site.clock.set(site.clock.now() + timedelta(seconds=uploads.HOLD_FOR + 1))
    expired = confirm(imogen, token)
    assert expired.status_code == 400
    assert "expired" in text_of(expired.text)
    assert site.count("stories") == 0


def test_import_checks_again_what_changed_since_the_check(site: Site) -> None:
    site.approve(site.import_stories(1))
    approver = site.signed_in("Alex", "approver")
    pinned = site.csv("pinned.csv", [story_row(7, pin_date="2026-12-10")])
    checked = upload(approver, pinned)
    assert "Stories to add 1" in text_of(checked.text)
    site.app.editorial().pin(1, __import__("datetime").date(2026, 12, 10), actor="Sam")
    refused = confirm(approver, token_of(checked))
    assert refused.status_code == 400
    assert "story #1 is already pinned to 2026-12-10" in text_of(refused.text)
    assert site.count("stories") == 1


def test_an_editor_cannot_pin_through_an_import_but_an_approver_can(site: Site) -> None:
    path = site.csv("pins.csv", [story_row(1, pin_date="2026-12-10"), story_row(2)])
    editor = site.signed_in("Eve", "editor")
    checked = upload(editor, path)
    assert checked.status_code == 400
    page = text_of(checked.text)
    assert re.search(r"2 pin_date only an approver can pin a story to a date", page), page
    assert 'name="token"' not in checked.text
    assert site.count("stories") == 0

    approver = site.signed_in("Alex", "approver")
    done = confirm(approver, token_of(upload(approver, path)))
    assert done.status_code == 303
    assert site.sql("SELECT pin_date FROM stories WHERE title = 'Story 1'") == [("2026-12-10",)]


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    browser = site.signed_in("Imogen", "editor")
    big = site.csv("big.csv", [story_row(n) for n in range(1, 40)])
    refused = upload(browser, big)
    assert refused.status_code == 400
    assert "over 0 MB" not in refused.text
    assert "the largest file infobot imports" in text_of(refused.text)
    assert site.count("stories") == 0


def test_a_file_that_takes_too_long_is_stopped(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "IMPORT_TIMEOUT", 0.01)
    browser = site.signed_in("Imogen", "editor")
    stopped = upload(browser, site.csv("s.csv", [story_row(1)]))
    assert stopped.status_code == 400
    assert "took longer than" in text_of(stopped.text)
    assert site.count("stories") == 0


# -- responsiveness, on a real socket ------------------------------------------------------
def _signed_in_client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    signed = client.post(
        "/login", data={"username": "Imogen", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed.status_code == 303, signed.text
    return client


def _csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/import").text)
    assert found
    return found.group(1)


def test_other_pages_answer_within_a_second_while_big_files_are_refused_or_read(
    tmp_path: Path,
) -> None:
    from infobot.web.server import start_in_thread
    from tests.browser.conftest import free_port

    port = free_port()
    site = Site(tmp_path, web_port=str(port), web_cookie_secure="false")
    try:
        site.approve(site.import_stories(3))
        site.add_user("Imogen", "editor")
        stop = start_in_thread(site.settings, site.app)
        base = f"http://127.0.0.1:{port}"
        uploader, reader = _signed_in_client(base), _signed_in_client(base)
        many = write_csv(
            tmp_path / "many.csv",
            [
                story_row(n, body=f"Story {n}: " + "shared records helped. " * 25)
                for n in range(4000)
            ],
        )
        fifty_mb = tmp_path / "stories.xlsx"
        fifty_mb.write_bytes(b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024))
        answers: dict[str, int] = {}

        def send() -> None:
            # 50 MB, streamed without a length: counted as it arrives, refused at the limit
            def chunks() -> Iterator[bytes]:
                with fifty_mb.open("rb") as handle:
                    head = (
                        '--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                        f"{_csrf(uploader)}\r\n--b\r\nContent-Disposition: form-data; "
                        'name="file"; filename="stories.xlsx"\r\n\r\n'
                    )
                    yield head.encode()
                    while block := handle.read(1024 * 1024):
                        yield block
                    yield b"\r\n--b--\r\n"

            try:
                big = uploader.post(
                    "/import",
                    content=chunks(),
                    headers={"content-type": "multipart/form-data; boundary=b"},
                )
                answers["50 MB"] = big.status_code
            except httpx.HTTPError:  # the server may close the connection at the limit
                answers["50 MB"] = 413
            with many.open("rb") as handle:
                checked = uploader.post(
                    "/import",
                    data={"csrf_token": _csrf(uploader)},
                    files={"file": ("many.csv", handle, "text/csv")},
                )
            answers["4,000 stories"] = checked.status_code

        worker = threading.Thread(target=send)
        worker.start()
        slowest = 0.0
        asked = 0
        while worker.is_alive():
            started = time.monotonic()
            page = reader.get("/queue")
            slowest = max(slowest, time.monotonic() - started)
            asked += 1
            assert page.status_code == 200
            time.sleep(0.1)
        worker.join()
        uploader.close()
        reader.close()
        stop()
        print(f"queue page: {asked} answers, slowest {slowest:.3f} s")
        assert answers == {"50 MB": 413, "4,000 stories": 200}, answers
        assert asked >= 3
        assert slowest < 1.0, f"the queue page took {slowest:.2f} s during the upload"
        assert site.count("stories") == 3  # a check writes nothing
    finally:
        site.close()
