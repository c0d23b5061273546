"""What the import speed-ups must not change: fingerprints, address checks, stored JSON."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from infobot.domain.story import StoryInput, _norm
from infobot.domain.validate import validate_record
from infobot.domain.validate.values import _web_address
from infobot.service import audit
from infobot.service.importing import _imported_after_json
from infobot.service.media import LocalPictures, MediaFolder, local_pictures
from tests.support.pictures import png

# Computed with the code as it was before the speed-ups: existing databases hold these.
KNOWN_FINGERPRINTS = [
    (
        StoryInput(body="Hello world"),
        "47c91320341936af7787756a953d98f845cfe8f36221bbef47ffe3bd33f772cd",
    ),
    (
        StoryInput(body="  Two  spaces\n\nand lines\t tab ", author="Zoë Byrne", title="Café"),
        "1c2f13ccc6be566935a3f96db901b31bb3d5b822ae3deab9b253ee04bfb8f53f",
    ),
    (
        StoryInput(
            body="Cafe\u0301 decomposed\u00a0nbsp\u2028sep", author="A\x1fB", title="x\x1cy"
        ),
        "d04bda3ed4217eb88e4b6594cfdbdea9359a3e3141bb7ebf11dadb30be4979b7",
    ),
    (
        StoryInput(body="ﬁ ligature Ω ohm \u212b angstrom", author="", title="  "),
        "05c5c7967fbb81b0fc9ae00025e970bdfe85071a21087eb7399602bafaa784c2",
    ),
    (
        StoryInput(body="emoji 👩🏽\u200d⚕️ and ｆｕｌｌ width", author="O'Neill", title="T"),
        "d7d8e696238b5c1511ac7870d5935670f4601e681d2f3acfc516745e4014ad13",
    ),
]


@pytest.mark.parametrize(("story", "expected"), KNOWN_FINGERPRINTS)
def test_fingerprints_are_unchanged(story: StoryInput, expected: str) -> None:
    assert story.fingerprint() == expected


def _norm_by_definition(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_norm_matches_its_definition() -> None:
    pieces = [
        "a", "b", " ", "  ", "\t", "\n", "\r", "\x1c", "\x1f", "\x85", "\xa0", "\u2028",
        "\u3000", "e\u0301", "\u212b", "ﬁ", "Zoë", "👩🏽\u200d⚕️", "",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _norm(text) == _norm_by_definition(text), repr(text)


def test_only_the_ascii_space_is_printable_whitespace() -> None:
    """What the fast path of ``_norm`` relies on."""
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert [c for c in spaces if c.isprintable()] == [" "]


_WHITESPACE = re.compile(r"\s")
_NETLOC_END = re.compile(r"[/?#]")
_HOST = re.compile(r"(?:[^\s/?#:@\[\]]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def _web_address_by_parts(text: str, *, https_only: bool) -> bool:
    """The step-by-step definition the one-pass ``_web_address`` must match."""
    head = text[:8].lower()
    if head == "https://":
        rest = text[8:]
    elif head.startswith("http://") and not https_only:
        rest = text[7:]
    else:
        return False
    if _WHITESPACE.search(text):
        return False
    netloc = _NETLOC_END.split(rest, maxsplit=1)[0]
    host = netloc.rpartition("@")[2]
    return _HOST.fullmatch(host) is not None


def test_web_address_matches_its_definition() -> None:
    alphabet = [
        *"hHtTpPsS:/?#@[]:.0123456789abcfAF-_ \t\n\u00a0\u2028ſK%",
        *("https://", "http://", "HTTPS://", "@", "[::1]", ":80", ":123456", "example.org"),
    ]
    rng = random.Random(1)
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.7:
            text = rng.choice(["https://", "http://", "HTTPS://", "hTtP://"]) + text
        for https_only in (True, False):
            assert _web_address(text, https_only=https_only) == _web_address_by_parts(
                text, https_only=https_only
            ), (text, https_only)


@pytest.mark.parametrize(
    "source",
    ["stories.csv:2", 'Zoë "quoted" \\ path\n\t:7', "\udcff\u2028\x00\x7f:3", "", "€ ✓ 👩🏽:9"],
)
def test_imported_event_json_is_unchanged(source: str) -> None:
    after = _imported_after_json()
    assert after(source) == audit.to_json({"source": source, "status": "draft"})


def test_image_cache_gives_the_same_answers(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(png())
    media = MediaFolder(tmp_path)
    cache = LocalPictures(media)
    for image in ["a.jpg", "a.jpg", "missing.jpg", "missing.jpg", "a.txt", "./a.jpg"]:
        raw = {"body": "b", "consent_by": "c", "consent_date": "2026-01-02"}
        raw |= {"image": image, "image_alt": "alt"}
        cached = validate_record(raw, file="f.csv", line=2, images=cache)
        plain = validate_record(raw, file="f.csv", line=2, images=local_pictures(media))
        assert cached == plain
