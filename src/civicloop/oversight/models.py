"""Alerts, incidents, and the pre-aggregated tables the scorecards and dashboard read."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Enum, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow


class AlertKind(enum.StrEnum):
    message_spike = "message_spike"
    negative_spike = "negative_spike"
    account_silent = "account_silent"
    token_expiring = "token_expiring"  # noqa: S105 - an alert kind, not a secret
    backlog_breach = "backlog_breach"
    # The platform stopped accepting an account's token or permissions: a person must reconnect it.
    account_attention = "account_attention"


class AlertState(enum.StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    resolved = "resolved"


class Severity(enum.StrEnum):
    warning = "warning"
    critical = "critical"


class Alert(IdMixin, AgencyOwned, Base):
    """One occurrence of a rule firing for one subject (an account, a consultation, an agency).

    While it is not resolved, ``open_key`` holds its key and is unique: the periodic evaluation updates
    the same row instead of raising (and mailing) the same alert again. Resolving sets it to NULL, so a
    later occurrence becomes a new alert.
    """

    __tablename__ = "oversight_alerts"
    __table_args__ = (Index("ix_oversight_alerts_agency_id_state", "agency_id", "state"),)

    kind: Mapped[AlertKind] = mapped_column(Enum(AlertKind, native_enum=False, length=32))
    key: Mapped[str] = mapped_column(String(128), index=True)
    open_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(300))
    severity: Mapped[Severity] = mapped_column(Enum(Severity, native_enum=False, length=16))
    state: Mapped[AlertState] = mapped_column(Enum(AlertState, native_enum=False, length=16), default=AlertState.open)
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Whether the condition still held at the last evaluation.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_to: Mapped[list[str]] = mapped_column(JSONType, default=list)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(Text, default="")


class AccountCounts:
    """Messages per official account over a span of time (a mixin of the tables below)."""

    account_id: Mapped[int] = mapped_column(ForeignKey("official_accounts.id", ondelete="CASCADE"), primary_key=True)
    # In the key: a conversation transferred to another agency keeps its account and counts for the agency
    # holding it, so one account's traffic of one day can belong to two agencies (docs/sla.md, "Transfers").
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    messages_in: Mapped[int] = mapped_column(Integer, default=0)
    messages_out: Mapped[int] = mapped_column(Integer, default=0)


class AccountActivity(AccountCounts):
    """Messages and conversations begun per official account, with the account's platform."""

    platform: Mapped[str] = mapped_column(String(16))
    conversations_new: Mapped[int] = mapped_column(Integer, default=0)


class AccountDay(AccountActivity, Base):
    """Per official account and local day: what arrived and what the agency sent (rebuilt by a job)."""

    __tablename__ = "oversight_account_days"
    __table_args__ = (Index("ix_oversight_account_days_agency_id_day", "agency_id", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)


class AccountMonth(AccountActivity, Base):
    """The account days of one calendar month summed (rebuilt from ``AccountDay`` whenever a day changes).

    A long period reads its whole months here and only its partial months at the edges from the days.
    """

    __tablename__ = "oversight_account_months"
    __table_args__ = (Index("ix_oversight_account_months_agency_id_month", "agency_id", "month"),)

    # The first day of the month.
    month: Mapped[date] = mapped_column(Date, primary_key=True)


class AccountHour(AccountCounts, Base):
    """Per official account and UTC hour, for the alert baselines; rows older than the retention go."""

    __tablename__ = "oversight_account_hours"
    __table_args__ = (Index("ix_oversight_account_hours_agency_id_hour", "agency_id", "hour"),)

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)


class RefreshMark(Base):
    """How far a refresh job has read a source table (its highest id), so the next run starts there."""

    __tablename__ = "oversight_refresh_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    # Ids just below ``last_id`` that did not exist at the last run: transactions that may still commit.
    pending_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Incident(IdMixin, AgencyOwned, Base):
    """A guideline breach that reached the public: the agency's own message, posted outside CivicLoop.

    The evidence (text, link, findings, a digest of the text) is copied here when it is found, so it
    survives the message being edited or deleted on the platform.
    """

    __tablename__ = "oversight_incidents"

    # No foreign key: the evidence must outlive the message row.
    message_id: Mapped[int] = mapped_column(Integer, unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("official_accounts.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    permalink: Mapped[str | None] = mapped_column(String(1000))
    categories: Mapped[list[str]] = mapped_column(JSONType, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # What the agency's policy would have done had the text gone through CivicLoop: hold or block.
    action: Mapped[str] = mapped_column(String(16))


class ResponseOutcomes:
    """inbox/SLA's measured outcomes per agency and channel over a span of time (a mixin)."""

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    responded: Mapped[int] = mapped_column(Integer, default=0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)
    missed_target: Mapped[int] = mapped_column(Integer, default=0)
    breaches: Mapped[int] = mapped_column(Integer, default=0)


class ResponseDay(ResponseOutcomes, Base):
    """Per agency, channel and local day on which conversations began: inbox/SLA's measured outcomes.

    Additive counts only (no medians), so any period sums exactly; rebuilt from ``conversation_sla``.
    """

    __tablename__ = "oversight_response_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ResponseMonth(ResponseOutcomes, Base):
    """The response days of one calendar month summed (rebuilt from ``ResponseDay`` with them)."""

    __tablename__ = "oversight_response_months"

    # The first day of the month.
    month: Mapped[date] = mapped_column(Date, primary_key=True)


class MessageSignal(Base):
    """A recent citizen message as the alert rules need it: where it arrived and whether it is negative.

    Sentiment comes from the analysis domain's classifier, computed once when the message is first
    seen; rows older than the alert baselines need are deleted.
    """

    __tablename__ = "oversight_message_signals"

    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(Integer)
    conversation_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    negative: Mapped[bool] = mapped_column(Boolean)
