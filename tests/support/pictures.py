"""Real pictures made with Pillow for the tests: small, and with metadata when asked."""

from __future__ import annotations

import io

from PIL import Image

#: What the GPS block of :func:`jpeg_with_gps` says, and the camera's maker.
LATITUDE = (51.0, 30.0, 26.0)
CAMERA = "SpyCam 3000"


def png(width: int = 32, height: int = 24, colour: tuple[int, int, int] = (29, 112, 184)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A JPEG whose EXIF names the camera and holds a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x8825] = {1: "N", 2: LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)}  # GPSInfo
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 20)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    """Whether the bytes carry EXIF (or the camera's name or GPS block) anywhere."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        gps = exif.get_ifd(0x8825) if exif else {}
    return bool(exif) or bool(gps) or CAMERA.encode() in data or b"Exif\x00" in data
