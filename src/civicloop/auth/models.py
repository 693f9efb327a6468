from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicloop.db.base import Base, IdMixin, TimestampMixin
from civicloop.db.types import UTCDateTime
from civicloop.kit.clock import utcnow

if TYPE_CHECKING:
    # Only a type: agencies sit beside auth, and the mapper resolves "Agency" by name when it configures.
    from civicloop.agencies.models import Agency


class Role(enum.StrEnum):
    officer = "officer"
    agency_head = "agency_head"
    analyst = "analyst"
    agency_admin = "agency_admin"
    national_admin = "national_admin"
    auditor = "auditor"


NATIONAL_ROLES = frozenset({Role.national_admin, Role.auditor})


class Official(IdMixin, TimestampMixin, Base):
    __tablename__ = "officials"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="official", lazy="selectin", cascade="all, delete-orphan"
    )


class Membership(IdMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("official_id", "agency_id", "role"),)

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))

    official: Mapped[Official] = relationship(back_populates="memberships", lazy="raise")
    agency: Mapped[Agency] = relationship(lazy="raise")


class ApiToken(IdMixin, Base):
    __tablename__ = "api_tokens"

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfficialSession(IdMixin, Base):
    """One signed-in browser. The cookie carries a random token; only its digest is kept, and deleting the
    row signs that browser out at once (sign-out, password change, disabling, a role removed)."""

    __tablename__ = "official_sessions"

    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    client: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(200))


class LoginCounter(Base):
    """Sign-in attempts per key (``email:…`` or ``client:…``) since ``window_start``, bumped by one atomic
    upsert so that parallel requests cannot all read the same count."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
