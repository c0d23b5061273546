"""Bluesky link cards: the title, description and picture of the page a story links to.

Bluesky shows no preview of a link by itself: the post must carry an
``app.bsky.embed.external`` card (uri, title, description, an optional thumbnail blob of
at most 1,000,000 bytes). The card is read **when the story is approved**, not when it is
posted, and kept with the story, so the daily post never waits on (or fails because of)
someone else's web site.

``LinkCards.fetch(url)`` reads the page through ``GuardedHttp`` (short timeouts, one time
budget for the page and its picture together, at most 1 MiB of the page read, at most
5 MiB of the picture, no private, loopback or link-local addresses at any redirect hop),
takes the Open Graph tags (``og:title``, ``og:description``, ``og:image``; then Twitter's
tags; then ``<title>`` and ``<meta name="description">``), and makes a thumbnail of the
picture with Pillow: turned upright, resized and re-encoded as JPEG (PNG when it has
transparency and fits), metadata dropped, at most 1,000,000 bytes.

It never raises: a page that cannot be used gives a ``LinkCardWarning`` ("the page could
not be read: …; the post will go out without a card"); a picture that cannot be used
gives a card without a thumbnail, and the reason in ``LinkCard.notes``.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from infobot.clock import Clock
from infobot.service.webfetch import FetchLimits, FetchRefused, GuardedHttp

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "MAX_THUMB_BYTES",
    "LinkCard",
    "LinkCardWarning",
    "LinkCards",
    "from_json",
    "make_thumbnail",
    "read_meta",
    "to_json",
]

MAX_THUMB_BYTES = 1_000_000  # app.bsky.embed.external#external thumb: maxSize 1000000
MAX_PAGE_BYTES = 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a bigger picture is refused before it is decoded
TITLE_MAX = 300  # characters kept; longer titles are cut at a word with "…"
DESCRIPTION_MAX = 1000
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})


@dataclass(frozen=True)
class LinkCard:
    url: str  # the link as the post has it: the card's uri
    title: str
    description: str
    thumb_bytes: bytes | None  # JPEG or PNG, at most MAX_THUMB_BYTES; None for no picture
    thumb_mime: str  # "image/jpeg", "image/png", or "" with no picture
    fetched_at: datetime
    image_url: str = ""  # where the picture came from (for the preview)
    notes: tuple[str, ...] = ()  # plain reasons the card lacks something (the picture)

    @property
    def uri(self) -> str:
        """The card's ``uri``: the link with ``https://`` added to a bare domain."""
        return self.url if "://" in self.url else f"https://{self.url}"


@dataclass(frozen=True)
class LinkCardWarning:
    url: str
    reason: str  # a plain phrase: "the site took too long to answer"
    fetched_at: datetime

    @property
    def message(self) -> str:
        return f"the page could not be read: {self.reason}; the post will go out without a card"


class LinkCards:
    """Builds link cards. Collaborators come in through the constructor; ``http`` may be
    given (tests pass one with ``resolver``/``connector``), else one is made from the
    limits and ``allow_private`` (off except in tests)."""

    def __init__(
        self,
        clock: Clock,
        *,
        http: GuardedHttp | None = None,
        allow_private: bool = False,
        limits: FetchLimits | None = None,
        max_page_bytes: int = MAX_PAGE_BYTES,
        max_image_bytes: int = MAX_IMAGE_BYTES,
        max_thumb_bytes: int = MAX_THUMB_BYTES,
    ) -> None:
        self.clock = clock
        self.http = http or GuardedHttp(limits=limits, allow_private=allow_private)
        self.max_page_bytes = max_page_bytes
        self.max_image_bytes = max_image_bytes
        self.max_thumb_bytes = max_thumb_bytes

    def fetch(self, url: str) -> LinkCard | LinkCardWarning:
        """The card for ``url`` (a bare domain is read as https), or why there is none."""
        fetched_at = self.clock.now()
        address = url if "://" in url else f"https://{url}"
        deadline = self.http.deadline()
        try:
            page = self.http.request(
                "GET",
                address,
                max_bytes=self.max_page_bytes,
                truncate=True,
                headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
                deadline=deadline,
            )
        except FetchRefused as exc:
            return LinkCardWarning(url, exc.reason, fetched_at)
        except Exception as exc:  # never let a web site break approval
            return LinkCardWarning(url, f"unexpected error ({type(exc).__name__})", fetched_at)
        if page.content_type not in _PAGE_TYPES:
            return LinkCardWarning(
                url, f"the link is not a web page (it is {page.content_type})", fetched_at
            )
        meta = read_meta(page.body, page.charset)
        title = _clip(meta.get("og:title") or meta.get("twitter:title") or meta["title"], TITLE_MAX)
        description = _clip(
            meta.get("og:description")
            or meta.get("twitter:description")
            or meta.get("description", ""),
            DESCRIPTION_MAX,
        )
        if not title and not description:
            return LinkCardWarning(
                url, "the page has no title or description (no og:title or <title>)", fetched_at
            )
        image = _image_address(meta, page.url)
        thumb: bytes | None = None
        mime = ""
        notes: tuple[str, ...] = ()
        if image:
            thumb, mime, problem = self._thumbnail(image, deadline)
            if problem:
                notes = (f"the picture could not be used: {problem}; the card has no picture",)
        return LinkCard(
            url=url,
            title=title or (urlsplit(page.url).hostname or ""),
            description=description,
            thumb_bytes=thumb,
            thumb_mime=mime,
            fetched_at=fetched_at,
            image_url=image,
            notes=notes,
        )

    def _thumbnail(self, image: str, deadline: float) -> tuple[bytes | None, str, str]:
        try:
            got = self.http.request(
                "GET",
                image,
                max_bytes=self.max_image_bytes,
                headers={"Accept": "image/*"},
                deadline=deadline,
            )
        except FetchRefused as exc:
            return None, "", exc.reason
        if not got.content_type.startswith("image/"):
            return None, "", f"it is not a picture (the site says {got.content_type or 'nothing'})"
        try:
            data, mime = make_thumbnail(got.body, self.max_thumb_bytes)
        except ValueError as exc:
            return None, "", str(exc)
        return data, mime, ""


