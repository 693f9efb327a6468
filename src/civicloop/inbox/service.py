"""Working a conversation: status, assignment, tags, notes, saved replies, replies, bulk actions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.audit import service as audit
from civicloop.auth.models import Membership, Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels.models import Contact, Conversation, ConversationStatus, Message
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage
from civicloop.channels.outbound.service import create_outbound, retry_outbound
from civicloop.errors import Invalid, NotFound
from civicloop.inbox import clocks
from civicloop.inbox.models import (
    ConversationEvent,
    ConversationSla,
    ConversationTag,
    EventKind,
    Note,
    SavedReply,
    Tag,
)
from civicloop.inbox.queries import ASSIGNABLE_ROLES
from civicloop.kit.clock import utcnow

# Who works the inbox; analysts and auditors read it.
TRIAGE_ROLES = (Role.officer, Role.agency_head, Role.agency_admin)
TAG_RE = re.compile(r"^[\w][\w .&/+-]{0,49}$", re.UNICODE)
MAX_NOTE = 5000
MAX_BULK = 500


def get_conversation(session: Session, *, actor: Actor, conversation_id: int) -> Conversation:
    return actor.fetch(session, Conversation, conversation_id, what="conversation")


def _for_change(session: Session, actor: Actor, conversation_id: int) -> Conversation:
    conversation = get_conversation(session, actor=actor, conversation_id=conversation_id)
    actor.require(conversation.agency_id, *TRIAGE_ROLES)
    return conversation


def _event(session: Session, conversation: Conversation, kind: EventKind, value: str, actor: Actor | None) -> None:
    session.add(
        ConversationEvent(
            agency_id=conversation.agency_id,
            conversation_id=conversation.id,
            at=utcnow(),
            kind=kind,
            value=value[:100],
            actor_id=actor.id if actor else None,
        )
    )


def _audit(
    session: Session,
    actor: Actor | None,
    action: str,
    conversation: Conversation,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor=actor.official if actor else None,
        action=action,
        target_type="conversation",
        target_id=conversation.id,
        agency_id=conversation.agency_id,
        before=before,
        after=after,
    )


# -- status ----------------------------------------------------------------------------------------


def parse_status(value: str) -> ConversationStatus:
    try:
        return ConversationStatus(value)
    except ValueError as exc:
        raise Invalid(f"status must be open, waiting or closed, not {value!r}", field="status") from exc


def _set_status(session: Session, conversation: Conversation, status: ConversationStatus, actor: Actor | None) -> bool:
    if conversation.status is status:
        return False
    before = conversation.status.value
    conversation.status = status
    conversation.updated_at = utcnow()
    _event(session, conversation, EventKind.status, status.value, actor)
    session.flush()
    _audit(session, actor, "conversation.status", conversation, {"status": before}, {"status": status.value})
    clocks.refresh(session, conversation)
    return True


def set_status(session: Session, *, actor: Actor, conversation_id: int, status: ConversationStatus) -> Conversation:
    """Close, reopen, or mark as waiting on the citizen (which pauses the SLA clocks)."""
    conversation = _for_change(session, actor, conversation_id)
    _set_status(session, conversation, status, actor)
    return conversation


def citizen_wrote(session: Session, message: Message) -> None:
    """A new citizen message: a waiting or closed conversation is open again, and its clocks move."""
    conversation = session.get(Conversation, message.conversation_id)
    if conversation is None:
        return
    if not _set_status(session, conversation, ConversationStatus.open, None):
        clocks.refresh(session, conversation)


# -- assignment ------------------------------------------------------------------------------------


def _check_assignee(session: Session, agency_id: int, official_id: int) -> Official:
    official = session.get(Official, official_id)
    roles = set(
        session.scalars(
            select(Membership.role).where(Membership.official_id == official_id, Membership.agency_id == agency_id)
        )
    )
    if official is None or not official.active or not roles & ASSIGNABLE_ROLES:
        raise Invalid("a conversation can only be assigned to an active official of its agency", field="assignee")
    return official


def assign(session: Session, *, actor: Actor, conversation_id: int, assignee_id: int | None) -> Conversation:
    """Assign (or reassign, or with ``None`` unassign) a conversation to one of the agency's officials."""
    conversation = _for_change(session, actor, conversation_id)
    if assignee_id is not None:
        _check_assignee(session, conversation.agency_id, assignee_id)
    if conversation.assignee_id == assignee_id:
        return conversation
    before = conversation.assignee_id
    conversation.assignee_id = assignee_id
    row = session.get(ConversationSla, conversation.id)
    if row is not None:
        clocks.sync(row, conversation)
    _event(session, conversation, EventKind.assigned, str(assignee_id or ""), actor)
    _audit(session, actor, "conversation.assign", conversation, {"assignee_id": before}, {"assignee_id": assignee_id})
    return conversation


