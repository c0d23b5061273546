"""Import stories from files: all-or-nothing, deduplicated by content fingerprint.

:class:`Importer` gets what it uses through its constructor (built by the composition
root, ``App.importer()``, or by ``Lean.importer()`` for ``infobot import``): the database
(either's transactions are SQL over the driver, so an import loads no SQLAlchemy), the
clock, the campaign and the two settings it reads. Reading and checking the files is
:mod:`infobot.service.importers`; the rules on pin dates are the domain's (the campaign
calendar, read in the import's own transaction); the queries and the bulk write are
:mod:`infobot.store.imports`.
"""

from __future__ import annotations

import gc
import json
import json.encoder
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, tzinfo
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from infobot.clock import Clock
from infobot.domain.errors import Problem, ValidationFailed
from infobot.service.importers import (
    SIZE_LIMITS,
    FileEnd,
    LoadResult,
    StoryRun,
    size_limit,
    stream,
    too_big,
)
from infobot.store.imports import ImportedStories, ImportTransaction
from infobot.store.queries.story_page import to_json

if TYPE_CHECKING:
    from infobot.service.media import MediaFolder
    from infobot.store.reader import Reader

#: Stories checked against the database and written at a time, at least (one batch of
#: rows more at most), all in one transaction.
CHUNK = 2000


#: Why a line with a pin date is refused when the importer may not pin (issue 12: pinning
#: is an approver's right, on the pages and in an import alike).
PIN_NEEDS_APPROVER = (
    "only an approver can pin a story to a date: leave pin_date empty (an approver pins it "
    "later), or ask an approver to import the file"
)


class ImportDatabase(Protocol):
    """Where an import reads and writes: ``Database`` (the full application) or the lean
    path's ``LeanSource``; each transaction is SQL over the driver."""

    def reader(self) -> AbstractContextManager[Reader]: ...

    def bulk_writer(self) -> AbstractContextManager[Reader]: ...


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0  # same story already in the queue
    invalid: int = 0  # skipped with --skip-invalid
    rows: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)


class Importer:
    """Checks story files and adds their new stories to one campaign as drafts.

    ``timezone`` is the campaign's (today's date, for pins in the past).
    """

    def __init__(
        self,
        db: ImportDatabase,
        clock: Clock,
        campaign_id: int,
        *,
        timezone: tzinfo,
        require_consent: bool,
        max_upload_bytes: int = max(SIZE_LIMITS.values()),
        media: MediaFolder | None = None,
    ) -> None:
        #: The media folder a story's picture is named in (None: local pictures refused).
        self.media = media
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id
        self.timezone = timezone
        self.require_consent = require_consent
        #: The largest upload worth reading at all (the web stops copying past it).
        self.max_upload_bytes = max_upload_bytes

    def size_limit(self, name: str) -> int | None:
        """The largest file called ``name`` that is read (None: not a story file)."""
        limit = size_limit(name)
        return None if limit is None else min(limit, self.max_upload_bytes)

    def refuse_size(self, name: str, size: int) -> None:
        """Raise :class:`ValidationFailed` if ``size`` bytes (or more: an upload is read no
        further than its limit) are over the limit for ``name``, before any parsing."""
        limit = self.size_limit(name) or self.max_upload_bytes
        if size > limit:
            raise ValidationFailed([too_big(None, limit, name)], summary="the file is too big")

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        actor: str,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Callable[[int, int], None] | None = None,
        labels: Sequence[str] | None = None,
        may_pin: bool = True,
    ) -> ImportReport:
        """Check every story in ``paths`` and add the new ones as drafts, all or nothing.

        ``labels`` names each path in problems and in the stories' source (default: the
        path). ``may_pin`` False (an editor on the web page) refuses every line with a pin
        date. Raises :class:`ValidationFailed` listing every problem, unless
        ``skip_invalid``.
        """
        # As in ``load``: 100,000s of new objects (rows to write, ids) form no reference
        # cycles, and with the loaded stories alive each full collection walks them all for
        # nothing (close to a second per 100,000-story import).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._import_files(
                paths,
                actor=actor,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=progress,
                labels=labels,
                may_pin=may_pin,
            )
        finally:
            if collecting:
                gc.enable()

    def _import_files(
        self,
        paths: Sequence[Path],
        *,
        actor: str,
        dry_run: bool,
        skip_invalid: bool,
        progress: Callable[[int, int], None] | None,
        labels: Sequence[str] | None,
        may_pin: bool,
    ) -> ImportReport:
        found = LoadResult()
        events = stream(
            paths,
            found,
            require_consent=self.require_consent,
            progress=progress,
            labels=labels,
            media=self.media,
        )
        today = self.clock.now().astimezone(self.timezone).date()
        with self.db.reader() if dry_run else self.db.bulk_writer() as r:
            store = ImportTransaction(r, self.campaign_id)
            run = _Run(self, store, found, today, skip_invalid=skip_invalid, may_pin=may_pin)
            if not dry_run:
                store.lock()
                run.writer = ImportedStories(
                    r,
                    campaign_id=self.campaign_id,
                    actor=actor,
                    now=self.clock.now(),
                    event_after=_imported_after_json(),
                )
            run.compare = store.has_stories()
            try:
                run.consume(events)
            finally:
                if run.writer is not None:
                    run.writer.close()
            problems = [*found.problems, *run.problems]
            report = ImportReport(
                added=run.fresh if dry_run else len(run.ids),
                already=run.already,
                rows=found.rows_seen,
                dry_run=dry_run,
                problems=sorted(problems, key=lambda p: (p.file, p.line or 0)),
                notes=found.notes,
                added_ids=run.ids,
            )
            if problems and not skip_invalid:
                count = len(problems)
                raise ValidationFailed(  # the write transaction is rolled back
                    report.problems,
                    summary=f"{count} problem{'s' if count != 1 else ''} in the import",
                )
        report.invalid = len({(p.file, p.line) for p in problems})
        return report


