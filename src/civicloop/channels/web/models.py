"""Public-form submissions counted per network address, so a rate limit holds across processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow


class FormHit(IdMixin, Base):
    __tablename__ = "form_hits"
    __table_args__ = (Index("ix_form_hits_address_scope_at", "address", "scope", "at"),)

    # What was submitted to: "feedback:THROMDE", "consultation:12".
    scope: Mapped[str] = mapped_column(String(64))
    # A keyed hash of the client address: the limit needs equality only, not the address itself.
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
