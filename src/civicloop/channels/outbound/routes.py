"""JSON API of the outbound path: create a reply or post (one account or several), read its state, retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, Field

from civicloop.channels.delivery import Route
from civicloop.channels.outbound import service as outbound
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage, OutboundStatus
from civicloop.channels.queries import get_conversation
from civicloop.deps import ActorDep, SessionDep

router = APIRouter(prefix="/outbound", tags=["outbound"])


class OutboundCreate(BaseModel):
    account_id: int
    kind: OutboundKind
    text: str = Field(min_length=1, max_length=65_000)
    conversation_id: int | None = None
    in_reply_to_message_id: int | None = None
    recipient: str | None = Field(default=None, max_length=254)


class OutboundBatchCreate(BaseModel):
    account_ids: list[int] = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=65_000)


class OutboundPublic(BaseModel):
    id: int
    agency_id: int
    account_id: int
    conversation_id: int | None
    kind: OutboundKind
    route: Route
    status: OutboundStatus
    text: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    external_id: str | None
    permalink: str | None
    batch_key: str | None
    idempotency_key: str
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: OutboundMessage) -> OutboundPublic:
        return cls(
            id=row.id,
            agency_id=row.agency_id,
            account_id=row.account_id,
            conversation_id=row.conversation_id,
            kind=row.kind,
            route=row.route,
            status=row.status,
            text=row.text,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            external_id=row.external_id,
            permalink=row.permalink,
            batch_key=row.batch_key,
            idempotency_key=row.idempotency_key,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )


class BatchPublic(BaseModel):
    batch_key: str
    items: list[OutboundPublic]


class WindowPublic(BaseModel):
    open: bool
    closes_at: datetime | None
    reason: str


@router.post("", status_code=201)
def create(
    body: OutboundCreate,
    actor: ActorDep,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> OutboundPublic:
    """Queue a reply (to a conversation or a message) or a post; a repeated ``Idempotency-Key`` returns
    the first message instead of a second one."""
    row = outbound.create_outbound(
        session,
        actor=actor,
        account_id=body.account_id,
        kind=body.kind,
        text=body.text,
        conversation_id=body.conversation_id,
        in_reply_to_message_id=body.in_reply_to_message_id,
        recipient=body.recipient,
        idempotency_key=idempotency_key,
    )
    session.flush()
    return OutboundPublic.of(row)


@router.post("/batch", status_code=201)
def create_batch(body: OutboundBatchCreate, actor: ActorDep, session: SessionDep) -> BatchPublic:
    """One post to several accounts: every account is checked first, then each gets its own message."""
    rows = outbound.create_posts(session, actor=actor, account_ids=body.account_ids, text=body.text)
    return BatchPublic(batch_key=rows[0].batch_key or "", items=[OutboundPublic.of(r) for r in rows])


@router.get("")
def list_(
    actor: ActorDep,
    session: SessionDep,
    agency_id: int | None = None,
    batch_key: str | None = None,
    conversation_id: int | None = None,
    status: OutboundStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OutboundPublic]:
    rows = outbound.list_outbound(
        session,
        actor=actor,
        agency_id=agency_id,
        batch_key=batch_key,
        conversation_id=conversation_id,
        status=status,
        limit=limit,
    )
    return [OutboundPublic.of(r) for r in rows]


@router.get("/window/{conversation_id}")
def window(conversation_id: int, actor: ActorDep, session: SessionDep) -> WindowPublic:
    """Whether a reply can be sent in the conversation now (the platform's reply window, email at any time)."""
    conversation = get_conversation(session, actor=actor, conversation_id=conversation_id)
    result = outbound.reply_window(session, conversation)
    return WindowPublic(open=result.open, closes_at=result.closes_at, reason=result.reason)


@router.get("/{outbound_id}")
def read(outbound_id: int, actor: ActorDep, session: SessionDep) -> OutboundPublic:
    return OutboundPublic.of(outbound.get_outbound(session, actor=actor, outbound_id=outbound_id))


@router.post("/{outbound_id}/retry")
def retry(outbound_id: int, actor: ActorDep, session: SessionDep) -> OutboundPublic:
    """Send a failed or unconfirmed message again."""
    return OutboundPublic.of(outbound.retry_outbound(session, actor=actor, outbound_id=outbound_id))


@router.post("/{outbound_id}/confirm")
def confirm(outbound_id: int, actor: ActorDep, session: SessionDep) -> OutboundPublic:
    """Mark an unconfirmed message as delivered (seen on the platform)."""
    return OutboundPublic.of(outbound.confirm_outbound(session, actor=actor, outbound_id=outbound_id))
