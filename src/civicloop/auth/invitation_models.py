"""One-time links to set a password: an invitation for a new official, or a password reset."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow


class LinkPurpose(enum.StrEnum):
    invitation = "invitation"
    reset = "reset"


class PasswordLink(IdMixin, Base):
    """Only the token's digest is kept; the link works once and until ``expires_at``."""

    __tablename__ = "password_links"

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(Enum(LinkPurpose, native_enum=False, length=16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    # The token encrypted with the deployment's key, only until the email job has sent it (then emptied).
    outgoing: Mapped[str | None] = mapped_column(Text)
