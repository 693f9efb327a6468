"""Policy rules, lexicon overrides, election periods, reviews with their findings, and approvals."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import UTCDateTime
from civicloop.guidelines.findings import Category, ElectionPhase, Severity
from civicloop.kit.clock import utcnow


class Action(enum.StrEnum):
    allow = "allow"
    warn = "warn"  # shown to the author, who may send anyway
    hold = "hold"  # needs the agency head's approval before it is sent
    block = "block"  # cannot be sent as written


ACTION_RANK = {Action.allow: 0, Action.warn: 1, Action.hold: 2, Action.block: 3}


class ApprovalStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class GuidelineRule(IdMixin, Base):
    """The action for one category: national (agency_id NULL) or an agency's own, stricter one."""

    __tablename__ = "guideline_rules"
    __table_args__ = (UniqueConstraint("agency_id", "category"),)

    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    category: Mapped[Category] = mapped_column(Enum(Category, native_enum=False, length=32))
    action: Mapped[Action] = mapped_column(Enum(Action, native_enum=False, length=16))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class TermOverride(IdMixin, Base):
    """A term added to (or, nationally, removed from) a lexicon; agency_id NULL = national."""

    __tablename__ = "guideline_terms"
    __table_args__ = (UniqueConstraint("agency_id", "lexicon", "term"),)

    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    lexicon: Mapped[str] = mapped_column(String(64))
    term: Mapped[str] = mapped_column(String(200))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class ElectionPeriod(IdMixin, Base):
    """Declared by national oversight; the campaign embargo is the last ``embargo_hours`` before polling."""

    __tablename__ = "election_periods"

    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    polls_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    embargo_hours: Mapped[int] = mapped_column(Integer, default=48)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class GuidelineReview(IdMixin, AgencyOwned, Base):
    """One check of an outgoing text before it left, and what the policy made of it."""

    __tablename__ = "guideline_reviews"

    kind: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    action: Mapped[Action] = mapped_column(Enum(Action, native_enum=False, length=16))
    election: Mapped[ElectionPhase] = mapped_column(Enum(ElectionPhase, native_enum=False, length=16))
    text_length: Mapped[int] = mapped_column(Integer)
    # The channels row reviewed, when there is one (no foreign key: that table is another domain's).
    outbound_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ReviewFinding(IdMixin, AgencyOwned, Base):
    """One finding of a review; personal data is stored masked, never in full."""

    __tablename__ = "guideline_findings"

    review_id: Mapped[int] = mapped_column(ForeignKey("guideline_reviews.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[Category] = mapped_column(Enum(Category, native_enum=False, length=32))
    severity: Mapped[Severity] = mapped_column(Enum(Severity, native_enum=False, length=16))
    action: Mapped[Action] = mapped_column(Enum(Action, native_enum=False, length=16))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Approval(IdMixin, AgencyOwned, Base):
    """A held text waiting for (or decided by) the agency head."""

    __tablename__ = "guideline_approvals"

    review_id: Mapped[int] = mapped_column(ForeignKey("guideline_reviews.id", ondelete="CASCADE"), index=True)
    outbound_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str | None] = mapped_column(Text)  # set when the approver edited the text
    status: Mapped[ApprovalStatus] = mapped_column(
        Enum(ApprovalStatus, native_enum=False, length=16), default=ApprovalStatus.pending, index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)


class PoliticalParty(IdMixin, Base):
    """A registered party and every form it is written in, kept by national oversight."""

    __tablename__ = "political_parties"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    abbreviation: Mapped[str] = mapped_column(String(20), default="")
    name_dz: Mapped[str] = mapped_column(String(200), default="")
    other_names: Mapped[str] = mapped_column(Text, default="")  # one per line: spellings, short names
    slogans: Mapped[str] = mapped_column(Text, default="")  # one per line: campaign slogans, hashtags
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class ElectionCandidate(IdMixin, Base):
    """A candidate of one election, imported from the Election Commission's list (CSV)."""

    __tablename__ = "election_candidates"
    __table_args__ = (UniqueConstraint("election_id", "name", "constituency"),)

    election_id: Mapped[int] = mapped_column(ForeignKey("election_periods.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_dz: Mapped[str] = mapped_column(String(200), default="")
    party: Mapped[str] = mapped_column(String(200), default="")
    constituency: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
