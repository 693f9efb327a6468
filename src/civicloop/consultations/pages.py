"""Pages for officials: list, create and edit consultations, results, the report, and the inbox link control."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from civicloop import jobs
from civicloop.agencies import queries as agency_queries
from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.consultations import answers, queries, report, service, themes, translation
from civicloop.consultations import results as results_mod
from civicloop.consultations.models import (
    Attachment,
    Audience,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Question,
    QuestionKind,
    ReportSection,
)
from civicloop.consultations.schemas import (
    ConsultationCreate,
    ConsultationUpdate,
    QuestionIn,
    ReportIn,
    ReportSectionIn,
    public_path,
)
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.kit import i18n, uploads
from civicloop.kit.timezones import local, parse_instant
from civicloop.web.charts import bar_chart, line_chart
from civicloop.web.forms import form_action, form_data
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


@dataclass
class ListPage:
    consultations: list[Consultation]
    agency_names: dict[int, str]
    counts: dict[int, int]
    # False for an official who may only read (the auditor): no "New consultation" link.
    can_create: bool = True


@dataclass
class FormPage:
    """Create (consultation is None) or edit a consultation's fields."""

    agencies: list[Agency]
    accounts: list[OfficialAccount]
    all_agencies: list[Agency]
    consultation: Consultation | None = None
    chosen_accounts: list[int] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    kinds: list[str] = field(default_factory=lambda: [k.value for k in ConsultationKind])
    audiences: list[str] = field(default_factory=lambda: [a.value for a in Audience])


@dataclass
class DetailPage:
    consultation: Consultation
    agency: Agency
    questions: list[Question]
    attachments: list[Attachment]
    accounts: list[OfficialAccount]
    problems: list[str]
    responses: int
    can_edit: bool
    public_path: str
    question_kinds: list[str]
    # Whether the official may schedule, open, close or edit it at all (not the auditor).
    can_act: bool = True
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class ResultsPage:
    consultation: Consultation
    results: results_mod.Results
    participation_chart: Markup
    charts: dict[int, Markup]
    themes: themes.ThemeView
    texts: list[results_mod.TextItem]
    shown_limit: int
    can_act: bool = True


@dataclass
class ReportPage:
    consultation: Consultation
    sections: list[ReportSection]
    suggestions: list[tuple[str, str]]
    themes: themes.ThemeView
    can_write: bool
    error: str | None = None


@dataclass
class LinkControlPage:
    control: answers.LinkControl
    message: str | None = None


def _instant(text: str, zone: str) -> datetime | None:
    return parse_instant(text, zone) if text.strip() else None


def _local_input(value: datetime | None, zone: str) -> str:
    return local(value, zone).strftime("%Y-%m-%dT%H:%M") if value else ""


def _writable_agencies(session: Session, actor: Actor) -> list[Agency]:
    return [a for a in agencies.list_agencies(session, actor=actor) if actor.has_role(a.id)]


def _postable_accounts(session: Session, actor: Actor, agency_ids: set[int]) -> list[OfficialAccount]:
    return [
        a
        for a in agencies.list_accounts(session, actor=actor)
        if a.agency_id in agency_ids and registry.spec(a.platform).post is not None
    ]


