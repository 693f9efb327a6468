"""The public feedback form ``/feedback/{agency_code}``, its thank-you page and the citizen's private status
page (``/feedback/{agency_code}/status/{reference}/{token}``): no login, accessible, works on a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency
from civicloop.channels.models import Conversation
from civicloop.channels.web import antispam, queries, service, status, topics
from civicloop.channels.web.antispam import HONEYPOT_FIELD
from civicloop.channels.web.models import FeedbackTopic
from civicloop.channels.web.service import LIMITS, Feedback
from civicloop.config import get_settings
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import NotFound, TooManyRequests
from civicloop.kit import i18n, mailsink
from civicloop.kit.i18n import N_
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, public_render, render, request_language

router = APIRouter(include_in_schema=False)


@dataclass
class FeedbackPage:
    agency: Agency
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notice: str | None = None
    limits: dict[str, int] = field(default_factory=lambda: {name: limit.maximum for name, limit in LIMITS.items()})
    honeypot: str = HONEYPOT_FIELD
    # The agency's topics (channels.web.topics): a choice in the page's language instead of a free-text topic.
    topics: list[FeedbackTopic] = field(default_factory=list)


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
    # The agency's topic the subject names, when it is one (shown in the page's language).
    topic_row: FeedbackTopic | None = None

    @property
    def state(self) -> str:
        """The conversation's state in English, marked for the catalogs (the page shows it translated)."""
        if self.conversation.status.value == "closed":
            return N_("Closed by the agency")
        return (
            N_("Answered") if self.entries and self.entries[-1].from_agency else N_("Waiting for the agency's answer")
        )


def _public(request: Request, template: str, page: object, lang: str | None, status_code: int = 200) -> HTMLResponse:
    # Chosen like on every public page: ?lang, the remembered choice (cookie), then Accept-Language.
    language = i18n.supported(lang) or request_language(request)
    response = public_render(request, template, page, status_code=status_code, lang=language)
    # The status link is a secret: no copy in a shared cache, no address sent on to other sites.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _form(request: Request, page: FeedbackPage, status_code: int = 200, lang: str | None = None) -> HTMLResponse:
    # A refused form answers in the language it was written in (its hidden ``lang`` field).
    lang = lang or request.query_params.get("lang")
    return _public(request, "channels/feedback.html", page, lang, status_code=status_code)


@router.get("/feedback/{agency_code}", response_class=HTMLResponse)
def feedback_form(agency_code: str, request: Request, session: SessionDep) -> Response:
    agency, _account = service.form_account(session, agency_code)
    return _form(request, FeedbackPage(agency=agency, topics=queries.topics(session, agency.id)))


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
    agency, account = service.form_account(session, agency_code)
    language = i18n.supported(lang) or request_language(request)
    if antispam.honeypot_tripped({HONEYPOT_FIELD: website}):
        # Answer a bot as if it had succeeded, so it learns nothing; nothing is stored.
        return _to_thanks(agency, service.new_reference(agency), language)
    feedback = Feedback(name=name, contact=contact, topic=topic, message=message)
    errors = service.validate(feedback, language)
    if errors:
        page = FeedbackPage(
            agency=agency, values=feedback.values(), errors=errors, topics=queries.topics(session, agency.id)
        )
        return _form(request, page, status_code=422, lang=language)
    try:
        antispam.check_rate(
            session,
            scope=f"feedback:{agency.code}",
            address=antispam.client_address(request),
            limit=get_settings().feedback_max_per_hour,
            lang=language,
        )
    except TooManyRequests as exc:
        page = FeedbackPage(
            agency=agency, values=feedback.values(), notice=exc.message, topics=queries.topics(session, agency.id)
        )
        response = _form(request, page, status_code=429, lang=language)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    reference = service.submit(session, agency=agency, account=account, feedback=feedback)
    return _to_thanks(agency, reference, language)


def _to_thanks(agency: Agency, reference: str, lang: str = i18n.DEFAULT) -> RedirectResponse:
    token = status.status_token(reference)
    return RedirectResponse(f"/feedback/{agency.code}/thanks?ref={reference}&t={token}&lang={lang}", status_code=303)


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
        topic_row=queries.topic_named(session, agency.id, conversation.subject) if conversation.subject else None,
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
    language = i18n.supported(lang) or request_language(request)
    back = f"{status.status_path(conversation.external_ref)}?lang={language}"
    if antispam.honeypot_tripped({HONEYPOT_FIELD: website}):
        return RedirectResponse(back + "&sent=1", status_code=303)
    with form_action(session) as attempt:
        antispam.check_rate(
            session,
            scope=f"feedback:{status.agency_code_of(conversation.external_ref)}",
            address=antispam.client_address(request),
            limit=get_settings().feedback_max_per_hour,
            lang=language,
        )
        status.citizen_reply(session, conversation=conversation, text=message, lang=language)
    if (exc := attempt.error) is not None:
        page = _status_page(session, conversation, value=message, error=exc.message)
        response = _public(request, "channels/feedback_status.html", page, lang or None, status_code=exc.status_code)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return RedirectResponse(back + "&sent=1", status_code=303)


# -- the form's topics, written by the agency's officials in English and Dzongkha ----------------------------


@dataclass
class TopicsPage:
    agency: Agency
    rows: list[topics.TopicText]
    error: str | None = None
    other: str = "dz"
    blank_rows: int = 3

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows if r.english.strip() and not r.others.get(self.other, "").strip())


def _topics_page(session: Session, agency: Agency, **extra: object) -> TopicsPage:
    rows = [
        topics.TopicText(t.label, {"dz": i18n.translated(t.translations, "dz", "label")})
        for t in queries.topics(session, agency.id)
    ]
    return TopicsPage(agency, rows, **extra)  # type: ignore[arg-type]


@router.get("/feedback-topics", response_class=HTMLResponse)
def topics_editor(request: Request, session: SessionDep, actor: ActorDep, agency_id: int) -> Response:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
    return render(request, "channels/topics.html", _topics_page(session, agency))


@router.post("/feedback-topics", response_class=HTMLResponse)
def topics_save(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[int, Form()],
    label: Annotated[list[str] | None, Form(max_length=1000)] = None,
    label_dz: Annotated[list[str] | None, Form(max_length=1000)] = None,
) -> Response:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
    english, dzongkha = label or [], label_dz or []
    rows = [
        topics.TopicText(english[i] if i < len(english) else "", {"dz": dzongkha[i] if i < len(dzongkha) else ""})
        for i in range(max(len(english), len(dzongkha)))
    ]
    with form_action(session) as attempt:
        topics.set_topics(session, actor=actor, agency_id=agency.id, rows=rows)
    if (exc := attempt.error) is not None:
        page = TopicsPage(agency, rows, error=exc.message)
        return render(request, "channels/topics.html", page, status_code=exc.status_code)
    flash(request, "Saved the feedback form's topics.")
    return RedirectResponse(f"/feedback-topics?agency_id={agency.id}", status_code=303)


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
