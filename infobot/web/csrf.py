"""Cross-site request forgery protection: a random token kept in the signed session.

Every form carries it in a hidden ``csrf_token`` field (scripts may send the
``X-CSRF-Token`` header instead); every POST without the session's token is refused.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

FIELD = "csrf_token"
HEADER = "x-csrf-token"
KEY = "csrf"


def token(session: MutableMapping[str, Any]) -> str:
    """The session's token, made on first use."""
    value = session.get(KEY)
    if not isinstance(value, str) or len(value) < 32:
        value = secrets.token_urlsafe(32)
        session[KEY] = value
    return value


def renew(session: MutableMapping[str, Any]) -> str:
    session[KEY] = secrets.token_urlsafe(32)
    return str(session[KEY])


def valid(session: MutableMapping[str, Any], given: object) -> bool:
    expected = session.get(KEY)
    if not isinstance(expected, str) or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
