"""Pictures checked and cleaned with Pillow: the type from the content (never the name),
a cap on bytes and pixels, and a re-encoding that keeps the pixels and nothing else.

A picture that comes in (an upload on the web page, the share form, ``infobot media add``)
is decoded, turned upright (its EXIF orientation applied), scaled down to at most
:data:`LONGEST_SIDE` pixels a side (so every platform takes it) and saved again with no
metadata at all: no EXIF (GPS, camera, time), XMP, IPTC, comments or text chunks.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

#: Pillow's format names infobot takes, and the kind of file each becomes.
KINDS: dict[str, tuple[str, str]] = {
    "JPEG": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "GIF": ("PNG", ".png"),  # the first frame
    "WEBP": ("PNG", ".png"),
}
KIND_WORDS = "a PNG, JPEG, GIF or WebP picture"
#: Most pixels a picture may have before it is decoded (a small file can expand hugely).
MAX_PIXELS = 60_000_000
#: Longest side, in pixels, of a picture once cleaned (Bluesky shows 2,000).
LONGEST_SIDE = 2_000
JPEG_QUALITY = 85


class NotAPicture(ValueError):
    """The content is not a picture infobot takes; the message is for people."""


@dataclass(frozen=True)
class Picture:
    data: bytes
    extension: str  # ".jpg" or ".png"
    width: int
    height: int

    @property
    def name(self) -> str:
        """A name made from the content: the same picture always gets the same name."""
        return hashlib.sha256(self.data).hexdigest()[:32] + self.extension


def _open(source: bytes | IO[bytes]) -> PILImage:
    from PIL import Image, UnidentifiedImageError

    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning):
        raise NotAPicture(f"it is not {KIND_WORDS} (checked from its content)") from None
    except Image.DecompressionBombError:
        raise NotAPicture(_too_many_pixels()) from None
    if image.format not in KINDS:
        image.close()
        raise NotAPicture(f"it is not {KIND_WORDS} (checked from its content)")
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        image.close()
        raise NotAPicture(_too_many_pixels())
    return image


def _too_many_pixels() -> str:
    return f"it has more than {MAX_PIXELS // 1_000_000} million pixels; use a smaller picture"


def identify(source: bytes | IO[bytes]) -> str:
    """The picture's format from its header (nothing is decoded); ``NotAPicture`` if none."""
    image = _open(source)
    try:
        return str(image.format)
    finally:
        image.close()


def clean(data: bytes) -> Picture:
    """Decode, turn upright, scale down and save again without any metadata."""
    from PIL import Image, ImageOps

    image = _open(data)
    try:
        kind, extension = KINDS[str(image.format)]
        try:
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image) or image
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise NotAPicture("the picture is damaged or incomplete; try saving it again") from None
        if max(upright.size) > LONGEST_SIDE:
            upright = upright.copy()
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if kind == "JPEG":
            pixels = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
            pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            wanted = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            pixels = upright.convert(wanted) if upright.mode not in ("RGB", "RGBA") else upright
            pixels.save(out, format="PNG", optimize=True)
        width, height = pixels.size
    finally:
        image.close()
    return Picture(out.getvalue(), extension, width, height)
