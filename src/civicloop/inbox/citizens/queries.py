"""Reads for the citizen's page: the linked contacts, suggestions, candidates, one history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels.models import Contact, Conversation, Direction, Message, MessageState
from civicloop.inbox.models import CitizenContact

HISTORY_LIMIT = 300
CANDIDATE_LIMIT = 20


def citizen_of(session: Session, contact_id: int) -> int | None:
    return session.scalar(select(CitizenContact.citizen_id).where(CitizenContact.contact_id == contact_id))


def linked_contacts(session: Session, contact: Contact) -> list[Contact]:
    """``contact`` and every contact linked to the same citizen (only ``contact`` when unlinked)."""
    citizen_id = citizen_of(session, contact.id)
    if citizen_id is None:
        return [contact]
    query = (
        select(Contact)
        .join(CitizenContact, CitizenContact.contact_id == Contact.id)
        .where(CitizenContact.citizen_id == citizen_id, Contact.agency_id == contact.agency_id)
        .order_by(Contact.platform, Contact.id)
    )
    return list(session.scalars(query))


def suggestions(session: Session, contacts: list[Contact]) -> list[Contact]:
    """Other contacts of the same agency with the same email address or phone number, not linked to
    this citizen yet: offered to the officer, never linked without them."""
    if not contacts:
        return []
    emails = {c.email.lower() for c in contacts if c.email}
    phones = {c.phone for c in contacts if c.phone}
    if not emails and not phones:
        return []
    agency_id = contacts[0].agency_id
    same = []
    if emails:
        same.append(Contact.email.in_(emails))
    if phones:
        same.append(Contact.phone.in_(phones))
    query = (
        select(Contact)
        .where(Contact.agency_id == agency_id, Contact.id.not_in([c.id for c in contacts]), or_(*same))
        .order_by(Contact.id)
        .limit(CANDIDATE_LIMIT)
    )
    return list(session.scalars(query))


def candidates(session: Session, contacts: list[Contact], text: str) -> list[Contact]:
    """The agency's other contacts whose name, handle, email or phone contains ``text``."""
    text = text.strip()
    if not text or not contacts:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    fields = (Contact.display_name, Contact.handle, Contact.email, Contact.phone, Contact.platform_user_id)
    query = (
        select(Contact)
        .where(
            Contact.agency_id == contacts[0].agency_id,
            Contact.id.not_in([c.id for c in contacts]),
            or_(*(f.ilike(pattern, escape="\\") for f in fields)),
        )
        .order_by(Contact.display_name, Contact.id)
        .limit(CANDIDATE_LIMIT)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class HistoryItem:
    conversation: Conversation
    account: OfficialAccount
    message: Message
    contact: Contact | None

    @property
    def at(self) -> datetime:
        return self.message.created_at

    @property
    def from_citizen(self) -> bool:
        return self.message.direction is Direction.inbound


def history(session: Session, contacts: list[Contact]) -> list[HistoryItem]:
    """Every message of the citizen's conversations with the agency, on every linked channel, newest first:
    their own messages, and the agency's answers in those conversations."""
    if not contacts:
        return []
    ids = [c.id for c in contacts]
    agency_id = contacts[0].agency_id
    # A one-to-one conversation is the citizen's; in a comment thread, only what they wrote is theirs
    # (and the answers to it): the other commenters' words stay out of this person's history.
    conversation_ids = set(
        session.scalars(
            select(Conversation.id).where(Conversation.agency_id == agency_id, Conversation.contact_id.in_(ids))
        )
    ) | set(
        session.scalars(
            select(Message.conversation_id)
            .where(Message.agency_id == agency_id, Message.contact_id.in_(ids))
            .distinct()
        )
    )
    if not conversation_ids:
        return []
    owned = select(Conversation.id).where(Conversation.id.in_(conversation_ids), Conversation.contact_id.in_(ids))
    theirs = select(Message.external_id).where(
        Message.conversation_id.in_(conversation_ids), Message.contact_id.in_(ids), Message.external_id.is_not(None)
    )
    query = (
        select(Message, Conversation, OfficialAccount, Contact)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(OfficialAccount, OfficialAccount.id == Conversation.account_id)
        .outerjoin(Contact, Contact.id == Message.contact_id)
        .where(
            Message.conversation_id.in_(conversation_ids),
            Message.state != MessageState.removed,
            or_(
                Message.conversation_id.in_(owned),
                Message.contact_id.in_(ids),
                and_(Message.direction == Direction.outbound, Message.reply_to_external_id.in_(theirs)),
            ),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return [
        HistoryItem(conversation=conversation, account=account, message=message, contact=contact)
        for message, conversation, account, contact in session.execute(query)
    ]
