"""Signing in and out, the accounts page, the front door and the health check."""

from __future__ import annotations

import logging

from starlette.responses import PlainTextResponse, RedirectResponse, Response

from infobot.domain.errors import UserError
from infobot.service.signin import Refusal
from infobot.service.users import ROLES
from infobot.web import csrf
from infobot.web.auth import SESSION_BEGAN, SESSION_EPOCH, SESSION_USER
from infobot.web.core import Ctx, Page, Web, safe_path


def too_many(refusal: Refusal) -> Response:
    """429, saying how long to wait (and in ``Retry-After`` for scripts)."""
    text = (
        f"Too many failed attempts to sign in. Wait {refusal.words} and try again, "
        "or ask an admin to check your account.\n"
    )
    seconds = max(1, int(-(-refusal.wait.total_seconds() // 1)))
    return PlainTextResponse(text, status_code=429, headers={"Retry-After": str(seconds)})


log = logging.getLogger("infobot.web")


async def home(ctx: Ctx) -> Response:
    return RedirectResponse("/queue", status_code=303)


async def healthz(ctx: Ctx) -> Response:
    return PlainTextResponse("ok\n")


async def login_form(ctx: Ctx) -> Response:
    target = safe_path(ctx.request.query_params.get("next", ""), "/queue")
    if ctx.user is not None and ctx.user.role:
        return ctx.redirect(target)
    return ctx.render("login.html", title="Sign in", errors=[], username="", next=target)


async def login(ctx: Ctx) -> Response:
    name = ctx.field("username")
    password = ctx.form.get("password")
    password = password if isinstance(password, str) else ""
    target = safe_path(ctx.field("next"), "/queue")
    peer = ctx.request.client.host if ctx.request.client else None
    address = ctx.web.identifier.client_address(peer, ctx.request.headers)
    errors: list[tuple[str, str]] = []
    if not name:
        errors.append(("username", "Enter your name"))
    if not password:
        errors.append(("password", "Enter your password"))
    if not errors:
        guard = ctx.web.signins
        known = ctx.web.known.knows(ctx.request.cookies, name)
        attempt = await ctx.call(guard.begin, name, address, known_browser=known)
        if isinstance(attempt, Refusal):
            return too_many(attempt)
        account = await ctx.call(ctx.web.accounts.authenticate, name, password)
        if account is not None:
            await ctx.call(guard.succeeded, attempt)
            log.info(
                "%s signed in from %s",
                account.name,
                address,
                extra={"event": "sign_in", "user": account.name, "address": address},
            )
            session = ctx.request.session
            session.clear()  # a fresh session for the signed-in person
            session[SESSION_USER] = account.name
            session[SESSION_EPOCH] = account.session_epoch
            session[SESSION_BEGAN] = ctx.web.identifier.began()
            csrf.renew(session)
            response = ctx.redirect(target)
            ctx.web.known.remember(response, account.name)
            return response
        refusal = await ctx.call(guard.failed, attempt)
        log.warning(
            "failed sign-in as %r from %s%s",
            name[:100],
            address,
            f" (sign-ins now wait {refusal.words})" if refusal else "",
            extra={"event": "sign_in_failed", "user": name[:100], "address": address},
        )
        if refusal is not None:
            return too_many(refusal)
        errors.append(("username", "The name or password is not right, or the account is disabled"))
    return ctx.render(
        "login.html", code=400, title="Sign in", errors=errors, username=name, next=target
    )


async def logout(ctx: Ctx) -> Response:
    """Sign out everywhere: the cookie is stateless, so the account's session epoch moves
    on and every session it began before now stops working (a copied cookie included)."""
    if ctx.user is not None and not ctx.proxied:
        await ctx.call(ctx.web.accounts.end_sessions, ctx.user.name)
    ctx.request.session.clear()
    return ctx.redirect("/login")


# -- accounts (admin) ----------------------------------------------------------------------
async def users_page(
    ctx: Ctx, errors: list[tuple[str, str]] | None = None, status: int = 200
) -> Response:
    accounts = await ctx.call(ctx.web.accounts.list)
    form = {"name": ctx.field("name"), "role": ctx.field("role") or "editor"}
    return ctx.render(
        "users.html",
        code=status,
        title="Accounts",
        accounts=accounts,
        roles=ROLES,
        errors=errors or [],
        form=form,
    )


async def users_add(ctx: Ctx) -> Response:
    name = ctx.field("name")
    role = ctx.field("role")
    password = ctx.form.get("password")
    again = ctx.form.get("password_confirm")
    password = password if isinstance(password, str) else ""
    errors: list[tuple[str, str]] = []
    if not name:
        errors.append(("name", "Enter the person's name"))
    if role not in ROLES:
        errors.append(("role", "Choose a role"))
    if not password:
        errors.append(("password", "Enter a password"))
    elif password != again:
        errors.append(("password_confirm", "The two passwords are not the same"))
    if not errors:
        try:
            account = await ctx.call(ctx.web.accounts.add, name, role, password, actor=ctx.actor)
        except UserError as exc:
            field = "password" if "password" in str(exc) else "name"
            errors.append((field, str(exc).capitalize()))
        else:
            ctx.flash(f"Added {account.name} as {account.role}. They can sign in now.")
            return ctx.redirect("/users")
    return await users_page(ctx, errors, status=400)


async def users_role(ctx: Ctx) -> Response:
    account = await ctx.call(
        ctx.web.accounts.set_role, ctx.param("name"), ctx.field("role"), actor=ctx.actor
    )
    ctx.flash(f"{account.name} is now {account.role}.")
    return ctx.redirect("/users")


async def users_disable(ctx: Ctx) -> Response:
    account = await ctx.call(ctx.web.accounts.disable, ctx.param("name"), actor=ctx.actor)
    ctx.flash(f"Disabled {account.name}: they can no longer sign in.")
    return ctx.redirect("/users")


def routes(web: Web) -> list[Page]:
    return [
        Page(web, "/", home, role=None),
        Page(web, "/healthz", healthz, role=None),
        Page(web, "/login", login_form, role=None),
        Page(web, "/login", login, role=None, methods=["POST"]),
        Page(web, "/logout", logout, role=None, methods=["POST"]),
        Page(web, "/users", users_page, role="admin", nav="users"),
        Page(web, "/users", users_add, role="admin", methods=["POST"], nav="users"),
        Page(web, "/users/{name:path}/role", users_role, role="admin", methods=["POST"]),
        Page(web, "/users/{name:path}/disable", users_disable, role="admin", methods=["POST"]),
    ]
