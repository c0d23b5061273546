"""The saved Bluesky login session: tokens (never the app password) in a private file.

``createSession`` is rate-limited (30 per 5 minutes, 300 a day), so the adapter keeps the
SDK's session string and reuses it. The file is JSON (``{"about", "handle", "did",
"session"}``), mode 0600, replaced atomically; a bare session string (older files) is read
too. A session for another handle than the configured one is ignored.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger("infobot.platforms.bluesky")


class SessionFile:
    def __init__(self, path: Path, handle: str) -> None:
        self.path = Path(path)
        self.handle = handle

    def read(self) -> str:
        """The saved session string, or "" when there is none we can use."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read the Bluesky session file %s: %s", self.path, exc)
            return ""
        with contextlib.suppress(ValueError):
            data = json.loads(text)
            text = str(data.get("session", "")) if isinstance(data, dict) else ""
        fields = text.split(":::")
        if len(fields) < 4:
            return ""
        wanted = self.handle.lower()
        # a session for another account (the handle was changed in settings): not ours
        if "@" not in wanted and wanted not in (fields[0].lower(), fields[1].lower()):
            return ""
        return text

    def save(self, session: str) -> None:
        """Keep the SDK's session string for the next run; a failure only logs a warning
        (posting still works, the next run logs in again)."""
        fields = session.split(":::")
        text = json.dumps(
            {
                "about": "infobot's Bluesky login session: tokens, not the password; delete"
                " this file to make infobot log in again",
                "handle": fields[0],
                "did": fields[1] if len(fields) > 1 else "",
                "session": session,
            },
            indent=2,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            log.warning("cannot save the Bluesky session to %s: %s", self.path, exc)

    def forget(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
