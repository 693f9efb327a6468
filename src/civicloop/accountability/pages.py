"""Pages: officials make and update commitments and decide on promises; citizens read the tracker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from civicloop.accountability import queries, service, translation
from civicloop.accountability import tasks as _tasks  # noqa: F401 - registers the hooks in web processes
from civicloop.accountability.models import Commitment, CommitmentStatus, CommitmentUpdate, Promise
from civicloop.accountability.schemas import CommitmentIn, Photo, UpdateIn
from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.config import get_settings
from civicloop.consultations import report, results, themes
from civicloop.consultations.models import Consultation, ReportSection
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import Invalid, NotFound
from civicloop.kit import i18n, uploads
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_
from civicloop.oversight.periods import local_today
from civicloop.oversight.report import Column, Table, dumps
from civicloop.web.forms import form_action, form_data
from civicloop.web.templating import flash, public_render, render

router = APIRouter(include_in_schema=False)
STATUSES = list(CommitmentStatus)
MAX_COMMENTS = 300  # offered for linking on the page; the API links any number


def _today() -> date:
    return local_today(utcnow(), get_settings().timezone)


def _invalid(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return Invalid(f"{where}: {first['msg']}", field=where or None)


# -- officials: commitments of one consultation -----------------------------------------------------


@dataclass
class CommitmentsPage:
    consultation: Consultation
    sections: list[ReportSection]
    theme_labels: list[str]
    # (response id, channel, text) of each free-text answer, to link the comments that led to a commitment.
    comments: list[tuple[int, str, str]]
    commitments: list[Commitment]
    can_write: bool
    today: date
    error: str | None = None


def _commitments_page(session: Session, actor: Actor, consultation_id: int, **extra: object) -> CommitmentsPage:
    consultation = actor.fetch(session, Consultation, consultation_id, what="consultation")
    return CommitmentsPage(
        consultation=consultation,
        sections=report.sections_of(session, consultation.id),
        theme_labels=[t.label for t in themes.view(consultation).themes],
        comments=list(
            {
                t.response_id: (t.response_id, t.channel, t.text)
                for t in results.compute(session, consultation).texts()
            }.values()
        )[:MAX_COMMENTS],
        commitments=queries.commitments_of(session, consultation.id),
        can_write=actor.has_role(consultation.agency_id),
        today=_today(),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/consultations/{consultation_id}/commitments", response_class=HTMLResponse)
def commitments(consultation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "accountability/commitments.html", _commitments_page(session, actor, consultation_id))


@router.post("/consultations/{consultation_id}/commitments", response_class=HTMLResponse)
def create(
    consultation_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    title: Annotated[str, Form(max_length=300)],
    due_on: Annotated[str, Form(max_length=10)],
    description: Annotated[str, Form(max_length=5000)] = "",
    division: Annotated[str, Form(max_length=300)] = "",
    section_id: Annotated[str, Form(max_length=12)] = "",
    theme: Annotated[list[str] | None, Form()] = None,
    response_id: Annotated[list[int] | None, Form()] = None,
) -> Response:
    with form_action(session) as attempt:
        try:
            data = CommitmentIn(
                title=title,
                description=description,
                division=division,
                due_on=due_on,  # pydantic parses the ISO date
                section_id=int(section_id) if section_id.isdigit() else None,
                themes=theme or [],
                response_ids=response_id or [],
            )
        except ValidationError as exc:
            raise _invalid(exc) from exc
        commitment = service.create_commitment(session, actor=actor, consultation_id=consultation_id, data=data)
    if (refused := attempt.error) is not None:
        page = _commitments_page(session, actor, consultation_id, error=refused.message)
        return render(request, "accountability/commitments.html", page, status_code=refused.status_code)
    flash(request, f"Commitment “{commitment.title}” added to the public tracker.")
    return RedirectResponse(f"/consultations/{consultation_id}/commitments", status_code=303)


# -- officials: one commitment ----------------------------------------------------------------------


@dataclass
class CommitmentPage:
    commitment: Commitment
    consultation: Consultation
    updates: list[CommitmentUpdate]
    notices: dict[str, int]
    statuses: list[CommitmentStatus]
    can_write: bool
    error: str | None = None


def _commitment_page(session: Session, actor: Actor, commitment_id: int, **extra: object) -> CommitmentPage:
    commitment = actor.fetch(session, Commitment, commitment_id, what="commitment")
    consultation = session.get(Consultation, commitment.consultation_id)
    assert consultation is not None  # foreign key
    return CommitmentPage(
        commitment=commitment,
        consultation=consultation,
        updates=queries.timeline(session, commitment.id),
        notices=queries.notice_counts(session, commitment.id),
        statuses=STATUSES,
        can_write=actor.has_role(commitment.agency_id),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/accountability/commitments/{commitment_id}", response_class=HTMLResponse)
def commitment_page(commitment_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "accountability/commitment.html", _commitment_page(session, actor, commitment_id))


@router.post("/accountability/commitments/{commitment_id}/updates", response_class=HTMLResponse)
def post_update(
    commitment_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[str, Form(max_length=16)],
    progress: Annotated[str, Form(max_length=3)] = "0",
    note: Annotated[str, Form(max_length=5000)] = "",
    photo_alt: Annotated[str, Form(max_length=300)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    with form_action(session) as attempt:
        try:
            data = UpdateIn(status=status, progress=progress, note=note, photo_alt=photo_alt)
        except ValidationError as exc:
            raise _invalid(exc) from exc
        picture = None
        if photo is not None and photo.filename:
            picture = Photo(filename=photo.filename, data=uploads.read_limited(photo.file))
        update = service.add_update(session, actor=actor, commitment_id=commitment_id, data=data, photo=picture)
    if (refused := attempt.error) is not None:
        page = _commitment_page(session, actor, commitment_id, error=refused.message)
        return render(request, "accountability/commitment.html", page, status_code=refused.status_code)
    told = " Participants are being told." if update.status_changed else ""
    flash(request, f"Update saved on the public timeline.{told}")
    return RedirectResponse(f"/accountability/commitments/{commitment_id}", status_code=303)


# -- officials: a commitment's texts in another language, side by side with the English ----------------------


@dataclass
class TranslationRow:
    label: str
    name: str  # the form field
    english: str
    written: str
    long: bool


@dataclass
class CommitmentTranslationPage:
    commitment: Commitment
    lang: str
    language_name: str
    rows: list[TranslationRow]
    error: str | None = None

    @property
    def missing(self) -> int:
        return sum(1 for r in self.rows if r.english.strip() and not r.written.strip())


COMMITMENT_LABELS = {
    "title": "Title",
    "description": "Description",
    "division": "Responsible",
    "dropped_reason": "Why it was dropped",
}


def _translation_page(
    session: Session, actor: Actor, commitment_id: int, lang: str, form: dict[str, str] | None = None, **extra: object
) -> CommitmentTranslationPage:
    commitment = actor.fetch(session, Commitment, commitment_id, what="commitment")
    if lang == i18n.DEFAULT or lang not in i18n.LANGUAGES:
        raise Invalid(f"the language is one of {', '.join(c for c in i18n.LANGUAGES if c != i18n.DEFAULT)}")

    def written(name: str, obj: object, field_name: str) -> str:
        if form is not None:
            return form.get(name, "")
        return i18n.translated(getattr(obj, "translations", None), lang, field_name)

    rows = [
        TranslationRow(
            label, name, getattr(commitment, name) or "", written(name, commitment, name), name == "description"
        )
        for name, label in COMMITMENT_LABELS.items()
        if getattr(commitment, name) or name in ("title", "description")
    ]
    for number, update in enumerate(queries.timeline(session, commitment.id), 1):
        for field_name, label in (("note", "note"), ("photo_alt", "photo description")):
            if getattr(update, field_name):
                name = f"u{update.id}_{field_name}"
                english = getattr(update, field_name)
                rows.append(
                    TranslationRow(f"Update {number}: {label}", name, english, written(name, update, field_name), True)
                )
    return CommitmentTranslationPage(commitment, lang, i18n.LANGUAGES[lang], rows, **extra)  # type: ignore[arg-type]


@router.get("/accountability/commitments/{commitment_id}/translation", response_class=HTMLResponse)
def translation_form(
    commitment_id: int, request: Request, session: SessionDep, actor: ActorDep, lang: str = "dz"
) -> Response:
    page = _translation_page(session, actor, commitment_id, lang)
    return render(request, "accountability/translation.html", page)


@router.post("/accountability/commitments/{commitment_id}/translation", response_class=HTMLResponse)
def translation_save(
    commitment_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    submitted: Annotated[FormData, Depends(form_data)],
) -> Response:
    form = {k: v for k, v in submitted.items() if isinstance(v, str)}
    lang = form.get("lang", "dz")
    values = {name: form.get(name, "") for name in COMMITMENT_LABELS if name in form}
    updates: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        head, _, field_name = name.partition("_")
        if head.startswith("u") and head[1:].isdigit() and field_name in translation.UPDATE_TEXTS:
            updates.setdefault(int(head[1:]), {})[field_name] = value
    with form_action(session) as attempt:
        translation.save(session, actor=actor, commitment_id=commitment_id, lang=lang, values=values, updates=updates)
    if (exc := attempt.error) is not None:
        page = _translation_page(session, actor, commitment_id, lang, form, error=exc.message)
        return render(request, "accountability/translation.html", page, status_code=exc.status_code)
    flash(request, f"Saved the {i18n.LANGUAGES.get(lang, lang)} version.")
    return RedirectResponse(f"/accountability/commitments/{commitment_id}/translation?lang={lang}", status_code=303)


# -- officials: promises on the conversation page (HTMX fragment) -----------------------------------


@dataclass
class PromisesFragment:
    conversation_id: int
    proposal: service.Proposal | None
    promises: list[Promise]
    timezone: str
    now: object


def _fragment(request: Request, session: Session, actor: Actor, conversation_id: int) -> Response:
    fragment = PromisesFragment(
        conversation_id=conversation_id,
        proposal=service.proposal(session, actor=actor, conversation_id=conversation_id),
        promises=queries.promises_of(session, conversation_id=conversation_id),
        timezone=get_settings().timezone,
        now=utcnow(),
    )
    return render(request, "accountability/_promises.html", fragment)


@router.get("/inbox/{conversation_id}/promises", response_class=HTMLResponse)
def promises(conversation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _fragment(request, session, actor, conversation_id)


@router.post("/inbox/{conversation_id}/promises/{outbound_id}/{decision}", response_class=HTMLResponse)
def decide(
    conversation_id: int, outbound_id: int, decision: str, request: Request, session: SessionDep, actor: ActorDep
) -> Response:
    if decision not in ("confirm", "dismiss"):
        raise NotFound("not found")
    promise = service.decide_promise(session, actor=actor, outbound_id=outbound_id, confirm=decision == "confirm")
    if promise.conversation_id != conversation_id:
        raise NotFound("reply not found")
    session.flush()
    return _fragment(request, session, actor, conversation_id)


@router.post("/inbox/{conversation_id}/promises/{promise_id}", response_class=HTMLResponse)
def keep(
    conversation_id: int,
    promise_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    note: Annotated[str, Form(max_length=2000)],
    follow_up: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    promise = service.keep_promise(session, actor=actor, promise_id=promise_id, note=note, follow_up=follow_up)
    if promise.conversation_id != conversation_id:
        raise NotFound("promise not found")
    return _fragment(request, session, actor, conversation_id)


# -- the public tracker -------------------------------------------------------------------------------


@dataclass
class TrackerPage:
    rows: list[queries.TrackerRow]
    agency: Agency | None
    agencies: list[Agency]
    overdue: int
    today: date


STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}


def _public(request: Request, template: str, page: object, lang: str | None) -> Response:
    return public_render(request, template, page, status_labels=STATUS_LABELS)


@router.get("/commitments", response_class=HTMLResponse)
def tracker(request: Request, session: SessionDep, agency: str | None = None, lang: str | None = None) -> Response:
    today = _today()
    chosen = queries.agency_by_code(session, agency) if agency else None
    rows = queries.tracker(session, today=today, agency_code=chosen.code if chosen else None)
    everyone = queries.tracker(session, today=today) if chosen else rows
    agencies = sorted({r.agency.id: r.agency for r in everyone}.values(), key=lambda a: a.name)
    page = TrackerPage(rows, chosen, agencies, sum(r.overdue for r in rows), today)
    return _public(request, "accountability/tracker.html", page, lang)


OPEN_DATA_COLUMNS = [
    "id",
    "agency_code",
    "consultation_code",
    "title",
    "division",
    "due_on",
    "status",
    "progress",
    "overdue",
    "dropped_reason",
    "themes",
    "linked_comments",
    "last_update",
]


@router.get("/commitments/open-data.{fmt}")
def open_data(fmt: str, session: SessionDep, agency: str | None = None) -> Response:
    """Every commitment, schema in docs/open-data.md: no personal data."""
    if agency:
        queries.agency_by_code(session, agency)
    records = queries.open_data(session, today=_today(), agency_code=agency)
    if fmt == "json":
        body = {"schema": "civicloop-commitments", "version": "1.0", "commitments": records}
        return Response(dumps(body), media_type="application/json")
    if fmt == "csv":
        table = Table("commitments", "Commitments", [Column(c, c) for c in OPEN_DATA_COLUMNS])
        for record in records:
            table.add(record)
        return Response(table.to_csv(), media_type="text/csv; charset=utf-8")
    return Response("ask for open-data.json or open-data.csv", status_code=404, media_type="text/plain")


@router.get("/commitments/photos/{stored_name}")
def photo(stored_name: str, session: SessionDep) -> Response:
    if not queries.photo_is_public(session, stored_name):
        raise NotFound("file not found")
    return FileResponse(uploads.path_of(stored_name), headers={"X-Content-Type-Options": "nosniff"})


@dataclass
class DetailPage:
    row: queries.TrackerRow
    updates: list[CommitmentUpdate]


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse)
def detail(commitment_id: int, request: Request, session: SessionDep, lang: str | None = None) -> Response:
    rows = queries.tracker(session, today=_today(), commitment_id=commitment_id)
    if not rows:
        raise NotFound("commitment not found")
    page = DetailPage(rows[0], queries.timeline(session, commitment_id))
    return _public(request, "accountability/detail.html", page, lang)