# -- tags and notes --------------------------------------------------------------------------------


def _clean_tag(name: str) -> str:
    cleaned = " ".join(name.split())
    if not TAG_RE.match(cleaned):
        raise Invalid("a tag is 1–50 letters, digits, spaces or . & / + - _", field="tag")
    return cleaned.lower()


def _tag_row(session: Session, agency_id: int, name: str) -> Tag:
    tag = session.scalar(select(Tag).where(Tag.agency_id == agency_id, Tag.name == name))
    if tag is None:
        tag = Tag(agency_id=agency_id, name=name)
        session.add(tag)
        session.flush()
    return tag


def add_tag(session: Session, *, actor: Actor, conversation_id: int, name: str) -> Conversation:
    conversation = _for_change(session, actor, conversation_id)
    tag = _tag_row(session, conversation.agency_id, _clean_tag(name))
    linked = session.get(ConversationTag, (conversation.id, tag.id))
    if linked is None:
        session.add(ConversationTag(conversation_id=conversation.id, tag_id=tag.id))
        _event(session, conversation, EventKind.tagged, tag.name, actor)
        _audit(session, actor, "conversation.tag", conversation, after={"tag": tag.name})
    return conversation


def remove_tag(session: Session, *, actor: Actor, conversation_id: int, name: str) -> Conversation:
    conversation = _for_change(session, actor, conversation_id)
    tag = session.scalar(select(Tag).where(Tag.agency_id == conversation.agency_id, Tag.name == _clean_tag(name)))
    if tag is not None and session.get(ConversationTag, (conversation.id, tag.id)) is not None:
        session.execute(
            delete(ConversationTag).where(
                ConversationTag.conversation_id == conversation.id, ConversationTag.tag_id == tag.id
            )
        )
        _event(session, conversation, EventKind.untagged, tag.name, actor)
        _audit(session, actor, "conversation.untag", conversation, before={"tag": tag.name})
    return conversation


def agency_tags(session: Session, agency_ids: set[int] | None) -> list[str]:
    query = select(Tag.name).distinct().order_by(Tag.name)
    if agency_ids is not None:
        query = query.where(Tag.agency_id.in_(agency_ids))
    return list(session.scalars(query))


def add_note(session: Session, *, actor: Actor, conversation_id: int, text: str) -> Note:
    """An internal note: for the agency's officials, never sent to the citizen."""
    conversation = get_conversation(session, actor=actor, conversation_id=conversation_id)
    actor.require(conversation.agency_id)
    text = text.strip()
    if not text:
        raise Invalid("the note is empty", field="text")
    if len(text) > MAX_NOTE:
        raise Invalid(f"a note has at most {MAX_NOTE} characters", field="text")
    note = Note(agency_id=conversation.agency_id, conversation_id=conversation.id, author_id=actor.id, text=text)
    session.add(note)
    session.flush()
    _audit(session, actor, "conversation.note", conversation, after={"note_id": note.id, "text": text})
    return note


# -- saved replies ---------------------------------------------------------------------------------

