"""No configured secret ever reached what the program printed or logged in this run.

This file runs last (see ``conftest.pytest_collection_modifyitems``) and reads the
transcript that every earlier test fed (``tests/support/transcript.py``).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import transcript


def test_the_scanner_finds_a_planted_secret() -> None:
    texts = ["nothing here", "Authorization: Bearer tok-planted-9876 sent"]
    assert transcript.leaks(texts, {"tok-planted-9876"})
    assert transcript.leaks(texts, {"tok-absent-1234"}) == []
    assert "tok-planted-9876" not in transcript.leaks(texts, {"tok-planted-9876"})[0]


def test_subprocess_output_is_in_the_transcript() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "print('tee-marker-5521')"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert any("tee-marker-5521" in text for text in transcript.RECORDED)


def test_no_secret_in_anything_the_suite_printed_or_logged() -> None:
    if not transcript.SECRETS:
        pytest.skip("no test in this run configured a secret (run the whole suite)")
    hits = transcript.leaks()
    assert not hits, "\n".join(hits)
    print(
        f"scanned {len(transcript.RECORDED)} outputs "
        f"({sum(map(len, transcript.RECORDED)) / 1e6:.1f} MB) "
        f"for {len(transcript.SECRETS)} secrets: none found"
    )
