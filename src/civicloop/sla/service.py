"""Calendar administration and SLA policies: who may change what, audited; reads for everyone."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.agencies.service import get_agency_by_code
from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.errors import Invalid, NotFound
from civicloop.kit.timezones import parse_instant, zone
from civicloop.sla.calendar import (
    DEFAULT_HOLIDAY_COUNTRY,
    MONDAY_TO_FRIDAY_9_TO_5,
    Closure,
    OfficeCalendar,
    OfficeInterval,
    Span,
    WeeklyHours,
    calendar_for,
    format_spans,
)
from civicloop.sla.engine import Clock, ClockKind, SlaState, Targets, measure
from civicloop.sla.models import (
    NATIONAL_CALENDAR_ID,
    AgencyClosure,
    CalendarSeason,
    ClosureColumns,
    DistrictFestivalDay,
    HolidayWorkingDay,
    NationalCalendar,
    NationalClosure,
    SlaPolicy,
)
from civicloop.sla.queries import (
    CLOSURE_MODELS,
    ClosureScope,
    NationalSettings,
    list_closures,
    list_seasons,
    list_working_days,
    national_settings,
    targets_for,
)

# Defaults until national oversight sets its own: answer within one office day, follow up within
# one office day, resolve within five.
MAX_TARGET_MINUTES = 60 * 8 * 250


# -- the national calendar -------------------------------------------------------------------------


def _national_row(session: Session) -> NationalCalendar:
    row = session.get(NationalCalendar, NATIONAL_CALENDAR_ID, with_for_update=True)
    if row is None:
        row = NationalCalendar(
            id=NATIONAL_CALENDAR_ID,
            timezone=None,
            holiday_country=DEFAULT_HOLIDAY_COUNTRY,
            weekly_hours=MONDAY_TO_FRIDAY_9_TO_5.to_json(),
            revision="",
        )
        session.add(row)
    return row


def _touch(session: Session, actor: Actor | None) -> NationalCalendar:
    """Move the national revision so that every process rebuilds calendars (see ``calendar_for``)."""
    row = _national_row(session)
    row.revision = secrets.token_hex(16)
    if actor is not None:
        row.updated_by_id = actor.id
    session.flush()
    return row


def _calendar_changed(
    session: Session,
    actor: Actor | None,
    action: str,
    row: CalendarSeason | ClosureColumns | HolidayWorkingDay,
    *,
    agency_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Every process rebuilds its calendars (see ``_touch``), and the change is audited."""
    _touch(session, actor)
    audit.record(
        session,
        actor=actor.official if actor else None,
        action=f"calendar.{action}",
        target_type=getattr(row, "__tablename__", "calendar"),
        target_id=getattr(row, "id", None),
        agency_id=agency_id,
        before=before,
        after=after,
    )


def update_national_calendar(
    session: Session,
    *,
    actor: Actor | None,
    weekly: WeeklyHours | None = None,
    timezone: str | None = None,
    holiday_country: str | None = None,
) -> NationalSettings:
    """Change the national weekly hours, time zone or holiday country (national oversight only)."""
    if actor is not None:
        actor.require_national_admin()
    if weekly is not None and weekly.weekly_minutes == 0:
        raise Invalid("the weekly hours must open the office at least once a week")
    if timezone is not None:
        zone(timezone)
    if holiday_country:
        OfficeCalendar(holiday_country=holiday_country.upper())  # raises Invalid for an unknown country
    before = national_settings(session)
    row = _touch(session, actor)
    if weekly is not None:
        row.weekly_hours = weekly.to_json()
    if timezone is not None:
        row.timezone = timezone
    if holiday_country is not None:
        row.holiday_country = holiday_country.upper()
    session.flush()
    after = national_settings(session)
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="calendar.update",
        target_type="national_calendar",
        target_id=NATIONAL_CALENDAR_ID,
        before=_settings_json(before),
        after=_settings_json(after),
    )
    return after


def _settings_json(value: NationalSettings) -> dict[str, Any]:
    return {"timezone": value.timezone, "holiday_country": value.holiday_country, "hours": value.weekly.describe()}


# -- seasons ---------------------------------------------------------------------------------------


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=366)


