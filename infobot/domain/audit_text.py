"""The audit trail in plain sentences: one builder per action, in this one place.

An event is stored with its action code (``story.moved``), who did it, and the values
before and after as JSON; that stays the record (the CSV export keeps every raw column).
People read it as sentences: "Alex moved story 12 up the queue, to number 3", "Sam paused
the campaign until Tuesday 1 December 2026". :func:`sentence` builds one for any event;
:func:`change_lines` lists a story's changed fields in words ("Title: “Old” → “New”").
The web page's audit trail, a story's history, ``infobot stories show`` and the audit CSV
all use these two functions.

Adding an action: write its builder below with ``@builds("area.action")``. An action
without a builder still reads as a sentence, from its recorded message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from infobot.domain.dates import clock_time, date_time, long_date, weekday_date
from infobot.domain.fields import FIELD_TEXTS
from infobot.domain.platform_names import display_name

#: Actors that are infobot itself rather than a person (the daemon's are "host:pid").
SYSTEM_ACTORS = frozenset({"infobot", "settings", "sign-in"})
#: Bookkeeping fields a change records but people need not read.
HIDDEN_FIELDS = frozenset({"sort_key", "fingerprint", "status_reason"})
_LABELS = {text.name: text.label for text in FIELD_TEXTS} | {
    "status": "Status",
    "approved_by": "Approved by",
    "position": "Place in the queue",
    "paused": "Paused",
    "paused_until": "Paused until",
    "reason": "Reason",
    "day": "Date",
}
_SOURCES = {"web": "on the web page", "cli": "with the command line"}
_PART = re.compile(r"part (\d+)/(\d+)")


@dataclass(frozen=True)
class Entry:
    """One audit event as the sentence builders read it (``before``/``after`` decoded)."""

    action: str
    actor: str
    story_id: int | None = None
    before: Any = None
    after: Any = None
    message: str = ""
    tz: tzinfo = field(default=UTC)  # the campaign's: times are said in it

    def old(self, key: str) -> Any:
        return self.before.get(key) if isinstance(self.before, Mapping) else None

    def new(self, key: str) -> Any:
        return self.after.get(key) if isinstance(self.after, Mapping) else None

    @property
    def who(self) -> str:
        """The person, or "infobot" for what the daemon or the settings did."""
        return "infobot" if is_system(self.actor) else self.actor

    @property
    def story(self) -> str:
        return f"story {self.story_id}" if self.story_id is not None else "a story"

    @property
    def platform(self) -> str:
        """The delivery's platform: recorded in ``after``, or first in the message."""
        name = self.new("platform")
        if not name and ": " in self.message:
            name = self.message.split(": ", 1)[0]
        return display_name(str(name)) if name else "a platform"

    @property
    def detail(self) -> str:
        """The message without the platform in front (delivery events)."""
        head, sep, rest = self.message.partition(": ")
        return rest if sep and " " not in head else self.message


Builder = Callable[[Entry], str]
BUILDERS: dict[str, Builder] = {}


