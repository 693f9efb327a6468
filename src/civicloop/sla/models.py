from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from civicloop.db.base import AgencyOwned, Base, IdMixin
from civicloop.db.types import JSONType, UTCDateTime
from civicloop.kit.clock import utcnow

NATIONAL_CALENDAR_ID = 1


class NationalCalendar(Base):
    """The one national default calendar.

    ``revision`` is a fresh random token after every calendar change anywhere (national, district
    or agency), so a process may keep the calendars it built until the token moves; a random token,
    unlike a counter, never repeats after a rolled-back change or in another database.
    """

    __tablename__ = "national_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Empty: no public holidays from the package (a deployment outside any supported country).
    holiday_country: Mapped[str] = mapped_column(String(8), default="BT")
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSONType)
    revision: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class CalendarSeason(IdMixin, Base):
    """Weekly hours that replace the default ones between two dates (optionally every year)."""

    __tablename__ = "calendar_seasons"

    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    yearly: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClosureColumns:
    """A closed day, or a closed part of a day (``from_minute``–``until_minute`` local time)."""

    day: Mapped[date] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(200))
    from_minute: Mapped[int | None] = mapped_column(Integer)
    until_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class NationalClosure(IdMixin, ClosureColumns, Base):
    """Extra and ad-hoc closures declared by national oversight, for every agency."""

    __tablename__ = "national_closures"


class DistrictFestivalDay(IdMixin, ClosureColumns, Base):
    """A festival day for the agencies of one district (matched on ``Agency.district``)."""

    __tablename__ = "district_festival_days"

    district: Mapped[str] = mapped_column(String(100), index=True)


class AgencyClosure(IdMixin, ClosureColumns, AgencyOwned, Base):
    """A closure of one agency only (its own event, a move, a local emergency)."""

    __tablename__ = "agency_closures"


class SlaPolicy(IdMixin, Base):
    """Response targets in office minutes: the national default (no agency) or one agency's own."""

    __tablename__ = "sla_policies"

    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), unique=True)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    next_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))


class HolidayWorkingDay(IdMixin, Base):
    """A public holiday from the ``holidays`` package that is worked after all: for every agency
    (national oversight, no agency) or for one agency (its admin or head). Only the package's
    holiday is cancelled; closures declared in CivicLoop are removed instead."""

    __tablename__ = "holiday_working_days"

    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