def add_season(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    starts_on: date,
    ends_on: date,
    hours: WeeklyHours,
    yearly: bool = False,
) -> CalendarSeason:
    """Weekly hours that apply between two dates, e.g. a winter timing 09:00–16:00."""
    if actor is not None:
        actor.require_national_admin()
    if not name.strip():
        raise Invalid("a seasonal schedule needs a name", field="name")
    if not yearly and ends_on < starts_on:
        raise Invalid("the season ends before it starts", field="ends_on")
    if yearly and ends_on >= _a_year_after(starts_on):
        raise Invalid("a yearly season must be shorter than a year (its dates repeat every year)", field="ends_on")
    season = CalendarSeason(
        name=name.strip()[:100], starts_on=starts_on, ends_on=ends_on, yearly=yearly, weekly_hours=hours.to_json()
    )
    session.add(season)
    session.flush()
    _calendar_changed(session, actor, "season_add", season, after=season_json(season))
    return season


def remove_season(session: Session, *, actor: Actor | None, season_id: int) -> None:
    if actor is not None:
        actor.require_national_admin()
    season = session.get(CalendarSeason, season_id)
    if season is None:
        raise NotFound("seasonal schedule not found")
    session.delete(season)
    _calendar_changed(session, actor, "season_remove", season, before=season_json(season))


def season_json(season: CalendarSeason) -> dict[str, Any]:
    return {
        "name": season.name,
        "starts_on": season.starts_on.isoformat(),
        "ends_on": season.ends_on.isoformat(),
        "yearly": season.yearly,
        "hours": WeeklyHours.parse(season.weekly_hours).describe(),
    }


# -- closures --------------------------------------------------------------------------------------


def _require_closure_right(actor: Actor | None, scope: str, agency_id: int | None) -> None:
    if actor is None:
        return
    if scope == "agency":
        assert agency_id is not None
        actor.require(agency_id, Role.agency_admin, Role.agency_head)
    else:
        actor.require_national_admin()


def add_closure(
    session: Session,
    *,
    actor: Actor | None,
    scope: ClosureScope,
    day: date,
    name: str,
    span: Span | None = None,
    district: str | None = None,
    agency_id: int | None = None,
) -> NationalClosure | DistrictFestivalDay | AgencyClosure:
    """Close the office on ``day`` (or during ``span`` of it, local minutes).

    ``national``: every agency (national oversight). ``district``: a festival day for the agencies
    of ``district`` (national oversight). ``agency``: one agency (its admin or head).
    """
    if scope not in CLOSURE_MODELS:
        raise Invalid(f"unknown closure scope {scope!r}; use national, district or agency")
    if scope == "agency" and agency_id is None:
        raise Invalid("an agency closure needs the agency")
    if scope == "district" and not (district or "").strip():
        raise Invalid("a festival day needs the district", field="district")
    _require_closure_right(actor, scope, agency_id)
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise NotFound("agency not found")
    if not name.strip():
        raise Invalid("say why the office is closed (e.g. the festival's name)", field="name")
    if span is not None and not 0 <= span[0] < span[1] <= 24 * 60:
        raise Invalid("the closed hours must lie within the day and end after they start", field="hours")
    row: NationalClosure | DistrictFestivalDay | AgencyClosure
    if scope == "national":
        row = NationalClosure()
    elif scope == "district":
        row = DistrictFestivalDay(district=(district or "").strip())
    else:
        row = AgencyClosure(agency_id=agency_id)
    row.day, row.name = day, name.strip()[:200]
    row.from_minute, row.until_minute = span if span else (None, None)
    row.created_by_id = actor.id if actor else None
    session.add(row)
    session.flush()
    _calendar_changed(session, actor, f"{scope}_closure_add", row, agency_id=agency_id, after=closure_json(row))
    return row


def remove_closure(session: Session, *, actor: Actor | None, scope: ClosureScope, closure_id: int) -> None:
    model = CLOSURE_MODELS.get(scope)
    if model is None:
        raise Invalid(f"unknown closure scope {scope!r}")
    row = session.get(model, closure_id)
    if not isinstance(row, NationalClosure | DistrictFestivalDay | AgencyClosure):
        raise NotFound("closure not found")
    agency_id = row.agency_id if isinstance(row, AgencyClosure) else None
    _require_closure_right(actor, scope, agency_id)
    session.delete(row)
    _calendar_changed(session, actor, f"{scope}_closure_remove", row, agency_id=agency_id, before=closure_json(row))


def closure_json(row: ClosureColumns) -> dict[str, Any]:
    span = (row.from_minute, row.until_minute) if row.from_minute is not None and row.until_minute is not None else None
    out: dict[str, Any] = {
        "date": row.day.isoformat(),
        "name": row.name,
        "hours": format_spans([span]) if span else None,
    }
    if isinstance(row, DistrictFestivalDay):
        out["district"] = row.district
    return out


