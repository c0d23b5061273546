"""An uploaded story file, held between its check and the team's "Import" (and the worker
process that reads it).

The web import is two steps. The upload is copied (at most ``MAX_UPLOAD_BYTES``: the
request body is refused before that, see ``web.app.BodyLimit``) into a folder of its own
under a random token, and checked with a dry run; the page shows what it would do. The
token is kept in the person's session and in the confirm form: "Import" re-runs the import
for real on the same held file, only for the same session and account, and only within
``HOLD_FOR``; then the file is deleted. Nothing is written until then.

Reading a file is done in a separate process (``run_import``), never on the web server's
event loop or in its memory: a hostile spreadsheet that takes minutes or gigabytes costs
that process only, it is stopped after ``IMPORT_TIMEOUT``, and every other page keeps
answering meanwhile.
"""

from __future__ import annotations

import atexit
import importlib
import json
import pickle
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from infobot.domain.errors import InfobotError, Problem, UserError, ValidationFailed

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.clock import Clock
    from infobot.service.importing import ImportReport
    from infobot.settings import Settings

#: The largest upload read at all. The importers' own per-format limits (their
#: ``Importer.size_limit(name)`` / ``refuse_size``, issue 12) plug in at ``hold`` below:
#: the smaller of the two applies.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: How long a checked upload waits for "Import".
HOLD_FOR = 30 * 60
#: The longest a check or an import may run before its process is stopped.
IMPORT_TIMEOUT = 120.0
CHUNK = 1024 * 1024
#: Beside each held file: whose it is and since when (a dot name: no upload is called so).
META = ".held.json"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class UploadTooBig(UserError):
    """The upload is over the limit: refused before any of it is read as stories."""


class ImportTimedOut(InfobotError):
    """The worker process took longer than ``IMPORT_TIMEOUT`` and was stopped."""


@dataclass(frozen=True)
class Held:
    token: str
    path: Path  # the held copy, named as uploaded (safe characters only)
    name: str
    owner: str


class HeldUploads:
    """Uploaded files waiting for "Import", one folder each under ``root``."""

    def __init__(
        self, clock: Clock, root: Path | None = None, *, hold_for: float = HOLD_FOR
    ) -> None:
        self.clock = clock
        self._root = root
        self.hold_for = hold_for

    def _now(self) -> float:
        return self.clock.now().timestamp()

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="infobot-uploads-"))
            atexit.register(shutil.rmtree, self._root, True)
        return self._root

    def hold(self, source: BinaryIO, name: str, owner: str, limit: int | None = None) -> Held:
        """Copy ``source`` under a new token; :class:`UploadTooBig` past ``limit`` bytes
        (``MAX_UPLOAD_BYTES`` by default)."""
        limit = MAX_UPLOAD_BYTES if limit is None else limit
        self.sweep()
        token = secrets.token_urlsafe(24)
        folder = self.root / token
        folder.mkdir(mode=0o700)
        path = folder / name
        copied = 0
        with path.open("wb") as out:
            while chunk := source.read(CHUNK):
                copied += len(chunk)
                if copied > limit:
                    break
                out.write(chunk)
        if copied > limit:
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadTooBig(
                f"{name} is over {size_words(limit)}, the largest file infobot imports from "
                "the web page: split it into smaller files"
            )
        meta = {"owner": owner, "name": name, "at": self._now()}
        (folder / META).write_text(json.dumps(meta), encoding="utf-8")
        return Held(token, path, name, owner)

    def get(self, token: str, owner: str) -> Held | None:
        """The held upload, if the token is one, is ``owner``'s and has not expired."""
        if not _TOKEN.fullmatch(token):
            return None
        folder = self.root / token
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if self._now() - float(meta["at"]) > self.hold_for:
            self.drop(token)
            return None
        if meta["owner"] != owner:
            return None
        return Held(token, folder / meta["name"], meta["name"], owner)

    def drop(self, token: str) -> None:
        if _TOKEN.fullmatch(token):
            shutil.rmtree(self.root / token, ignore_errors=True)

    def sweep(self) -> None:
        """Delete held uploads nobody imported in time."""
        if self._root is None or not self._root.is_dir():
            return
        limit = self._now() - self.hold_for
        for folder in self._root.iterdir():
            try:
                stale = (folder / META).stat().st_mtime < limit
            except OSError:
                stale = True
            if stale:
                shutil.rmtree(folder, ignore_errors=True)


