"""Reads of consultations: scoped to the actor's agencies, or as citizens may see them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.consultations.models import Attachment, Consultation, ConsultationAccount, ConsultationStatus, Question
from civicloop.errors import NotFound

# States in which a consultation is still being prepared: editable by officials, unseen by citizens.
EDITABLE = frozenset({ConsultationStatus.draft, ConsultationStatus.scheduled})


def get(session: Session, *, actor: Actor, consultation_id: int) -> Consultation:
    return actor.fetch(session, Consultation, consultation_id, what="consultation")


def get_public(session: Session, code: str) -> Consultation:
    """A consultation as citizens may see it: never a draft or one still waiting to open."""
    consultation = session.scalar(select(Consultation).where(Consultation.code == code.strip().upper()))
    if consultation is None or consultation.status in EDITABLE:
        raise NotFound("there is no open or closed consultation with this code")
    return consultation


def list_for(
    session: Session, *, actor: Actor, agency_id: int | None = None, status: ConsultationStatus | None = None
) -> list[Consultation]:
    query = select(Consultation).order_by(Consultation.created_at.desc())
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(Consultation.agency_id.in_(visible))
    if agency_id is not None:
        query = query.where(Consultation.agency_id == agency_id)
    if status is not None:
        query = query.where(Consultation.status == status)
    return list(session.scalars(query))


def list_public(session: Session) -> list[Consultation]:
    return list(
        session.scalars(
            select(Consultation)
            .where(
                Consultation.status.in_(
                    [ConsultationStatus.open, ConsultationStatus.closed, ConsultationStatus.published]
                )
            )
            .order_by(Consultation.closes_at.desc())
        )
    )


def questions_of(session: Session, consultation_id: int) -> list[Question]:
    return list(
        session.scalars(
            select(Question).where(Question.consultation_id == consultation_id).order_by(Question.position, Question.id)
        )
    )


def attachments_of(session: Session, consultation_id: int) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.consultation_id == consultation_id)
            .order_by(Attachment.option_label.is_(None), Attachment.option_label, Attachment.position, Attachment.id)
        )
    )


def account_ids_of(session: Session, consultation_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ConsultationAccount.account_id)
            .where(ConsultationAccount.consultation_id == consultation_id)
            .order_by(ConsultationAccount.account_id)
        )
    )


def attachment_for_public(session: Session, *, code: str, attachment_id: int) -> Attachment:
    consultation = get_public(session, code)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.consultation_id != consultation.id:
        raise NotFound("file not found")
    return attachment
