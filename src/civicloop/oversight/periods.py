"""Date ranges: whole local days, compared with the period of the same length just before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from civicloop.config import get_settings
from civicloop.errors import Invalid
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import zone

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """``start`` to ``end``, both included, as calendar days in the deployment's time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same number of days that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def bounds(self, zone_name: str) -> tuple[datetime, datetime]:
        """[first instant, first instant after) in UTC."""
        tz = zone(zone_name)
        first = datetime.combine(self.start, time.min, tzinfo=tz)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return first.astimezone(UTC), after.astimezone(UTC)

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def months(self) -> list[date]:
        """First day of every calendar month the period touches."""
        out, cursor = [], self.start.replace(day=1)
        while cursor <= self.end:
            out.append(cursor)
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        return out

    def by_month(self) -> list[Period]:
        """The period cut at month boundaries: one part per calendar month it touches."""
        parts = []
        for first in self.months():
            following = (first + timedelta(days=32)).replace(day=1)
            parts.append(Period(max(first, self.start), min(self.end, following - timedelta(days=1))))
        return parts

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def _parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(f"{name} {value!r} is not a date; write it as YYYY-MM-DD", field=name) from exc


def parse_period(start: str | None, end: str | None, *, today: date, default_days: int = DEFAULT_DAYS) -> Period:
    """The period asked for, or the last ``default_days`` days up to ``today``."""
    last = _parse_day(end, "end") if end else today
    first = _parse_day(start, "start") if start else last - timedelta(days=default_days - 1)
    if first > last:
        raise Invalid("the start date is after the end date", field="start")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"a period may cover at most {MAX_DAYS} days", field="start")
    return Period(first, last)


def local_today(now: datetime, zone_name: str) -> date:
    return now.astimezone(zone(zone_name)).date()


def period_from(start: str | None, end: str | None) -> Period:
    """The period a page or an API call asks for, up to today in the deployment's zone."""
    return parse_period(start, end, today=local_today(utcnow(), get_settings().timezone))
