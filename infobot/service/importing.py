"""Import stories from files: all-or-nothing, deduplicated by content fingerprint."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from infobot.domain.errors import Problem, ValidationFailed
from infobot.domain.story import StoryStatus
from infobot.service import audit
from infobot.service.importers import Parsed, load
from infobot.service.stories import lock_campaign
from infobot.store.models import Event, Story

if TYPE_CHECKING:
    from infobot.app import App

CHUNK = 500
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


def import_files(
    app: App,
    paths: Sequence[Path],
    *,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    settings = app.settings
    loaded = load(paths, require_consent=settings.require_consent, progress=progress)
    report = ImportReport(rows=loaded.rows_seen, dry_run=dry_run, notes=list(loaded.notes))
    problems = list(loaded.problems)
    items = list(loaded.items)

    # rules that need the clock, the calendar or the database
    today = app.clock.now().astimezone(settings.tz).date()
    calendar = app.calendar()
    pins_in_file: dict[date, Parsed] = {}
    bad: set[int] = set()
    for index, item in enumerate(items):
        pin = item.story.pin_date
        if pin is None:
            continue
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
    with app.db.read() as session:
        existing = _existing_fingerprints(session, app.campaign_id, prints)
        taken = {
            day: sid
            for day, sid, fp in session.execute(
                select(Story.pin_date, Story.id, Story.fingerprint).where(
                    Story.campaign_id == app.campaign_id, Story.pin_date.in_(list(pins_in_file))
                )
            )
            if fp not in existing or existing[fp] != sid
        }
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

    now = app.clock.now()
    ids: list[int] = []
    with app.db.write() as session:
        lock_campaign(session, app.campaign_id)
        top = session.scalar(
            select(func.max(Story.sort_key)).where(Story.campaign_id == app.campaign_id)
        )
        key = first_key = int(top) if top is not None else 0
        conn = session.connection()
        # Core executemany in chunks: no per-row RETURNING, bounded memory, one transaction
        for start in range(0, len(fresh), WRITE_CHUNK):
            chunk = fresh[start : start + WRITE_CHUNK]
            rows = []
            for item, fingerprint in chunk:
                key += 1024
                rows.append(
                    {
                        **item.story.__dict__,
                        "campaign_id": app.campaign_id,
                        "fingerprint": fingerprint,
                        "status": StoryStatus.DRAFT.value,
                        "sort_key": key,
                        "source": f"{item.file}:{item.line}",
                        "status_reason": "",
                        "created_by": actor,
                        "created_at": now,
                        "updated_by": actor,
                        "updated_at": now,
                        "approved_by": None,
                        "approved_at": None,
                    }
                )
            conn.execute(insert(Story), rows)
            # the campaign is locked, so the new keys are ours alone
            chunk_ids = list(
                conn.execute(
                    select(Story.id)
                    .where(
                        Story.campaign_id == app.campaign_id,
                        Story.sort_key > first_key + start * 1024,
                        Story.sort_key <= key,
                    )
                    .order_by(Story.sort_key)
                ).scalars()
            )
            assert len(chunk_ids) == len(rows)
            conn.execute(
                insert(Event),
                [
                    {
                        "at": now,
                        "actor": actor,
                        "action": "story.imported",
                        "campaign_id": app.campaign_id,
                        "story_id": sid,
                        "delivery_id": None,
                        "before": None,
                        "after": audit.to_json({c: row.get(c) for c in audit.STORY_COLUMNS}),
                        "message": f"imported from {row['source']}",
                    }
                    for sid, row in zip(chunk_ids, rows, strict=True)
                ],
            )
            ids.extend(chunk_ids)
    report.added = len(ids)
    report.added_ids = ids
    return report


def _existing_fingerprints(
    session: Session, campaign_id: int, prints: list[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(prints), CHUNK):
        chunk = prints[start : start + CHUNK]
        for fp, sid in session.execute(
            select(Story.fingerprint, Story.id).where(
                Story.campaign_id == campaign_id, Story.fingerprint.in_(chunk)
            )
        ):
            found[fp] = sid
    return found
