"""JSON API of the inbox: list, one conversation, reply, triage, bulk actions, saved replies, notices."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.outbound.service import reply_window
from civicloop.deps import ActorDep, SessionDep
from civicloop.inbox import queries, service
from civicloop.inbox.schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    ConversationDetail,
    ConversationSummary,
    InboxListOut,
    MessageOut,
    NoteIn,
    NoteOut,
    NotificationOut,
    OutboundOut,
    ReplyIn,
    SavedReplyIn,
    SavedReplyOut,
    SlaOut,
    StatusIn,
    TagIn,
    WindowOut,
)
from civicloop.notifications import queries as notification_queries
from civicloop.notifications import service as notifications

router = APIRouter(tags=["inbox"])


@router.get("/inbox/conversations", response_model=InboxListOut)
def list_conversations(
    session: SessionDep, actor: ActorDep, filters: queries.FiltersDep, page: int = 1
) -> InboxListOut:
    """Conversations of the caller's agencies, the citizen waiting longest first, with counts per filter."""
    return InboxListOut.of(queries.list_conversations(session, actor=actor, filters=filters, page=page))


def _detail(session: Session, actor: Actor, conversation_id: int) -> ConversationDetail:
    conversation = service.get_conversation(session, actor=actor, conversation_id=conversation_id)
    detail = queries.detail(session, conversation)
    row, sla, items, pending = detail.row, detail.row.sla, detail.items, detail.pending
    window = reply_window(session, conversation)
    return ConversationDetail(
        conversation=ConversationSummary.of(row),
        messages=[MessageOut.of(i.message, i.outbound) for i in items],
        pending=[OutboundOut.of(o) for o in pending],
        notes=[NoteOut.of(n) for n in detail.notes],
        sla=SlaOut(
            state=sla.state.value if sla.state else None,
            paused=sla.paused,
            response_kind=sla.response_kind.value if sla.response_kind else None,
            response_started_at=sla.response_started_at,
            response_due_at=sla.response_due_at,
            resolution_due_at=sla.resolution_due_at,
            first_response_minutes=sla.first_response_minutes,
            first_response_breached=sla.first_response_breached,
            breaches=sla.breaches,
        )
        if sla
        else None,
        reply_window=WindowOut(open=window.open, closes_at=window.closes_at, reason=window.reason),
    )


@router.get("/inbox/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(conversation_id: int, session: SessionDep, actor: ActorDep) -> ConversationDetail:
    return _detail(session, actor, conversation_id)


@router.post("/inbox/conversations/{conversation_id}/reply", response_model=OutboundOut, status_code=201)
def reply(conversation_id: int, body: ReplyIn, session: SessionDep, actor: ActorDep) -> OutboundOut:
    """Send a reply through the conversation's channel (guidelines gate and reply window apply)."""
    # ReplyIn's fields are service.reply's keyword arguments, one for one.
    outbound = service.reply(session, actor=actor, conversation_id=conversation_id, **body.model_dump())
    return OutboundOut.of(outbound)


@router.post("/inbox/outbound/{outbound_id}/retry", response_model=OutboundOut)
def retry(outbound_id: int, session: SessionDep, actor: ActorDep) -> OutboundOut:
    return OutboundOut.of(service.retry(session, actor=actor, outbound_id=outbound_id))


@router.post("/inbox/conversations/{conversation_id}/assign", response_model=ConversationDetail)
def assign(conversation_id: int, body: AssignIn, session: SessionDep, actor: ActorDep) -> ConversationDetail:
    service.assign(session, actor=actor, conversation_id=conversation_id, assignee_id=body.assignee_id)
    return _detail(session, actor, conversation_id)


@router.post("/inbox/conversations/{conversation_id}/status", response_model=ConversationDetail)
def set_status(conversation_id: int, body: StatusIn, session: SessionDep, actor: ActorDep) -> ConversationDetail:
    status = service.parse_status(body.status)
    service.set_status(session, actor=actor, conversation_id=conversation_id, status=status)
    return _detail(session, actor, conversation_id)


@router.post("/inbox/conversations/{conversation_id}/tags", response_model=ConversationDetail)
def add_tag(conversation_id: int, body: TagIn, session: SessionDep, actor: ActorDep) -> ConversationDetail:
    service.add_tag(session, actor=actor, conversation_id=conversation_id, name=body.tag)
    return _detail(session, actor, conversation_id)


@router.delete("/inbox/conversations/{conversation_id}/tags/{tag}", response_model=ConversationDetail)
def remove_tag(conversation_id: int, tag: str, session: SessionDep, actor: ActorDep) -> ConversationDetail:
    service.remove_tag(session, actor=actor, conversation_id=conversation_id, name=tag)
    return _detail(session, actor, conversation_id)


@router.post("/inbox/conversations/{conversation_id}/notes", response_model=NoteOut, status_code=201)
def add_note(conversation_id: int, body: NoteIn, session: SessionDep, actor: ActorDep) -> NoteOut:
    return NoteOut.of(service.add_note(session, actor=actor, conversation_id=conversation_id, text=body.text))


@router.post("/inbox/bulk", response_model=BulkOut)
def bulk(body: BulkIn, session: SessionDep, actor: ActorDep) -> BulkOut:
    """Assign, unassign, take, tag, close or reopen many conversations at once (all or nothing)."""
    count = service.bulk(
        session, actor=actor, conversation_ids=body.conversation_ids, action=body.action, value=body.value
    )
    return BulkOut(changed=count)


@router.get("/inbox/saved-replies", response_model=list[SavedReplyOut])
def list_saved_replies(agency_id: int, session: SessionDep, actor: ActorDep) -> list[SavedReplyOut]:
    return [SavedReplyOut.of(r) for r in queries.saved_replies(session, actor=actor, agency_id=agency_id)]


@router.post("/inbox/saved-replies", response_model=SavedReplyOut, status_code=201)
def create_saved_reply(body: SavedReplyIn, session: SessionDep, actor: ActorDep) -> SavedReplyOut:
    row = service.save_reply(session, actor=actor, agency_id=body.agency_id, title=body.title, text=body.text)
    return SavedReplyOut.of(row)


@router.get("/notifications", response_model=list[NotificationOut])
def list_notifications(session: SessionDep, actor: ActorDep) -> list[NotificationOut]:
    return [NotificationOut.of(n) for n in notification_queries.for_official(session, official_id=actor.id)]


@router.post("/notifications/{notification_id}/read", status_code=204)
def read_notification(notification_id: int, session: SessionDep, actor: ActorDep) -> None:
    notifications.mark_read(session, official_id=actor.id, notification_id=notification_id)
