"""JSON API: response metrics, explaining a number, the calendar of a year, closures, targets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from civicloop.agencies import service as agencies
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import Invalid
from civicloop.inbox import metrics
from civicloop.kit.clock import utcnow
from civicloop.sla import queries, service
from civicloop.sla.calendar import calendar_for, parse_spans
from civicloop.sla.engine import ClockKind
from civicloop.sla.schemas import ClosureIn, TargetsIn, WorkingDayIn

router = APIRouter(tags=["sla"])


@router.get("/sla/metrics")
def get_metrics(
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    account_id: int | None = None,
    channel: str | None = None,
    official_id: int | None = None,
    start: str = "",
    end: str = "",
    group_by: str | None = None,
) -> dict[str, Any]:
    """Conversations, response rate, median and 90th-percentile first response (office minutes), share
    within target, breaches and open backlog by age. ``start``/``end`` are dates (inclusive) in the
    agency's zone; default the last 30 days."""
    zone_name = calendar_for(session, agency_id).timezone
    _, _, start_at, end_at = metrics.date_range(start, end, zone_name)
    scope = metrics.Scope.visible_to(actor, agency_id, account_id=account_id, channel=channel, official_id=official_id)
    report = metrics.response_metrics(session, scope=scope, start=start_at, end=end_at, group_by=group_by)
    return report.to_json()


@router.get("/sla/explain")
def explain(
    session: SessionDep, actor: ActorDep, agency: str, received: str, responded: str, next_response: bool = False
) -> dict[str, Any]:
    """Office minutes between two instants for an agency's calendar (as ``civicloop sla explain --json``)."""
    actor.require_view(agencies.get_agency_by_code(session, agency).id)
    kind = ClockKind.next_response if next_response else ClockKind.first_response
    return service.explain(session, agency_code=agency, received=received, responded=responded, kind=kind).to_json()


@router.get("/calendar")
def get_calendar(
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Default: this year")] = None,
) -> dict[str, Any]:
    """Hours, seasons and every closed day of a year for an agency (or the national calendar)."""
    if agency_id is not None:
        actor.require_view(agency_id)
    return service.year_view(session, agency_id=agency_id, year=year if year is not None else utcnow().year)


@router.post("/calendar/closures", status_code=201)
def add_closure(body: ClosureIn, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    spans = parse_spans(body.hours) if body.hours else ()
    if len(spans) > 1:
        raise Invalid("give one interval of closed hours", field="hours")
    row = service.add_closure(
        session,
        actor=actor,
        scope=body.scope,
        day=body.date,
        name=body.name,
        span=spans[0] if spans else None,
        district=body.district,
        agency_id=body.agency_id,
    )
    return {"id": row.id, "scope": body.scope, **service.closure_json(row)}


@router.post("/calendar/working-days", status_code=201)
def add_working_day(body: WorkingDayIn, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """Work on a public holiday of the ``holidays`` package, nationally or for one agency."""
    row = service.add_working_day(session, actor=actor, day=body.date, reason=body.reason, agency_id=body.agency_id)
    return {"id": row.id, **service.working_day_json(row)}


@router.delete("/calendar/working-days/{working_day_id}", status_code=204)
def remove_working_day(working_day_id: int, session: SessionDep, actor: ActorDep) -> None:
    service.remove_working_day(session, actor=actor, working_day_id=working_day_id)


@router.get("/sla/targets")
def get_targets(session: SessionDep, actor: ActorDep, agency_id: int | None = None) -> dict[str, Any]:
    if agency_id is not None:
        actor.require_view(agency_id)
    return queries.targets_for(session, agency_id).to_json()


@router.put("/sla/targets")
def put_targets(body: TargetsIn, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    targets = service.set_targets(
        session,
        actor=actor,
        agency_id=body.agency_id,
        first_response=body.first_response_minutes,
        next_response=body.next_response_minutes,
        resolution=body.resolution_minutes,
    )
    return targets.to_json()