def _form_page(session: Session, actor: Actor, **extra: object) -> FormPage:
    writable = _writable_agencies(session, actor)
    return FormPage(
        agencies=writable,
        accounts=_postable_accounts(session, actor, {a.id for a in writable}),
        all_agencies=agencies.list_agencies(session, actor=None),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/consultations", response_class=HTMLResponse)
def list_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    items = queries.list_for(session, actor=actor)
    page = ListPage(
        consultations=items,
        agency_names={a.id: a.name for a in agencies.list_agencies(session, actor=actor)},
        counts={c.id: results_mod.count(session, c.id) for c in items if c.status not in queries.EDITABLE},
        can_create=bool(_writable_agencies(session, actor)),
    )
    return render(request, "consultations/list.html", page)


@router.get("/consultations/new", response_class=HTMLResponse)
def new_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not _writable_agencies(session, actor):
        raise Forbidden("opening a consultation needs a working role in an agency")
    return render(request, "consultations/form.html", _form_page(session, actor))


@router.get("/consultations/link-control", response_class=HTMLResponse)
def link_control(request: Request, session: SessionDep, actor: ActorDep, conversation_id: int) -> Response:
    control = answers.link_control(session, actor=actor, conversation_id=conversation_id)
    # The inbox loads the control in place; its link (and a link or unlink without JavaScript) opens it as a page.
    template = "_link_control_body.html" if request.headers.get("hx-request") else "link_control.html"
    return render(request, f"consultations/{template}", LinkControlPage(control))


@router.post("/consultations/links", response_class=HTMLResponse)
def change_link(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    consultation_id: Annotated[int, Form()],
    conversation_id: Annotated[int, Form()],
    action: Annotated[str, Form()] = "link",
) -> Response:
    with form_action(session) as attempt:
        if action == "unlink":
            removed = answers.unlink(
                session, actor=actor, consultation_id=consultation_id, conversation_id=conversation_id
            )
            message = f"Unlinked; {removed} answer(s) no longer count."
        else:
            added = answers.link(session, actor=actor, consultation_id=consultation_id, conversation_id=conversation_id)
            message = f"Linked; {added} message(s) now count as answers."
        status = 200
    if (exc := attempt.error) is not None:
        message, status = exc.message, exc.status_code
    control = answers.link_control(session, actor=actor, conversation_id=conversation_id)
    if request.headers.get("hx-request"):
        return render(
            request, "consultations/_link_control_body.html", LinkControlPage(control, message), status_code=status
        )
    flash(request, message, "info" if status == 200 else "error")
    return RedirectResponse(f"/consultations/link-control?conversation_id={conversation_id}", status_code=303)


FormText = Annotated[str, Form(max_length=100_000)]


E = TypeVar("E", ConsultationKind, Audience, QuestionKind)


def _enum(kind: type[E], value: str, name: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise Invalid(f"unknown {name} {value!r}", field=name) from exc


class ConsultationForm(BaseModel):
    """The create/edit form as typed: text that goes back into the form, parsed only when saved."""

    agency_id: int = 0
    title: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=5000)
    body_markdown: str = Field(default="", max_length=100_000)
    kind: str = "consultation"
    audience: str = "citizens"
    audience_agency_ids: list[int] = Field(default_factory=list)
    opens_at: str = Field(default="", max_length=40)
    closes_at: str = Field(default="", max_length=40)
    hashtag: str = Field(default="", max_length=64)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    account_ids: list[int] = Field(default_factory=list)

    def shown(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude={"audience_agency_ids", "account_ids"}).items()}

    def fields(self, zone: str) -> dict[str, object]:
        """What the service takes, with dates read in the agency's time zone."""
        return {
            "title": self.title,
            "summary": self.summary,
            "body_markdown": self.body_markdown,
            "kind": _enum(ConsultationKind, self.kind, "kind"),
            "audience": _enum(Audience, self.audience, "audience"),
            "audience_agency_ids": self.audience_agency_ids,
            "opens_at": _instant(self.opens_at, zone),
            "closes_at": _instant(self.closes_at, zone),
            "hashtag": self.hashtag,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
            "account_ids": self.account_ids,
        }


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], values: dict[str, object]) -> M:
    """Build a schema from form values; a value it refuses becomes a clear Invalid, not a server error."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise Invalid(f"{where.replace('_', ' ')}: {first.get('msg')}", field=where or None) from exc


@router.post("/consultations", response_class=HTMLResponse)
def create(
    request: Request, session: SessionDep, actor: ActorDep, form: Annotated[ConsultationForm, Form()]
) -> Response:
    with form_action(session) as attempt:
        zone = agency_queries.zone_name_for(session, form.agency_id)
        data = _validated(ConsultationCreate, {"agency_id": form.agency_id, **form.fields(zone)})
        consultation = service.create(session, actor=actor, data=data)
    if (exc := attempt.error) is not None:
        page = _form_page(session, actor, form=form.shown(), error=exc.message, chosen_accounts=form.account_ids)
        return render(request, "consultations/form.html", page, status_code=exc.status_code)
    flash(request, f"Draft “{consultation.title}” created. Add its questions and documents, then open it.")
    return RedirectResponse(f"/consultations/{consultation.id}", status_code=303)


def _detail(session: Session, actor: Actor, consultation_id: int, **extra: object) -> DetailPage:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    agency = agencies.get_agency(session, actor=actor, agency_id=consultation.agency_id)
    chosen = set(queries.account_ids_of(session, consultation.id))
    return DetailPage(
        consultation=consultation,
        agency=agency,
        questions=queries.questions_of(session, consultation.id),
        attachments=queries.attachments_of(session, consultation.id),
        accounts=[a for a in agencies.list_accounts(session, actor=actor, agency_id=agency.id) if a.id in chosen],
        problems=service.readiness_problems(session, consultation) if consultation.status in queries.EDITABLE else [],
        responses=results_mod.count(session, consultation.id),
        can_edit=actor.has_role(agency.id) and consultation.status in queries.EDITABLE,
        public_path=public_path(consultation),
        question_kinds=[k.value for k in QuestionKind],
        can_act=actor.has_role(agency.id),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/consultations/{consultation_id}", response_class=HTMLResponse)
def detail(consultation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "consultations/detail.html", _detail(session, actor, consultation_id))


@router.get("/consultations/{consultation_id}/edit", response_class=HTMLResponse)
def edit_page(consultation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    zone = agency_queries.zone_name_for(session, consultation.agency_id)
    form = {
        "agency_id": str(consultation.agency_id),
        "title": consultation.title,
        "summary": consultation.summary,
        "body_markdown": consultation.body_markdown,
        "kind": consultation.kind.value,
        "audience": consultation.audience.value,
        "opens_at": _local_input(consultation.opens_at, zone),
        "closes_at": _local_input(consultation.closes_at, zone),
        "hashtag": consultation.hashtag or "",
        "contact_name": consultation.contact_name,
        "contact_email": consultation.contact_email,
        "contact_phone": consultation.contact_phone,
    }
    page = _form_page(
        session,
        actor,
        consultation=consultation,
        form=form,
        chosen_accounts=queries.account_ids_of(session, consultation.id),
    )
    return render(request, "consultations/form.html", page)


@router.post("/consultations/{consultation_id}/edit", response_class=HTMLResponse)
def edit(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    form: Annotated[ConsultationForm, Form()],
) -> Response:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    zone = agency_queries.zone_name_for(session, consultation.agency_id)
    with form_action(session) as attempt:
        values = form.fields(zone)
        if consultation.status is ConsultationStatus.open:
            values = {"closes_at": values["closes_at"]}
        data = _validated(ConsultationUpdate, values)
        service.update(session, actor=actor, consultation_id=consultation_id, data=data)
    if (exc := attempt.error) is not None:
        consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
        page = _form_page(
            session,
            actor,
            consultation=consultation,
            form=form.shown(),
            error=exc.message,
            chosen_accounts=form.account_ids,
        )
        return render(request, "consultations/form.html", page, status_code=exc.status_code)
    flash(request, "Saved.")
    return RedirectResponse(f"/consultations/{consultation_id}", status_code=303)


def _run(
    request: Request,
    session: Session,
    action: Callable[[], str],
    *,
    back: str,
    page: Callable[[str], tuple[str, object]],
) -> Response:
    """Run one change and go back with its message; on a refusal show ``page`` again with the reason."""
    with form_action(session) as attempt:
        message = action()
    if (exc := attempt.error) is not None:
        template, context = page(exc.message)
        return render(request, template, context, status_code=exc.status_code)
    flash(request, message)
    return RedirectResponse(back, status_code=303)


def _after(
    request: Request,
    session: Session,
    actor: Actor,
    consultation_id: int,
    action: Callable[[], str],
    *,
    to_report: bool = False,
) -> Response:
    """Back to the consultation (or its report page) with the action's message, or that page with the reason."""
    if to_report:
        return _run(
            request,
            session,
            action,
            back=f"/consultations/{consultation_id}/report",
            page=lambda error: (
                "consultations/report_edit.html",
                _report_page(session, actor, consultation_id, error=error),
            ),
        )
    return _run(
        request,
        session,
        action,
        back=f"/consultations/{consultation_id}",
        page=lambda error: ("consultations/detail.html", _detail(session, actor, consultation_id, error=error)),
    )


