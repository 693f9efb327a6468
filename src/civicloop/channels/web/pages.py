"""The public feedback form ``/feedback/{agency_code}``: no login, accessible, works on a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicloop.agencies.models import Agency
from civicloop.channels.web import antispam, service
from civicloop.channels.web.antispam import HONEYPOT_FIELD
from civicloop.channels.web.service import LIMITS, Feedback
from civicloop.config import get_settings
from civicloop.deps import SessionDep
from civicloop.errors import TooManyRequests
from civicloop.kit import i18n
from civicloop.web.templating import public_render, request_language

router = APIRouter(include_in_schema=False)


@dataclass
class FeedbackPage:
    agency: Agency
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notice: str | None = None
    limits: dict[str, int] = field(default_factory=lambda: {name: limit.maximum for name, limit in LIMITS.items()})
    honeypot: str = HONEYPOT_FIELD


@dataclass
class ThanksPage:
    agency: Agency
    reference: str


def _form(request: Request, page: FeedbackPage, status_code: int = 200, lang: str | None = None) -> HTMLResponse:
    return public_render(request, "channels/feedback.html", page, status_code=status_code, lang=lang)


def _localized_errors(errors: dict[str, str], feedback: Feedback, lang: str) -> dict[str, str]:
    """The form's problems in the visitor's language (the service states them in English, in more detail)."""
    if lang == i18n.DEFAULT:
        return errors
    out = {}
    for name, message in errors.items():
        value = feedback.values().get(name, "").strip()
        limit = LIMITS.get(name)
        if name == "contact" and limit and len(value) <= limit.maximum:
            text = i18n.translate(lang, service.CONTACT_ERROR)
        elif limit and not value:
            text = i18n.translate(lang, "Please write your message.")
        elif limit:
            text = i18n.translate(lang, "This is %(length)s characters long; the limit is %(limit)s.") % {
                "length": i18n.digits(f"{len(value):,}", lang, get_settings().native_digits),
                "limit": i18n.digits(f"{limit.maximum:,}", lang, get_settings().native_digits),
            }
        else:
            text = message
        out[name] = text
    return out


@router.get("/feedback/{agency_code}", response_class=HTMLResponse)
def feedback_form(agency_code: str, request: Request, session: SessionDep) -> Response:
    agency, _account = service.form_account(session, agency_code)
    return _form(request, FeedbackPage(agency=agency))


@router.post("/feedback/{agency_code}", response_class=HTMLResponse)
def feedback_submit(
    agency_code: str,
    request: Request,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    topic: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "",
) -> Response:
    language = i18n.supported(lang) or request_language(request)
    agency, account = service.form_account(session, agency_code)
    if antispam.honeypot_tripped({HONEYPOT_FIELD: website}):
        # Answer a bot as if it had succeeded, so it learns nothing; nothing is stored.
        return RedirectResponse(
            f"/feedback/{agency.code}/thanks?lang={language}&ref={service.new_reference(agency)}", status_code=303
        )
    feedback = Feedback(name=name, contact=contact, topic=topic, message=message)
    errors = service.validate(feedback)
    if errors:
        page = FeedbackPage(
            agency=agency, values=feedback.values(), errors=_localized_errors(errors, feedback, language)
        )
        return _form(request, page, status_code=422, lang=language)
    try:
        antispam.check_rate(
            session,
            scope=f"feedback:{agency.code}",
            address=antispam.client_address(request),
            limit=get_settings().feedback_max_per_hour,
        )
    except TooManyRequests as exc:
        notice = (
            exc.message
            if language == i18n.DEFAULT
            else i18n.translate(language, "Too many messages from your connection in the last hour; please try later.")
        )
        page = FeedbackPage(agency=agency, values=feedback.values(), notice=notice)
        response = _form(request, page, status_code=429, lang=language)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    reference = service.submit(session, agency=agency, account=account, feedback=feedback)
    return RedirectResponse(f"/feedback/{agency.code}/thanks?lang={language}&ref={reference}", status_code=303)


@router.get("/feedback/{agency_code}/thanks", response_class=HTMLResponse)
def feedback_thanks(agency_code: str, request: Request, session: SessionDep, ref: str = "") -> Response:
    agency, _account = service.form_account(session, agency_code)
    # Only the reference the visitor was given is echoed: the page shows nothing that was stored.
    reference = ref if service.REFERENCE_RE.match(ref) else ""
    return public_render(request, "channels/feedback_thanks.html", ThanksPage(agency=agency, reference=reference))
