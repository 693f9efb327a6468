"""Office time: when an agency is open, and how much office time lies between two instants.

``OfficeCalendar`` is pure (no database, no clock): weekly opening hours (several intervals a day),
seasonal schedules over date ranges, and closures — public holidays from the ``holidays`` package
plus whatever closures it is given. Instants are aware datetimes in any zone; results are in UTC.
Office time is counted to the microsecond and reported in whole minutes (rounded down).

``calendar_for(session, agency_id)`` builds an agency's effective calendar from the database.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

from civicloop.errors import Invalid
from civicloop.kit.timezones import zone as parse_zone

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from civicloop.sla.models import ClosureColumns

DEFAULT_TIMEZONE = "Asia/Thimphu"
DEFAULT_HOLIDAY_COUNTRY = "BT"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
MINUTE_US = 60_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
# A calendar with no opening at all for this many days in a row is treated as never open,
# so that adding office time to it fails clearly instead of searching forever.
MAX_CLOSED_DAYS = 3 * 366

Span = tuple[int, int]
"""Minutes after local midnight, ``[start, end)``; ``end`` may be 1440 (midnight at the day's end)."""

_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def _minute(hours: str, minutes: str, text: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES:
        raise Invalid(f"{text.strip()!r}: times run from 00:00 to 24:00")
    return value


def parse_spans(text: str) -> tuple[Span, ...]:
    """``"09:00-13:00, 14:00-17:00"`` → ((540, 780), (840, 1020)); empty or "closed" → no opening."""
    cleaned = text.strip()
    if not cleaned or cleaned.lower() in {"closed", "-", "—"}:
        return ()
    spans = []
    for part in cleaned.split(","):
        match = _SPAN_RE.match(part)
        if match is None:
            raise Invalid(f"{part.strip()!r} is not an interval like 09:00-17:00")
        start = _minute(match.group(1), match.group(2), part)
        end = _minute(match.group(3), match.group(4), part)
        if end <= start:
            raise Invalid(f"{part.strip()!r} ends before it starts")
        spans.append((start, end))
    return _checked_spans(spans)


def _checked_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    ordered = sorted(spans)
    for (_, end), (start, _) in itertools.pairwise(ordered):
        if start < end:
            raise Invalid(f"opening intervals overlap: {format_spans(tuple(ordered))}")
    return tuple(ordered)


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def format_spans(spans: Sequence[Span]) -> str:
    return ", ".join(f"{format_minute(s)}-{format_minute(e)}" for s, e in spans) or "closed"


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals for each weekday, Monday first."""

    days: tuple[tuple[Span, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise Invalid("weekly hours need exactly seven days, Monday first")
        for spans in self.days:
            _checked_spans(spans)
            if any(not 0 <= s < e <= DAY_MINUTES for s, e in spans):
                raise Invalid("opening intervals must lie within a day")

    @classmethod
    def parse(cls, by_day: Mapping[str, str | Sequence[str]]) -> WeeklyHours:
        """``{"mon": "09:00-17:00", ..., "sat": ""}`` or lists of intervals; missing days are closed."""
        unknown = set(by_day) - set(WEEKDAYS)
        if unknown:
            raise Invalid(f"unknown weekday(s) {', '.join(sorted(unknown))}; use {', '.join(WEEKDAYS)}")
        days = []
        for name in WEEKDAYS:
            value = by_day.get(name, "")
            text = value if isinstance(value, str) else ", ".join(value)
            try:
                days.append(parse_spans(text))
            except Invalid as exc:
                raise Invalid(f"{name}: {exc.message}", field=name) from exc
        return cls(tuple(days))

    def to_json(self) -> dict[str, list[str]]:
        return {
            name: [f"{format_minute(s)}-{format_minute(e)}" for s, e in spans]
            for name, spans in zip(WEEKDAYS, self.days, strict=True)
        }

    def describe(self) -> dict[str, str]:
        return {name: format_spans(spans) for name, spans in zip(WEEKDAYS, self.days, strict=True)}

    @property
    def weekly_minutes(self) -> int:
        return sum(e - s for spans in self.days for s, e in spans)


MONDAY_TO_FRIDAY_9_TO_5 = WeeklyHours((((540, 1020),),) * 5 + ((),) * 2)


@dataclass(frozen=True)
class Season:
    """Different weekly hours between two dates (inclusive).

    A season on specific dates covers those dates only. A yearly season repeats its days of the
    year (16 November to 15 February runs across every year end) from its first day on: adding a
    yearly winter in 2026 does not change the office time of earlier winters.
    """

    name: str
    starts: date
    ends: date
    hours: WeeklyHours
    yearly: bool = False

    def __post_init__(self) -> None:
        if not self.yearly and self.ends < self.starts:
            raise Invalid(f"season {self.name!r} ends before it starts")

    def covers(self, day: date) -> bool:
        if not self.yearly:
            return self.starts <= day <= self.ends
        if day < self.starts:
            return False
        key, first, last = (day.month, day.day), (self.starts.month, self.starts.day), (self.ends.month, self.ends.day)
        if first <= last:
            return first <= key <= last
        return key >= first or key <= last


@dataclass(frozen=True)
class Closure:
    """A day (or part of a day, local time) on which the office is closed, and why."""

    day: date
    name: str
    source: str = "closure"
    span: Span | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "date": self.day.isoformat(),
            "name": self.name,
            "source": self.source,
            "hours": format_spans([self.span]) if self.span else None,
        }


@dataclass(frozen=True)
class OfficeInterval:
    """A stretch of office time that was counted, in the calendar's local time."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        # Through UTC: subtracting two datetimes of the same zone ignores a daylight-saving change.
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    @property
    def minutes(self) -> float:
        return round(self.duration / timedelta(minutes=1), 2)

    def to_json(self) -> dict[str, str | float]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "minutes": self.minutes}


@lru_cache(maxsize=512)
def public_holidays(country: str, year: int, subdivision: str | None, language: str) -> dict[date, str]:
    """The ``holidays`` package's list for one year (data shipped with the package, no download)."""
    found = holidays.country_holidays(country, subdiv=subdivision, years=year, language=language)
    return {day: str(name) for day, name in found.items()}


def holiday_subdivision(country: str, district: str | None) -> str | None:
    """The package's code for a district name or code (e.g. "Thimphu" → "15"), or None if unknown."""
    if not district or not country:
        return None
    try:
        cls = holidays.country_holidays(country).__class__
    except NotImplementedError:
        return None
    codes: Sequence[str] = getattr(cls, "subdivisions", ())
    aliases: Mapping[str, str] = getattr(cls, "subdivisions_aliases", {})
    wanted = district.strip().casefold()
    for code in codes:
        if code.casefold() == wanted:
            return code
    for name, code in aliases.items():
        if name.casefold() == wanted:
            return code
    return None


def _us(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("office time needs aware datetimes; attach a time zone first")
    return (instant - _EPOCH) // _ONE_US


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


@dataclass(eq=False)
class OfficeCalendar:
    """When an office is open. Pure and thread-safe to share: days are computed once and cached."""

    timezone: str = DEFAULT_TIMEZONE
    weekly: WeeklyHours = MONDAY_TO_FRIDAY_9_TO_5
    seasons: tuple[Season, ...] = ()
    closures: tuple[Closure, ...] = ()
    holiday_country: str | None = DEFAULT_HOLIDAY_COUNTRY
    holiday_subdivision: str | None = None
    holiday_language: str = "en_US"
    # Public holidays of the package that are worked after all (see ``HolidayWorkingDay``).
    working_days: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False)
    _closures_by_day: dict[date, list[Closure]] = field(init=False, repr=False)
    _days: dict[date, tuple[tuple[int, int], ...]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._zone = parse_zone(self.timezone)
        self._closures_by_day = {}
        for closure in self.closures:
            self._closures_by_day.setdefault(closure.day, []).append(closure)
        if self.holiday_country:
            try:
                holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision)
            except NotImplementedError as exc:
                raise Invalid(f"the holidays package does not know {exc}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    # -- one local day -------------------------------------------------------------------------

    def season_on(self, day: date) -> Season | None:
        """The season that sets ``day``'s hours: one on specific dates before a yearly one (the
        dated season is the exception to the yearly pattern), else the first given."""
        covering = [season for season in self.seasons if season.covers(day)]
        return min(covering, key=lambda season: season.yearly, default=None)

    def hours_on(self, day: date) -> tuple[Span, ...]:
        """The scheduled intervals of ``day`` (the season's if one covers it), before closures."""
        season = self.season_on(day)
        return (season.hours if season else self.weekly).days[day.weekday()]

    def public_holiday(self, day: date) -> str | None:
        """The package's public holiday on ``day``, whether or not it is worked."""
        if not self.holiday_country:
            return None
        table = public_holidays(self.holiday_country, day.year, self.holiday_subdivision, self.holiday_language)
        return table.get(day)

    def closures_on(self, day: date) -> list[Closure]:
        found = list(self._closures_by_day.get(day, ()))
        holiday = None if day in self.working_days else self.public_holiday(day)
        if holiday is not None:
            found.insert(0, Closure(day, holiday, "public holiday"))
        return found

    def open_spans(self, day: date) -> tuple[Span, ...]:
        """The intervals the office is actually open on ``day``, in local minutes."""
        spans = list(self.hours_on(day))
        for closure in self.closures_on(day):
            if closure.span is None:
                return ()
            spans = _subtract(spans, closure.span)
        return tuple(spans)

    def _day(self, day: date) -> tuple[tuple[int, int], ...]:
        """``day``'s opening intervals as UTC microseconds since the epoch (cached)."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        midnight = datetime.combine(day, time.min)
        # Local times that a daylight-saving jump skips or repeats map to UTC out of order; clipping
        # each interval to the day and to the previous interval keeps the UTC intervals disjoint
        # and increasing, so that no office time is ever counted twice.
        floor = _us(midnight.replace(tzinfo=self._zone))
        ceiling = _us((midnight + timedelta(days=1)).replace(tzinfo=self._zone))
        out = []
        for start, end in self.open_spans(day):
            begin = max(floor, _us((midnight + timedelta(minutes=start)).replace(tzinfo=self._zone)))
            finish = min(ceiling, _us((midnight + timedelta(minutes=end)).replace(tzinfo=self._zone)))
            if finish > begin:
                out.append((begin, finish))
                floor = finish
        result = tuple(out)
        self._days[day] = result
        return result

    def _local_day(self, us: int) -> date:
        return _instant(us).astimezone(self._zone).date()

    def _days_from(self, us: int) -> Iterator[tuple[int, int]]:
        """Every opening interval that ends after ``us``, in order, forever (or fail if none come)."""
        day, closed_run = self._local_day(us), 0
        while True:
            spans = self._day(day)
            closed_run = 0 if spans else closed_run + 1
            if closed_run > MAX_CLOSED_DAYS:
                raise Invalid(f"the office calendar has no opening hours for {MAX_CLOSED_DAYS} days after {day}")
            for begin, finish in spans:
                if finish > us:
                    yield begin, finish
            day += timedelta(days=1)

    def _spans_between(self, a: int, b: int) -> Iterator[tuple[int, int]]:
        """Opening intervals clipped to ``[a, b)``."""
        day, last = self._local_day(a), self._local_day(b)
        while day <= last:
            for begin, finish in self._day(day):
                start, end = max(begin, a), min(finish, b)
                if end > start:
                    yield start, end
            day += timedelta(days=1)

    # -- the public questions ------------------------------------------------------------------

    def is_open(self, instant: datetime) -> bool:
        us = _us(instant)
        return any(begin <= us < finish for begin, finish in self._day(self._local_day(us)))

    def next_open(self, instant: datetime) -> datetime:
        """``instant`` itself if the office is open then, else the start of the next opening."""
        us = _us(instant)
        begin, _ = next(self._days_from(us))
        return _instant(max(begin, us))

    def office_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time in ``[a, b)``; zero if ``b`` is not after ``a``."""
        start, end = _us(a), _us(b)
        if end <= start:
            return timedelta(0)
        return timedelta(microseconds=sum(e - s for s, e in self._spans_between(start, end)))

    def office_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole office minutes in ``[a, b)`` (a partial minute does not count)."""
        return self.office_time_between(a, b) // timedelta(minutes=1)

    def add_office_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant at which ``minutes`` of office time have passed since ``start``.

        Adding zero returns ``start``. A target that is used up exactly at closing time ends at
        closing time, not at the next opening.
        """
        if minutes < 0:
            raise Invalid("cannot add a negative amount of office time")
        us = _us(start)
        remaining = round(minutes * MINUTE_US)
        if remaining == 0:
            return _instant(us)
        for begin, finish in self._days_from(us):
            begin = max(begin, us)
            if remaining <= finish - begin:
                return _instant(begin + remaining)
            remaining -= finish - begin
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    def intervals(self, a: datetime, b: datetime) -> list[OfficeInterval]:
        """The stretches of office time counted between ``a`` and ``b``, in local time."""
        start, end = _us(a), _us(b)
        if end <= start:
            return []
        return [
            OfficeInterval(_instant(s).astimezone(self._zone), _instant(e).astimezone(self._zone))
            for s, e in self._spans_between(start, end)
        ]

    def closures_between(self, a: datetime, b: datetime) -> list[Closure]:
        """Closures on the local days from ``a`` to ``b`` that fall on scheduled office days."""
        day, last = self._local_day(_us(a)), self._local_day(_us(b))
        found = []
        while day <= last:
            if self.hours_on(day):
                found += self.closures_on(day)
            day += timedelta(days=1)
        return found


def _subtract(spans: list[Span], cut: Span) -> list[Span]:
    out: list[Span] = []
    for start, end in spans:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


# -- the effective calendar of an agency, from the database ---------------------------------------

_cache: dict[tuple[str, int | None, str | None, str | None, str], OfficeCalendar] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 512


def calendar_for(session: Session, agency_id: int | None) -> OfficeCalendar:
    """The calendar an agency works by: the national hours and seasons, public holidays (with its
    district's, if the package knows them), national closures, its district's festival days and
    its own closures, in its time zone (else the national one). ``None`` gives the national calendar.

    Built calendars are kept per process until any calendar change moves the national revision,
    so this costs one small query when nothing changed.
    """
    from sqlalchemy import select

    from civicloop.agencies.models import Agency
    from civicloop.errors import NotFound
    from civicloop.sla.models import NATIONAL_CALENDAR_ID, NationalCalendar

    timezone: str | None = None
    district: str | None = None
    if agency_id is not None:
        row = session.execute(select(Agency.timezone, Agency.district).where(Agency.id == agency_id)).one_or_none()
        if row is None:
            raise NotFound("agency not found")
        timezone, district = row
    revision = session.scalar(select(NationalCalendar.revision).where(NationalCalendar.id == NATIONAL_CALENDAR_ID))
    key = (str(session.connection().engine.url), agency_id, timezone, district, revision or "")
    cached = _cache.get(key)
    if cached is not None:
        return cached
    built = _build(session, agency_id=agency_id, timezone=timezone, district=district)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = built
    return built


def _closure(row: ClosureColumns, source: str) -> Closure:
    span = None
    if row.from_minute is not None and row.until_minute is not None:
        span = (row.from_minute, row.until_minute)
    return Closure(row.day, row.name, source, span)


def _build(session: Session, *, agency_id: int | None, timezone: str | None, district: str | None) -> OfficeCalendar:
    from sqlalchemy import func, select

    from civicloop.config import get_settings
    from civicloop.sla.models import (
        NATIONAL_CALENDAR_ID,
        AgencyClosure,
        CalendarSeason,
        DistrictFestivalDay,
        HolidayWorkingDay,
        NationalCalendar,
        NationalClosure,
    )

    national = session.get(NationalCalendar, NATIONAL_CALENDAR_ID)
    weekly = WeeklyHours.parse(national.weekly_hours) if national else MONDAY_TO_FRIDAY_9_TO_5
    country = national.holiday_country if national else DEFAULT_HOLIDAY_COUNTRY
    seasons = tuple(
        Season(s.name, s.starts_on, s.ends_on, WeeklyHours.parse(s.weekly_hours), s.yearly)
        for s in session.scalars(select(CalendarSeason).order_by(CalendarSeason.starts_on, CalendarSeason.id))
    )
    closures = [_closure(c, "national closure") for c in session.scalars(select(NationalClosure))]
    if district:
        festivals = select(DistrictFestivalDay).where(
            func.lower(DistrictFestivalDay.district) == district.strip().lower()
        )
        closures += [_closure(c, "district festival") for c in session.scalars(festivals)]
    if agency_id is not None:
        own = select(AgencyClosure).where(AgencyClosure.agency_id == agency_id)
        closures += [_closure(c, "agency closure") for c in session.scalars(own)]
    worked = select(HolidayWorkingDay.day).where(
        HolidayWorkingDay.agency_id.is_(None) | (HolidayWorkingDay.agency_id == agency_id)
    )
    return OfficeCalendar(
        timezone=timezone or (national.timezone if national else None) or get_settings().timezone,
        weekly=weekly,
        seasons=seasons,
        closures=tuple(sorted(closures, key=lambda c: (c.day, c.span or (0, 0)))),
        holiday_country=country or None,
        holiday_subdivision=holiday_subdivision(country, district),
        working_days=frozenset(session.scalars(worked)),
    )
