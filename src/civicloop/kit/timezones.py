"""Time zone helpers: store UTC, show local time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicloop.errors import Invalid


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"unknown time zone {name!r}; use an IANA name such as Asia/Thimphu") from exc


def parse_instant(text: str, default_zone: str) -> datetime:
    """Parse ISO 8601; an instant without an offset is read in ``default_zone``. Returns UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise Invalid(f"{text!r} is not an ISO 8601 date-time (e.g. 2026-03-02T09:30)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(default_zone))
    return parsed.astimezone(UTC)


def parse_day(value: str, field_name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(f"{value!r} is not a date like 2026-12-17", field=field_name) from exc


def local(instant: datetime, zone_name: str) -> datetime:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone(zone_name))
