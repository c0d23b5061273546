"""Import stories from files: all-or-nothing, deduplicated by content fingerprint.

:class:`Importer` gets what it uses through its constructor (built by the composition
root, ``App.importer()``): the database, the clock, the campaign, the two settings it reads
and the campaign calendar (for pin dates on days nothing posts). Reading and checking the
files is :mod:`infobot.service.importers`; the bulk write is :mod:`infobot.store.bulk`.
"""

from __future__ import annotations

import gc
import json
import json.encoder
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path

from infobot.clock import Clock
from infobot.domain.calendar import CampaignCalendar
from infobot.domain.errors import Problem, ValidationFailed
from infobot.service import audit
from infobot.service.importers import SIZE_LIMITS, Parsed, load, size_limit, too_big
from infobot.service.stories import lock_campaign
from infobot.store import bulk
from infobot.store.db import Database

#: Stories written per bulk insert: bounded memory, still one transaction.
WRITE_CHUNK = 5000


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

    ``timezone`` is the campaign's (today's date, for pins in the past); ``calendar``
    gives the campaign's calendar when a file pins a story to a date.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        campaign_id: int,
        *,
        timezone: tzinfo,
        require_consent: bool,
        calendar: Callable[[], CampaignCalendar],
        max_upload_bytes: int = max(SIZE_LIMITS.values()),
    ) -> None:
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id
        self.timezone = timezone
        self.require_consent = require_consent
        self.calendar = calendar
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
    ) -> ImportReport:
        """Check every story in ``paths`` and add the new ones as drafts, all or nothing.

        ``labels`` names each path in problems and in the stories' source (default: the
        path). Raises :class:`ValidationFailed` listing every problem, unless
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
    ) -> ImportReport:
        loaded = load(paths, require_consent=self.require_consent, progress=progress, labels=labels)
        report = ImportReport(rows=loaded.rows_seen, dry_run=dry_run, notes=list(loaded.notes))
        problems = list(loaded.problems)
        items = list(loaded.items)

        # rules that need the clock, the calendar or the database
        today = self.clock.now().astimezone(self.timezone).date()
        pins_in_file: dict[date, Parsed] = {}
        bad: set[int] = set()
        calendar: CampaignCalendar | None = None
        for index, item in enumerate(items):
            pin = item.story.pin_date
            if pin is None:
                continue
            if calendar is None:
                calendar = self.calendar()
            where = (item.file, item.line, "pin_date")
            if pin < today:
                problems.append(Problem(*where, f"{pin.isoformat()} is in the past"))
                bad.add(index)
            elif (reason := calendar.off_reason(pin)) is not None:
                problems.append(Problem(*where, f"nothing posts on {pin.isoformat()} ({reason})"))
                bad.add(index)
            elif pin in pins_in_file:
                first = pins_in_file[pin]
                problems.append(
                    Problem(*where, f"{pin.isoformat()} is also the pin date of line {first.line}")
                )
                bad.add(index)
            else:
                pins_in_file[pin] = item

        prints = [item.fingerprint or item.story.fingerprint() for item in items]
        with self.db.read() as session:
            existing = bulk.existing_fingerprints(session, self.campaign_id, prints)
            taken = bulk.pinned_elsewhere(session, self.campaign_id, pins_in_file, existing)
        fresh: list[tuple[Parsed, str]] = []
        for index, (item, fingerprint) in enumerate(zip(items, prints, strict=True)):
            if fingerprint in existing:
                report.already += 1
                continue
            pin = item.story.pin_date
            if pin is not None and pin in taken and index not in bad:
                problems.append(
                    Problem(
                        item.file,
                        item.line,
                        "pin_date",
                        f"story #{taken[pin]} is already pinned to {pin.isoformat()}",
                    )
                )
                bad.add(index)
            if index not in bad:
                fresh.append((item, fingerprint))

        report.problems = sorted(problems, key=lambda p: (p.file, p.line or 0))
        if problems and not skip_invalid:
            raise ValidationFailed(
                report.problems,
                summary=f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the import",
            )
        report.invalid = len({(p.file, p.line) for p in problems})
        if dry_run or not fresh:
            report.added = len(fresh) if dry_run else 0
            return report

        ids: list[int] = []
        with self.db.write() as session:
            lock_campaign(session, self.campaign_id)
            writer = bulk.ImportedStories(
                session,
                campaign_id=self.campaign_id,
                actor=actor,
                now=self.clock.now(),
                event_after=_imported_after_json(),
            )
            for start in range(0, len(fresh), WRITE_CHUNK):
                ids.extend(
                    writer.write(
                        [
                            (item.story, fingerprint, f"{item.file}:{item.line}")
                            for item, fingerprint in fresh[start : start + WRITE_CHUNK]
                        ]
                    )
                )
        report.added = len(ids)
        report.added_ids = ids
        return report


def _imported_after_json() -> Callable[[str], str]:
    """``audit.to_json({"source": source, "status": "draft"})``, quicker.

    The event of an imported story differs from the next only in its source, so the JSON
    around it is worked out once and only the source is encoded (by the encoder json uses
    for text); checked against ``audit.to_json`` on awkward sources before it is used.
    """

    def slow(source: str) -> str:
        return audit.to_json({"source": source, "status": "draft"})

    marker = "infobot-source-marker"
    prefix, found, suffix = slow(marker).partition(json.dumps(marker))
    encode: Callable[[str], str] = json.encoder.encode_basestring

    def fast(source: str) -> str:
        return prefix + encode(source) + suffix

    samples = ("a.csv:1", 'Zoë "quoted" \\path\n\t:2', "\udcff\u2028\x00:3", "")
    if found and all(fast(sample) == slow(sample) for sample in samples):
        return fast
    return slow
