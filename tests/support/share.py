"""Sending the public share form the way a browser does, for the tests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    from starlette.testclient import TestClient

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
LINK = re.compile(r"/your-story/([A-Za-z0-9_-]+)")

ANSWERS: dict[str, Any] = {
    "title": "Joined up at last",
    "body": "The GP saw the discharge letter the same morning, so my dad's medicines were "
    "right the first time.",
    "name": "Jo Bloggs",
    "role": "Community nurse",
    "organisation": "Riverside NHS Trust",
    "email": "",
    "image_alt": "",
    "consent": ["post", "name", "role"],
    "website": "",
}


def form_token(client: TestClient, path: str = "/share/infostory") -> str:
    page = client.get(path)
    assert page.status_code == 200, (page.status_code, page.text[:500])
    found = TOKEN.search(page.text)
    assert found, "no form token on the share form"
    return found.group(1)


def send(
    client: TestClient,
    *,
    image: tuple[str, bytes, str] | None = None,
    path: str = "/share/infostory",
    token: str | None = None,
    **answers: Any,
) -> httpx.Response:
    """Fill in the form (``ANSWERS`` with ``answers`` over them) and send it."""
    data = {**ANSWERS, **answers}
    data["form_token"] = token if token is not None else form_token(client, path)
    files = {"image": image} if image is not None else None
    return client.post(path, data=data, files=files)


def link_of(response: httpx.Response) -> str:
    found = LINK.search(response.text)
    assert found, response.text[:3000]
    return found.group(0)
