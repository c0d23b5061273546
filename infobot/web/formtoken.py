"""Protection for the public forms (the share form, withdrawing a story), with no cookie.

The team's pages keep a CSRF token in the signed session cookie (:mod:`infobot.web.csrf`);
a storyteller has no session, and the public pages set no cookie at all. Instead each form
carries a token signed with the web page's secret: a random nonce, the time it was issued
and what it is for (``share:infostory``, ``withdraw:…``). A token is good for
:data:`LIFETIME`, for that one purpose, and (for the share form) once: the nonce is kept
with the story it sent. The browser must also not say that the form came from another
site (``Origin`` and ``Sec-Fetch-Site``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit

from infobot.clock import Clock

FIELD = "form_token"
LIFETIME = timedelta(hours=3)


class FormTokens:
    def __init__(self, secret: str, clock: Clock, lifetime: timedelta = LIFETIME) -> None:
        self._key = hashlib.sha256(b"infobot public form\x00" + secret.encode()).digest()
        self.clock = clock
        self.lifetime = lifetime

    def _sign(self, purpose: str, nonce: str, issued: int) -> str:
        message = f"{purpose}\x00{nonce}\x00{issued}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:40]

    def issue(self, purpose: str) -> str:
        nonce = secrets.token_urlsafe(18)
        issued = int(self.clock.now().timestamp())
        return f"{nonce}.{issued}.{self._sign(purpose, nonce, issued)}"

    def check(self, purpose: str, token: object) -> str | None:
        """The token's nonce when it is genuine, for ``purpose`` and still fresh; else None."""
        if not isinstance(token, str) or len(token) > 200 or token.count(".") != 2:
            return None
        nonce, issued_text, signature = token.split(".")
        if not issued_text.isdigit():
            return None
        issued = int(issued_text)
        expected = self._sign(purpose, nonce, issued)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return None
        age = self.clock.now().timestamp() - issued
        if age < -60 or age > self.lifetime.total_seconds():
            return None
        return nonce


def same_site(headers: Mapping[str, str], host: str) -> bool:
    """False when the browser says the request came from another site."""
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == host.lower()
