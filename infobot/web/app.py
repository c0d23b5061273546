"""Build the web application: routes, sessions, security headers, error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infobot.web.core import MAX_UPLOAD_BYTES, STATIC, BodyTooLarge, Web
from infobot.web.public import is_public_path
from infobot.web.routes import (
    account,
    campaign,
    campaigns,
    elections,
    followers,
    impact,
    records,
    share,
    stories,
    upload,
)

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.settings import Settings

SESSION_HOURS = 12

#: No inline script or style anywhere: GOV.UK Frontend's "supported" class is set by
#: /static/app/supported.js. Frames are refused outright.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeaders:
    """Adds the security headers to every response; pages (not static files) are not cached,
    unless the page says how it may be (the public page and feed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {name for name, _ in SECURITY_HEADERS}
                ]
                headers.extend(SECURITY_HEADERS)
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, before they fill the disk."""

    def __init__(self, app: ASGIApp, limit: int = MAX_UPLOAD_BYTES + 1024 * 1024) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(send)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _too_large(send)


async def _too_large(send: Send) -> None:
    body = (
        f"The file is too big: infobot takes files up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. "
        "Split it into smaller files.\n"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TeamSessions(SessionMiddleware):
    """The team's signed session cookie, on every page but the public ones: a storyteller
    or a follower gets no cookie at all, and a team member's cookie is neither read nor
    set again there (so a shared cache may keep the public page)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public_path(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(app: App, settings: Settings) -> Starlette:
    """The team's web page over ``app``'s services; ``settings`` supplies the web options."""
    web = Web(app, settings)
    routes: list[BaseRoute] = [
        *account.routes(web),
        *stories.routes(web),
        *campaign.routes(web),
        *campaigns.routes(web),
        *elections.routes(web),
        *records.routes(web),
        *impact.routes(web),
        *upload.routes(web),
        *share.routes(web),
        *followers.routes(web),  # after the team's /stories/new and /stories/12
        Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    secret = web.session_secret
    secure = settings.web_cookie_secure

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        titles = {404: "Page not found", 405: "That cannot be done here"}
        messages = {
            404: "Check the address, or start again from the queue.",
            405: "Use the buttons on the page rather than typing the address.",
        }
        return web.problem(
            request,
            exc.status_code,
            titles.get(exc.status_code, "That did not work"),
            messages.get(exc.status_code, "Go back and try again."),
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        return web.problem(request, 500, "Sorry, something went wrong", web.crash_text(exc))

    application = Starlette(
        debug=False,
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit),
            Middleware(
                TeamSessions,
                secret_key=secret,
                session_cookie="__Host-infobot" if secure else "infobot",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=secure,
            ),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    application.state.web = web
    return application
