"""What the text formats (YAML, JSON, Markdown) share: turning a file's bytes into text.

The file's size is checked against its format's limit before it is read (see
:data:`infobot.service.importers.LIMITS`), so a huge file is refused with a message that
names the limit instead of being read into memory whole.
"""

from __future__ import annotations

from infobot.domain.errors import Problem

__all__ = ["SAVE_AS_UTF8", "decode_utf8", "not_utf8", "utf16"]

SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: Save As › Encoding › UTF-8)"


def utf16(display: str) -> Problem:
    """The problem of a file saved as UTF-16 (it starts with a UTF-16 byte-order mark)."""
    return Problem(display, 1, "file", f"this file is saved as UTF-16, not UTF-8; {SAVE_AS_UTF8}")


def not_utf8(display: str, line: int, column: int, byte: int) -> Problem:
    """The problem of ``byte``, at byte ``column`` of ``line``, that is not UTF-8."""
    return Problem(
        display,
        line,
        "file",
        f"byte 0x{byte:02X} (byte {column} of the line) is not valid UTF-8; " + SAVE_AS_UTF8,
    )


def decode_utf8(data: bytes, display: str) -> str | Problem:
    """The file's text, or a problem naming the line and the first byte that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return utf16(display)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return not_utf8(display, line, column, data[exc.start])