# -- public holidays worked after all --------------------------------------------------------------


def add_working_day(
    session: Session, *, actor: Actor | None, day: date, reason: str, agency_id: int | None = None
) -> HolidayWorkingDay:
    """Work on a public holiday of the ``holidays`` package: for every agency (national oversight)
    or for one agency (its admin or head). Refused unless ``day`` is such a holiday in that calendar."""
    _require_closure_right(actor, "agency" if agency_id is not None else "national", agency_id)
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise NotFound("agency not found")
    if not reason.strip():
        raise Invalid("say why the office works on this holiday", field="reason")
    calendar = calendar_for(session, agency_id)
    holiday = calendar.public_holiday(day)
    if holiday is None:
        raise Invalid(f"{day.isoformat()} is not a public holiday in this calendar; there is nothing to reopen")
    if day in calendar.working_days:
        raise Invalid(f"{day.isoformat()} ({holiday}) is already a working day here", field="day")
    row = HolidayWorkingDay(
        agency_id=agency_id, day=day, name=reason.strip()[:200], created_by_id=actor.id if actor else None
    )
    session.add(row)
    session.flush()
    after = {**working_day_json(row), "holiday": holiday}
    _calendar_changed(session, actor, "working_day_add", row, agency_id=agency_id, after=after)
    return row


def remove_working_day(session: Session, *, actor: Actor | None, working_day_id: int) -> None:
    """The holiday is a holiday again."""
    row = session.get(HolidayWorkingDay, working_day_id)
    if row is None:
        raise NotFound("working day not found")
    _require_closure_right(actor, "agency" if row.agency_id is not None else "national", row.agency_id)
    session.delete(row)
    _calendar_changed(session, actor, "working_day_remove", row, agency_id=row.agency_id, before=working_day_json(row))


def working_day_json(row: HolidayWorkingDay) -> dict[str, Any]:
    return {"date": row.day.isoformat(), "reason": row.name, "scope": "agency" if row.agency_id else "national"}


def year_view(session: Session, *, agency_id: int | None, year: int) -> dict[str, Any]:
    """An agency's (or the national) calendar for one year: hours, seasons, every closed day, with
    the ids of closures that can be removed (public holidays come from the package and cannot)."""
    calendar = calendar_for(session, agency_id)
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    rows: list[tuple[ClosureScope, Any]] = [
        ("national", row) for row in list_closures(session, scope="national", year=year)
    ]
    for row in list_closures(session, scope="district", year=year):
        if agency is None or (agency.district or "").strip().lower() == row.district.lower():
            rows.append(("district", row))
    if agency is not None:
        rows += [("agency", row) for row in list_closures(session, scope="agency", agency_id=agency.id, year=year)]
    closures = [{"id": row.id, "scope": scope, **closure_json(row)} for scope, row in rows]
    day = date(year, 1, 1)
    while day.year == year:
        closures += [
            {"id": None, "scope": "public holiday", "date": day.isoformat(), "name": c.name, "hours": None}
            for c in calendar.closures_on(day)
            if c.source == "public holiday"
        ]
        day += timedelta(days=1)
    closures.sort(key=lambda c: (c["date"], c["name"]))
    return {
        "agency": agency.code if agency else None,
        "timezone": calendar.timezone,
        "year": year,
        "hours": calendar.weekly.describe(),
        "seasons": [{"id": s.id, **season_json(s)} for s in list_seasons(session)],
        "closures": closures,
        "working_days": [
            {"id": row.id, **working_day_json(row), "holiday": calendar.public_holiday(row.day)}
            for row in list_working_days(session, agency_id=agency_id, year=year)
        ],
    }


# -- SLA policies ----------------------------------------------------------------------------------


def _check_minutes(name: str, value: int) -> None:
    if not 1 <= value <= MAX_TARGET_MINUTES:
        raise Invalid(f"{name} must be between 1 and {MAX_TARGET_MINUTES} office minutes", field=name)


