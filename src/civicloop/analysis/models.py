from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


class ScopeKind(enum.StrEnum):
    agency = "agency"
    account = "account"
    consultation = "consultation"


class RunStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class AnalysisRun(IdMixin, AgencyOwned, Base):
    """One analysis of the messages in a scope; the latest finished one is what pages show."""

    __tablename__ = "analysis_runs"

    scope_kind: Mapped[ScopeKind] = mapped_column(Enum(ScopeKind, native_enum=False, length=16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), index=True)
    # Consultations are another domain's table; the run keeps the id so that both can evolve apart.
    consultation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    embedder: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[RunStatus] = mapped_column(Enum(RunStatus, native_enum=False, length=16), default=RunStatus.queued)
    stage: Mapped[str] = mapped_column(String(32), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    unique_messages: Mapped[int] = mapped_column(Integer, default=0)
    # Messages assigned one by one after the run, and how many of them fitted no theme.
    added: Mapped[int] = mapped_column(Integer, default=0)
    added_unassigned: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    embedder_state: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AnalysisTheme(IdMixin, AgencyOwned, Base):
    __tablename__ = "analysis_themes"

    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 0 is the "other" bucket
    label: Mapped[str] = mapped_column(String(300))
    # An official's name for the theme; kept by later runs for the theme that matches this one.
    custom_label: Mapped[str | None] = mapped_column(String(300))
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    raw_size: Mapped[int] = mapped_column(Integer, default=0)
    sentiment: Mapped[dict[str, float]] = mapped_column(JSONType, default=dict)
    quotes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    floor: Mapped[float] = mapped_column(Float, default=0.0)
    # Set when officials merged other themes into this one, so that a re-analysis merges again.
    merged: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def name(self) -> str:
        return self.custom_label or self.label


class AnalysisCampaign(IdMixin, AgencyOwned, Base):
    __tablename__ = "analysis_campaigns"

    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    accounts: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # "campaign" (coordinated copies) or "question" (a frequent question, asked over time).
    kind: Mapped[str] = mapped_column(String(16), default="campaign", server_default="campaign")


class AnalysisAssignment(IdMixin, Base):
    """Which theme a message belongs to in a run (tenant scope comes from the run)."""

    __tablename__ = "analysis_assignments"
    __table_args__ = (UniqueConstraint("run_id", "message_id"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("analysis_themes.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_campaigns.id", ondelete="SET NULL"))
    sentiment: Mapped[str] = mapped_column(String(8))
    # Duplicate group within the run: a theme's size counts each group once.
    group_number: Mapped[int] = mapped_column(Integer)
    # True once an official moved the message: a re-analysis keeps it where they put it.
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    # True for messages assigned after the run, one by one as they arrived.
    incremental: Mapped[bool] = mapped_column(Boolean, default=False)

    def as_dict(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "theme_id": self.theme_id, "sentiment": self.sentiment}
