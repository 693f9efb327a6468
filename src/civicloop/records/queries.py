"""Reads of the records domain: the schedule, holds, disposal runs and exports."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.channels.models import Message
from civicloop.records.classes import CITIZEN_MESSAGES, CLASSES
from civicloop.records.holds import covered
from civicloop.records.models import DisposalRun, LegalHold, RecordsExport, RetentionRule


def rules(session: Session) -> dict[str, RetentionRule]:
    """Every class's rule, the class's default where none is stored yet (not added to the session)."""
    stored = {rule.record_class: rule for rule in session.scalars(select(RetentionRule))}
    return {
        c.key: stored.get(c.key) or RetentionRule(record_class=c.key, days=c.default_days, legal_basis=c.default_basis)
        for c in CLASSES
    }


def standing_holds(session: Session) -> list[LegalHold]:
    return list(session.scalars(select(LegalHold).where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.id)))


def holds(session: Session, agency_ids: Collection[int] | None, *, include_lifted: bool = True) -> list[LegalHold]:
    """Holds an official may see: their agencies' and the national ones (agency None)."""
    query = select(LegalHold).order_by(LegalHold.lifted_at.is_not(None), LegalHold.id.desc())
    if agency_ids is not None:
        query = query.where((LegalHold.agency_id.in_(agency_ids)) | LegalHold.agency_id.is_(None))
    if not include_lifted:
        query = query.where(LegalHold.lifted_at.is_(None))
    return list(session.scalars(query))


def holds_covering_conversation(session: Session, conversation_id: int) -> list[LegalHold]:
    """Standing holds that keep at least one message of this conversation (shown on its page)."""
    messages = CITIZEN_MESSAGES.sources[0]
    return [
        hold
        for hold in standing_holds(session)
        if session.scalar(
            select(
                exists(select(Message.id).where(Message.conversation_id == conversation_id, covered([hold], messages)))
            )
        )
    ]


def disposal_runs(session: Session, limit: int = 20) -> list[DisposalRun]:
    return list(session.scalars(select(DisposalRun).order_by(DisposalRun.id.desc()).limit(limit)))


def exports(session: Session, agency_ids: Collection[int] | None, limit: int = 50) -> list[RecordsExport]:
    query = select(RecordsExport).order_by(RecordsExport.id.desc()).limit(limit)
    if agency_ids is not None:
        query = query.where(RecordsExport.agency_id.in_(agency_ids))
    return list(session.scalars(query))


def agency_id_of(session: Session, code: str) -> int | None:
    return session.scalar(select(Agency.id).where(Agency.code == code))
