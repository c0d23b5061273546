"""The media folder: the only place a story's picture may come from.

A story names its picture by its path inside the folder (``INFOBOT_MEDIA_DIR``), such as
``nurse.jpg``; the folder is the boundary. A name that is absolute, holds ``..`` or starts
with ``~``, or whose real path (symbolic links followed) leaves the folder, is refused
with the very message a missing file gets, so that no answer tells whether a file exists
elsewhere on the computer. A picture's type is read from its content with Pillow, never
from its name, and its size is capped.

The domain's validation (:func:`infobot.domain.validate.validate_record`) does no I/O; it
asks an :class:`~infobot.domain.validate.ImageCheck` about a picture named by a local path.
:class:`LocalPictures` is the real one. Pictures that come in (an upload, the share form,
``infobot media add``) are cleaned by :mod:`infobot.service.imaging` and stored under a
name made from their content.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import IO, Any

from infobot.domain.errors import UserError
from infobot.domain.validate import ImageCheck
from infobot.domain.validate.characters import _show
from infobot.service.imaging import NotAPicture, Picture, clean, identify

__all__ = ["LocalPictures", "MediaFolder", "local_pictures"]

MB = 1024 * 1024


def _megabytes(size: int) -> str:
    """A size as people read it: 10 MB, 2.5 MB, 0.1 MB."""
    text = f"{size / MB:.1f}".removesuffix(".0")
    return f"{text} MB"


def media_folder(settings: Any) -> MediaFolder:
    """The folder of the stories' pictures (``INFOBOT_MEDIA_DIR``) for ``settings`` (the
    ``Settings`` or the light settings of a campaign)."""
    from infobot.settings_checks import default_media_dir

    root = settings.media_dir or default_media_dir(settings.database_url)
    return MediaFolder(root, settings.media_max_bytes)


class MediaFolder:
    """The folder of the stories' pictures, and the rules for naming a picture in it."""

    def __init__(self, root: Path, max_bytes: int = 10 * MB) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    # -- naming ------------------------------------------------------------------------
    @staticmethod
    def normal_name(text: str) -> str | None:
        """The name as a clean relative path (``./a.jpg`` is ``a.jpg``), or None for a name
        that could point outside the folder (absolute, ``..``, ``~``, a drive, a NUL)."""
        if not text or text.startswith("~") or "\x00" in text:
            return None
        path = PurePosixPath(text.replace("\\", "/"))
        parts = [p for p in path.parts if p not in ("", ".")]
        if path.is_absolute() or not parts or ".." in parts or ":" in parts[0]:
            return None
        return "/".join(parts)

    def locate(self, text: str) -> Path | None:
        """The real path of the picture named ``text``: a file inside the folder once every
        symbolic link is followed, or None (missing and forbidden alike)."""
        name = self.normal_name(text)
        if name is None:
            return None
        try:
            root = self.root.resolve()
            real = (root / name).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, a loop of links, unreadable
            return None
        if not real.is_relative_to(root) or not real.is_file():
            return None
        return real

    def unknown(self, text: str) -> str:
        """The one message for a picture that is missing, outside the folder or forbidden."""
        return (
            f"'{_show(text)}' is not a picture in the media folder: put the picture there "
            "(or upload it on the story's page) and give its name in that folder, such as "
            "nurse.jpg"
        )

    # -- checking ----------------------------------------------------------------------
    def problem(self, path: Path, text: str) -> str | None:
        """What is wrong with the picture at ``path`` (inside the folder), if anything."""
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                return (
                    f"'{_show(text)}' is {_megabytes(size)}; a picture may be at most "
                    f"{_megabytes(self.max_bytes)}"
                )
            with path.open("rb") as handle:
                identify(handle)
        except NotAPicture as exc:
            return f"'{_show(text)}' cannot be used: {exc}"
        except OSError:
            return self.unknown(text)
        return None

    def check(self, text: str) -> tuple[str, str | None]:
        """An :class:`ImageCheck`: the name to store and the problem, if any."""
        path = self.locate(text)
        if path is None:
            return text, self.unknown(text)
        return self.normal_name(text) or text, self.problem(path, text)

    def path_for(self, name: str) -> Path:
        """The file to post for a story's picture, checked again as it is about to go."""
        path = self.locate(name)
        problem = self.unknown(name) if path is None else self.problem(path, name)
        if path is None or problem is not None:
            raise UserError(f"the story's image {problem}")
        return path

    # -- adding ------------------------------------------------------------------------
    def read_limited(self, stream: IO[bytes]) -> bytes:
        """Read an upload, refusing it as soon as it passes the size cap."""
        data = stream.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise UserError(self.too_big_message())
        return data

    @property
    def limit_words(self) -> str:
        """The largest picture taken, as people read it ("10 MB")."""
        return _megabytes(self.max_bytes)

    def too_big_message(self) -> str:
        return f"the picture is too big: choose one smaller than {_megabytes(self.max_bytes)}"

    def add(self, data: bytes) -> str:
        """Check, clean and store a picture; its name in the folder (made from its content,
        so adding the same picture twice stores it once)."""
        if len(data) > self.max_bytes:
            raise UserError(self.too_big_message())
        try:
            picture = clean(data)
        except NotAPicture as exc:
            raise UserError(f"the file cannot be used as a picture: {exc}") from None
        return self.store(picture)

    def store(self, picture: Picture) -> str:
        """Write a cleaned picture under its content name (atomically); its name."""
        folder = self.root
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / picture.name
        if target.is_file() and not target.is_symlink():
            return picture.name
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(picture.data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return picture.name

    def delete(self, name: str) -> bool:
        """Remove a picture from the folder (after its story's erasure); False if absent."""
        path = self.locate(name)
        if path is None:
            return False
        path.unlink(missing_ok=True)
        return True


class LocalPictures:
    """The :class:`ImageCheck` for one import: each name is looked for once."""

    def __init__(self, media: MediaFolder | None) -> None:
        self.media = media
        self._seen: dict[str, tuple[str, str | None]] = {}

    def __call__(self, text: str) -> tuple[str, str | None]:
        found = self._seen.get(text)
        if found is None:
            if self.media is None:
                found = (text, f"'{_show(text)}' cannot be looked for: no media folder is set")
            else:
                found = self.media.check(text)
            self._seen[text] = found
        return found


def local_pictures(media: MediaFolder | None) -> ImageCheck:
    """A check for a single record, looked for afresh."""
    return LocalPictures(media)
