"""Public-form submissions counted per network address, so a rate limit holds across processes; the topics an
agency offers on its feedback form, in English and other languages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin, Translated
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


class FeedbackTopic(IdMixin, AgencyOwned, Translated, Base):
    """A topic the agency offers on its feedback form (``label`` in English, other languages in ``translations``).
    The conversation keeps the English label as its subject, so the inbox reads one language whatever the form's."""

    __tablename__ = "feedback_topics"
    __table_args__ = (UniqueConstraint("agency_id", "label"),)

    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(150))
