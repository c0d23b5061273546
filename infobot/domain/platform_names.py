"""Platforms as people name them: "X", "Mastodon", "Bluesky", written once.

The registry's names (``x``, ``mastodon``…) are for settings and code; every message,
page and audit sentence names a platform through :func:`display_name`. A platform from a
plug-in shows its own name with a capital letter.
"""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "outbox": "Outbox",
}


def display_name(name: str) -> str:
    """``x`` -> ``X``; an unknown (plug-in) name keeps its letters, capitalised."""
    known = DISPLAY_NAMES.get(name)
    if known is not None:
        return known
    return name[:1].upper() + name[1:]


def platform_problem(name: str, problem: str) -> str:
    """``X: the post is 312 characters, …``: a rendering problem, naming its platform."""
    return f"{display_name(name)}: {problem}"
