"""Raw events as received, and the normalized contacts, conversations and messages made from them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicloop.agencies.models import OfficialAccount
from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


def _values(kind: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in kind]


def _enum(kind: type[enum.StrEnum], length: int) -> Enum:
    """Stored as the member's value (``"in"``, ``"import"``), which is what other domains and the API see."""
    return Enum(kind, native_enum=False, length=length, values_callable=_values)


class ConversationKind(enum.StrEnum):
    comment_thread = "comment_thread"
    direct = "direct"
    form = "form"
    import_ = "import"


class ConversationStatus(enum.StrEnum):
    open = "open"
    waiting = "waiting"
    closed = "closed"


class Direction(enum.StrEnum):
    inbound = "in"
    outbound = "out"


class MessageState(enum.StrEnum):
    received = "received"
    edited = "edited"
    removed = "removed"
    # Hidden by the account on the platform (its "hide"): still visible to its author, kept here as received.
    hidden = "hidden"
    sent = "sent"


class RawEvent(IdMixin, Base):
    """One platform event exactly as verified: the source of truth that processing may replay.

    ``body`` holds this event alone in the platform's own envelope (one entry of a batch; for an
    encrypted delivery the decrypted message), so that replay parses it with the same code as a live delivery.
    """

    __tablename__ = "raw_events"
    # Unique per app, not per platform: an id is only as trustworthy as the signature over it, and
    # another app's body may name any Page (a shared key would let one agency's app block another's).
    __table_args__ = (UniqueConstraint("provider", "app_key", "external_id"),)

    provider: Mapped[str] = mapped_column(String(16))
    app_key: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("official_accounts.id", ondelete="SET NULL"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class WebhookRejection(IdMixin, Base):
    """Requests refused before anything was stored, counted per platform app, day and reason."""

    __tablename__ = "webhook_rejections"
    __table_args__ = (UniqueConstraint("provider", "app_key", "day", "reason"),)

    provider: Mapped[str] = mapped_column(String(16))
    app_key: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)


class WebhookNonce(IdMixin, Base):
    """A signed query's nonce, kept while its timestamp is fresh so the signature cannot be replayed
    over another body (a platform whose signature covers the query, not the body)."""

    __tablename__ = "webhook_nonces"
    __table_args__ = (UniqueConstraint("provider", "app_key", "nonce"),)

    provider: Mapped[str] = mapped_column(String(16))
    app_key: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Contact(IdMixin, AgencyOwned, Base):
    """A citizen as seen on one platform. Personal data: never shown outside the agency."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("agency_id", "platform", "platform_user_id"),)

    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Conversation(IdMixin, TimestampMixin, AgencyOwned, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "external_ref"),
        Index("ix_conversations_agency_id_status", "agency_id", "status"),
        Index("ix_conversations_account_id_post_ref", "account_id", "post_ref"),
        # Search: a reference number typed in the inbox finds its conversation at once.
        Index("ix_conversations_external_ref", "external_ref"),
        # Search by a citizen's name or handle, and one citizen's history: a contact's conversations.
        Index("ix_conversations_contact_id", "contact_id"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[ConversationKind] = mapped_column(_enum(ConversationKind, 16))
    # The citizen's thread: its top-level comment's id (a comment thread; the post's own id for the post
    # itself), the platform's id of the citizen or of the DM pair (direct), form or import reference.
    external_ref: Mapped[str] = mapped_column(String(255))
    # The post (video, media, chat) a comment thread is under: the post view lists its conversations.
    post_ref: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[ConversationStatus] = mapped_column(_enum(ConversationStatus, 16), default=ConversationStatus.open)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    last_citizen_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_agency_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[OfficialAccount] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")


class Message(IdMixin, AgencyOwned, Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_messages_agency_id_created_at", "agency_id", "created_at"),
    )

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    direction: Mapped[Direction] = mapped_column(_enum(Direction, 8))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply_to_external_id: Mapped[str | None] = mapped_column(String(255))
    permalink: Mapped[str | None] = mapped_column(String(1000))
    state: Mapped[MessageState] = mapped_column(_enum(MessageState, 16), default=MessageState.received)
    raw_event_id: Mapped[int | None] = mapped_column(ForeignKey("raw_events.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(16))

    conversation: Mapped[Conversation] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")


class MessageRevision(IdMixin, Base):
    """A previous text of an edited message (the message row holds the latest)."""

    __tablename__ = "message_revisions"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelPoll(IdMixin, Base):
    """Where polling an account stands: the API quota spent today and how the last poll went."""

    __tablename__ = "channel_polls"

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), unique=True)
    day: Mapped[date] = mapped_column(Date)  # the day ``units`` counts (the deployment's time zone)
    units: Mapped[int] = mapped_column(Integer, default=0)
    polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stored: Mapped[int] = mapped_column(Integer, default=0)  # new events the last poll stored
    problem: Mapped[str | None] = mapped_column(Text)  # why the last poll stopped early, or None
