"""Deputy approvers: an agency head away from office names an official to approve in their place."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow


class Deputy(IdMixin, AgencyOwned, Base):
    """``official_id`` approves for the agency from ``starts_on`` to ``ends_on`` (local dates, both included)."""

    __tablename__ = "approval_deputies"

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Ended early by the head (back in office): the deputy approves no more from then on.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