def set_targets(
    session: Session,
    *,
    actor: Actor | None,
    agency_id: int | None,
    first_response: int,
    next_response: int,
    resolution: int,
) -> Targets:
    """Set the national default (``agency_id=None``, national oversight) or an agency's own targets
    (its head, or national oversight)."""
    if actor is not None:
        if agency_id is None:
            actor.require_national_admin()
        else:
            actor.require(agency_id, Role.agency_head)
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise NotFound("agency not found")
    _check_minutes("first_response_minutes", first_response)
    _check_minutes("next_response_minutes", next_response)
    _check_minutes("resolution_minutes", resolution)
    if resolution < first_response:
        raise Invalid("the resolution target cannot be shorter than the first-response target", field="resolution")
    before = targets_for(session, agency_id)
    query = select(SlaPolicy).where(
        SlaPolicy.agency_id == agency_id if agency_id is not None else SlaPolicy.agency_id.is_(None)
    )
    row = session.scalar(query)
    if row is None:
        row = SlaPolicy(agency_id=agency_id)
        session.add(row)
    row.first_response_minutes, row.next_response_minutes, row.resolution_minutes = (
        first_response,
        next_response,
        resolution,
    )
    row.updated_by_id = actor.id if actor else None
    return _targets_changed(session, actor, "sla.targets_set", row.id, agency_id, before)


def _targets_changed(
    session: Session, actor: Actor | None, action: str, policy_id: int | None, agency_id: int | None, before: Targets
) -> Targets:
    session.flush()
    after = targets_for(session, agency_id)
    audit.record(
        session,
        actor=actor.official if actor else None,
        action=action,
        target_type="sla_policy",
        target_id=policy_id,
        agency_id=agency_id,
        before=before.to_json(),
        after=after.to_json(),
    )
    return after


def clear_agency_targets(session: Session, *, actor: Actor | None, agency_id: int) -> Targets:
    """Drop an agency's own targets: it follows the national default again."""
    if actor is not None:
        actor.require(agency_id, Role.agency_head)
    row = session.scalar(select(SlaPolicy).where(SlaPolicy.agency_id == agency_id))
    if row is None:
        return targets_for(session, agency_id)
    before = targets_for(session, agency_id)
    session.delete(row)
    return _targets_changed(session, actor, "sla.targets_clear", row.id, agency_id, before)


# -- explaining a number ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """How the office time between a message and its response was counted, and what it yields."""

    agency: Agency
    calendar: OfficeCalendar
    received: datetime
    responded: datetime
    clock: Clock
    intervals: list[OfficeInterval]
    closures: list[Closure]
    targets: Targets

    def local(self, instant: datetime | None) -> str | None:
        return instant.astimezone(self.calendar.zone).isoformat() if instant else None

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency.code,
            "timezone": self.calendar.timezone,
            "received": self.local(self.received),
            "clock_starts": self.local(self.calendar.next_open(self.received)),
            "responded": self.local(self.responded),
            "office_minutes": self.clock.used_minutes,
            "intervals": [interval.to_json() for interval in self.intervals],
            "closures": [closure.to_json() for closure in self.closures],
            "target": {
                "kind": self.clock.kind.value,
                "minutes": self.clock.target_minutes,
                "source": self.targets.source,
                "due": self.local(self.clock.due),
                "at_risk_from": self.local(self.clock.at_risk_from),
                "used_percent": self.clock.used_percent,
                "state": self.clock.state.value,
                "within_target": self.clock.state is not SlaState.breached,
            },
        }


def explain(
    session: Session,
    *,
    agency_code: str,
    received: str,
    responded: str,
    kind: ClockKind = ClockKind.first_response,
) -> Explanation:
    """Office time from ``received`` to ``responded`` (ISO 8601; without an offset, in the agency's
    zone) for the agency's calendar, the intervals counted, and the state the response yields."""
    agency = get_agency_by_code(session, agency_code)
    calendar = calendar_for(session, agency.id)
    received_at = parse_instant(received, calendar.timezone)
    responded_at = parse_instant(responded, calendar.timezone)
    if responded_at < received_at:
        raise Invalid(
            f"the response ({responded_at.astimezone(calendar.zone):%Y-%m-%d %H:%M}) is before the message "
            f"({received_at.astimezone(calendar.zone):%Y-%m-%d %H:%M}) in {calendar.timezone}; "
            "check the order and the time zones of the two instants"
        )
    if kind is ClockKind.resolution:
        raise Invalid("explain measures a response; use first_response or next_response")
    targets = targets_for(session, agency.id)
    clock = measure(
        calendar,
        kind=kind,
        started_at=received_at,
        target_minutes=targets.minutes(kind),
        until=responded_at,
        stopped=True,
    )
    return Explanation(
        agency=agency,
        calendar=calendar,
        received=received_at,
        responded=responded_at,
        clock=clock,
        intervals=calendar.intervals(received_at, responded_at),
        closures=calendar.closures_between(received_at, responded_at),
        targets=targets,
    )
