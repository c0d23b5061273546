"""Audit sentences for campaigns, pre-election periods, essential stories, accessibility
acknowledgements and stories from the public (registered with ``audit_text.builds``; this
module is imported by :mod:`infobot.domain.audit_text`, which holds the rest)."""

from __future__ import annotations

from typing import Any

from infobot.domain.audit_text import Entry, _and, _changed, _day, _with, builds


def _span(first: Any, last: Any) -> str:
    return f"from {_day(first)} to {_day(last)}"


# -- campaigns -----------------------------------------------------------------------------
@builds("campaign.created")
def _campaign_created(e: Entry) -> str:
    name = e.new("name") or e.message.removeprefix("campaign ").removesuffix(" created")
    return f"{e.who} created the campaign {name}".rstrip()


@builds("campaign.edited")
def _campaign_edited(e: Entry) -> str:
    changed = [k.replace("_", " ") for k in _changed(e)]
    return f"{e.who} changed the campaign" + (f": {_and(changed)}" if changed else "")


# -- pre-election periods and essential stories --------------------------------------------
@builds("election.added")
def _election_added(e: Entry) -> str:
    text = f"{e.who} added a pre-election period {_span(e.new('first_day'), e.new('last_day'))}"
    return _with(text, e.new("reason"))


@builds("election.removed")
def _election_removed(e: Entry) -> str:
    span = _span(e.old("first_day"), e.old("last_day"))
    return f"{e.who} removed the pre-election period {span}"


@builds("election.configured")
def _election_configured(e: Entry) -> str:
    periods = e.new("periods") or []
    count = len(periods) if isinstance(periods, list) else 0
    return (
        "infobot's settings set the pre-election periods"
        + (f" ({count} period{'s' if count != 1 else ''})" if count else "")
        + " (INFOBOT_ELECTION_PERIODS)"
    )


@builds("story.essential")
def _essential(e: Entry) -> str:
    reason = e.new("essential_reason") or e.message.removeprefix("marked essential: ")
    return _with(f"{e.who} marked {e.story} essential for pre-election periods", reason)


@builds("story.not_essential")
def _not_essential(e: Entry) -> str:
    return f"{e.who} marked {e.story} as no longer essential"


@builds("story.accessibility_acknowledged")
def _acknowledged(e: Entry) -> str:
    findings = e.new("findings") or []
    count = len(findings) if isinstance(findings, list) else 0
    warnings = f"{count} accessibility warning{'s' if count != 1 else ''}"
    text = f"{e.who} accepted {warnings} on {e.story}"
    return _with(text, "; ".join(str(f) for f in findings) if count else "")


# -- stories from the public ---------------------------------------------------------------
@builds("story.submitted")
def _submitted(e: Entry) -> str:
    return f"{e.story[:1].upper()}{e.story[1:]} came in through the share form ({e.who})"


@builds("story.erased")
def _erased(e: Entry) -> str:
    return _with(f"infobot erased the personal details of {e.story}", e.message)
