"""JSON API: consultations, questions, attachments, responses, results and reports (``/api/v1/consultations``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response as HttpResponse

from civicloop.consultations import answers, queries, report, service
from civicloop.consultations import results as results_mod
from civicloop.consultations.models import ConsultationStatus
from civicloop.consultations.schemas import (
    AnswerPublic,
    AttachmentPublic,
    ConsultationCreate,
    ConsultationPublic,
    ConsultationUpdate,
    LinkIn,
    PublishIn,
    QuestionIn,
    QuestionPublic,
    ReportIn,
    ReportSectionIn,
    ReportSectionPublic,
    ResponsePublic,
)
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import Invalid
from civicloop.kit import uploads

router = APIRouter(prefix="/consultations", tags=["consultations"])


@router.get("", response_model=list[ConsultationPublic])
def list_consultations(
    session: SessionDep, actor: ActorDep, agency_id: int | None = None, status: ConsultationStatus | None = None
) -> list[ConsultationPublic]:
    items = queries.list_for(session, actor=actor, agency_id=agency_id, status=status)
    return [service.to_public(session, c) for c in items]


@router.post("", response_model=ConsultationPublic, status_code=201)
def create(body: ConsultationCreate, session: SessionDep, actor: ActorDep) -> ConsultationPublic:
    return service.to_public(session, service.create(session, actor=actor, data=body))


@router.get("/{consultation_id}", response_model=ConsultationPublic)
def get(consultation_id: int, session: SessionDep, actor: ActorDep) -> ConsultationPublic:
    return service.to_public(session, queries.get(session, actor=actor, consultation_id=consultation_id))


@router.patch("/{consultation_id}", response_model=ConsultationPublic)
def update(consultation_id: int, body: ConsultationUpdate, session: SessionDep, actor: ActorDep) -> ConsultationPublic:
    consultation = service.update(session, actor=actor, consultation_id=consultation_id, data=body)
    return service.to_public(session, consultation)


@router.post("/{consultation_id}/questions", response_model=QuestionPublic, status_code=201)
def add_question(consultation_id: int, body: QuestionIn, session: SessionDep, actor: ActorDep) -> QuestionPublic:
    question = service.add_question(session, actor=actor, consultation_id=consultation_id, data=body)
    return QuestionPublic.model_validate(question)


@router.delete("/{consultation_id}/questions/{question_id}", status_code=204)
def remove_question(consultation_id: int, question_id: int, session: SessionDep, actor: ActorDep) -> HttpResponse:
    service.remove_question(session, actor=actor, consultation_id=consultation_id, question_id=question_id)
    return HttpResponse(status_code=204)


@router.post("/{consultation_id}/attachments", response_model=AttachmentPublic, status_code=201)
def upload(
    consultation_id: int,
    session: SessionDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File()],
    alt_text: Annotated[str, Form(max_length=300)] = "",
    option_label: Annotated[str, Form(max_length=8)] = "",
) -> AttachmentPublic:
    attachment = service.add_attachment(
        session,
        actor=actor,
        consultation_id=consultation_id,
        filename=file.filename or "file",
        data=uploads.read_limited(file.file),
        alt_text=alt_text,
        option_label=option_label or None,
    )
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    return AttachmentPublic.of(consultation, attachment)


@router.get("/{consultation_id}/responses", response_model=list[ResponsePublic])
def responses(
    consultation_id: int,
    session: SessionDep,
    actor: ActorDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ResponsePublic]:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    page = results_mod.counted_responses(session, consultation.id, offset=offset, limit=limit)
    by_response = results_mod.answers_by_response(session, (r.id for r in page))
    return [
        ResponsePublic(
            id=r.id,
            channel=r.channel,
            submitted_at=r.submitted_at,
            comment=r.comment,
            conversation_id=r.conversation_id,
            message_id=r.message_id,
            answers=[
                AnswerPublic(question_id=a.question_id, text=a.text, choices=a.choices, rating=a.rating)
                for a in by_response.get(r.id, [])
            ],
        )
        for r in page
    ]


@router.get("/{consultation_id}/results")
def results(consultation_id: int, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    return results_mod.compute(session, consultation).as_json()


@router.get("/{consultation_id}/report")
def get_report(consultation_id: int, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    return {
        "status": consultation.status.value,
        "report_intro": consultation.report_intro,
        "decision": consultation.decision,
        "published_at": consultation.published_at,
        "url": report.report_url(consultation) if consultation.status is ConsultationStatus.published else None,
        "sections": [ReportSectionPublic.of(s) for s in report.sections_of(session, consultation.id)],
    }


@router.put("/{consultation_id}/report")
def save_report(consultation_id: int, body: ReportIn, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    report.save_report(session, actor=actor, consultation_id=consultation_id, data=body)
    return get_report(consultation_id, session, actor)


@router.post("/{consultation_id}/report/sections", response_model=ReportSectionPublic, status_code=201)
def add_section(
    consultation_id: int, body: ReportSectionIn, session: SessionDep, actor: ActorDep
) -> ReportSectionPublic:
    return ReportSectionPublic.of(report.add_section(session, actor=actor, consultation_id=consultation_id, data=body))


@router.post("/{consultation_id}/report/publish")
def publish(consultation_id: int, body: PublishIn, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    outcome = report.publish(
        session,
        actor=actor,
        consultation_id=consultation_id,
        announce=body.announce,
        reply_to_participants=body.reply_to_participants,
    )
    consultation = queries.get(session, actor=actor, consultation_id=consultation_id)
    return {
        "url": report.report_url(consultation),
        "announced": outcome.announced,
        "replies_sent": outcome.replies_sent,
        "replies_refused": outcome.replies_refused,
    }


@router.post("/{consultation_id}/links", status_code=201)
def link(consultation_id: int, body: LinkIn, session: SessionDep, actor: ActorDep) -> dict[str, int]:
    added = answers.link(session, actor=actor, consultation_id=consultation_id, conversation_id=body.conversation_id)
    return {"conversation_id": body.conversation_id, "responses_added": added}


@router.delete("/{consultation_id}/links/{conversation_id}")
def unlink(consultation_id: int, conversation_id: int, session: SessionDep, actor: ActorDep) -> dict[str, int]:
    removed = answers.unlink(session, actor=actor, consultation_id=consultation_id, conversation_id=conversation_id)
    return {"conversation_id": conversation_id, "responses_removed": removed}


@router.post("/{consultation_id}/{transition}", response_model=ConsultationPublic)
def transition(consultation_id: int, transition: str, session: SessionDep, actor: ActorDep) -> ConsultationPublic:
    """``schedule``, ``unschedule``, ``open`` (announces on the chosen accounts) or ``close``; declared last."""
    if transition == "schedule":
        consultation = service.schedule(session, actor=actor, consultation_id=consultation_id)
    elif transition == "unschedule":
        consultation = service.unschedule(session, actor=actor, consultation_id=consultation_id)
    elif transition == "open":
        consultation = service.open_now(session, actor=actor, consultation_id=consultation_id)
    elif transition == "close":
        consultation = service.close(session, actor=actor, consultation_id=consultation_id)
    else:
        raise Invalid(f"unknown action {transition!r}; use schedule, unschedule, open or close")
    return service.to_public(session, consultation)
