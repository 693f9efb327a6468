"""``civicloop calendar``: office hours, seasons and closures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from civicloop.cli._common import JsonOption, emit

app = typer.Typer(help="Office calendar: show it, set hours, add seasons and closures.", no_args_is_help=True)


@app.command("show")
def show(
    agency: Annotated[str | None, typer.Option(help="Agency code; omit for the national calendar")] = None,
    year: Annotated[int | None, typer.Option(help="Year of the closures listed (default: this year)")] = None,
    json_out: JsonOption = False,
) -> None:
    """Weekly hours, seasons, and every closed day of a year (holidays and closures)."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.db.session import session_scope
    from civicloop.kit.clock import utcnow
    from civicloop.sla import service

    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id if agency else None
        view = service.year_view(session, agency_id=agency_id, year=year or utcnow().year)
    if json_out:
        emit(view, True)
        return
    emit([{"day": day, "hours": hours} for day, hours in view["hours"].items()], False, title=view["timezone"])
    if view["seasons"]:
        emit(view["seasons"], False, columns=["id", "name", "starts_on", "ends_on", "yearly"], title="Seasons")
    emit(view["closures"], False, columns=["date", "name", "scope", "hours", "id"], title=f"Closed in {view['year']}")


def _day(value: str) -> date:
    from civicloop.errors import Invalid

    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid(f"{value!r} is not a date like 2026-12-17") from exc


@app.command("close")
def close(
    day: Annotated[str, typer.Argument(help="The date, e.g. 2026-12-24")],
    name: Annotated[str, typer.Argument(help="Why: the holiday, festival or event")],
    agency: Annotated[str | None, typer.Option(help="Only this agency (else every agency)")] = None,
    district: Annotated[str | None, typer.Option(help="A festival day for this district's agencies")] = None,
    hours: Annotated[str | None, typer.Option(help="Closed only during these hours, e.g. 13:00-17:00")] = None,
    json_out: JsonOption = False,
) -> None:
    """Declare a closure: national (default), a district festival day, or one agency's own."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.db.session import session_scope
    from civicloop.errors import Invalid
    from civicloop.sla import queries, service
    from civicloop.sla.calendar import parse_spans

    if agency and district:
        raise Invalid("give --agency or --district, not both")
    span = None
    if hours:
        spans = parse_spans(hours)
        if len(spans) != 1:
            raise Invalid("--hours takes one interval, e.g. 13:00-17:00")
        span = spans[0]
    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id if agency else None
        scope: queries.ClosureScope = "agency" if agency else "district" if district else "national"
        row = service.add_closure(
            session,
            actor=None,
            scope=scope,
            day=_day(day),
            name=name,
            span=span,
            district=district,
            agency_id=agency_id,
        )
        result: dict[str, Any] = {"id": row.id, "scope": scope, **service.closure_json(row)}
    emit(result, json_out)


@app.command("reopen")
def reopen(
    closure_id: Annotated[int, typer.Argument(help="The closure's id (see `calendar show --json`)")],
    scope: Annotated[str, typer.Option(help="national, district or agency")] = "national",
) -> None:
    """Remove a closure added by mistake (to work on a public holiday, use `calendar work-day`)."""
    from civicloop.cli._common import console
    from civicloop.db.session import session_scope
    from civicloop.errors import Invalid
    from civicloop.sla import queries, service

    if scope not in queries.CLOSURE_MODELS:
        raise Invalid(f"unknown scope {scope!r}; use national, district or agency")
    with session_scope() as session:
        service.remove_closure(session, actor=None, scope=scope, closure_id=closure_id)  # type: ignore[arg-type]
    console.print(f"Closure {closure_id} removed.")


@app.command("work-day")
def work_day(
    day: Annotated[str, typer.Argument(help="A public holiday, e.g. 2026-12-17")],
    reason: Annotated[str, typer.Argument(help="Why the office works that day")],
    agency: Annotated[str | None, typer.Option(help="Only this agency (else every agency)")] = None,
    json_out: JsonOption = False,
) -> None:
    """Work on a public holiday after all: it then counts its normal office hours."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.db.session import session_scope
    from civicloop.sla import service

    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id if agency else None
        row = service.add_working_day(session, actor=None, day=_day(day), reason=reason, agency_id=agency_id)
        result: dict[str, Any] = {"id": row.id, **service.working_day_json(row)}
    emit(result, json_out)


@app.command("remove-work-day")
def remove_work_day(
    working_day_id: Annotated[int, typer.Argument(help="The id `calendar work-day` printed")],
) -> None:
    """Make a public holiday a holiday again."""
    from civicloop.cli._common import console
    from civicloop.db.session import session_scope
    from civicloop.sla import service

    with session_scope() as session:
        service.remove_working_day(session, actor=None, working_day_id=working_day_id)
    console.print(f"Working day {working_day_id} removed: the holiday is closed again.")


def _weekly(entries: list[str]) -> Any:
    from civicloop.errors import Invalid
    from civicloop.sla.calendar import WeeklyHours

    by_day: dict[str, str] = {}
    for entry in entries:
        name, sep, spans = entry.partition("=")
        if not sep:
            raise Invalid(f"{entry!r} must be written DAY=HH:MM-HH:MM[,HH:MM-HH:MM], e.g. mon=09:00-17:00")
        by_day[name.strip().lower()] = spans
    return WeeklyHours.parse(by_day)


@app.command("hours")
def hours(
    day: Annotated[list[str], typer.Argument(help="DAY=INTERVALS for each open day, e.g. mon=09:00-13:00,14:00-17:00")],
    timezone: Annotated[str | None, typer.Option(help="IANA time zone of the national calendar")] = None,
    json_out: JsonOption = False,
) -> None:
    """Set the national weekly hours (days not given are closed)."""
    from civicloop.db.session import session_scope
    from civicloop.sla import service

    with session_scope() as session:
        result = service.update_national_calendar(session, actor=None, weekly=_weekly(day), timezone=timezone)
    emit({"timezone": result.timezone, **result.weekly.describe()}, json_out)


@app.command("season")
def season(
    name: Annotated[str, typer.Argument(help="e.g. Winter")],
    starts: Annotated[str, typer.Option(help="First day, e.g. 2026-11-16")],
    ends: Annotated[str, typer.Option(help="Last day, e.g. 2027-02-15")],
    day: Annotated[list[str], typer.Option("--day", help="DAY=INTERVALS, repeatable; days not given are closed")],
    yearly: Annotated[bool, typer.Option(help="Repeat every year (the years are ignored)")] = False,
    json_out: JsonOption = False,
) -> None:
    """Add a seasonal schedule: other weekly hours between two dates."""
    from civicloop.db.session import session_scope
    from civicloop.sla import service

    with session_scope() as session:
        row = service.add_season(
            session,
            actor=None,
            name=name,
            starts_on=_day(starts),
            ends_on=_day(ends),
            hours=_weekly(day),
            yearly=yearly,
        )
        result = {"id": row.id, **service.season_json(row)}
    emit(result, json_out)
