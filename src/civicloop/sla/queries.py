"""Reads of the calendar settings and targets: national, by district and per agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.config import get_settings
from civicloop.sla.calendar import DEFAULT_HOLIDAY_COUNTRY, MONDAY_TO_FRIDAY_9_TO_5, WeeklyHours
from civicloop.sla.engine import Targets
from civicloop.sla.models import (
    NATIONAL_CALENDAR_ID,
    AgencyClosure,
    CalendarSeason,
    DistrictFestivalDay,
    HolidayWorkingDay,
    NationalCalendar,
    NationalClosure,
    SlaPolicy,
)

ClosureScope = Literal["national", "district", "agency"]


CLOSURE_MODELS: dict[str, type[NationalClosure | DistrictFestivalDay | AgencyClosure]] = {
    "national": NationalClosure,
    "district": DistrictFestivalDay,
    "agency": AgencyClosure,
}


DEFAULT_TARGETS = (8 * 60, 8 * 60, 5 * 8 * 60)


@dataclass(frozen=True)
class NationalSettings:
    timezone: str
    holiday_country: str
    weekly: WeeklyHours
    updated_by_id: int | None


def national_settings(session: Session) -> NationalSettings:
    row = session.get(NationalCalendar, NATIONAL_CALENDAR_ID)
    if row is None:
        return NationalSettings(get_settings().timezone, DEFAULT_HOLIDAY_COUNTRY, MONDAY_TO_FRIDAY_9_TO_5, None)
    return NationalSettings(
        row.timezone or get_settings().timezone,
        row.holiday_country,
        WeeklyHours.parse(row.weekly_hours),
        row.updated_by_id,
    )


def list_seasons(session: Session) -> list[CalendarSeason]:
    return list(session.scalars(select(CalendarSeason).order_by(CalendarSeason.starts_on, CalendarSeason.id)))


def list_working_days(session: Session, *, agency_id: int | None, year: int | None = None) -> list[HolidayWorkingDay]:
    """The national ones and, with ``agency_id``, the agency's own."""
    query = select(HolidayWorkingDay).where(
        HolidayWorkingDay.agency_id.is_(None) | (HolidayWorkingDay.agency_id == agency_id)
    )
    if year is not None:
        query = query.where(HolidayWorkingDay.day >= date(year, 1, 1), HolidayWorkingDay.day <= date(year, 12, 31))
    return list(session.scalars(query.order_by(HolidayWorkingDay.day, HolidayWorkingDay.id)))


def list_closures(
    session: Session, *, scope: ClosureScope, agency_id: int | None = None, year: int | None = None
) -> list[Any]:
    model = CLOSURE_MODELS[scope]
    query = select(model).order_by(model.day, model.id)
    if scope == "agency":
        query = query.where(AgencyClosure.agency_id == agency_id)
    if year is not None:
        query = query.where(model.day >= date(year, 1, 1), model.day <= date(year, 12, 31))
    return list(session.scalars(query))


def districts(session: Session) -> list[str]:
    """Districts named by agencies or festival days, for the admin form."""
    named = session.scalars(select(Agency.district).where(Agency.district.is_not(None)).distinct())
    festival = session.scalars(select(DistrictFestivalDay.district).distinct())
    return sorted({d for d in [*named, *festival] if d}, key=str.casefold)


def _targets(row: SlaPolicy | None, source: str) -> Targets:
    if row is None:
        return Targets(*DEFAULT_TARGETS, "national")
    return Targets(row.first_response_minutes, row.next_response_minutes, row.resolution_minutes, source)


def targets_by_agency(session: Session, agency_ids: set[int]) -> dict[int, Targets]:
    """Each agency's own targets if it has them, else the national default, in one query."""
    query = select(SlaPolicy).where(SlaPolicy.agency_id.in_(agency_ids) | SlaPolicy.agency_id.is_(None))
    rows = {row.agency_id: row for row in session.scalars(query)}
    default = _targets(rows.get(None), "national")
    return {
        agency_id: _targets(rows[agency_id], "agency") if agency_id in rows else default for agency_id in agency_ids
    }


def targets_for(session: Session, agency_id: int | None) -> Targets:
    """The agency's targets (``None``: the national default)."""
    if agency_id is None:
        return _targets(session.scalar(select(SlaPolicy).where(SlaPolicy.agency_id.is_(None))), "national")
    return targets_by_agency(session, {agency_id})[agency_id]
