"""Emailing a storyteller their private link, through apprise (``INFOBOT_MAIL_URL``, a
``mailto://`` or ``mailtos://`` SMTP URL; a secret, as it holds the SMTP password).

Sending is best effort: the confirmation page shows the link whether or not the email
went, and a failure is logged (without the URL) for the team.
"""

from __future__ import annotations

import logging
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

log = logging.getLogger("infobot.intake")


def with_recipient(url: str, to: str) -> str:
    """The mail URL with ``to`` as its only recipient."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", to))
    return urlunsplit(parts._replace(query=urlencode(query)))


class LinkMailer:
    def __init__(self, url: str | None, *, campaign: str, retention_days: int) -> None:
        self._url = url
        self.campaign = campaign
        self.retention_days = retention_days

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def send(self, to: str, link: str) -> bool:
        """Email the link to ``to``; whether the mail server took it."""
        if not self._url or not to:
            return False
        body = (
            f"Thank you for sharing your story with the {self.campaign} campaign.\n\n"
            f"This is your private link:\n{link}\n\n"
            "Open it to see how your story is getting on: when it is approved, the day it "
            "is posted and links to each post. You can also withdraw your consent there at "
            "any time; we then delete your story's posts.\n\n"
            "Keep the link safe: anyone who has it can see your story's progress and "
            f"withdraw it. It stops working {self.retention_days} days after the campaign "
            "ends.\n\nIf you did not send us a story, you can ignore this email.\n"
        )
        with warnings.catch_warnings():
            # apprise's plugins import the standard library's deprecated imghdr module
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            notifier = apprise.Apprise()
            if not notifier.add(with_recipient(self._url, to)):
                log.error("could not email a storyteller their link: INFOBOT_MAIL_URL is not valid")
                return False
            try:
                sent = bool(notifier.notify(title=f"Your story for {self.campaign}", body=body))
            except Exception:  # a broken mail server must not lose the storyteller's story
                log.exception("could not email a storyteller their link")
                return False
        if not sent:
            log.error("could not email a storyteller their link (see apprise's log)")
        return sent
