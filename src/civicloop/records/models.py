"""The retention schedule, legal holds, disposal runs and records-request exports."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import Base, IdMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


class RetentionRule(Base):
    """How long one record class is kept, set nationally, with the law or decision that says so.

    ``days`` None means the class is kept permanently.
    """

    __tablename__ = "records_retention_rules"

    record_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int | None] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class LegalHold(IdMixin, Base):
    """Records that must not be disposed of while the hold stands.

    A hold keeps every record matching *all* the criteria it names: an agency (none: every agency, national
    administrators only), an account, a conversation, a date range (the record's own date), and words its
    text contains. A hold naming only an agency keeps all of that agency's records.
    """

    __tablename__ = "records_legal_holds"

    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("official_accounts.id", ondelete="SET NULL"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lift_reason: Mapped[str] = mapped_column(Text, default="")


class DisposalRun(IdMixin, Base):
    """One run of the disposal job: per record class, how many records went and the dates they spanned.

    Never the content. ``report`` is {class: {"disposed": n, "kept_on_hold": n, "cutoff": iso,
    "oldest": iso | None, "newest": iso | None}}.
    """

    __tablename__ = "records_disposal_runs"

    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    report: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    audit_seq: Mapped[int | None] = mapped_column(Integer)


class ExportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class RecordsExport(IdMixin, Base):
    """A records-request export asked for from the web: built by a job, downloaded by its agency's heads."""

    __tablename__ = "records_exports"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"since", "until", "account_id", "search", "redact", "request"}: what the bundle holds.
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[ExportStatus] = mapped_column(Enum(ExportStatus, native_enum=False, length=16))
    file_name: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    messages: Mapped[int | None] = mapped_column(Integer)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