def builds(*actions: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        for action in actions:
            BUILDERS[action] = builder
        return builder

    return register


def is_system(actor: str) -> bool:
    return actor in SYSTEM_ACTORS or bool(re.fullmatch(r".+:\d+", actor))


def sentence(entry: Entry) -> str:
    """The event as one sentence (with its full stop)."""
    builder = BUILDERS.get(entry.action)
    try:
        text = builder(entry) if builder is not None else _fallback(entry)
    except (TypeError, ValueError, AttributeError):  # an old or odd record: its message
        text = _fallback(entry)
    text = " ".join(text.split())
    if not text.startswith(entry.actor):  # a person's name is theirs to spell
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _fallback(e: Entry) -> str:
    what = e.message or e.action.replace(".", " ").replace("_", " ")
    return f"{e.who}: {what}"


def _with(text: str, reason: Any) -> str:
    reason = str(reason or "").strip().rstrip(".")
    return f"{text}: {reason}" if reason else text


def _day(value: Any) -> str:
    return weekday_date(date.fromisoformat(str(value)[:10]))


# -- stories -------------------------------------------------------------------------------
@builds("story.added")
def _added(e: Entry) -> str:
    source = e.message.removeprefix("added from ").strip()
    where = _SOURCES.get(source, f"from {source}" if source else "")
    return f"{e.who} added {e.story} {where}"


@builds("story.imported")
def _imported(e: Entry) -> str:
    source = e.new("source") or e.message.removeprefix("imported from ")
    return f"{e.who} imported {e.story} from {source}"


@builds("story.edited")
def _edited(e: Entry) -> str:
    fields = [_label(k).lower() for k in _changed(e) if k not in ("status", "approved_by")]
    text = f"{e.who} edited {e.story}"
    if fields:
        text += ": " + _and(fields)
    if e.old("status") == "approved" and e.new("status") == "draft":
        text += "; it went back to draft for another review"
    return text


@builds("story.approved")
def _approved(e: Entry) -> str:
    warnings = re.search(r"with (\d+) warning", e.message)
    text = f"{e.who} approved {e.story}"
    if warnings:
        count = int(warnings.group(1))
        text += f" with {count} warning{'s' if count != 1 else ''} to look at"
    return text


@builds("story.rejected")
def _rejected(e: Entry) -> str:
    return _with(f"{e.who} sent {e.story} back for changes", e.new("status_reason") or e.message)


@builds("story.withdrawn")
def _withdrawn(e: Entry) -> str:
    return _with(f"{e.who} withdrew {e.story}", e.new("status_reason") or e.message)


@builds("story.moved")
def _moved(e: Entry) -> str:
    old, new, position = e.old("sort_key"), e.new("sort_key"), e.new("position")
    way = ""
    if isinstance(old, int) and isinstance(new, int) and old != new:
        way = " up" if new < old else " down"
    text = f"{e.who} moved {e.story}{way} the queue"
    return f"{text}, to number {position}" if position else text


@builds("story.pinned")
def _pinned(e: Entry) -> str:
    text = f"{e.who} pinned {e.story} to {_day(e.new('pin_date'))}"
    if e.old("pin_date"):
        text += f" (it was pinned to {_day(e.old('pin_date'))})"
    return text


@builds("story.unpinned")
def _unpinned(e: Entry) -> str:
    was = e.old("pin_date")
    return f"{e.who} unpinned {e.story}" + (f" from {_day(was)}" if was else "")


@builds("story.scheduled")
def _scheduled(e: Entry) -> str:
    return f"{e.who} took {e.story} for posting"


@builds("story.posted")
def _posted(e: Entry) -> str:
    return f"{e.story} went out on every platform"


@builds("story.partly_posted")
def _partly(e: Entry) -> str:
    return f"{e.story} went out on some platforms only"


@builds("story.failed")
def _story_failed(e: Entry) -> str:
    return f"{e.story} did not go out"


# -- deliveries ----------------------------------------------------------------------------
def _parts(e: Entry) -> str:
    part, total = e.new("part"), e.new("of")
    if part is None:
        found = _PART.search(e.message)
        part, total = (found.group(1), found.group(2)) if found else (None, None)
    return f" (part {part} of {total})" if total and int(total) > 1 else ""


@builds("delivery.sending")
def _sending(e: Entry) -> str:
    return f"{e.who} is sending {e.story} to {e.platform}{_parts(e)}"


@builds("delivery.part_sent", "delivery.sent")
def _live(e: Entry) -> str:
    return f"{e.story} is live on {e.platform}{_parts(e)}"


@builds("delivery.reconciled")
def _reconciled(e: Entry) -> str:
    return f"{e.who} found {e.story} already live on {e.platform}{_parts(e)}"


@builds("delivery.not_found")
def _not_found(e: Entry) -> str:
    return f"{e.who} looked on {e.platform}: {e.story} was not there, so it can be sent again"


@builds("delivery.pending")
def _pending(e: Entry) -> str:
    return f"{e.story} waits to be sent to {e.platform}"


@builds("delivery.retry_wait")
def _retry(e: Entry) -> str:
    text = _with(f"{e.story} did not go out on {e.platform} yet", e.detail)
    later = e.new("next_attempt_at")
    if later:
        at = datetime.fromisoformat(str(later))
        text += f". infobot tries again at {clock_time(at.astimezone(e.tz))}"
    return text


@builds("delivery.in_doubt")
def _doubt(e: Entry) -> str:
    return _with(
        f"{e.who} cannot tell yet whether {e.story} went out on {e.platform}", e.detail
    ) + (f"; it looks on {e.platform} before trying again")


@builds("delivery.failed")
def _failed(e: Entry) -> str:
    return _with(f"{e.story} failed on {e.platform}", e.detail)


@builds("delivery.credentials_rejected")
def _credentials(e: Entry) -> str:
    return _with(
        f"{e.platform} refused infobot's credentials, so {e.story} did not go out there",
        e.detail,
    )


@builds("delivery.deleted")
def _deleted(e: Entry) -> str:
    return f"{e.who} deleted the post {e.new('remote_id')} from {e.platform}"


@builds("delivery.delete_failed")
def _delete_failed(e: Entry) -> str:
    return _with(
        f"{e.who} could not delete the post {e.new('remote_id')} from {e.platform}", e.message
    )


# -- campaign days -------------------------------------------------------------------------
@builds("slot.claimed")
def _claimed(e: Entry) -> str:
    return f"{e.who} took {e.story} for {_day(e.new('day'))}"


@builds("slot.skipped")
def _skipped(e: Entry) -> str:
    return _with(f"No post on {_day(e.new('day'))}", e.message)


@builds("slot.missed")
def _missed(e: Entry) -> str:
    return _with(f"{_day(e.new('day'))} was missed", e.message)


# -- the campaign --------------------------------------------------------------------------
@builds("campaign.paused")
def _paused(e: Entry) -> str:
    until = e.new("paused_until")
    text = f"{e.who} paused the campaign " + (f"until {_day(until)}" if until else "until resumed")
    return _with(text, e.new("reason"))


@builds("campaign.resumed")
def _resumed(e: Entry) -> str:
    return f"{e.who} resumed the campaign"


@builds("campaign.configured")
def _configured(e: Entry) -> str:
    if e.before is None:
        return "The campaign was set up from infobot's settings"
    changed = [k.replace("_", " ") for k in _changed(e)]
    return "infobot's settings changed the campaign" + (f": {_and(changed)}" if changed else "")


@builds("blackout.added")
def _blackout_added(e: Entry) -> str:
    return _with(f"{e.who} kept {_day(e.new('day'))} free of posts", e.new("reason"))


@builds("blackout.removed")
def _blackout_removed(e: Entry) -> str:
    return f"{e.who} made {_day(e.old('day'))} a posting day again"


# -- accounts and sign-in ------------------------------------------------------------------
@builds("user.added")
def _user_added(e: Entry) -> str:
    return f"{e.who} added the account {e.new('name')} as {_a(e.new('role'))}"


@builds("user.role_changed")
def _role(e: Entry) -> str:
    return f"{e.who} made {e.new('name')} {_a(e.new('role'))} (was {_a(e.old('role'))})"


@builds("user.password_set")
def _password(e: Entry) -> str:
    return f"{e.who} set a new password for {e.new('name')}"


@builds("user.disabled", "user.enabled")
def _disabled(e: Entry) -> str:
    word = "disabled" if e.new("disabled") else "enabled"
    return f"{e.who} {word} the account {e.new('name')}"


@builds("signin.account_waits", "signin.address_waits", "signin.pair_waits")
def _waits(e: Entry) -> str:
    return f"Sign-ins slowed down: {e.message}"


# -- the changes, field by field -----------------------------------------------------------
def _changed(e: Entry) -> list[str]:
    before = e.before if isinstance(e.before, Mapping) else {}
    after = e.after if isinstance(e.after, Mapping) else {}
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if k not in HIDDEN_FIELDS and before.get(k) != after.get(k)]


def change_lines(entry: Entry, width: int = 80) -> list[str]:
    """What changed, a line a field: ``Title: “Old” → “New”`` (bookkeeping left out)."""
    if entry.action in ("story.imported", "story.moved") or entry.before is None:
        return []
    lines = []
    for key in _changed(entry):
        old, new = _value(entry.old(key), width), _value(entry.new(key), width)
        lines.append(f"{_label(key)}: {old} → {new}")
    return lines


def _label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " ").capitalize())


def _value(value: Any, width: int) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return long_date(date.fromisoformat(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+(\+00:00|Z)?", text):
        return date_time(datetime.fromisoformat(text.replace("Z", "+00:00")))
    text = " ".join(text.split())
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"“{text}”" if not isinstance(value, int | float) else text


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _a(role: Any) -> str:
    word = str(role or "no role")
    return ("an " if word[:1] in "aeiou" else "a ") + word


# The builders of the newer areas, kept in their own module (registers on import).
from infobot.domain import audit_more as _more  # noqa: E402, F401
