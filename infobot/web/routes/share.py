"""The public share form (``/share/CAMPAIGN``) and the storyteller's own link
(``/your-story/TOKEN``): no account, no cookie, usable without JavaScript.

The form is one GOV.UK question page: answers, an optional picture with its description,
the consent text in full and a tick box for each thing the storyteller agrees to. A
refusal shows the error summary with the answers kept (the picture must be chosen again);
nothing is stored until everything is right. The confirmation page gives the private link,
which is also emailed when an address was given and mail is set up.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from infobot.domain.errors import NotFound
from infobot.domain.intake import LABELS, LIMITS, Consent, ShareForm, platform_name, token_digest
from infobot.service.intake import IntakeSwitches
from infobot.service.intake.consent import current
from infobot.service.intake.share import FormRefused, TooManySubmissions
from infobot.web.core import Web
from infobot.web.formtoken import FIELD
from infobot.web.public import PublicPage, Visit

#: The hidden field a person leaves empty and a form-filling robot fills in.
HONEYPOT = "website"
TEXT = ("title", "body", "name", "role", "organisation", "email", "image_alt")


def _switches(visit: Visit, page: str) -> IntakeSwitches:
    found = visit.app.intake_switches(visit.param("campaign"))
    if found is None or not getattr(found, page):
        raise NotFound(
            "There is no form here. Check the address you were given, or ask the campaign "
            "team for it."
            if page == "share_form"
            else "There is no page here. Check the address, or ask the campaign team."
        )
    return found


def _form_page(
    visit: Visit,
    switches: IntakeSwitches,
    *,
    code: int = 200,
    values: dict[str, Any] | None = None,
    errors: list[tuple[str, str]] | None = None,
) -> Response:
    settings = visit.app.using(switches.campaign_id).settings  # the campaign's own
    consent = current()
    names = [platform_name(p) for p in settings.platforms]
    paragraphs = consent.filled(
        platforms=", ".join(names) or "none yet",
        hashtag=settings.hashtag,
        retention_days=settings.share_retention_days,
    )
    shown = values or {"consent": []}
    response = visit.render(
        "share.html",
        code,
        title=f"Share your story – {switches.name}",
        campaign=switches.name,
        consent=consent,
        paragraphs=paragraphs,
        platforms=" and ".join(names) if len(names) < 3 else ", ".join(names),
        values={name: shown.get(name, "") for name in TEXT} | {"consent": shown["consent"]},
        errors=errors or [],
        limits=LIMITS,
        labels=LABELS,
        max_size=visit.app.media.limit_words,
        honeypot=HONEYPOT,
        token_field=FIELD,
        token=visit.tokens.issue(f"share:{switches.name}"),
    )
    response.headers["x-robots-tag"] = "noindex"
    return response


async def share_form(visit: Visit) -> Response:
    return _form_page(visit, _switches(visit, "share_form"))


def _answers(visit: Visit) -> dict[str, Any]:
    values: dict[str, Any] = {name: visit.field(name) for name in TEXT}
    given = visit.form_data.getlist("consent") if visit.form_data is not None else []
    values["consent"] = [c.value for c in Consent if c.value in given]
    return values


async def share_send(visit: Visit) -> Response:
    switches = _switches(visit, "share_form")
    if visit.too_big:
        message = (
            f"The picture must be smaller than {visit.app.media.limit_words}. Your answers "
            "could not be kept: please fill in the form again."
        )
        return _form_page(visit, switches, code=413, errors=[("image", message)])
    values = _answers(visit)
    nonce = visit.tokens.check(f"share:{switches.name}", visit.field(FIELD))
    if nonce is None:
        message = (
            "The form was open too long, so your story was not sent. Your answers are below: "
            "check them, choose your picture again if you had one, and send the form again."
        )
        return _form_page(visit, switches, code=400, values=values, errors=[("", message)])
    if visit.field(HONEYPOT):
        message = (
            "Your story was not sent: a field meant to be left empty was filled in. If you "
            "filled in the form yourself, leave that field empty and send it again."
        )
        return _form_page(visit, switches, code=400, values=values, errors=[("", message)])
    upload = visit.upload("image")
    image = await upload.read() if upload is not None else None
    form = ShareForm(
        **{name: values[name] for name in TEXT},
        has_image=image is not None,
        consents=frozenset(Consent(c) for c in values["consent"]),
    )
    campaign_app = visit.app.using(switches.campaign_id)  # its own timezone and name
    desk = campaign_app.share(switches.campaign_id)
    try:
        receipt = await visit.call(
            desk.submit, form, image=image, address=visit.address(), nonce=nonce
        )
    except FormRefused as exc:
        return _form_page(visit, switches, code=400, values=values, errors=exc.problems)
    except TooManySubmissions as exc:
        response = _form_page(visit, switches, code=429, values=values, errors=[("", str(exc))])
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    link = _link(visit, receipt.token)
    emailed = False
    mailer = campaign_app.link_mailer
    if form.email and mailer.enabled and visit.app.settings.web_public_url:
        emailed = await visit.call(mailer.send, form.email, link)
    response = visit.render(
        "share_done.html",
        title=f"Story received – {switches.name}",
        campaign=switches.name,
        link=link,
        email=form.email,
        emailed=emailed,
    )
    response.headers["x-robots-tag"] = "noindex"
    return response


def _link(visit: Visit, token: str) -> str:
    base = visit.app.settings.web_public_url or str(visit.request.base_url).rstrip("/")
    return f"{base}/your-story/{token}"


# -- the storyteller's own link ------------------------------------------------------------
def _purpose(token: str) -> str:
    return f"withdraw:{token_digest(token)[:24]}"


async def your_story(visit: Visit) -> Response:
    token = visit.param("token")
    view = await visit.call(visit.app.storyteller().view, token)
    response = visit.render("your_story.html", title="Your story", view=view, token=token)
    response.headers["x-robots-tag"] = "noindex"
    return response


async def withdraw_question(visit: Visit) -> Response:
    token = visit.param("token")
    view = await visit.call(visit.app.storyteller().view, token)
    response = visit.render(
        "your_story_withdraw.html",
        title="Withdraw your story",
        view=view,
        token=token,
        token_field=FIELD,
        form_token=visit.tokens.issue(_purpose(token)),
    )
    response.headers["x-robots-tag"] = "noindex"
    return response


async def withdraw(visit: Visit) -> Response:
    token = visit.param("token")
    desk = visit.app.storyteller()
    if visit.tokens.check(_purpose(token), visit.field(FIELD)) is None:
        await visit.call(desk.view, token)  # an unknown link: "not found" first
        return visit.problem(
            400,
            "Your story was not withdrawn",
            "The page was open too long. Open your link again and press the button again.",
        )
    report = await visit.call(desk.withdraw, token)
    response = visit.render(
        "your_story_withdrawn.html", title="Your story is withdrawn", report=report, token=token
    )
    response.headers["x-robots-tag"] = "noindex"
    return response


def routes(web: Web) -> list[PublicPage]:
    post = ["POST"]
    share_limit = web.app.media.max_bytes + 256 * 1024
    return [
        PublicPage(web, "/share/{campaign}", share_form),
        PublicPage(web, "/share/{campaign}", share_send, methods=post, body_limit=share_limit),
        PublicPage(web, "/your-story/{token}", your_story),
        PublicPage(web, "/your-story/{token}/withdraw", withdraw_question),
        PublicPage(web, "/your-story/{token}/withdraw", withdraw, methods=post),
    ]
