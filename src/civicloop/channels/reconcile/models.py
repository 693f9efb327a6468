"""The record of each reconciliation run of an account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow


class ChannelReconciliation(IdMixin, AgencyOwned, Base):
    """One run: the window read (``since`` to ``started_at``), what the API returned (``fetched``), the
    events that were not stored yet (``recovered``) and, if it stopped, why (``problem``)."""

    __tablename__ = "channel_reconciliations"

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(16))  # "schedule" or "cli"
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    recovered: Mapped[int] = mapped_column(Integer, default=0)
    supported: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the platform's API cannot list
    problem: Mapped[str | None] = mapped_column(Text)
    credentials_refused: Mapped[bool] = mapped_column(Boolean, default=False)
