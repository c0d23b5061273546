"""How the X adapter's requests travel: a default timeout on every request (tweepy passes
none), and tweepy's hard-coded host sent elsewhere (the tests' local fake), signed again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import requests

TWEEPY_HOST = "https://api.twitter.com"  # hard-coded in tweepy.Client.request


class DefaultTimeout:
    """A transport adapter wrapper: requests that name no timeout get ``timeout()``."""

    def __init__(self, inner: requests.adapters.BaseAdapter, timeout: Callable[[], float]) -> None:
        self.inner = inner
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout()
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


class Redirect:
    """Sends requests for tweepy's hard-coded host to ``base``, signed again for the new URL."""

    def __init__(
        self,
        session: requests.Session,
        base: str,
        auth: Callable[[requests.PreparedRequest], requests.PreparedRequest],
    ) -> None:
        self.session = session
        self.base = base
        self.auth = auth

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        from requests.utils import resolve_proxies

        url = request.url or ""
        request.url = self.base + url[len(TWEEPY_HOST) :]
        if "Authorization" in request.headers:
            del request.headers["Authorization"]
            self.auth(request)
        kwargs["proxies"] = resolve_proxies(request, self.session.proxies, self.session.trust_env)
        return self.session.get_adapter(request.url).send(request, **kwargs)

    def close(self) -> None:
        pass


def mount(
    session: requests.Session,
    *,
    timeout: Callable[[], float],
    base: str,
    auth: Callable[[requests.PreparedRequest], requests.PreparedRequest],
) -> requests.Session:
    """Wrap every transport of ``session`` with the default timeout, and redirect tweepy's
    host to ``base`` when it differs."""
    for prefix, adapter in list(session.adapters.items()):
        session.mount(prefix, _as_adapter(DefaultTimeout(adapter, timeout)))
    if base != TWEEPY_HOST:
        session.mount(TWEEPY_HOST + "/", _as_adapter(Redirect(session, base, auth)))
    return session


def _as_adapter(adapter: DefaultTimeout | Redirect) -> requests.adapters.BaseAdapter:
    return cast("requests.adapters.BaseAdapter", adapter)
