from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Enum, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.access.policy import AfterHours, OfficeHours
from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow

# Row ids of the log tables can pass 2**31 in a large deployment; SQLite needs INTEGER to autoincrement.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class AccessCategory(IdMixin, TimestampMixin, Base):
    """A category edited in the app; it replaces the shipped category with the same key."""

    __tablename__ = "access_categories"

    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    domains: Mapped[list[str]] = mapped_column(JSONType)
    platforms: Mapped[list[str]] = mapped_column(JSONType)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class AccessPolicy(IdMixin, Base):
    """One signed choice of an agency (or, with no agency, the national default) for one category.

    Rows are never changed: a new choice is a new row, and the one in force on a day is the latest
    whose ``effective_from`` is not after that day.
    """

    __tablename__ = "access_policies"
    __table_args__ = (Index("ix_access_policies_agency_category", "agency_id", "category"),)

    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(32))
    office_hours: Mapped[OfficeHours] = mapped_column(Enum(OfficeHours, native_enum=False, length=16))
    allowance_minutes: Mapped[int | None] = mapped_column(Integer)
    after_hours: Mapped[AfterHours] = mapped_column(Enum(AfterHours, native_enum=False, length=16))
    effective_from: Mapped[date] = mapped_column(Date)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    # Kept as text so the signature survives the official's removal.
    signed_by: Mapped[str] = mapped_column(String(300))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessDesignation(IdMixin, TimestampMixin, AgencyOwned, Base):
    """A login the agency head designated for a category, until an end date (inclusive) or for good."""

    __tablename__ = "access_designations"
    __table_args__ = (UniqueConstraint("agency_id", "login", "category"),)

    login: Mapped[str] = mapped_column(String(254))
    category: Mapped[str] = mapped_column(String(32))
    until: Mapped[date | None] = mapped_column(Date)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    designated_by: Mapped[str] = mapped_column(String(300))


class DirectoryEntry(IdMixin, TimestampMixin, AgencyOwned, Base):
    """A proxy login of a staff member without a CivicLoop account, and their agency."""

    __tablename__ = "access_directory"

    login: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))


class AccessLogSource(IdMixin, TimestampMixin, Base):
    """An access log file, recognised by its first line wherever it moves (rotation renames it)."""

    __tablename__ = "access_log_sources"

    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(1000))
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[int] = mapped_column(BigInteger, default=0)
    malformed: Mapped[int] = mapped_column(BigInteger, default=0)
    kept: Mapped[int] = mapped_column(BigInteger, default=0)


class AccessLogChunk(IdMixin, Base):
    """Raw log lines for categorised sites, as written by Squid, compressed a batch at a time.

    Kept for the retention period (``CIVICLOOP_ACCESS_RETENTION_DAYS``) so that IT can look at what
    happened, then deleted; the sessions and refusal counts derived from them stay.
    """

    __tablename__ = "access_log_chunks"

    source_id: Mapped[int] = mapped_column(ForeignKey("access_log_sources.id", ondelete="CASCADE"))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lines: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed, newline-separated


class AccessSession(Base):
    """A run of allowed requests by one person to one category on one local day (see ``usage``)."""

    __tablename__ = "access_sessions"
    __table_args__ = (Index("ix_access_sessions_day_person", "day", "person"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person: Mapped[str] = mapped_column(String(254))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    requests: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[float] = mapped_column(Float)
    office_minutes: Mapped[float] = mapped_column(Float)


class AccessDenial(Base):
    """Refused requests per person, category, local day and rule (kept after the raw lines go)."""

    __tablename__ = "access_denials"
    __table_args__ = (UniqueConstraint("day", "person", "category", "rule"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person: Mapped[str] = mapped_column(String(254))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)


class AccessGrant(Base):
    """Allowance time a running helper allowed today, shared so that other helper processes count it."""

    __tablename__ = "access_grants"
    __table_args__ = (Index("ix_access_grants_day_instance", "day", "instance"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance: Mapped[str] = mapped_column(String(64))
    person: Mapped[str] = mapped_column(String(254))
    category: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    intervals: Mapped[list[Any]] = mapped_column(JSONType)
