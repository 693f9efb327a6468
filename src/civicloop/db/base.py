"""Declarative base with a naming convention (stable constraint names for migrations) and mixins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, MetaData, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AgencyOwned:
    """Every tenant-owned row carries the agency it belongs to; every query filters on it."""

    @declared_attr
    def agency_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)


class Translated:
    """Text officials write for citizens, in languages besides English (kept in the plain columns):
    ``{"dz": {"title": "…", "summary": "…"}}``. ``kit.i18n.localized`` reads a field with its fallback."""

    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSONType, default=dict, server_default=text("'{}'"))
