"""What the public pages share: their route class, their guard and their look.

A :class:`PublicPage` is for people with no account: a storyteller, a follower of the
campaign. It never reads or writes the session, so no cookie is set (the session
middleware passes these paths by, see :func:`is_public_path`); its forms are protected by
a signed token instead (:mod:`infobot.web.formtoken`) and its request body is capped
before it is parsed. Errors are answered with a plain public page, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from infobot.domain.errors import NotFound
from infobot.web.formtoken import FormTokens, same_site

if TYPE_CHECKING:
    from infobot.app import App
    from infobot.web.core import Web

#: The paths of the public pages: ``/share/…``, ``/your-story/…`` and a campaign's
#: ``/stories/NAME`` (not the team's ``/stories/12`` or ``/stories/new``).
_PUBLIC = re.compile(
    r"/share/[^/]+/?|/your-story/.*|/stories/(?!new(?:/|$))(?![0-9]+(?:/|$))[^/]+(?:/.*)?"
)
#: The most a public form's fields (not its file) may hold, in bytes.
FIELDS_BYTES = 256 * 1024

PublicHandler = Callable[["Visit"], Awaitable[Response]]


def is_public_path(path: str) -> bool:
    return _PUBLIC.fullmatch(path) is not None


@dataclass
class Visit:
    """One request to a public page."""

    web: Web
    request: Request
    form_data: FormData | None = None
    too_big: bool = False  # the body passed the cap and was not read

    @property
    def app(self) -> App:
        return self.web.app

    @property
    def tokens(self) -> FormTokens:
        return self.web.form_tokens

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def field(self, name: str) -> str:
        value = self.form_data.get(name) if self.form_data is not None else None
        return value.strip() if isinstance(value, str) else ""

    def upload(self, name: str) -> UploadFile | None:
        value = self.form_data.get(name) if self.form_data is not None else None
        return value if isinstance(value, UploadFile) and value.filename else None

    def address(self) -> str:
        peer = self.request.client.host if self.request.client else None
        return self.web.identifier.client_address(peer, self.request.headers)

    async def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a (blocking) service call off the event loop."""
        return await run_in_threadpool(func, *args, **kwargs)

    def render(self, template: str, code: int = 200, **values: Any) -> HTMLResponse:
        context = {"request": self.request, "path": self.request.url.path, **values}
        return self.web.render(template, context, code)

    def problem(self, code: int, title: str, message: str) -> HTMLResponse:
        return self.render("public_problem.html", code, title=title, message=message)


class PublicPage(Route):
    """A public route: no session, no sign-in; forms need a genuine, fresh form token
    (checked by the handler, which knows what the form is for)."""

    def __init__(
        self,
        web: Web,
        path: str,
        handler: PublicHandler,
        *,
        methods: Sequence[str] = ("GET",),
        body_limit: int = FIELDS_BYTES,
    ) -> None:
        self.role = None
        self.unsafe = not set(methods) <= {"GET", "HEAD"}
        self.body_limit = body_limit

        async def endpoint(request: Request) -> Response:
            return await public_guard(web, request, handler, self.unsafe, body_limit)

        endpoint.__name__ = handler.__name__
        super().__init__(path, endpoint, methods=list(methods), name=handler.__name__)


async def _read_capped(request: Request, limit: int) -> bool:
    """Read the body into the request, up to ``limit`` bytes; False (nothing kept) if it
    is longer. The form is parsed afterwards, from memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return False
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            return False
        chunks.append(chunk)
    request._body = b"".join(chunks)  # Request.form() reads it from here
    return True


async def public_guard(
    web: Web, request: Request, handler: PublicHandler, unsafe: bool, body_limit: int
) -> Response:
    visit = Visit(web, request)
    if unsafe:
        if not same_site(request.headers, request.url.netloc):
            return visit.problem(
                403,
                "This form did not come from this site",
                "Nothing was sent. Open the form on this site and try again.",
            )
        if not await _read_capped(request, body_limit):
            visit.too_big = True
        else:
            try:
                visit.form_data = await request.form(
                    max_files=1, max_fields=40, max_part_size=64 * 1024
                )
            except Exception:  # malformed multipart, too many fields, a field too long
                return visit.problem(
                    400, "The form could not be read", "Nothing was sent. Go back and try again."
                )
    try:
        return await handler(visit)
    except NotFound as exc:
        return visit.problem(404, "Page not found", str(exc))
    except Exception as exc:
        return visit.problem(500, "Sorry, there is a problem with the service", web.crash_text(exc))
    finally:
        if visit.form_data is not None:
            await visit.form_data.close()
