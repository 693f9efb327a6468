"""Every read of the accountability domain: the public tracker, participants, promises, missed counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from civicloop.accountability.models import (
    Commitment,
    CommitmentNotice,
    CommitmentStatus,
    CommitmentUpdate,
    OptOut,
    Promise,
    PromiseStatus,
)
from civicloop.agencies.models import Agency
from civicloop.channels.models import Direction, Message
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage, OutboundStatus
from civicloop.consultations.models import Consultation, ConsultationConversation, Response
from civicloop.errors import NotFound

OPEN_STATUSES = (CommitmentStatus.planned, CommitmentStatus.in_progress)


@dataclass
class TrackerRow:
    commitment: Commitment
    agency: Agency
    consultation: Consultation
    overdue: bool


def tracker(
    session: Session, *, today: date, agency_code: str | None = None, commitment_id: int | None = None
) -> list[TrackerRow]:
    """Every commitment (public), nationally, of one agency or just one, the soonest due first."""
    query = (
        select(Commitment, Agency, Consultation)
        .join(Agency, Agency.id == Commitment.agency_id)
        .join(Consultation, Consultation.id == Commitment.consultation_id)
        .order_by(Commitment.due_on, Commitment.id)
    )
    if agency_code is not None:
        query = query.where(func.lower(Agency.code) == agency_code.lower())
    if commitment_id is not None:
        query = query.where(Commitment.id == commitment_id)
    return [
        TrackerRow(c, a, k, c.status in OPEN_STATUSES and c.due_on < today) for c, a, k in session.execute(query).all()
    ]


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalars(select(Agency).where(func.lower(Agency.code) == code.lower())).first()
    if agency is None:
        raise NotFound("agency not found")
    return agency


def timeline(session: Session, commitment_id: int) -> list[CommitmentUpdate]:
    return list(
        session.scalars(
            select(CommitmentUpdate)
            .where(CommitmentUpdate.commitment_id == commitment_id)
            .order_by(CommitmentUpdate.at, CommitmentUpdate.id)
        )
    )


def commitments_of(session: Session, consultation_id: int) -> list[Commitment]:
    return list(
        session.scalars(
            select(Commitment).where(Commitment.consultation_id == consultation_id).order_by(Commitment.due_on)
        )
    )


def notice_counts(session: Session, commitment_id: int) -> dict[str, int]:
    rows = session.execute(
        select(CommitmentNotice.outcome, func.count(CommitmentNotice.id))
        .join(CommitmentUpdate, CommitmentUpdate.id == CommitmentNotice.update_id)
        .where(CommitmentUpdate.commitment_id == commitment_id)
        .group_by(CommitmentNotice.outcome)
    ).all()
    return {outcome: int(n) for outcome, n in rows}


def photo_is_public(session: Session, stored_name: str) -> bool:
    return session.scalar(select(CommitmentUpdate.id).where(CommitmentUpdate.photo_name == stored_name)) is not None


def participant_key(message: Message) -> str:
    return f"contact:{message.contact_id}" if message.contact_id else f"message:{message.id}"


def participants(session: Session, *, consultation_id: int) -> dict[str, Message]:
    """Each citizen who took part on a channel, with their latest message there: messages counted as
    answers, and every citizen message in threads linked to the consultation. Form answers left no
    address to write back to and are not included."""
    answered = select(Response.message_id).where(
        Response.consultation_id == consultation_id, Response.message_id.is_not(None)
    )
    linked = select(ConsultationConversation.conversation_id).where(
        ConsultationConversation.consultation_id == consultation_id
    )
    messages = session.scalars(
        select(Message)
        .where(
            Message.direction == Direction.inbound,
            or_(Message.id.in_(answered), Message.conversation_id.in_(linked)),
        )
        .order_by(Message.created_at, Message.id)
    ).all()
    return {participant_key(m): m for m in messages}  # the latest message of each participant wins


def opted_out(session: Session, *, agency_id: int) -> set[int]:
    return set(session.scalars(select(OptOut.contact_id).where(OptOut.agency_id == agency_id)))


# -- promises --------------------------------------------------------------------------------------


def undecided_replies(session: Session, *, conversation_id: int, limit: int = 5) -> list[OutboundMessage]:
    """The latest replies written by officials in a conversation with no promise decision yet."""
    decided = select(Promise.outbound_id).where(Promise.conversation_id == conversation_id)
    return list(
        session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.conversation_id == conversation_id,
                OutboundMessage.kind == OutboundKind.reply,
                OutboundMessage.created_by_id.is_not(None),
                OutboundMessage.status.not_in([OutboundStatus.failed, OutboundStatus.rejected]),
                OutboundMessage.id.not_in(decided),
            )
            .order_by(OutboundMessage.id.desc())
            .limit(limit)
        )
    )


def promises_of(session: Session, *, conversation_id: int) -> list[Promise]:
    return list(
        session.scalars(
            select(Promise)
            .where(Promise.conversation_id == conversation_id, Promise.status != PromiseStatus.dismissed)
            .order_by(Promise.due_at)
        )
    )


def open_promises_due_by(session: Session, *, moment: datetime) -> list[Promise]:
    return list(
        session.scalars(
            select(Promise).where(Promise.status == PromiseStatus.open, Promise.due_at <= moment).order_by(Promise.id)
        )
    )


def missed_promises(
    session: Session, *, start: datetime, end: datetime, now: datetime, agency_ids: set[int] | None
) -> dict[int, int]:
    """Promises due in [start, end) and already past that were not kept by their due time, per agency."""
    query = (
        select(Promise.agency_id, func.count(Promise.id))
        .where(
            Promise.status != PromiseStatus.dismissed,
            Promise.due_at >= start,
            Promise.due_at < end,
            Promise.due_at < now,
            or_(Promise.kept_at.is_(None), Promise.kept_at > Promise.due_at),
        )
        .group_by(Promise.agency_id)
    )
    if agency_ids is not None:
        query = query.where(Promise.agency_id.in_(agency_ids))
    return {agency_id: int(n) for agency_id, n in session.execute(query).all()}


# -- open data -------------------------------------------------------------------------------------


def open_data(session: Session, *, today: date, agency_code: str | None = None) -> list[dict[str, Any]]:
    """One record per commitment: no personal data (the linked comments are counted, not shown)."""
    rows = tracker(session, today=today, agency_code=agency_code)
    last = dict(
        session.execute(
            select(CommitmentUpdate.commitment_id, func.max(CommitmentUpdate.at))
            .where(and_(CommitmentUpdate.commitment_id.in_([r.commitment.id for r in rows])))
            .group_by(CommitmentUpdate.commitment_id)
        ).all()
    )
    return [
        {
            "id": r.commitment.id,
            "agency_code": r.agency.code,
            "consultation_code": r.consultation.code,
            "title": r.commitment.title,
            "division": r.commitment.division,
            "due_on": r.commitment.due_on.isoformat(),
            "status": r.commitment.status.value,
            "progress": r.commitment.progress,
            "overdue": r.overdue,
            "dropped_reason": r.commitment.dropped_reason,
            "themes": "; ".join(r.commitment.themes),
            "linked_comments": len(r.commitment.response_ids),
            "last_update": last[r.commitment.id].isoformat() if r.commitment.id in last else None,
        }
        for r in rows
    ]
