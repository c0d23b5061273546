"""Pictures on this computer: the filesystem side of checking a story's image.

The domain's validation (:func:`infobot.domain.validate.validate_record`) does no I/O; it
asks an :class:`~infobot.domain.validate.ImageCheck` whether a picture named by a local path
is there. This module provides the real one.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from infobot.domain.validate import (
    IMAGE_EXTENSIONS,
    ImageCheck,
    no_image_file_message,
    not_a_picture_message,
)

__all__ = ["LocalPictures", "local_pictures"]


@functools.lru_cache(maxsize=1024)
def _resolve(base_dir: Path | None, text: str) -> tuple[str, bool]:
    """Absolute path of an image named relative to ``base_dir``; whether it is a picture."""
    base = os.path.abspath(base_dir) if base_dir is not None else os.getcwd()
    resolved = os.path.normpath(os.path.join(base, os.path.expanduser(text)))
    return resolved, os.path.splitext(resolved)[1].lower() in IMAGE_EXTENSIONS


class LocalPictures:
    """Looks for pictures on disk, remembering whether each path is a file.

    Use one for one import, so that a picture shared by many stories is looked for once.
    """

    def __init__(self) -> None:
        self._is_file: dict[str, bool] = {}
        self._last: tuple[Path | None, ImageCheck] | None = None

    def under(self, base_dir: Path | None = None) -> ImageCheck:
        """The check for paths relative to ``base_dir`` (the story file's folder), or to the
        working directory when it is ``None``."""
        last = self._last
        if last is not None and last[0] is base_dir:  # the records of one file: one check
            return last[1]
        check = functools.partial(self._check, base_dir)
        self._last = (base_dir, check)
        return check

    def _check(self, base_dir: Path | None, text: str) -> tuple[str, str | None]:
        if base_dir is not None and base_dir.is_absolute():
            resolved, picture = _resolve(base_dir, text)
        else:  # relative to the working directory, which may change: not cached
            resolved, picture = _resolve.__wrapped__(base_dir, text)
        if not picture:
            return resolved, not_a_picture_message(text)
        found = self._is_file.get(resolved)
        if found is None:
            found = self._is_file[resolved] = os.path.isfile(resolved)
        if not found:
            return resolved, no_image_file_message(resolved)
        return resolved, None


def local_pictures(base_dir: Path | None = None) -> ImageCheck:
    """A check for a single record: paths relative to ``base_dir`` (default: the working
    directory), looked for afresh."""
    return LocalPictures().under(base_dir)
