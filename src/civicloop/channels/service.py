"""Contacts, conversations and messages: recording what came in (any channel) and scoped reads.

``record_inbound`` is the one door for every channel — webhooks (via ``ingest.process_event``),
the web form and CSV import — so that a message is stored once and other domains hear of it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels import hooks
from civicloop.channels.base import Action, ContactRef, Inbound, without_nul
from civicloop.channels.models import (
    Contact,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Direction,
    Message,
    MessageRevision,
    MessageState,
)
from civicloop.channels.upsert import insert_ignore
from civicloop.errors import Invalid, NotFound
from civicloop.kit.clock import utcnow

log = logging.getLogger(__name__)

MAX_PAGE = 1000


@dataclass(frozen=True)
class Recorded:
    """What ``record_inbound`` did: the message touched (if any) and whether it is new."""

    message: Message | None
    created: bool


def record_inbound(
    session: Session,
    *,
    account: OfficialAccount,
    inbound: Inbound,
    raw_event_id: int | None = None,
    platform: str | None = None,
) -> Recorded:
    """Apply one normalized fact to the account's contacts, conversations and messages. Idempotent.

    ``platform`` overrides the account's platform on the rows (e.g. ``"csv"`` for imported feedback).
    Calls ``hooks.ON_MESSAGE`` once per new inbound message. Never commits.
    """
    platform = platform or account.platform.value
    inbound = without_nul(inbound)
    contact = _upsert_contact(session, account.agency_id, platform, inbound.contact) if inbound.contact else None
    if inbound.action is Action.contact:
        if inbound.conversation_ref:
            _conversation(session, account, inbound, contact)
        return Recorded(None, False)
    if not inbound.external_id:
        raise Invalid("a message needs the platform's id (or a stable reference) to be stored exactly once")
    existing = _message(session, account.id, inbound.external_id)
    if inbound.action is Action.message or (inbound.action is Action.edit and existing is None):
        if existing is not None:
            return Recorded(existing, False)
        state = MessageState.edited if inbound.action is Action.edit else None
        return _create_message(session, account, inbound, contact, platform, raw_event_id, state)
    if existing is None:
        log.info(
            "%s on unknown message %s of account %s: nothing to change (a removal is applied when the message arrives)",
            inbound.action,
            inbound.external_id,
            account.id,
        )
        return Recorded(None, False)
    _change_message(session, existing, inbound)
    return Recorded(existing, False)


def _upsert_contact(session: Session, agency_id: int, platform: str, ref: ContactRef) -> Contact:
    name = (ref.display_name.strip() or _fallback_name(platform, ref.platform_user_id))[:200]
    handle = ref.handle[:100] if ref.handle else None
    row = {
        "agency_id": agency_id,
        "platform": platform,
        "platform_user_id": ref.platform_user_id,
        "display_name": name,
        "handle": handle,
        "email": _fit(ref.email, 254),
        "phone": _fit(ref.phone, 32),
    }
    inserted = insert_ignore(session, Contact, [row], ["agency_id", "platform", "platform_user_id"])
    if inserted:
        contact = session.get(Contact, inserted[0])
        assert contact is not None
        return contact
    contact = session.scalars(
        select(Contact).where(
            Contact.agency_id == agency_id,
            Contact.platform == platform,
            Contact.platform_user_id == ref.platform_user_id,
        )
    ).one()
    # Names change on the platforms; an event without a name (Messenger) must not erase a known one.
    if ref.display_name.strip() and contact.display_name != name:
        contact.display_name = name
    if handle and contact.handle != handle:
        contact.handle = handle
    contact.email = ref.email or contact.email
    contact.phone = ref.phone or contact.phone
    return contact


def _fallback_name(platform: str, user_id: str) -> str:
    return f"{platform} user …{user_id[-4:]}" if user_id else f"{platform} user"


def _conversation(
    session: Session, account: OfficialAccount, inbound: Inbound, contact: Contact | None
) -> Conversation:
    """The conversation a fact belongs to. A conversation is one citizen's thread: each top-level
    comment on a post starts its own, and a reply joins the conversation of the message it answers —
    except a reply to the agency's own post, which is a top-level comment (docs/sla.md)."""
    if inbound.thread_parent_external_id:
        parent = _message(session, account.id, inbound.thread_parent_external_id)
        if parent is not None:
            found = session.get(Conversation, parent.conversation_id)
            assert found is not None
            if not is_post(found):
                return found
    direct = inbound.conversation_kind is not ConversationKind.comment_thread
    # A comment thread is the citizen's whose top-level comment begins it.
    begins = inbound.direction is Direction.inbound and inbound.conversation_ref == inbound.external_id
    subject = inbound.subject[:300] if inbound.subject else None
    if subject is None and inbound.post_ref and inbound.post_ref != inbound.conversation_ref:
        subject = _post_subject(session, account.id, inbound.post_ref)
    row = {
        "agency_id": account.agency_id,
        "account_id": account.id,
        "contact_id": contact.id if contact is not None and (direct or begins) else None,
        "kind": inbound.conversation_kind,
        "external_ref": inbound.conversation_ref,
        "post_ref": _fit(inbound.post_ref, 255),
        "subject": subject,
        "status": ConversationStatus.open,
    }
    inserted = insert_ignore(session, Conversation, [row], ["account_id", "kind", "external_ref"])
    if inserted:
        conversation = session.get(Conversation, inserted[0])
        assert conversation is not None
        return conversation
    return session.scalars(
        select(Conversation).where(
            Conversation.account_id == account.id,
            Conversation.kind == inbound.conversation_kind,
            Conversation.external_ref == inbound.conversation_ref,
        )
    ).one()


