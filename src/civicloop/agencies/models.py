from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from civicloop.agencies.platforms import Platform as Platform
from civicloop.agencies.platforms import PlatformType
from civicloop.db.base import AgencyOwned, Base, IdMixin, TimestampMixin, Translated
from civicloop.db.types import EncryptedJSON, UTCDateTime


class AgencyKind(enum.StrEnum):
    ministry = "ministry"
    department = "department"
    district = "district"
    city = "city"
    autonomous_body = "autonomous_body"
    national_oversight = "national_oversight"


class AccountStatus(enum.StrEnum):
    active = "active"
    paused = "paused"
    disconnected = "disconnected"
    # The platform stopped accepting the account's token (a permission revoked): a person must reconnect it.
    needs_attention = "needs_attention"


class Agency(IdMixin, TimestampMixin, Translated, Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgencyKind] = mapped_column(Enum(AgencyKind, native_enum=False, length=32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    district: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))

    parent: Mapped[Agency | None] = relationship(remote_side="Agency.id", lazy="raise")


class OfficialAccount(IdMixin, TimestampMixin, AgencyOwned, Base):
    __tablename__ = "official_accounts"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    # A registered platform's name (``channels/registry.py``), stored as VARCHAR(16) with no enum or check.
    platform: Mapped[Platform] = mapped_column(PlatformType())
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    # Accounts served by one platform app (one Meta app, one X app) share a webhook URL.
    app_key: Mapped[str] = mapped_column(String(64), index=True)
    credentials: Mapped[dict[str, str]] = mapped_column(EncryptedJSON, default=dict)
    responsible_official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    status: Mapped[AccountStatus] = mapped_column(
        Enum(AccountStatus, native_enum=False, length=16), default=AccountStatus.active
    )
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_requests: Mapped[int] = mapped_column(Integer, default=0)

    agency: Mapped[Agency] = relationship(lazy="raise")

    @validates("platform")
    def _registered(self, key: str, value: object) -> Platform:
        """A registered platform's name, checked when set (not only when stored)."""
        return Platform(value)
