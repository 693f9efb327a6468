"""Pages for citizens, with no login: the consultation, its form, its files, its report and open data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from civicloop.agencies import queries as agency_queries
from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.web import antispam
from civicloop.config import get_settings
from civicloop.consultations import answers, printable, queries, report, themes
from civicloop.consultations import results as results_mod
from civicloop.consultations.models import (
    Attachment,
    AttachmentKind,
    Consultation,
    ConsultationStatus,
    Question,
)
from civicloop.consultations.schemas import public_path
from civicloop.deps import OptionalActorDep, SessionDep
from civicloop.errors import AppError, NotFound, Unauthenticated
from civicloop.kit import i18n, uploads
from civicloop.web.forms import form_action, form_data
from civicloop.web.templating import public_render, remember_language, request_language

router = APIRouter(include_in_schema=False)


@dataclass
class IndexPage:
    consultations: list[Consultation]
    agencies: dict[int, Agency]


@dataclass
class PublicPage:
    consultation: Consultation
    agency: Agency
    questions: list[Question]
    documents: list[Attachment]
    pictures: list[Attachment]
    options: dict[str, Attachment]
    audience_agencies: list[str]
    accepting: bool
    # The agency's social media where a comment on its posts counts as an answer, in prose ("A, B or C").
    answer_platforms: str
    lang: str
    path: str
    report_published: bool
    # Why the form is not offered to this visitor (a survey of civil servants), and whether signing in helps.
    gate: str | None = None
    sign_in: bool = False
    thanks: bool = False
    error: str | None = None
    values: dict[str, list[str]] = field(default_factory=dict)
    comment: str = ""


def _gate(session: Session, consultation: Consultation, respondent: Actor | None) -> dict[str, object]:
    """For a survey of civil servants: why this visitor cannot answer (not signed in, not of its agencies,
    answered already), so the page says so instead of offering a form that will be refused."""
    try:
        answers.check_respondent(session, consultation, respondent)
    except AppError as exc:
        return {"gate": exc.message[0].upper() + exc.message[1:], "sign_in": isinstance(exc, Unauthenticated)}
    return {}


def _answer_platforms(session: Session, agency_id: int, lang: str) -> str:
    in_use = agency_queries.platforms_in_use(session, agency_id)
    names = [spec.name for spec in registry.social() if spec.name in in_use]
    return registry.listed(names, last=i18n.translate(lang, "or")) if names else ""


def _page(session: Session, consultation: Consultation, lang: str, **extra: object) -> PublicPage:
    attachments = queries.attachments_of(session, consultation.id)
    agency = agency_queries.get(session, consultation.agency_id)
    return PublicPage(
        consultation=consultation,
        agency=agency,
        questions=queries.questions_of(session, consultation.id),
        documents=[a for a in attachments if a.kind is AttachmentKind.document],
        pictures=[a for a in attachments if a.kind is AttachmentKind.image and not a.option_label],
        options={a.option_label: a for a in attachments if a.option_label},
        audience_agencies=answers.audience_names(session, consultation),
        accepting=answers.accepts_answers(consultation),
        answer_platforms=_answer_platforms(session, consultation.agency_id, lang),
        lang=lang,
        path=public_path(consultation),
        report_published=consultation.status is ConsultationStatus.published,
        **extra,  # type: ignore[arg-type]
    )


# Shown on the pages in the visitor's language (the stored values stay English words).
KIND_LABELS = {"consultation": i18n.N_("Consultation"), "survey": i18n.N_("Survey")}
CHANNEL_LABELS = printable.CHANNEL_LABELS


def _render(request: Request, template: str, page: object, lang: str, status_code: int = 200) -> Response:
    return public_render(
        request,
        template,
        page,
        status_code=status_code,
        lang=lang,
        kind_labels=KIND_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


def _lang(request: Request, lang: str | None) -> str:
    """The form posts its page's language; otherwise ``?lang``, the remembered choice, then the browser's."""
    return i18n.supported(lang) or request_language(request)


@router.get("/c", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, lang: str | None = None) -> Response:
    items = queries.list_public(session)
    names = agency_queries.by_ids(session, (c.agency_id for c in items))
    return _render(request, "consultations/public_index.html", IndexPage(items, names), _lang(request, lang))


@router.get("/c/{code}", response_class=HTMLResponse)
def public_page(
    code: str,
    request: Request,
    session: SessionDep,
    respondent: OptionalActorDep,
    lang: str | None = None,
    thanks: bool = False,
) -> Response:
    consultation = queries.get_public(session, code)
    language = _lang(request, lang)
    gate = {} if thanks else _gate(session, consultation, respondent)
    return _render(
        request, "consultations/public.html", _page(session, consultation, language, thanks=thanks, **gate), language
    )


@router.post("/c/{code}", response_class=HTMLResponse)
def answer(
    code: str,
    request: Request,
    session: SessionDep,
    respondent: OptionalActorDep,
    form: Annotated[FormData, Depends(form_data)],
) -> Response:
    consultation = queries.get_public(session, code)
    language = _lang(request, str(form.get("lang") or ""))
    thanks = RedirectResponse(f"{public_path(consultation)}?thanks=1&lang={language}#thanks", status_code=303)
    if antispam.honeypot_tripped(form):
        # Answer a bot as if it had succeeded, so it learns nothing; nothing is stored.
        return thanks
    values: dict[int, list[str]] = {}
    for key, value in form.multi_items():
        if key.startswith("q") and key[1:].isdigit() and isinstance(value, str):
            values.setdefault(int(key[1:]), []).append(value)
    comment = str(form.get("comment") or "")
    with form_action(session) as attempt:
        answers.submit_form(
            session,
            consultation=consultation,
            values=values,
            comment=comment,
            language=language,
            respondent=respondent,
        )
        antispam.check_rate(
            session,
            scope=f"consultation:{consultation.code}",
            address=antispam.client_address(request),
            limit=get_settings().consultation_answers_per_hour,
            lang=language,
        )
    if (exc := attempt.error) is not None:
        consultation = queries.get_public(session, code)
        page = _page(
            session,
            consultation,
            language,
            error=exc.message,
            values={f"q{k}": v for k, v in values.items()},
            comment=comment,
            **_gate(session, consultation, respondent),
        )
        return _render(request, "consultations/public.html", page, language, status_code=exc.status_code)
    return thanks


@router.get("/c/{code}/files/{attachment_id}/{filename}")
def public_file(code: str, attachment_id: int, filename: str, session: SessionDep) -> Response:
    attachment = queries.attachment_for_public(session, code=code, attachment_id=attachment_id)
    return FileResponse(
        uploads.path_of(attachment.stored_name),
        media_type=attachment.content_type,
        headers=uploads.download_headers(attachment.filename, attachment.content_type),
    )


@router.get("/c/{code}/report", response_class=HTMLResponse)
def public_report(code: str, request: Request, session: SessionDep, lang: str | None = None) -> Response:
    view = printable.report_view(session, code=code, lang=_lang(request, lang))
    return _render(request, "consultations/public_report.html", view, view.lang)


@router.get("/c/{code}/report.pdf")
def public_report_pdf(code: str, request: Request, session: SessionDep, lang: str | None = None) -> Response:
    view = printable.report_view(session, code=code, lang=_lang(request, lang))
    response = Response(
        printable.report_pdf(view),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{printable.pdf_filename(view)}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
    remember_language(request, response, view.lang)
    return response


@router.get("/c/{code}/open-data.{fmt}")
def open_data(code: str, fmt: str, session: SessionDep) -> Response:
    """The published results as open data: no contact details, dates only, free text redacted."""
    published = report.public_report(session, code=code)
    consultation = published.consultation
    columns, data = results_mod.rows(session, consultation, clean=themes.redactor(), dates_only=True)
    name = f"consultation-{consultation.code}-results"
    if fmt == "csv":
        body, media = results_mod.to_csv(columns, data), "text/csv; charset=utf-8"
    elif fmt == "json":
        payload = {
            "consultation": {
                "code": consultation.code,
                "title": consultation.title,
                "agency": published.agency.name,
                "opened": consultation.opened_at.date().isoformat() if consultation.opened_at else None,
                "closed": consultation.closed_at.date().isoformat() if consultation.closed_at else None,
                "decision": consultation.decision,
                "url": public_path(consultation) + "/report",
            },
            "results": published.results.as_json(),
            "themes": [
                {"label": t.label, "size": t.size, "keywords": t.keywords, "quotes": t.quotes} for t in published.themes
            ],
            "responses": data,
            "licence": "Open data: reuse freely with attribution to the agency.",
        }
        body, media = json.dumps(payload, ensure_ascii=False, indent=2), "application/json"
    else:
        raise NotFound("open data comes as .csv or .json")
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "X-Content-Type-Options": "nosniff",
            "Access-Control-Allow-Origin": "*",
        },
    )
