from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin, Translated
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


class CommitmentStatus(enum.StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class PromiseStatus(enum.StrEnum):
    open = "open"
    kept = "kept"
    dismissed = "dismissed"


class Commitment(IdMixin, TimestampMixin, AgencyOwned, Translated, Base):
    """What an agency said it will do after a consultation, by whom and by when; public once created."""

    __tablename__ = "accountability_commitments"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    # The "we did" section it comes from; none when it comes from the report's overall decision.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_report_sections.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    division: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CommitmentStatus] = mapped_column(
        Enum(CommitmentStatus, native_enum=False, length=16), default=CommitmentStatus.planned, index=True
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # Shown publicly when the status is "dropped": a dropped commitment must say why.
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    # The consultation's theme labels and the responses (citizen comments) that led to it.
    themes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    response_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class CommitmentUpdate(IdMixin, AgencyOwned, Translated, Base):
    """One dated entry of a commitment's public timeline."""

    __tablename__ = "accountability_updates"

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("accountability_commitments.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[CommitmentStatus] = mapped_column(Enum(CommitmentStatus, native_enum=False, length=16))
    # Participants hear of an update only when it changed the status.
    status_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    photo_name: Mapped[str | None] = mapped_column(String(80))
    photo_alt: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class CommitmentNotice(IdMixin, AgencyOwned, Base):
    """What one participant was told about one update: at most one row each, so one notice each."""

    __tablename__ = "accountability_notices"
    __table_args__ = (UniqueConstraint("update_id", "participant"),)

    update_id: Mapped[int] = mapped_column(ForeignKey("accountability_updates.id", ondelete="CASCADE"), index=True)
    # "contact:<id>" (a citizen on one platform), or "message:<id>" for a message with no known sender.
    participant: Mapped[str] = mapped_column(String(40))
    # The citizen message the notice answers (under their comment, in their chat, to their email).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    outbound_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"))
    # sent, refused (the platform's window, no address, the guidelines), opted_out
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OptOut(AgencyOwned, Base):
    """A citizen who asked for no more commitment updates from this agency."""

    __tablename__ = "accountability_opt_outs"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Promise(IdMixin, AgencyOwned, Base):
    """An action with a time that an officer's reply promised, confirmed (or dismissed) by the officer."""

    __tablename__ = "accountability_promises"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    # One decision per reply: confirmed or dismissed, a reply is never proposed twice.
    outbound_id: Mapped[int] = mapped_column(ForeignKey("outbound_messages.id", ondelete="CASCADE"), unique=True)
    phrase: Mapped[str] = mapped_column(String(120))
    excerpt: Mapped[str] = mapped_column(String(400))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[PromiseStatus] = mapped_column(Enum(PromiseStatus, native_enum=False, length=16), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kept_note: Mapped[str] = mapped_column(Text, default="")
