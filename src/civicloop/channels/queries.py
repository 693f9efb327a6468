"""The channels domain's reads: messages, conversations, their contacts and edits, scoped to the actor
(``actor=None``: the CLI, every agency). Pages and routes call these; the rules are in ``service``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.models import Contact, Conversation, ConversationStatus, Message, MessageRevision
from civicloop.errors import NotFound

MAX_PAGE = 1000


def _scoped(query: Select[tuple[Message]], actor: Actor | None, agency_id: int | None) -> Select[tuple[Message]]:
    visible = actor.agency_ids() if actor is not None else None
    if visible is not None:
        query = query.where(Message.agency_id.in_(visible))
    if agency_id is not None:
        if actor is not None:
            actor.require_view(agency_id)
        query = query.where(Message.agency_id == agency_id)
    return query


def list_messages(
    session: Session,
    *,
    actor: Actor | None,
    agency_id: int | None = None,
    since: datetime | None = None,
    conversation_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Message]:
    """Messages the actor may see (``actor=None``: the CLI, all agencies), oldest first."""
    query = _scoped(select(Message), actor, agency_id)
    if since is not None:
        query = query.where(Message.created_at >= since)
    if conversation_id is not None:
        query = query.where(Message.conversation_id == conversation_id)
    query = query.order_by(Message.created_at, Message.id).offset(max(offset, 0)).limit(_page(limit))
    return list(session.scalars(query))


def list_conversations(
    session: Session,
    *,
    actor: Actor | None,
    agency_id: int | None = None,
    status: ConversationStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Conversation]:
    """Conversations the actor may see, the most recently active first."""
    query = select(Conversation)
    visible = actor.agency_ids() if actor is not None else None
    if visible is not None:
        query = query.where(Conversation.agency_id.in_(visible))
    if agency_id is not None:
        if actor is not None:
            actor.require_view(agency_id)
        query = query.where(Conversation.agency_id == agency_id)
    if status is not None:
        query = query.where(Conversation.status == status)
    query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    return list(session.scalars(query.offset(max(offset, 0)).limit(_page(limit))))


def get_conversation(session: Session, *, actor: Actor | None, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("conversation not found")
    if actor is not None:
        actor.require_view(conversation.agency_id)
    return conversation


def contacts_by_id(session: Session, ids: set[int]) -> dict[int, Contact]:
    if not ids:
        return {}
    return {contact.id: contact for contact in session.scalars(select(Contact).where(Contact.id.in_(ids)))}


def revisions_of(session: Session, message_ids: list[int]) -> dict[int, list[MessageRevision]]:
    out: dict[int, list[MessageRevision]] = {}
    if not message_ids:
        return out
    query = select(MessageRevision).where(MessageRevision.message_id.in_(message_ids)).order_by(MessageRevision.id)
    for revision in session.scalars(query):
        out.setdefault(revision.message_id, []).append(revision)
    return out


def _page(limit: int) -> int:
    return min(max(limit, 1), MAX_PAGE)
