"""The record of moderation: every hide, unhide and deletion with its ground and the platform's answer,
citizens' appeals and their decisions, and each agency's tightening of the national policy.

Rows are never updated after the fact except to attach what happened next (the notice sent, the appeal
decided): an undone hide is a new ``unhide`` row, not an edit of the first.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.channels.models import Message
from civicloop.channels.moderation import Operation
from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


def _values(kind: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in kind]


def _enum(kind: type[enum.StrEnum], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length, values_callable=_values)


class AppealStatus(enum.StrEnum):
    open = "open"
    upheld = "upheld"
    reversed = "reversed"


class ModerationAction(IdMixin, AgencyOwned, Base):
    """One moderation call on a citizen's comment: who asked, when, on which ground, and the platform's answer.

    Copies of the message's platform, account and external id are kept so the record stands on its own
    (a records export, or a message later removed by retention)."""

    __tablename__ = "moderation_actions"
    __table_args__ = (Index("ix_moderation_actions_agency_id_at", "agency_id", "at"),)

    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("official_accounts.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    operation: Mapped[Operation] = mapped_column(_enum(Operation, 8))
    ground: Mapped[str | None] = mapped_column(String(32))  # a policy.Ground value; None for an unhide
    note: Mapped[str] = mapped_column(Text, default="")  # the official's own words, internal
    # The rule that suggested it ("repeated_text"...), if the official acted on a suggestion.
    suggested_by: Mapped[str | None] = mapped_column(String(32))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    by_label: Mapped[str] = mapped_column(String(254))  # the official's email, or "appeal" for a reversal
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)  # the platform did it
    platform_status: Mapped[int | None] = mapped_column(Integer)  # its HTTP status (None: no answer)
    platform_answer: Mapped[str] = mapped_column(Text, default="")  # its body, as received (cut to 2000)
    platform_summary: Mapped[str] = mapped_column(String(500), default="")
    # The citizen's appeal link (hides and deletions that were applied); unguessable, public.
    appeal_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    notice_outbound_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"))
    notice_problem: Mapped[str | None] = mapped_column(Text)  # why the citizen could not be told
    # An unhide made because an appeal reversed this earlier action.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_actions.id", ondelete="SET NULL"))

    @classmethod
    def on(cls, message: Message, operation: Operation, **fields: Any) -> ModerationAction:
        """An action on ``message``, with the copies of its agency, platform, account and ids the row keeps."""
        return cls(
            agency_id=message.agency_id,
            message_id=message.id,
            conversation_id=message.conversation_id,
            account_id=message.account_id,
            platform=message.platform,
            external_id=message.external_id or "",
            operation=operation,
            at=utcnow(),
            **fields,
        )


class ModerationAppeal(IdMixin, AgencyOwned, Base):
    __tablename__ = "moderation_appeals"

    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_actions.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)  # the citizen's words
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[AppealStatus] = mapped_column(_enum(AppealStatus, 16), default=AppealStatus.open)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    decided_by_label: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    reversal_action_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_actions.id", ondelete="SET NULL"))


class AgencyModerationPolicy(Base):
    """How an agency tightens the national policy (no row: the national policy as it is)."""

    __tablename__ = "moderation_agency_policies"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    withheld_grounds: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    hide_needs_head: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
