"""Reply and quote controls: who may answer or quote the daily post, per platform.

Each platform offers its own choices, so the rule of which choice a platform accepts lives
here once (``REPLY_CHOICES``, ``QUOTE_CHOICES``) and the settings and the adapters both
follow it:

* **Bluesky**: a *threadgate* on the first post of the thread (nobody, or any of mentioned,
  followers, following) and a *postgate* that turns quoting off (everyone or nobody).
* **X**: ``reply_settings`` on the first post: following, mentioned (``mentionedUsers``),
  verified or subscribers. X has no "nobody"; a post that mentions no one with
  ``mentioned`` comes closest. Quotes cannot be controlled.
* **Mastodon**: no control over replies; ``quote_approval_policy`` (Mastodon 4.5 and later:
  everyone, followers or nobody; older servers ignore it and the account's own setting
  applies).

The author of a post can always reply to it on every platform, so a link in the first reply
still goes out under any of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "COMBINABLE",
    "QUOTE_CHOICES",
    "REPLY_CHOICES",
    "Audience",
    "WhoCanQuote",
    "WhoCanReply",
    "check_quotes",
    "check_replies",
]


class WhoCanReply(StrEnum):
    EVERYONE = "everyone"
    NOBODY = "nobody"
    MENTIONED = "mentioned"  # accounts the post mentions
    FOLLOWERS = "followers"  # accounts that follow the posting account
    FOLLOWING = "following"  # accounts the posting account follows
    VERIFIED = "verified"  # X: verified accounts
    SUBSCRIBERS = "subscribers"  # X: the account's paying subscribers


class WhoCanQuote(StrEnum):
    EVERYONE = "everyone"
    FOLLOWERS = "followers"
    NOBODY = "nobody"


#: The reply choices each platform can enforce (everyone is always allowed: no control).
REPLY_CHOICES: dict[str, frozenset[WhoCanReply]] = {
    "bluesky": frozenset(
        {
            WhoCanReply.EVERYONE,
            WhoCanReply.NOBODY,
            WhoCanReply.MENTIONED,
            WhoCanReply.FOLLOWERS,
            WhoCanReply.FOLLOWING,
        }
    ),
    "x": frozenset(
        {
            WhoCanReply.EVERYONE,
            WhoCanReply.MENTIONED,
            WhoCanReply.FOLLOWING,
            WhoCanReply.VERIFIED,
            WhoCanReply.SUBSCRIBERS,
        }
    ),
}

#: The quote choices each platform can enforce.
QUOTE_CHOICES: dict[str, frozenset[WhoCanQuote]] = {
    "bluesky": frozenset({WhoCanQuote.EVERYONE, WhoCanQuote.NOBODY}),
    "mastodon": frozenset(WhoCanQuote),
}

#: Bluesky's threadgate can combine these rules ("mentioned,followers").
COMBINABLE = frozenset({WhoCanReply.MENTIONED, WhoCanReply.FOLLOWERS, WhoCanReply.FOLLOWING})


def check_replies(platform: str, choices: tuple[WhoCanReply, ...]) -> tuple[WhoCanReply, ...]:
    """The choices, in a stable order, or ValueError naming what the platform cannot do."""
    allowed = REPLY_CHOICES.get(platform, frozenset({WhoCanReply.EVERYONE}))
    unique = tuple(dict.fromkeys(choices))
    wrong = [c for c in unique if c not in allowed]
    if wrong:
        names = ", ".join(sorted(c.value for c in allowed))
        hint = " (X has no 'nobody': mentioned lets only accounts the post names reply)" * (
            platform == "x" and WhoCanReply.NOBODY in wrong
        )
        raise ValueError(
            f"{platform} cannot limit replies to {', '.join(c.value for c in wrong)}:"
            f" use {names}{hint}"
        )
    if len(unique) > 1 and not (platform == "bluesky" and set(unique) <= COMBINABLE):
        raise ValueError(
            "give one choice"
            + (", or a list of mentioned, followers and following" if platform == "bluesky" else "")
        )
    return tuple(sorted(unique, key=list(WhoCanReply).index))


def check_quotes(platform: str, choice: WhoCanQuote) -> WhoCanQuote:
    allowed = QUOTE_CHOICES.get(platform, frozenset({WhoCanQuote.EVERYONE}))
    if choice not in allowed:
        names = ", ".join(sorted(c.value for c in allowed))
        raise ValueError(f"{platform} cannot limit quotes to {choice.value}: use {names}")
    return choice


@dataclass(frozen=True)
class Audience:
    """Who may reply to and quote the posts on one platform.

    ``None``: no control is sent, the platform's (or the account's) default applies.
    """

    replies: tuple[WhoCanReply, ...] | None = None
    quotes: WhoCanQuote | None = None

    @property
    def limits_replies(self) -> bool:
        return self.replies is not None and self.replies != (WhoCanReply.EVERYONE,)

    @property
    def limits_quotes(self) -> bool:
        return self.quotes is not None and self.quotes != WhoCanQuote.EVERYONE

    def describe(self) -> tuple[str, ...]:
        """Lines for the preview, in the team's words; empty when nothing is limited."""
        lines: list[str] = []
        if self.replies is not None:
            lines.append("who can reply: " + _reply_words(self.replies))
        if self.quotes is not None:
            lines.append("who can quote: " + _QUOTE_WORDS[self.quotes])
        return tuple(lines)


_REPLY_WORDS = {
    WhoCanReply.EVERYONE: "everyone",
    WhoCanReply.NOBODY: "nobody",
    WhoCanReply.MENTIONED: "accounts the post mentions",
    WhoCanReply.FOLLOWERS: "the account's followers",
    WhoCanReply.FOLLOWING: "accounts the account follows",
    WhoCanReply.VERIFIED: "verified accounts",
    WhoCanReply.SUBSCRIBERS: "the account's subscribers",
}
_QUOTE_WORDS = {
    WhoCanQuote.EVERYONE: "everyone",
    WhoCanQuote.FOLLOWERS: "the account's followers",
    WhoCanQuote.NOBODY: "nobody (quoting is off)",
}


def _reply_words(choices: tuple[WhoCanReply, ...]) -> str:
    words = [_REPLY_WORDS[c] for c in choices]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