# The page's "remove" buttons: what each part's path removes, the name of its id, and the message.
REMOVERS: dict[str, tuple[Callable[..., None], str, str]] = {
    "questions": (service.remove_question, "question_id", "Question removed."),
    "attachments": (service.remove_attachment, "attachment_id", "File removed."),
    "report/sections": (report.remove_section, "section_id", "Removed."),
}


@router.post("/consultations/{consultation_id}/{part:path}/{part_id}/delete", response_class=HTMLResponse)
def remove_part(
    consultation_id: int, part: str, part_id: int, request: Request, session: SessionDep, actor: ActorDep
) -> Response:
    """Remove a question or a file of a draft, or a section of the report being written."""
    if part not in REMOVERS:
        raise NotFound(f"nothing to remove at {part!r}")
    remove, id_name, message = REMOVERS[part]

    def act() -> str:
        remove(session, actor=actor, consultation_id=consultation_id, **{id_name: part_id})
        return message

    return _after(request, session, actor, consultation_id, act, to_report=part.startswith("report/"))


@router.post("/consultations/{consultation_id}/questions", response_class=HTMLResponse)
def add_question(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    kind: Annotated[str, Form()],
    prompt: Annotated[str, Form(max_length=500)],
    options: Annotated[str, Form(max_length=5000)] = "",
    help_text: Annotated[str, Form(max_length=2000)] = "",
    required: Annotated[bool, Form()] = False,
    scale_low: Annotated[str, Form(max_length=100)] = "",
    scale_high: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def act() -> str:
        data = _validated(
            QuestionIn,
            {
                "kind": _enum(QuestionKind, kind, "kind"),
                "prompt": prompt,
                "options": [line for line in options.splitlines() if line.strip()],
                "required": required,
                "help_text": help_text,
                "scale_low": scale_low,
                "scale_high": scale_high,
            },
        )
        service.add_question(session, actor=actor, consultation_id=consultation_id, data=data)
        return "Question added."

    return _after(request, session, actor, consultation_id, act)


@router.post("/consultations/{consultation_id}/attachments", response_class=HTMLResponse)
def upload(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File()],
    alt_text: Annotated[str, Form(max_length=300)] = "",
    option_label: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    def act() -> str:
        data = uploads.read_limited(file.file)
        attachment = service.add_attachment(
            session,
            actor=actor,
            consultation_id=consultation_id,
            filename=file.filename or "file",
            data=data,
            alt_text=alt_text,
            option_label=option_label or None,
        )
        return f"{attachment.filename} was added."

    return _after(request, session, actor, consultation_id, act)


@router.get("/consultations/{consultation_id}/files/{attachment_id}")
def official_file(consultation_id: int, attachment_id: int, session: SessionDep, actor: ActorDep) -> Response:
    """Officials preview attachments of drafts too; citizens get them from the public page once it is open."""
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    attachment = next((a for a in queries.attachments_of(session, consultation.id) if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("file not found")
    return FileResponse(
        uploads.path_of(attachment.stored_name),
        media_type=attachment.content_type,
        headers=uploads.download_headers(attachment.filename, attachment.content_type),
    )


@router.get("/consultations/{consultation_id}/results", response_class=HTMLResponse)
def results_page(consultation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    computed = results_mod.compute(session, consultation)
    charts = {
        q.question.id: bar_chart([(o.label, o.count) for o in q.options], title=q.question.prompt, unit="")
        for q in computed.questions
        if q.closed
    }
    limit = 300
    page = ResultsPage(
        consultation=consultation,
        results=computed,
        participation_chart=line_chart(computed.per_day, title="Answers per day by channel"),
        charts=charts,
        themes=themes.view(consultation),
        texts=computed.texts()[-limit:][::-1],
        shown_limit=limit,
        can_act=actor.has_role(consultation.agency_id),
    )
    return render(request, "consultations/results.html", page)


@router.post("/consultations/{consultation_id}/themes")
def refresh_themes(consultation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    actor.require(consultation.agency_id)
    jobs.after_commit(session, "civicloop.consultations.tasks.refresh_themes", consultation.id)
    flash(request, "The themes are being worked out; reload in a moment.")
    return RedirectResponse(f"/consultations/{consultation_id}/results", status_code=303)


@router.get("/consultations/{consultation_id}/export.{fmt}")
def export(consultation_id: int, fmt: str, session: SessionDep, actor: ActorDep) -> Response:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    columns, data = results_mod.rows(session, consultation)
    name = f"consultation-{consultation.code}"
    if fmt == "csv":
        body, media = results_mod.to_csv(columns, data), "text/csv; charset=utf-8"
    elif fmt == "json":
        payload = {"results": results_mod.compute(session, consultation).as_json(), "responses": data}
        body, media = json.dumps(payload, ensure_ascii=False, indent=2), "application/json"
    else:
        raise Invalid("export as csv or json")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "X-Content-Type-Options": "nosniff"},
    )


def _report_page(session: Session, actor: Actor, consultation_id: int, **extra: object) -> ReportPage:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    view = themes.view(consultation)
    suggestions = [(f"question:{q.id}", q.prompt) for q in queries.questions_of(session, consultation.id)]
    suggestions += [(f"theme:{t.label}", t.label) for t in view.themes]
    return ReportPage(
        consultation=consultation,
        sections=report.sections_of(session, consultation.id),
        suggestions=suggestions,
        themes=view,
        can_write=actor.has_role(consultation.agency_id) and consultation.status in report.WRITABLE,
        **extra,  # type: ignore[arg-type]
    )


@router.get("/consultations/{consultation_id}/report", response_class=HTMLResponse)
def report_page(consultation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "consultations/report_edit.html", _report_page(session, actor, consultation_id))


@router.post("/consultations/{consultation_id}/report", response_class=HTMLResponse)
def save_report(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    report_intro: Annotated[str, Form(max_length=10_000)] = "",
    decision: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    def act() -> str:
        data = ReportIn(report_intro=report_intro, decision=decision)
        report.save_report(session, actor=actor, consultation_id=consultation_id, data=data)
        return "Report saved."

    return _after(request, session, actor, consultation_id, act, to_report=True)


@router.post("/consultations/{consultation_id}/report/sections", response_class=HTMLResponse)
def add_section(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    heading: Annotated[str, Form(max_length=200)],
    topic: Annotated[str, Form(max_length=240)] = "general",
    you_said: Annotated[str, Form(max_length=10_000)] = "",
    we_did: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    def act() -> str:
        data = _validated(ReportSectionIn, {"topic": topic, "heading": heading, "you_said": you_said, "we_did": we_did})
        report.add_section(session, actor=actor, consultation_id=consultation_id, data=data)
        return "Response added to the report."

    return _after(request, session, actor, consultation_id, act, to_report=True)


@router.post("/consultations/{consultation_id}/publish", response_class=HTMLResponse)
def publish(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    announce: Annotated[bool, Form()] = False,
    reply_to_participants: Annotated[bool, Form()] = False,
) -> Response:
    def act() -> str:
        outcome = report.publish(
            session,
            actor=actor,
            consultation_id=consultation_id,
            announce=announce,
            reply_to_participants=reply_to_participants,
        )
        parts = ["The report is public."]
        if outcome.announced:
            parts.append("It was announced on the consultation's accounts.")
        if reply_to_participants:
            parts.append(
                f"Replies queued in {outcome.replies_sent} threads ({outcome.replies_refused} could not be sent)."
            )
        return " ".join(parts)

    return _after(request, session, actor, consultation_id, act, to_report=True)


# -- the consultation in another language: both side by side ---------------------------------------------------


@dataclass
class TranslationRow:
    name: str  # the form field, e.g. "c.title", "q12.options", "a3.alt_text"
    label: str
    english: str
    written: str
    long: bool


@dataclass
class TranslationPage:
    consultation: Consultation
    lang: str
    language_name: str
    rows: list[TranslationRow]
    missing: int
    error: str | None = None


CONSULTATION_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "body_markdown": "The full draft (Markdown)",
    "report_intro": "Report introduction",
    "decision": "Decision",
    "contact_name": "Contact person",
}


def _translation_page(
    session: Session, actor: Actor, consultation_id: int, lang: str, form: dict[str, str] | None = None, **extra: object
) -> TranslationPage:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    if lang not in i18n.LANGUAGES or lang == i18n.DEFAULT:
        raise NotFound(f"no language {lang!r} here")
    rows: list[TranslationRow] = []

    def add(name: str, label: str, obj: object, field_name: str, long: bool) -> None:
        english = getattr(obj, field_name, "") or ""
        if isinstance(english, list):
            english = "\n".join(english)
        written = i18n.translated(getattr(obj, "translations", None), lang, field_name)
        if form is not None:
            written = form.get(name, "")
        if english or written:
            rows.append(TranslationRow(name, label, english, written, long))

    for field_name, label in CONSULTATION_LABELS.items():
        add(f"c.{field_name}", label, consultation, field_name, field_name not in ("title", "contact_name"))
    for n, q in enumerate(queries.questions_of(session, consultation.id), start=1):
        add(f"q{q.id}.prompt", f"Question {n}", q, "prompt", False)
        add(f"q{q.id}.help_text", f"Question {n}: help", q, "help_text", True)
        if q.kind.value in ("single_choice", "multiple_choice"):
            add(f"q{q.id}.options", f"Question {n}: options, one a line in this order", q, "options", True)
    for a in queries.attachments_of(session, consultation.id):
        label = f"Design option {a.option_label}: caption" if a.option_label else f"{a.filename}: description"
        add(f"a{a.id}.alt_text", label, a, "alt_text", False)
    for n, section in enumerate(report.sections_of(session, consultation.id), start=1):
        add(f"s{section.id}.heading", f"Report section {n}: heading", section, "heading", False)
        add(f"s{section.id}.you_said", f"Report section {n}: you said", section, "you_said", True)
        add(f"s{section.id}.we_did", f"Report section {n}: we did", section, "we_did", True)
    missing = sum(1 for row in rows if row.english and not row.written.strip())
    return TranslationPage(consultation, lang, i18n.LANGUAGES[lang], rows, missing, **extra)  # type: ignore[arg-type]


@router.get("/consultations/{consultation_id}/translation", response_class=HTMLResponse)
def translation_page(
    consultation_id: int, request: Request, session: SessionDep, actor: ActorDep, lang: str = "dz"
) -> Response:
    return render(request, "consultations/translation.html", _translation_page(session, actor, consultation_id, lang))


def _parse_translation(form: dict[str, str]) -> translation.Translation:
    data = translation.Translation(consultation={}, questions={}, attachments={})
    for name, value in form.items():
        prefix, _, field_name = name.partition(".")
        if not field_name:
            continue
        if prefix == "c":
            data.consultation[field_name] = value
        elif prefix[:1] in ("q", "a", "s") and prefix[1:].isdigit() and len(prefix) < 12:
            target = {"q": data.questions, "a": data.attachments, "s": data.sections}[prefix[0]]
            target.setdefault(int(prefix[1:]), {})[field_name] = value
        else:
            raise Invalid(f"{name[:40]!r} is not a field of this form")
    return data


@router.post("/consultations/{consultation_id}/translation", response_class=HTMLResponse)
def save_translation(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    submitted: Annotated[FormData, Depends(form_data)],
) -> Response:
    form = {k: v for k, v in submitted.multi_items() if isinstance(v, str) and k != "csrf_token"}
    lang = form.pop("lang", "dz")
    with form_action(session) as attempt:
        data = _parse_translation(form)
        translation.save(session, actor=actor, consultation_id=consultation_id, lang=lang, data=data)
    if (exc := attempt.error) is not None:
        page = _translation_page(session, actor, consultation_id, lang, form, error=exc.message)
        return render(request, "consultations/translation.html", page, status_code=exc.status_code)
    flash(request, f"Saved the {i18n.LANGUAGES.get(lang, lang)} version.")
    return RedirectResponse(f"/consultations/{consultation_id}/translation?lang={lang}", status_code=303)


@router.post("/consultations/{consultation_id}/{transition}", response_class=HTMLResponse)
def transition(
    consultation_id: int, transition: str, request: Request, session: SessionDep, actor: ActorDep
) -> Response:
    """schedule, unschedule, open, close: declared last so that the named routes above match first."""

    def act() -> str:
        if transition == "schedule":
            service.schedule(session, actor=actor, consultation_id=consultation_id)
            return "Scheduled: it opens by itself at the opening date."
        if transition == "unschedule":
            service.unschedule(session, actor=actor, consultation_id=consultation_id)
            return "Back to draft."
        if transition == "open":
            service.open_now(session, actor=actor, consultation_id=consultation_id)
            return "Open for answers. The announcement went to the chosen accounts."
        if transition == "close":
            service.close(session, actor=actor, consultation_id=consultation_id)
            return "Closed. Write the report: what people said and what the agency does."
        raise Invalid(f"unknown action {transition!r}")

    return _after(request, session, actor, consultation_id, act)
