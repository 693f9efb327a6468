from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow
from civicloop.sla.engine import ClockKind, SlaState


class ConversationSla(AgencyOwned, Base):
    """Where a conversation stands against its targets, kept up to date by ``inbox.clocks``.

    ``first_response_*`` is the measured first response (oversight aggregates it nationally);
    ``response_*`` the response clock now running (``response_started_at`` = the citizen message
    waiting longest), ``state`` the worst state of the running clocks (None when closed).
    ``notified`` holds the keys of clocks already counted and announced, so nothing is repeated.
    ``account_id``, ``assignee_id`` and ``status`` copy the conversation's (synced on every change,
    and by the sweep) so that metrics and the backlog read this table alone.
    """

    __tablename__ = "conversation_sla"
    __table_args__ = (
        Index("ix_conversation_sla_agency_id_first_citizen_at", "agency_id", "first_citizen_at"),
        # The inbox's default view: an agency's open conversations, the longest waiting first.
        Index("ix_conversation_sla_agency_id_status_response_started_at", "agency_id", "status", "response_started_at"),
    )

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    first_citizen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    first_response_target: Mapped[int | None] = mapped_column(Integer)
    first_response_breached: Mapped[bool | None] = mapped_column(Boolean)
    state: Mapped[SlaState | None] = mapped_column(Enum(SlaState, native_enum=False, length=16))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    response_kind: Mapped[ClockKind | None] = mapped_column(Enum(ClockKind, native_enum=False, length=16))
    response_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    breaches: Mapped[int] = mapped_column(Integer, default=0)
    notified: Mapped[list[str]] = mapped_column(JSONType, default=list)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_citizen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_agency_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EventKind(enum.StrEnum):
    status = "status"  # value: open, waiting, closed
    assigned = "assigned"  # value: the official's id, or "" when unassigned
    tagged = "tagged"
    untagged = "untagged"
    transferred = "transferred"  # value: the receiving agency's code


class ConversationEvent(IdMixin, AgencyOwned, Base):
    """What happened to a conversation and when: the history shown on its page, and the pauses of
    the SLA clocks (from the status changes)."""

    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_conversation_events_conversation_id_at", "conversation_id", "at"),)

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, native_enum=False, length=16))
    value: Mapped[str] = mapped_column(String(100), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class Tag(IdMixin, AgencyOwned, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    name: Mapped[str] = mapped_column(String(50))


class ConversationTag(Base):
    __tablename__ = "conversation_tags"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class Note(IdMixin, AgencyOwned, Base):
    """An internal note on a conversation: seen by the agency's officials, never sent."""

    __tablename__ = "conversation_notes"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedReply(IdMixin, AgencyOwned, Base):
    """A reply officers reuse; ``{citizen_name}`` and the other placeholders are filled in on use."""

    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("agency_id", "title"),)

    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConversationTransfer(IdMixin, Base):
    """A conversation handed to another agency (the citizen wrote to the wrong one), with the note for
    the receiving agency. The conversation then belongs to ``to_agency_id``; this row keeps where it came
    from, so both agencies' figures can say what happened to it (docs/sla.md, "Transfers")."""

    __tablename__ = "conversation_transfers"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Citizen(IdMixin, AgencyOwned, Base):
    """One person behind several contacts of the same agency (their profiles on several platforms, the email
    they gave on the agency's form), as an officer linked them. Never across agencies: contacts are the agency's."""

    __tablename__ = "citizens"

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class CitizenContact(AgencyOwned, Base):
    """A contact linked to a citizen; a contact belongs to at most one."""

    __tablename__ = "citizen_contacts"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