def to_json(result: LinkCard | LinkCardWarning) -> str:
    """The card (thumbnail in base64) or the warning as JSON, to keep with the story."""
    data: dict[str, object] = {
        "url": result.url,
        "fetched_at": result.fetched_at.isoformat(),
    }
    if isinstance(result, LinkCardWarning):
        data["warning"] = result.reason
    else:
        data.update(
            title=result.title,
            description=result.description,
            thumb=base64.b64encode(result.thumb_bytes).decode() if result.thumb_bytes else None,
            thumb_mime=result.thumb_mime,
            image_url=result.image_url,
            notes=list(result.notes),
        )
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> LinkCard | LinkCardWarning:
    """What ``to_json`` wrote. Raises ValueError on anything else."""
    try:
        data = json.loads(text)
        fetched_at = datetime.fromisoformat(data["fetched_at"])
        if "warning" in data:
            return LinkCardWarning(str(data["url"]), str(data["warning"]), fetched_at)
        thumb = data.get("thumb")
        return LinkCard(
            url=str(data["url"]),
            title=str(data["title"]),
            description=str(data["description"]),
            thumb_bytes=base64.b64decode(thumb, validate=True) if thumb else None,
            thumb_mime=str(data.get("thumb_mime", "")),
            fetched_at=fetched_at,
            image_url=str(data.get("image_url", "")),
            notes=tuple(str(note) for note in data.get("notes", ())),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise ValueError(f"not a stored link card: {exc}") from None


# --------------------------------------------------------------------------- the page


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self.title: list[str] = []
        self._in_title = False
        self._had_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {k.lower(): v or "" for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values:
                self.found.setdefault(key, values["content"])
        elif tag == "title" and not self._had_title:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._had_title = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def read_meta(body: bytes, charset: str = "") -> dict[str, str]:
    """The page's ``<meta>`` values by lower-case property or name (the first of each),
    and ``"title"``: the text of its first ``<title>`` ("" when it has none)."""
    text = body.decode(_encoding(body, charset), errors="replace")
    end = _HEAD_END.search(text)
    parser = _Meta()
    parser.feed(text[: end.start()] if end else text)
    parser.close()
    found = {k: _clean(v) for k, v in parser.found.items()}
    found["title"] = _clean("".join(parser.title))
    return found


def _image_address(meta: dict[str, str], page_url: str) -> str:
    for key in ("og:image:secure_url", "og:image", "og:image:url", "twitter:image"):
        value = meta.get(key, "")
        if value:
            address = urljoin(page_url, value)
            if urlsplit(address).scheme in ("http", "https"):
                return address
    return ""


_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _encoding(body: bytes, charset: str) -> str:
    for name in (charset, _sniffed(body), "utf-8"):
        if name:
            try:
                "".encode(name)
            except LookupError:
                continue
            return name
    return "utf-8"


def _sniffed(body: bytes) -> str:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii").lower() if m else ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


# --------------------------------------------------------------------------- the picture


def make_thumbnail(
    data: bytes, max_bytes: int = MAX_THUMB_BYTES, max_side: int = 1600
) -> tuple[bytes, str]:
    """``data`` as a thumbnail of at most ``max_bytes``: (bytes, media type).

    Turned upright by its EXIF orientation, no side over ``max_side`` pixels, re-encoded
    without any metadata (EXIF, ICC profile, text chunks). PNG when the picture has
    transparency and the PNG fits; JPEG otherwise, at lower quality and then smaller size
    until it fits. Raises ValueError with a plain reason when it cannot be done.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.width * picture.height > MAX_PIXELS:
                raise ValueError(f"it has too many pixels ({picture.width} × {picture.height})")
            picture.draft("RGB", (max_side, max_side))  # JPEG: decode at a smaller scale
            picture.seek(0)
            picture.load()
            upright = ImageOps.exif_transpose(picture)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError("it is not a picture infobot can read") from None
    except (OSError, SyntaxError, EOFError):
        raise ValueError("the picture file is damaged or cut short") from None
    transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    rgb = upright.convert("RGBA" if transparent else "RGB")
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    rgb.info = {}
    if transparent:
        png = _encode(rgb, "PNG")
        if len(png) <= max_bytes:
            return png, "image/png"
        flat = Image.new("RGB", rgb.size, (255, 255, 255))
        flat.paste(rgb, mask=rgb.getchannel("A"))
        rgb = flat
    for _ in range(12):
        for quality in (85, 75, 65):
            jpeg = _encode(rgb, "JPEG", quality=quality)
            if len(jpeg) <= max_bytes:
                return jpeg, "image/jpeg"
        if min(rgb.size) <= 64:
            break
        rgb = rgb.resize(
            (max(1, rgb.width * 3 // 4), max(1, rgb.height * 3 // 4)), Image.Resampling.LANCZOS
        )
    raise ValueError(f"it could not be made smaller than {max_bytes:,} bytes")


def _encode(picture: Image.Image, fmt: str, **options: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, optimize=True, **options)
    return out.getvalue()
