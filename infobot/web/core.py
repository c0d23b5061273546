"""What every page shares: templates, the request context, and the guard on every route.

A :class:`Page` is a Starlette route whose handler receives a :class:`Ctx`. Before the
handler runs, the guard checks, in order: the CSRF token (every method but GET and HEAD),
that someone is signed in, and that their role is high enough. Every route is a ``Page``,
so no route can skip the guard; ``tests/test_web_security.py`` walks the route table to
prove it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from infobot.domain.bounds import MAX_ID, OutOfRange, check_number
from infobot.domain.errors import InfobotError, NotFound, UserError, ValidationFailed
from infobot.domain.platform_names import display_name
from infobot.domain.versions import language_name
from infobot.service.signin import SignInGuard
from infobot.service.users import Account
from infobot.web import csrf, uploads
from infobot.web.auth import Identifier, KnownBrowsers, UnreadableHeader, parse_proxies
from infobot.web.campaign_choice import CampaignApps, CampaignChoice, choose
from infobot.web.formtoken import FormTokens
from infobot.web.words import (
    format_date,
    link_ok,
    sentence,
    shorten,
    status_colour,
    status_label,
)

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.settings import Settings

log = logging.getLogger("infobot.web")

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SAFE_METHODS = frozenset({"GET", "HEAD"})
MAX_UPLOAD_BYTES = uploads.MAX_UPLOAD_BYTES  # the request body's limit is this and 1 MB
FLASH_LINES = 6
ROLE_NAMES = {"editor": "editor", "approver": "approver", "admin": "admin"}

Handler = Callable[["Ctx"], Awaitable[Response]]


class BodyTooLarge(Exception):
    """The request body passed the size limit while it was read (``web.app.BodyLimit``)."""


class Web:
    """The web page's own state: the application, templates, accounts and sign-in limits."""

    def __init__(self, app: App, settings: Settings) -> None:
        from infobot.settings import secret_values

        self.app = app
        self.settings = settings
        self.accounts = app.accounts()
        self.signins = SignInGuard(app.db, app.clock)
        secret = settings.web_session_secret
        #: Signs the session cookie; random per start when not configured.
        self.session_secret = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
        self.known = KnownBrowsers(
            self.session_secret, app.clock, secure=settings.web_cookie_secure
        )
        #: Signs the public forms' tokens (they have no session): infobot.web.formtoken.
        self.form_tokens = FormTokens(self.session_secret, app.clock)
        #: Each campaign's App, as its row stands (see ``web/campaign_choice.py``).
        self.campaign_apps = CampaignApps(app)
        #: The public page and feed as last built: (campaign id, kind, version) -> body.
        self.public_pages: dict[tuple[int, str, str], bytes] = {}
        self.identifier = Identifier(
            self.accounts,
            app.clock,
            parse_proxies(settings.web_trusted_proxies),
            settings.web_identity_header,
            settings.web_role_header,
            role_from_proxy=settings.web_role_from_proxy,
            session_hours=settings.web_session_hours,
        )
        self.secrets = sorted(
            set(secret_values(settings)) | set(secret_values(app.settings)), key=len, reverse=True
        )
        self.templates = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=self._finalize,
        )
        self.templates.filters.update(
            date=pass_context(
                lambda context, value, style="": self.format_date(
                    value, style, context.get("timezone")
                )
            ),
            when=pass_context(lambda context, value: self.when(value, context.get("timezone"))),
            day=pass_context(
                lambda context, value, style="long": self.day(value, style, context.get("timezone"))
            ),
            platform=display_name,
            sentence=sentence,
            short=shorten,
            status_label=status_label,
            pathpart=lambda v: quote(str(v), safe=""),
            language_name=language_name,
        )
        self.templates.tests["link_ok"] = link_ok
        self.templates.globals.update(
            status_colour=status_colour, hashtag=app.settings.hashtag, roles=ROLE_NAMES
        )

    # -- output --------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """Remove every configured secret from text meant for people."""
        for value in self.secrets:
            if value in text:
                text = text.replace(value, "***")
        return text

    def _finalize(self, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str) and self.secrets:
            return self.scrub(value) if not isinstance(value, Markup) else value
        return value

    def format_date(
        self, value: date | time | str | None, style: str = "", tz: ZoneInfo | None = None
    ) -> str:
        """The ``date`` filter: :func:`infobot.web.words.format_date` in the page's
        campaign's timezone (``tz``), else the settings'."""
        return format_date(value, tz or self.app.settings.tz, style)

    def when(self, value: datetime | None, tz: ZoneInfo | None = None) -> str:
        return self.format_date(value, "", tz)

    def day(self, value: date | None, style: str = "long", tz: ZoneInfo | None = None) -> str:
        return self.format_date(value, "weekday" if style == "long" else "", tz)

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        html = self.templates.get_template(template).render(context)
        return HTMLResponse(html, status_code=status)

    def crash_text(self, exc: BaseException) -> str:
        """Log an unexpected error (secrets scrubbed) and say what to do about it."""
        import traceback

        reference = new_request_id()
        text = "".join(traceback.format_exception(exc))
        log.error("unexpected error (reference %s):\n%s", reference, self.scrub(text))
        return (
            "infobot hit an unexpected problem and may not have finished what you asked. "
            "Check the page before trying again. If it happens again, tell whoever runs "
            f"infobot and give them the reference {reference}."
        )

    def problem(
        self, request: Request, status: int, title: str, message: str, user: Account | None = None
    ) -> HTMLResponse:
        """A plain error page: what happened and what to do, never a traceback."""
        context: dict[str, Any] = {
            "request": request,
            "user": user,
            "csrf_token": csrf.token(request.session) if "session" in request.scope else "",
            "flashes": [],
            "nav": "",
            "title": title,
            "message": self.scrub(message),
            "status": status,
            "proxied": False,
            "can": lambda role: user is not None and user.can(role),
            "path": request.url.path,
            "campaign": None,
        }
        return self.render("error.html", context, status)