PLACEHOLDERS = {
    "citizen_name": "the citizen's name as shown on the platform",
    "agency_name": "the agency's name",
    "officer_name": "your name",
    "conversation_id": "the conversation's number, for the citizen to quote",
}
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def check_placeholders(text: str) -> None:
    unknown = sorted({name for name in _PLACEHOLDER_RE.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise Invalid(f"unknown placeholder(s) {', '.join(unknown)}; use {allowed}", field="text")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{citizen_name}`` and the other known placeholders; any other braces stay as written."""
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def placeholder_values(session: Session, conversation: Conversation, actor: Actor) -> dict[str, str]:
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    if contact is None:
        # A comment thread is the citizen's who began it (others may have replied in it since).
        first = session.scalar(
            select(Message.contact_id)
            .where(Message.conversation_id == conversation.id, Message.contact_id.is_not(None))
            .order_by(Message.created_at, Message.id)
            .limit(1)
        )
        contact = session.get(Contact, first) if first else None
    agency = session.get(Agency, conversation.agency_id)
    return {
        "citizen_name": contact.display_name if contact else "citizen",
        "agency_name": agency.name if agency else "",
        "officer_name": actor.name,
        "conversation_id": str(conversation.id),
    }


def save_reply(
    session: Session, *, actor: Actor, agency_id: int, title: str, text: str, saved_reply_id: int | None = None
) -> SavedReply:
    """Create (or, with ``saved_reply_id``, change) a saved reply of the agency."""
    actor.require(agency_id, *TRIAGE_ROLES)
    title, text = " ".join(title.split()), text.strip()
    if not title or len(title) > 100:
        raise Invalid("a saved reply needs a title of at most 100 characters", field="title")
    if not text:
        raise Invalid("a saved reply needs its text", field="text")
    check_placeholders(text)
    clash = session.scalar(select(SavedReply.id).where(SavedReply.agency_id == agency_id, SavedReply.title == title))
    if clash is not None and clash != saved_reply_id:
        raise Invalid(f"the agency already has a saved reply called {title!r}", field="title")
    if saved_reply_id is None:
        row = SavedReply(agency_id=agency_id, title=title, text=text, created_by_id=actor.id)
        session.add(row)
        before = None
    else:
        found = session.get(SavedReply, saved_reply_id)
        if found is None or found.agency_id != agency_id:
            raise NotFound("saved reply not found")
        row, before = found, {"title": found.title, "text": found.text}
        row.title, row.text = title, text
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="saved_reply.save",
        target_type="saved_reply",
        target_id=row.id,
        agency_id=agency_id,
        before=before,
        after={"title": title, "text": text},
    )
    return row


def delete_saved_reply(session: Session, *, actor: Actor, saved_reply_id: int) -> None:
    row = actor.fetch(session, SavedReply, saved_reply_id, what="saved reply", roles=TRIAGE_ROLES)
    before = {"title": row.title, "text": row.text}
    session.delete(row)
    audit.record(
        session,
        actor=actor.official,
        action="saved_reply.delete",
        target_type="saved_reply",
        target_id=saved_reply_id,
        agency_id=row.agency_id,
        before=before,
    )


# -- replying --------------------------------------------------------------------------------------


def reply(
    session: Session,
    *,
    actor: Actor,
    conversation_id: int,
    text: str,
    in_reply_to_message_id: int | None = None,
    then_wait: bool = False,
    idempotency_key: str | None = None,
) -> OutboundMessage:
    """Answer through the conversation's own channel. Placeholders are filled in; the guidelines gate
    and the platform's reply window are applied by ``create_outbound`` before anything is queued.
    ``then_wait``: mark the conversation as waiting on the citizen (the clocks pause)."""
    conversation = get_conversation(session, actor=actor, conversation_id=conversation_id)
    check_placeholders(text)
    outbound = create_outbound(
        session,
        actor=actor,
        account_id=conversation.account_id,
        kind=OutboundKind.reply,
        text=fill(text, placeholder_values(session, conversation, actor)),
        conversation_id=conversation.id,
        in_reply_to_message_id=in_reply_to_message_id,
        idempotency_key=idempotency_key,
    )
    if conversation.assignee_id is None:
        assign(session, actor=actor, conversation_id=conversation.id, assignee_id=actor.id)
    if then_wait:
        _set_status(session, conversation, ConversationStatus.waiting, actor)
    return outbound


def retry(session: Session, *, actor: Actor, outbound_id: int) -> OutboundMessage:
    return retry_outbound(session, actor=actor, outbound_id=outbound_id)


# -- bulk ------------------------------------------------------------------------------------------

BULK_ACTIONS = ("assign", "unassign", "take", "tag", "close", "reopen")


def bulk(session: Session, *, actor: Actor, conversation_ids: list[int], action: str, value: str = "") -> int:
    """Apply one action to many conversations; all or nothing (the caller's transaction)."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise Invalid("choose at least one conversation", field="conversation_ids")
    if len(ids) > MAX_BULK:
        raise Invalid(f"at most {MAX_BULK} conversations at once", field="conversation_ids")
    if action not in BULK_ACTIONS:
        raise Invalid(f"unknown bulk action {action!r}; use {', '.join(BULK_ACTIONS)}", field="action")
    for conversation_id in ids:
        if action == "assign":
            if not value.isdigit():
                raise Invalid("choose whom to assign them to", field="value")
            assign(session, actor=actor, conversation_id=conversation_id, assignee_id=int(value))
        elif action == "unassign":
            assign(session, actor=actor, conversation_id=conversation_id, assignee_id=None)
        elif action == "take":
            assign(session, actor=actor, conversation_id=conversation_id, assignee_id=actor.id)
        elif action == "tag":
            add_tag(session, actor=actor, conversation_id=conversation_id, name=value)
        elif action == "close":
            set_status(session, actor=actor, conversation_id=conversation_id, status=ConversationStatus.closed)
        else:
            set_status(session, actor=actor, conversation_id=conversation_id, status=ConversationStatus.open)
    return len(ids)
