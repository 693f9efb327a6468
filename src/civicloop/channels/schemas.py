"""What the API and the CLI show of contacts, conversations and messages (officials of the agency only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

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


class ContactPublic(BaseModel):
    id: int
    platform: str
    platform_user_id: str
    display_name: str
    handle: str | None

    @classmethod
    def of(cls, contact: Contact) -> ContactPublic:
        return cls(
            id=contact.id,
            platform=contact.platform,
            platform_user_id=contact.platform_user_id,
            display_name=contact.display_name,
            handle=contact.handle,
        )


class RevisionPublic(BaseModel):
    text: str
    at: datetime


class MessagePublic(BaseModel):
    id: int
    platform: str
    external_id: str | None
    direction: Direction
    contact: str | None
    contact_id: int | None
    text: str
    created_at: datetime
    conversation_id: int
    state: MessageState
    account_id: int
    agency_id: int
    received_at: datetime
    reply_to_external_id: str | None
    permalink: str | None
    attachments: list[dict[str, Any]]
    revisions: list[RevisionPublic] | None = None

    @classmethod
    def of(
        cls, message: Message, contacts: dict[int, Contact], revisions: list[MessageRevision] | None = None
    ) -> MessagePublic:
        contact = contacts.get(message.contact_id) if message.contact_id is not None else None
        return cls(
            id=message.id,
            platform=message.platform,
            external_id=message.external_id,
            direction=message.direction,
            contact=contact.display_name if contact else None,
            contact_id=message.contact_id,
            text=message.text,
            created_at=message.created_at,
            conversation_id=message.conversation_id,
            state=message.state,
            account_id=message.account_id,
            agency_id=message.agency_id,
            received_at=message.received_at,
            reply_to_external_id=message.reply_to_external_id,
            permalink=message.permalink,
            attachments=list(message.attachments or []),
            revisions=None if revisions is None else [RevisionPublic(text=r.text, at=r.at) for r in revisions],
        )


class ConversationPublic(BaseModel):
    id: int
    agency_id: int
    account_id: int
    kind: ConversationKind
    external_ref: str
    # The post a comment thread is under (its conversations share it); None for direct messages and forms.
    post_ref: str | None
    subject: str | None
    status: ConversationStatus
    contact: ContactPublic | None
    assignee_id: int | None
    last_citizen_message_at: datetime | None
    last_agency_message_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, conversation: Conversation, contacts: dict[int, Contact]) -> ConversationPublic:
        contact = contacts.get(conversation.contact_id) if conversation.contact_id is not None else None
        return cls(
            id=conversation.id,
            agency_id=conversation.agency_id,
            account_id=conversation.account_id,
            kind=conversation.kind,
            external_ref=conversation.external_ref,
            post_ref=conversation.post_ref,
            subject=conversation.subject,
            status=conversation.status,
            contact=ContactPublic.of(contact) if contact else None,
            assignee_id=conversation.assignee_id,
            last_citizen_message_at=conversation.last_citizen_message_at,
            last_agency_message_at=conversation.last_agency_message_at,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
        )


class ConversationDetail(ConversationPublic):
    messages: list[MessagePublic]