@dataclass
class Ctx:
    """One request as a handler sees it."""

    web: Web
    request: Request
    user: Account | None
    proxied: bool = False
    form_data: FormData | None = None
    nav: str = ""
    _flashes: list[dict[str, Any]] = field(default_factory=list)
    _choice: CampaignChoice | None = None

    @property
    def app(self) -> App:
        """The App of the campaign this page shows (see ``web/campaign_choice.py``)."""
        return self.campaign.app

    @property
    def campaign(self) -> CampaignChoice:
        if self._choice is None:
            self._choice = choose(self)
        return self._choice

    @property
    def actor(self) -> str:
        assert self.user is not None
        return self.user.name

    def can(self, role: str) -> bool:
        return self.user is not None and self.user.can(role)

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def int_param(self, name: str) -> int:
        try:
            value = int(self.param(name))
        except ValueError:
            raise NotFound(f"there is no {name} {self.param(name)!r}") from None
        return check_number(value, "the story number" if name == "id" else f"the {name}")

    def query_int(self, name: str, default: int = 1) -> int:
        """A number from the address (a page), kept between 1 and MAX_ID."""
        text = self.request.query_params.get(name, "")
        if not text.isdigit() or not text.isascii():
            return default
        return max(1, min(int(text[:12]), MAX_ID))

    # -- forms ---------------------------------------------------------------------------
    @property
    def form(self) -> FormData:
        return self.form_data if self.form_data is not None else FormData()

    def field(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def upload(self, name: str) -> UploadFile | None:
        value = self.form.get(name)
        return value if isinstance(value, UploadFile) else None

    def back(self, default: str) -> str:
        """Where to go after a POST: the form's ``return_to`` when it is a local path."""
        return safe_path(self.field("return_to"), default)

    # -- answers -------------------------------------------------------------------------
    def flash(self, text: str, *, kind: str = "success", lines: Sequence[str] = ()) -> None:
        """A message for the next page. It travels in the session cookie, which browsers
        drop beyond 4 KB (signing the person out), so it is kept short."""
        shown = [self.web.scrub(shorten(line, 240)) for line in list(lines)[:FLASH_LINES]]
        if len(lines) > FLASH_LINES:
            shown.append(f"… and {len(lines) - FLASH_LINES} more")
        flashes = list(self.request.session.get("flash", []))
        flashes.append({"kind": kind, "text": self.web.scrub(shorten(text, 300)), "lines": shown})
        self.request.session["flash"] = flashes[-2:]

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def render(self, template: str, code: int = 200, **values: Any) -> HTMLResponse:
        flashes = self.request.session.pop("flash", [])
        context = {
            "request": self.request,
            "user": self.user,
            "proxied": self.proxied,
            "csrf_token": csrf.token(self.request.session),
            "flashes": flashes,
            "nav": self.nav,
            "can": self.can,
            "path": self.request.url.path,
            **(self.campaign.context() if self.user is not None else {"campaign": None}),
            **values,
        }
        return self.web.render(template, context, code)

    async def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a (blocking) service call off the event loop."""
        return await run_in_threadpool(func, *args, **kwargs)


def safe_path(value: str, default: str) -> str:
    """A same-site path (``/queue?page=2``), or ``default`` for anything else."""
    if value.startswith("/") and not value.startswith(("//", "/\\")) and "\n" not in value:
        return value
    return default


class Page(Route):
    """A route guarded by CSRF, sign-in and role checks. ``role`` None means public."""

    def __init__(
        self,
        web: Web,
        path: str,
        handler: Handler,
        *,
        role: str | None,
        methods: Sequence[str] = ("GET",),
        nav: str = "",
    ) -> None:
        self.role = role
        self.unsafe = not set(methods) <= SAFE_METHODS

        async def endpoint(request: Request) -> Response:
            return await guard(web, request, handler, role, self.unsafe, nav)

        endpoint.__name__ = handler.__name__
        super().__init__(path, endpoint, methods=list(methods), name=handler.__name__)


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=1, max_fields=200, max_part_size=1024 * 1024)


async def guard(
    web: Web, request: Request, handler: Handler, role: str | None, unsafe: bool, nav: str
) -> Response:
    session = request.session
    csrf.token(session)
    form: FormData | None = None
    if unsafe:
        try:
            form = await read_form(request)
        except BodyTooLarge:  # answered 413 by the limit itself
            raise
        except Exception:  # malformed multipart, too many fields, ...
            return web.problem(request, 400, "The form could not be read", "Go back and try again.")
        given = form.get(csrf.FIELD) or request.headers.get(csrf.HEADER)
        if not csrf.valid(session, given):
            return web.problem(
                request,
                403,
                "This form has expired",
                "The form was too old or did not come from this site, so nothing was "
                "changed. Go back, reload the page and try again. If this keeps happening, "
                "the browser is refusing infobot's cookie: allow cookies for this site, and "
                "use the https:// address.",
            )
    peer = request.client.host if request.client else None
    try:
        user, proxied = await run_in_threadpool(
            web.identifier.identify, peer, request.headers, session
        )
    except UnreadableHeader as exc:
        return web.problem(request, 400, "Your sign-on could not be read", str(exc))
    if role is not None:
        if user is None:
            if unsafe:
                return web.problem(
                    request,
                    403,
                    "You are not signed in",
                    "Sign in, then try again. Nothing was changed.",
                )
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if not user.can(role):
            needed = (
                "an account that is not disabled"
                if user.disabled
                else f"{role} rights"
                + ("" if user.role else " (your sign-on gives you no infobot role)")
            )
            return web.problem(
                request,
                403,
                "You cannot do this",
                f"This needs {needed}; you are signed in as {user.name}"
                + (f" ({user.role})" if user.role else "")
                + ". Ask an admin if you need it. Nothing was changed.",
                user,
            )
    ctx = Ctx(web, request, user, proxied, form, nav)
    try:
        return await handler(ctx)
    except OutOfRange as exc:  # a typo such as 9999-12-31: said at once, never stored
        message = sentence(str(exc)) + " Nothing was changed: go back and correct it."
        return web.problem(request, 400, "That is out of range", message, user)
    except NotFound as exc:
        return web.problem(request, 404, "Not found", str(exc), user)
    except ValidationFailed as exc:
        lines = [str(p) for p in exc.problems]
        return _refused(ctx, f"{exc.summary}; nothing was changed", lines)
    except (UserError, InfobotError) as exc:
        return _refused(ctx, str(exc))
    except Exception as exc:
        return web.problem(request, 500, "Sorry, something went wrong", web.crash_text(exc), user)


def _refused(ctx: Ctx, message: str, lines: Sequence[str] = ()) -> Response:
    """A service refusal: after a form, back where it came from with the message shown."""
    if ctx.form_data is not None:
        ctx.flash(message, kind="error", lines=lines)
        return ctx.redirect(ctx.back(referer_path(ctx.request) or "/queue"))
    text = message + ("\n" + "\n".join(lines) if lines else "")
    return ctx.web.problem(ctx.request, 400, "That did not work", text, ctx.user)


def referer_path(request: Request) -> str | None:
    """The path of the page that sent this request, when it is one of ours."""
    from urllib.parse import urlsplit

    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.url.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_path(path, "") or None


def new_request_id() -> str:
    return secrets.token_hex(4)
