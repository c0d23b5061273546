"""A story's image as every adapter reads it: from disk, its type from its first bytes
(never from its name), its size checked against the platform's limit before anything is
sent, its width and height read from the header, and its metadata (EXIF with GPS, XMP,
comments) taken out before it leaves (:mod:`infobot.platforms.metadata`).

The path comes from the service, which has already confined it to the media folder.

Every failure is a ``PermanentError`` naming the platform and the file (not its folder):
retrying cannot make an unreadable or oversized file postable.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from infobot.domain.errors import PermanentError

KINDS = "a PNG, JPEG, GIF, WebP or AVIF image"


@dataclass(frozen=True)
class Image:
    name: str  # the file name, without its folder
    data: bytes
    mime: str
    size: tuple[int, int] | None  # (width, height), when the header says


def read_image(path: str | Path, *, platform: str, who: str, max_bytes: int | None = None) -> Image:
    """Read and check the image at ``path`` for ``who`` (the platform as people name it)."""
    path = Path(path)
    name = path.name
    try:
        length = path.stat().st_size
        if max_bytes is not None and length > max_bytes:
            raise _too_big(name, length, max_bytes, platform, who)
        data = path.read_bytes()
    except OSError as exc:
        raise PermanentError(
            f"{who}: the image {name!r} cannot be read ({exc.strerror or type(exc).__name__});"
            " nothing was sent",
            platform=platform,
        ) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes, platform, who)
    mime = sniff(data)
    if mime is None:
        raise PermanentError(
            f"{who}: {name!r} is not {KINDS}, so {who} cannot show it", platform=platform
        )
    from infobot.platforms.metadata import strip

    data = strip(data, mime)
    return Image(name, data, mime, dimensions(data, mime))


def _too_big(name: str, size: int, limit: int, platform: str, who: str) -> PermanentError:
    return PermanentError(
        f"{who}: the image {name!r} is {size:,} bytes but {who} accepts at most {limit:,}"
        f" bytes (about {limit / 1_048_576:.1f} MB): please use a smaller image (resize or"
        " compress it) and try again",
        platform=platform,
    )


def sniff(data: bytes) -> str | None:
    """The MIME type from the file's signature, or None for anything but the five kinds."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


_JPEG_SOF = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)


def dimensions(data: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF or JPEG header, or None. JPEG EXIF orientation is
    not applied (a rotated photo gets the stored, unrotated ratio)."""
    try:
        if mime == "image/png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
        elif mime == "image/gif":
            width, height = struct.unpack("<HH", data[6:10])
        elif mime == "image/jpeg":
            width, height = _jpeg_size(data)
        else:
            return None
    except struct.error:
        return None
    if width < 1 or height < 1:
        return None
    return int(width), int(height)


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            i += 2
        else:
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    return 0, 0