def is_post(conversation: Conversation) -> bool:
    """Whether the conversation is a post's own (the post and nothing a citizen wrote under it)."""
    return conversation.post_ref is not None and conversation.external_ref == conversation.post_ref


def _post_subject(session: Session, account_id: int, post_ref: str) -> str | None:
    return session.scalar(
        select(Conversation.subject).where(
            Conversation.account_id == account_id,
            Conversation.kind == ConversationKind.comment_thread,
            Conversation.external_ref == post_ref,
        )
    )


def _message(session: Session, account_id: int, external_id: str) -> Message | None:
    return session.scalars(
        select(Message).where(Message.account_id == account_id, Message.external_id == external_id)
    ).one_or_none()


def _create_message(
    session: Session,
    account: OfficialAccount,
    inbound: Inbound,
    contact: Contact | None,
    platform: str,
    raw_event_id: int | None,
    state: MessageState | None,
) -> Recorded:
    now = utcnow()
    created_at = inbound.created_at or now
    conversation = _conversation(session, account, inbound, contact)
    outbound = inbound.direction is Direction.outbound
    row = {
        "agency_id": account.agency_id,
        "conversation_id": conversation.id,
        "account_id": account.id,
        "contact_id": contact.id if contact is not None else None,
        "direction": inbound.direction,
        "platform": platform,
        "external_id": inbound.external_id,
        "text": inbound.text,
        "attachments": [dict(attachment) for attachment in inbound.attachments],
        "created_at": created_at,
        "received_at": now,
        "reply_to_external_id": _fit(inbound.reply_to_external_id, 255),
        "permalink": _fit(inbound.permalink, 1000),
        "state": state or (MessageState.sent if outbound else MessageState.received),
        "raw_event_id": raw_event_id,
    }
    inserted = insert_ignore(session, Message, [row], ["account_id", "external_id"])
    if not inserted:
        # Another worker stored it between our look-up and the insert: it is theirs to announce.
        return Recorded(_message(session, account.id, inbound.external_id), False)
    message = session.get(Message, inserted[0])
    assert message is not None
    if outbound:
        conversation.last_agency_message_at = _latest(conversation.last_agency_message_at, created_at)
    else:
        conversation.last_citizen_message_at = _latest(conversation.last_citizen_message_at, created_at)
    if inbound.subject and not conversation.subject:
        conversation.subject = inbound.subject[:300]
    conversation.updated_at = now
    if not outbound:
        hooks.message_received(session, message)
    return Recorded(message, True)


def _fit(value: str | None, length: int) -> str | None:
    return value[:length] if value else None


def _latest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current


def _change_message(session: Session, message: Message, inbound: Inbound) -> None:
    if inbound.action is Action.edit:
        if inbound.text == message.text:
            return
        session.add(MessageRevision(message_id=message.id, text=message.text, at=utcnow()))
        message.text = inbound.text
        if inbound.attachments:
            message.attachments = [dict(attachment) for attachment in inbound.attachments]
        if message.state in (MessageState.received, MessageState.sent):
            message.state = MessageState.edited
    elif inbound.action is Action.remove:
        message.state = MessageState.removed
    elif inbound.action is Action.hide:
        if message.state not in (MessageState.removed, MessageState.hidden):
            message.state = MessageState.hidden
            # Hidden by someone on the platform itself (one hidden through CivicLoop is hidden already).
            hooks.moderated_on_platform(session, message, inbound.action)
    elif inbound.action is Action.unhide and message.state is MessageState.hidden:
        revised = session.scalar(select(MessageRevision.id).where(MessageRevision.message_id == message.id).limit(1))
        if revised is not None:
            message.state = MessageState.edited
        elif message.direction is Direction.outbound:
            message.state = MessageState.sent
        else:
            message.state = MessageState.received
        hooks.moderated_on_platform(session, message, inbound.action)


# --- reads ---------------------------------------------------------------------------------------


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
