"""Metadata out of a picture before it leaves for a platform: EXIF (GPS, camera, time),
XMP, IPTC, comments and text chunks.

Pictures uploaded through infobot are re-encoded without metadata on the way in
(``infobot.service.imaging``); one put into the media folder by hand may still carry it,
so every adapter's image passes through :func:`strip` too. JPEG, PNG, WebP and GIF are
rewritten chunk by chunk, losslessly (the pixels are not decoded); anything else, or a file
whose structure does not parse, is re-encoded with Pillow.
"""

from __future__ import annotations

import io
import struct

__all__ = ["strip"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROP = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"})
_WEBP_DROP = frozenset({b"EXIF", b"XMP "})
_GIF_KEEP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


class _Unparsed(ValueError):
    pass


def strip(data: bytes, mime: str) -> bytes:
    """The picture without its metadata (``mime`` as sniffed from its first bytes)."""
    try:
        if mime == "image/jpeg":
            return _jpeg(data)
        if mime == "image/png":
            return _png(data)
        if mime == "image/webp":
            return _webp(data)
        if mime == "image/gif":
            return _gif(data)
    except (_Unparsed, IndexError, struct.error):
        pass
    return _reencode(data)


def _jpeg(data: bytes) -> bytes:
    """Keep the segments a decoder needs (and JFIF, an ICC profile, Adobe's colour
    transform); drop APP1 (EXIF, XMP), the other APPn, comments, and anything after the
    end of the image (a second picture with its own EXIF, as multi-picture files carry)."""
    if not data.startswith(b"\xff\xd8"):
        raise _Unparsed
    out = bytearray(b"\xff\xd8")
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise _Unparsed
        while data[i] == 0xFF:  # fill bytes
            i += 1
        marker = data[i]
        i += 1
        if marker == 0xDA:  # start of scan: the image data up to the end of the image
            end = data.find(b"\xff\xd9", i)
            if end < 0:
                raise _Unparsed
            out += b"\xff\xda" + data[i : end + 2]
            return bytes(out)
        if marker == 0xD9:
            raise _Unparsed  # no image data at all
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            out += bytes((0xFF, marker))
            continue
        (length,) = struct.unpack(">H", data[i : i + 2])
        segment = data[i : i + length]
        if len(segment) != length or length < 2:
            raise _Unparsed
        i += length
        keep = (
            marker == 0xE0
            or marker == 0xEE
            or (marker == 0xE2 and segment[2:14] == b"ICC_PROFILE\x00")
            or not (0xE0 <= marker <= 0xEF or marker == 0xFE)
        )
        if keep:
            out += bytes((0xFF, marker)) + segment
    raise _Unparsed


def _png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise _Unparsed
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise _Unparsed
        if kind not in _PNG_DROP:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)
    raise _Unparsed


def _webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise _Unparsed
    chunks = bytearray()
    i = 12
    end = min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while i + 8 <= end:
        kind = data[i : i + 4]
        (size,) = struct.unpack("<I", data[i + 4 : i + 8])
        stop = i + 8 + size + (size & 1)
        if i + 8 + size > end:
            raise _Unparsed
        chunk = bytearray(data[i:stop])
        if kind == b"VP8X":
            chunk[8] &= ~0x0C & 0xFF  # the EXIF and XMP flags
        if kind not in _WEBP_DROP:
            chunks += chunk
        i = stop
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def _gif(data: bytes) -> bytes:
    """Drop comment blocks and application blocks other than animation loops (XMP)."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise _Unparsed
    flags = data[10]
    i = 13 + (3 * (2 ** ((flags & 7) + 1)) if flags & 0x80 else 0)
    out = bytearray(data[:i])
    while i < len(data):
        introducer = data[i]
        if introducer == 0x3B:  # trailer
            out.append(0x3B)
            return bytes(out)
        start = i
        if introducer == 0x2C:  # an image: descriptor, colour table, LZW code size, data
            packed = data[i + 9]
            i += 10 + (3 * (2 ** ((packed & 7) + 1)) if packed & 0x80 else 0) + 1
            i = _sub_blocks(data, i)
            out += data[start:i]
        elif introducer == 0x21:
            label = data[i + 1]
            i = _sub_blocks(data, i + 2)
            app = data[start + 3 : start + 14]
            if label != 0xFE and (label != 0xFF or app in _GIF_KEEP_APPS):
                out += data[start:i]
        else:
            raise _Unparsed
    raise _Unparsed


def _sub_blocks(data: bytes, i: int) -> int:
    while True:
        size = data[i]
        i += 1 + size
        if size == 0:
            return i
        if i > len(data):
            raise _Unparsed


def _reencode(data: bytes) -> bytes:
    """Decode and save again in the same format, without metadata (AVIF, odd files).
    Bytes Pillow cannot read are returned as they are: the platform will refuse them."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or "PNG"
                image.load()
                out = io.BytesIO()
                clean = image.copy()
                clean.info = {}
                clean.save(out, format=kind)
                return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return data
    except Image.DecompressionBombWarning:
        return data