def size_words(size: int) -> str:
    """``20 MB``, ``512 KB`` or ``1,000 bytes``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size:,} bytes"


# -- the worker process ----------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """What the worker process needs: plain, picklable values."""

    settings: Settings
    now: datetime
    campaign_id: int
    path: Path
    name: str
    actor: str
    dry_run: bool
    may_pin: bool
    skip_invalid: bool = False


def run_import(
    app: App,
    held: Held,
    *,
    actor: str,
    dry_run: bool,
    may_pin: bool,
    skip_invalid: bool = False,
) -> ImportReport:
    """Check (``dry_run``) or import ``held`` in a worker process, within ``IMPORT_TIMEOUT``.

    Raises what the import raises (``ValidationFailed`` with every problem, ``UserError``),
    or :class:`ImportTimedOut`. Blocking: call it from a thread, never the event loop.
    ``skip_invalid`` (for a check) reports the problems with the counts instead of raising.

    The worker is ``python -m infobot.web.uploads``: a fresh interpreter that shares
    nothing with the web server but the job, handed over on its standard input.
    """
    job = Job(
        app.settings,
        app.clock.now(),
        app.campaign_id,
        held.path,
        held.name,
        actor,
        dry_run,
        may_pin,
        skip_invalid,
    )
    worker = WORKERS.take()
    try:
        out, _ = worker.communicate(pickle.dumps(job), timeout=IMPORT_TIMEOUT)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise ImportTimedOut(
            f"reading {held.name} took longer than {IMPORT_TIMEOUT:.0f} seconds, so it was "
            "stopped and nothing was imported: split it into smaller files"
        ) from None
    try:
        kind, value = pickle.loads(out)  # noqa: S301 - written by our own worker
    except (pickle.UnpicklingError, EOFError, ValueError):  # it died (killed, out of memory)
        raise ImportTimedOut(
            f"{held.name} could not be read (the worker stopped, exit {worker.returncode}), so "
            "nothing was imported: check the file, or split it into smaller files"
        ) from None
    if kind == "ok":
        report: ImportReport = value
        return report
    if kind == "invalid":
        summary, problems = value
        raise ValidationFailed(problems, summary=summary)
    if kind == "refused":
        raise UserError(value)
    raise RuntimeError(f"the import worker failed:\n{value}")


class Workers:
    """One worker process kept ready: it loads infobot while nobody waits (the import
    page warms it), then waits for its job on stdin. A worker does one job and ends."""

    def __init__(self) -> None:
        self._spare: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "infobot.web.uploads"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def warm(self) -> None:
        """Have a worker ready for the next job."""
        with self._lock:
            if self._spare is None or self._spare.poll() is not None:
                self._spare = self._start()

    def take(self) -> subprocess.Popen[bytes]:
        """A ready worker for a job (and a new one starts getting ready)."""
        with self._lock:
            spare, self._spare = self._spare, None
            if spare is None or spare.poll() is not None:
                spare = self._start()
            self._spare = self._start()
            return spare

    def close(self) -> None:
        """Stop the waiting worker (it would end by itself when the server does)."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.kill()
            spare.communicate()


#: The web server's workers (one process-wide: a worker is not tied to a page or a site).
WORKERS = Workers()
atexit.register(WORKERS.close)


def _work() -> None:  # pragma: no cover - runs in the worker
    """The worker: a pickled :class:`Job` in on stdin, ``(kind, value)`` out on stdout.

    It loads what an import needs first, while it waits for its job."""
    for module in ("infobot.app", "infobot.service.importing"):
        importlib.import_module(module)  # loaded before the job arrives
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answer
    given = sys.stdin.buffer.read()
    if not given:  # the web server stopped before giving it a job
        return
    job: Job = pickle.loads(given)  # noqa: S301 - from the web server
    answer: tuple[str, Any]
    try:
        answer = ("ok", _run(job))
    except ValidationFailed as exc:
        problems = [Problem(p.file, p.line, p.field, p.message) for p in exc.problems]
        answer = ("invalid", (exc.summary, problems))
    except UserError as exc:
        answer = ("refused", str(exc))
    except BaseException:
        answer = ("crash", traceback.format_exc())
    out.write(pickle.dumps(answer))
    out.flush()


def _run(job: Job) -> ImportReport:  # pragma: no cover - runs in the worker
    from infobot.app import App
    from infobot.clock import FixedClock

    app = App.open(job.settings, FixedClock(job.now), migrate=False)
    try:
        if app.campaign_id != job.campaign_id:
            app = replace(app, campaign_id=job.campaign_id)
        return app.importer().import_files(
            [job.path],
            actor=job.actor,
            dry_run=job.dry_run,
            skip_invalid=job.skip_invalid,
            labels=[job.name],
            may_pin=job.may_pin,
        )
    finally:
        app.close()


if __name__ == "__main__":  # pragma: no cover - the worker process
    _work()