def importer_for(
    db: ImportDatabase, clock: Clock, campaign_id: int, settings: Any, media: MediaFolder
) -> Importer:
    """The importer of a campaign whose settings are ``settings`` (the ``Settings`` or the
    light settings of a campaign: its time zone and whether consent is required)."""
    return Importer(
        db,
        clock,
        campaign_id,
        timezone=settings.tz,
        require_consent=settings.require_consent,
        media=media,
    )


class _Run:
    """One import, a chunk of stories at a time: the rules that need the clock, the
    calendar or the database, then (unless it is a dry run) the write.

    Without ``skip_invalid`` writing stops at the first problem (the transaction will be
    rolled back) while checking goes on, so that every problem is listed. With it, each
    file is written under a savepoint, undone if the file turns out unreadable further on.
    """

    def __init__(
        self,
        importer: Importer,
        store: ImportTransaction,
        found: LoadResult,
        today: date,
        *,
        skip_invalid: bool,
        may_pin: bool = True,
    ) -> None:
        self.importer = importer
        self.may_pin = may_pin
        self.store = store
        self.found = found
        self.today = today
        self.skip_invalid = skip_invalid
        self.campaign_id = importer.campaign_id
        self.writer: ImportedStories | None = None
        self.compare = True  # False: the campaign was empty, nothing to compare with
        self.pins: dict[date, int] = {}  # pin date -> line of the story pinned to it
        self.problems: list[Problem] = []
        self.already = 0
        self.fresh = 0
        self.ids: list[int] = []
        self._file = _FileMarks(0, 0, 0, 0, [])
        self._savepoint = False  # a file's savepoint is open

    def consume(self, events: Iterable[StoryRun | FileEnd]) -> None:
        """Check (and write) every story of ``events``, a chunk at a time."""
        pending: list[StoryRun] = []
        size = 0
        for event in events:
            if isinstance(event, FileEnd):
                self.check(pending)
                pending, size = [], 0
                self.file_end(event.broken)
                continue
            pending.append(event)
            size += len(event)
            if size >= CHUNK:
                self.check(pending)
                pending, size = [], 0

    def check(self, runs: list[StoryRun]) -> None:
        """Check the stories of ``runs`` (of one path, in order) and write the new ones."""
        chunk = StoryRun.joined(runs) if runs else None
        if not chunk:
            return
        prints = chunk.prints
        pins = chunk.columns["pin_date"]
        pinned = list(compress(range(len(chunk)), pins))  # the few with a pin date
        bad: set[int] = set()
        for index in pinned:
            if not self._pin_is_free(chunk.files[index], chunk.lines[index], pins[index]):
                bad.add(index)
        existing: dict[str, int] = {}
        taken: dict[date, int] = {}
        if self.compare:
            existing = self.store.existing_fingerprints(prints)
            days = [pins[index] for index in pinned if index not in bad]
            taken = self.store.pinned_elsewhere(days, existing)
        for index in pinned:
            pin = pins[index]
            if pin in taken and index not in bad and prints[index] not in existing:
                message = f"story #{taken[pin]} is already pinned to {pin.isoformat()}"
                where = (chunk.files[index], chunk.lines[index], "pin_date")
                self.problems.append(Problem(*where, message))
                bad.add(index)
        fresh = chunk
        if existing or bad:
            queued = [index for index, fingerprint in enumerate(prints) if fingerprint in existing]
            self.already += len(queued)
            fresh = chunk.without(bad.union(queued))
        self.fresh += len(fresh)
        if self.writer is not None and fresh and (self.skip_invalid or not self._failed()):
            if self.skip_invalid and not self._savepoint:
                self.store.savepoint()
                self._savepoint = True
            self.ids.extend(self.writer.write(fresh))

    def file_end(self, broken: bool) -> None:
        """A path is read to its end: if it ``broken``, nothing of it counts."""
        if broken:
            marks = self._file
            del self.problems[marks.problems :]
            for day in marks.pins:
                del self.pins[day]
            self.already, self.fresh = marks.already, marks.fresh
            del self.ids[marks.ids :]
            if self._savepoint:
                self.store.roll_back_to_savepoint()
        elif self._savepoint:
            self.store.release()
        self._savepoint = False
        self._file = _FileMarks(len(self.problems), self.already, self.fresh, len(self.ids), [])

    def _failed(self) -> bool:
        return bool(self.problems or self.found.problems)

    def _pin_is_free(self, file: str, line: int, pin: date) -> bool:
        where = (file, line, "pin_date")
        if not self.may_pin:
            self.problems.append(Problem(*where, PIN_NEEDS_APPROVER))
            return False
        if pin < self.today:
            self.problems.append(Problem(*where, f"{pin.isoformat()} is in the past"))
            return False
        if (reason := self.store.calendar().off_reason(pin)) is not None:
            self.problems.append(Problem(*where, f"nothing posts on {pin.isoformat()} ({reason})"))
            return False
        if pin in self.pins:
            message = f"{pin.isoformat()} is also the pin date of line {self.pins[pin]}"
            self.problems.append(Problem(*where, message))
            return False
        self.pins[pin] = line
        self._file.pins.append(pin)
        return True


class _FileMarks(NamedTuple):
    """Where one file's share of an import's counts and lists begins."""

    problems: int
    already: int
    fresh: int
    ids: int
    pins: list[date]


def _imported_after_json() -> Callable[[str], str]:
    """``to_json({"source": source, "status": "draft"})``, quicker.

    The event of an imported story differs from the next only in its source, so the JSON
    around it is worked out once and only the source is encoded (by the encoder json uses
    for text); checked against ``to_json`` (the audit trail's) on awkward sources before it is used.
    """

    def slow(source: str) -> str:
        return to_json({"source": source, "status": "draft"})

    marker = "infobot-source-marker"
    prefix, found, suffix = slow(marker).partition(json.dumps(marker))
    encode: Callable[[str], str] = json.encoder.encode_basestring

    def fast(source: str) -> str:
        return prefix + encode(source) + suffix

    samples = ("a.csv:1", 'Zoë "quoted" \\path\n\t:2', "\udcff\u2028\x00:3", "")
    if found and all(fast(sample) == slow(sample) for sample in samples):
        return fast
    return slow
