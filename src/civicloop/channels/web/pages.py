"""The public feedback form ``/feedback/{agency_code}``, its thank-you page and the citizen's private status
page (``/feedback/{agency_code}/status/{reference}/{token}``): no login, accessible, works on a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.channels.models import Conversation
from civicloop.channels.web import antispam, service, status
from civicloop.channels.web.antispam import HONEYPOT_FIELD
from civicloop.channels.web.service import LIMITS, Feedback
from civicloop.config import get_settings
from civicloop.deps import SessionDep
from civicloop.errors import NotFound, TooManyRequests
from civicloop.kit import i18n
from civicloop.kit.i18n import N_
from civicloop.kit import mailsink
from civicloop.web.forms import form_action
from civicloop.web.templating import public_render, render, request_language

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
    status_path: str = ""
    token: str = ""


@dataclass
class StatusPage:
    agency: Agency
    conversation: Conversation
    entries: list[status.Entry]
    path: str
    timezone: str
    value: str = ""
    error: str | None = None
    notice: str | None = None
    honeypot: str = HONEYPOT_FIELD

    @property
    def state(self) -> str:
        """The conversation's state in English, marked for the catalogs (the page shows it translated)."""
        if self.conversation.status.value == "closed":
            return N_("Closed by the agency")
        return N_("Answered") if self.entries and self.entries[-1].from_agency else N_("Waiting for the agency's answer")

    @property
    def topic(self) -> str:
        return self.conversation.subject or ""


def _public(request: Request, template: str, page: object, lang: str | None, status_code: int = 200) -> HTMLResponse:
    # Chosen like on every public page: ?lang, the remembered choice (cookie), then Accept-Language.
    language = i18n.supported(lang) or request_language(request)
    response = public_render(request, template, page, status_code=status_code, lang=language)
    # The status link is a secret: no copy in a shared cache, no address sent on to other sites.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _form(request: Request, page: FeedbackPage, status_code: int = 200) -> HTMLResponse:
    lang = request.query_params.get("lang")
    return _public(request, "channels/feedback.html", page, lang, status_code=status_code)


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
) -> Response:
    agency, account = service.form_account(session, agency_code)
    if antispam.honeypot_tripped({HONEYPOT_FIELD: website}):
        # Answer a bot as if it had succeeded, so it learns nothing; nothing is stored.
        return _to_thanks(agency, service.new_reference(agency))
    feedback = Feedback(name=name, contact=contact, topic=topic, message=message)
    errors = service.validate(feedback)
    if errors:
        return _form(request, FeedbackPage(agency=agency, values=feedback.values(), errors=errors), status_code=422)
    try:
        antispam.check_rate(
            session,
            scope=f"feedback:{agency.code}",
            address=antispam.client_address(request),
            limit=get_settings().feedback_max_per_hour,
        )
    except TooManyRequests as exc:
        page = FeedbackPage(agency=agency, values=feedback.values(), notice=exc.message)
        response = _form(request, page, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    reference = service.submit(session, agency=agency, account=account, feedback=feedback)
    return _to_thanks(agency, reference)


def _to_thanks(agency: Agency, reference: str) -> RedirectResponse:
    token = status.status_token(reference)
    return RedirectResponse(f"/feedback/{agency.code}/thanks?ref={reference}&t={token}", status_code=303)


@router.get("/feedback/{agency_code}/thanks", response_class=HTMLResponse)
def feedback_thanks(
    agency_code: str, request: Request, session: SessionDep, ref: str = "", t: str = "", lang: str | None = None
) -> Response:
    agency, _account = service.form_account(session, agency_code)
    # Only what the visitor was given is echoed: the page shows nothing that was stored. The status
    # link is shown only with the reference's own token, so the page cannot be used to mint links.
    reference = ref if service.REFERENCE_RE.match(ref) else ""
    path = status.status_path(reference) if reference and status.token_matches(reference, t) else ""
    page = ThanksPage(agency=agency, reference=reference, status_path=path, token=t if path else "")
    return _public(request, "channels/feedback_thanks.html", page, lang)


def _status_page(session: Session, conversation: Conversation, **extra: str | None) -> StatusPage:
    # The conversation's agency now (it may have moved since the citizen wrote).
    agency = session.get(Agency, conversation.agency_id)
    assert agency is not None
    return StatusPage(
        agency=agency,
        conversation=conversation,
        entries=status.entries(session, conversation),
        path=status.status_path(conversation.external_ref),
        timezone=get_settings().timezone,
        **extra,  # type: ignore[arg-type]
    )


@router.get("/feedback/{agency_code}/status/{reference}/{token}", response_class=HTMLResponse)
def feedback_status(
    agency_code: str,
    reference: str,
    token: str,
    request: Request,
    session: SessionDep,
    lang: str | None = None,
    sent: bool = False,
) -> Response:
    conversation = status.find(session, agency_code=agency_code, reference=reference, token=token)
    page = _status_page(session, conversation, notice="sent" if sent else None)
    return _public(request, "channels/feedback_status.html", page, lang)


@router.post("/feedback/{agency_code}/status/{reference}/{token}", response_class=HTMLResponse)
def feedback_status_reply(
    agency_code: str,
    reference: str,
    token: str,
    request: Request,
    session: SessionDep,
    message: Annotated[str, Form()] = "",
    website: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "",
) -> Response:
    conversation = status.find(session, agency_code=agency_code, reference=reference, token=token)
    back = f"{status.status_path(conversation.external_ref)}?lang={i18n.supported(lang) or request_language(request)}"
    if antispam.honeypot_tripped({HONEYPOT_FIELD: website}):
        return RedirectResponse(back + "&sent=1", status_code=303)
    with form_action(session) as attempt:
        antispam.check_rate(
            session,
            scope=f"feedback:{status.agency_code_of(conversation.external_ref)}",
            address=antispam.client_address(request),
            limit=get_settings().feedback_max_per_hour,
        )
        status.citizen_reply(session, conversation=conversation, text=message)
    if (exc := attempt.error) is not None:
        page = _status_page(session, conversation, value=message, error=exc.message)
        response = _public(request, "channels/feedback_status.html", page, lang or None, status_code=exc.status_code)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return RedirectResponse(back + "&sent=1", status_code=303)


# -- the demo's mail sink --------------------------------------------------------------------------


@dataclass
class MailSinkPage:
    messages: list[mailsink.Stored]
    shown: mailsink.Stored | None = None


def _sink_folder() -> Path:
    folder = get_settings().mail_sink_dir
    if folder is None:
        raise NotFound("there is no mail sink on this server")
    return folder


@router.get("/demo-mail", response_class=HTMLResponse)
def demo_mail(request: Request) -> Response:
    """Every email the demo sent (web-form replies, acknowledgements, notices), newest first."""
    return render(request, "channels/demo_mail.html", MailSinkPage(mailsink.stored(_sink_folder())))


@router.get("/demo-mail/{name}", response_class=HTMLResponse)
def demo_mail_message(name: str, request: Request) -> Response:
    folder = _sink_folder()
    shown = mailsink.read(folder, name)
    if shown is None:
        raise NotFound("no such message in the mail sink")
    return render(request, "channels/demo_mail.html", MailSinkPage(mailsink.stored(folder, limit=50), shown))
