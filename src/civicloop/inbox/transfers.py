"""Transferring a conversation to another agency: the citizen wrote to the wrong one.

The conversation, its messages and its SLA row move to the receiving agency, which sees the whole
thread in its inbox and answers where the citizen wrote (through the account the citizen wrote to).
The citizen's clock is not reset and not stopped: a transfer is not a response. The conversation then
counts in the figures of the agency holding it; the sending agency's scorecard counts it as transferred
out (docs/sla.md, "Transfers"). Figures kept per day elsewhere are recounted in the same transaction
through ``hooks.ON_TRANSFER``. Tags (an agency's own words) stay behind; the note goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.audit import service as audit
from civicloop.auth.scope import Actor
from civicloop.channels.models import Conversation, ConversationStatus, Message
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.inbox import clocks, hooks, service
from civicloop.inbox.models import (
    ConversationEvent,
    ConversationSla,
    ConversationTag,
    ConversationTransfer,
    EventKind,
    Note,
)
from civicloop.kit.clock import utcnow

MAX_NOTE = 2000


def transfer(
    session: Session, *, actor: Actor, conversation_id: int, to_agency_id: int, note: str
) -> ConversationTransfer:
    """Hand the conversation to ``to_agency_id`` with ``note``; audited under both agencies."""
    conversation = service.get_conversation(session, actor=actor, conversation_id=conversation_id)
    actor.require(conversation.agency_id, *service.TRIAGE_ROLES)
    note = note.strip()
    if not note:
        raise Invalid("say in a note why the other agency should answer it", field="note")
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note has at most {MAX_NOTE} characters", field="note")
    target = session.get(Agency, to_agency_id)
    if target is None:
        raise Invalid("choose the agency to transfer it to", field="to_agency_id")
    if target.id == conversation.agency_id:
        raise Invalid("the conversation is already this agency's", field="to_agency_id")
    source = session.get(Agency, conversation.agency_id)
    assert source is not None
    now = utcnow()
    row = ConversationTransfer(
        conversation_id=conversation.id,
        from_agency_id=source.id,
        to_agency_id=target.id,
        note=note,
        actor_id=actor.id,
        at=now,
    )
    session.add(row)
    before = {"agency_id": source.id, "assignee_id": conversation.assignee_id, "status": conversation.status.value}
    conversation.agency_id = target.id
    conversation.assignee_id = None
    conversation.status = ConversationStatus.open
    conversation.updated_at = now
    session.execute(update(Message).where(Message.conversation_id == conversation.id).values(agency_id=target.id))
    session.execute(
        update(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation.id)
        .values(agency_id=target.id)
    )
    session.execute(delete(ConversationTag).where(ConversationTag.conversation_id == conversation.id))
    session.execute(update(Note).where(Note.conversation_id == conversation.id).values(agency_id=target.id))
    session.add(
        Note(
            agency_id=target.id,
            conversation_id=conversation.id,
            author_id=actor.id,
            text=f"Transferred from {source.name} to {target.name}: {note}",
            created_at=now,
        )
    )
    session.add(
        ConversationEvent(
            agency_id=target.id,
            conversation_id=conversation.id,
            at=now,
            kind=EventKind.transferred,
            value=target.code[:100],
            actor_id=actor.id,
        )
    )
    sla = session.get(ConversationSla, conversation.id)
    if sla is not None:
        sla.agency_id = target.id
    session.flush()
    # The receiving agency's calendar and targets now apply; the clock still runs from the citizen's message.
    clocks.refresh(session, conversation, now=now)
    session.flush()
    # Figures counted per agency and day (oversight's) follow it now, whatever day it began on.
    hooks.transferred(session, hooks.Transferred(conversation.id, source.id, target.id))
    after = {"agency_id": target.id, "assignee_id": None, "status": ConversationStatus.open.value, "note": note}
    for agency_id in (source.id, target.id):
        audit.record(
            session,
            actor=actor.official,
            action="conversation.transfer",
            target_type="conversation",
            target_id=conversation.id,
            agency_id=agency_id,
            before=before,
            after=after,
        )
    return row


@dataclass(frozen=True)
class TransferView:
    transfer: ConversationTransfer
    from_agency: str
    to_agency: str


def transfers_of(session: Session, conversation_id: int) -> list[TransferView]:
    """The conversation's transfers, oldest first (shown on its page to the agency holding it)."""
    query = select(ConversationTransfer).where(ConversationTransfer.conversation_id == conversation_id)
    rows = list(session.scalars(query.order_by(ConversationTransfer.at, ConversationTransfer.id)))
    ids = {r.from_agency_id for r in rows} | {r.to_agency_id for r in rows}
    names = (
        dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids))).tuples().all()) if ids else {}
    )
    return [TransferView(r, names.get(r.from_agency_id, ""), names.get(r.to_agency_id, "")) for r in rows]


def agencies_to_transfer_to(session: Session, agency_id: int) -> list[Agency]:
    return list(session.scalars(select(Agency).where(Agency.id != agency_id).order_by(Agency.name)))


def check_still_ours(session: Session, *, actor: Actor, conversation_id: int) -> None:
    """Conflict with a clear message when the conversation was transferred out of the actor's agencies
    (an officer answering a page opened before the transfer); NotFound when it never was theirs."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("conversation not found")
    if actor.can_view(conversation.agency_id):
        return
    moved = session.scalars(
        select(ConversationTransfer)
        .where(ConversationTransfer.conversation_id == conversation_id)
        .order_by(ConversationTransfer.at.desc(), ConversationTransfer.id.desc())
    ).first()
    visible = actor.agency_ids()
    if moved is None or (visible is not None and moved.from_agency_id not in visible):
        raise NotFound("conversation not found")
    to = session.get(Agency, moved.to_agency_id)
    raise Conflict(
        f"this conversation was transferred to {to.name if to else 'another agency'} meanwhile; "
        "it is theirs to answer now, and nothing was sent"
    )


def transferred_out(session: Session, *, agency_ids: set[int] | None, start: datetime, end: datetime) -> dict[int, int]:
    """Per sending agency: conversations transferred out in ``[start, end)`` (the scorecard's count)."""
    query = (
        select(ConversationTransfer.from_agency_id, func.count())
        .where(ConversationTransfer.at >= start, ConversationTransfer.at < end)
        .group_by(ConversationTransfer.from_agency_id)
    )
    if agency_ids is not None:
        query = query.where(ConversationTransfer.from_agency_id.in_(agency_ids))
    return {int(a): int(n) for a, n in session.execute(query)}
