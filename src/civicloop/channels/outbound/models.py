"""Outbound messages (replies and posts, rows first, sent by a job) and cached platform access tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from civicloop.channels.delivery import Route, RouteType
from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin
from civicloop.db.types import EncryptedJSON, UTCDateTime


class OutboundKind(enum.StrEnum):
    reply = "reply"
    post = "post"


class OutboundStatus(enum.StrEnum):
    held = "held"  # the guidelines gate held it for approval: not queued
    queued = "queued"  # waiting for the send job (or for its next attempt at next_attempt_at)
    sending = "sending"  # an attempt started; a row left here by a crash is checked, never blindly resent
    sent = "sent"
    failed = "failed"  # the platform refused it, or attempts ran out: last_error says why
    rejected = "rejected"  # refused before sending (an approver said no)
    unconfirmed = "unconfirmed"  # an attempt was interrupted and the platform cannot tell: a person decides


OPEN_STATUSES = frozenset({OutboundStatus.queued, OutboundStatus.sending})

# The job that sends one outbound row, enqueued by name (``jobs.after_commit``).
SEND_JOB = "civicloop.channels.outbound.tasks.send_outbound"


class OutboundMessage(IdMixin, TimestampMixin, AgencyOwned, Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"), index=True)
    kind: Mapped[OutboundKind] = mapped_column(Enum(OutboundKind, native_enum=False, length=8))
    # A route a registered platform declares (``RouteSpec``), stored as VARCHAR(24) with no enum or check.
    route: Mapped[Route] = mapped_column(RouteType())
    text: Mapped[str] = mapped_column(Text)
    image_path: Mapped[str | None] = mapped_column(String(500))
    in_reply_to_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # The platform object answered (comment id, tweet id) and who receives it (PSID, openid, email).
    target: Mapped[str | None] = mapped_column(String(255))
    recipient: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[OutboundStatus] = mapped_column(Enum(OutboundStatus, native_enum=False, length=16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(255))
    permalink: Mapped[str | None] = mapped_column(String(1000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    batch_key: Mapped[str | None] = mapped_column(String(64), index=True)

    @validates("route")
    def _declared(self, key: str, value: object) -> Route:
        """A route a registered platform declares, checked when set (not only when stored)."""
        return Route.checked(value)


class PlatformToken(IdMixin, Base):
    """A short-lived platform access token (``PlatformSpec.fetch_token``), shared by every worker through the
    database."""

    __tablename__ = "platform_tokens"

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), unique=True)
    # Encrypted like the account's credentials; a platform may ask for room for at least 512 characters.
    secret: Mapped[dict[str, str]] = mapped_column(EncryptedJSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
