"""JSON API for oversight: the same figures and tables as the pages, and alert actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from civicloop.deps import ActorDep, SessionDep
from civicloop.kit.clock import utcnow
from civicloop.oversight import alerts, dashboard, scorecard
from civicloop.oversight.models import Alert
from civicloop.oversight.periods import period_from
from civicloop.oversight.report import Table

router = APIRouter(prefix="/oversight", tags=["oversight"])

StartQ = Annotated[str | None, Query(max_length=10, description="First day, YYYY-MM-DD (default: 30 days ago)")]
EndQ = Annotated[str | None, Query(max_length=10, description="Last day, YYYY-MM-DD (default: today)")]


def _tables(tables: list[Table]) -> dict[str, Any]:
    return {table.name: table.to_json() for table in tables}


def _alert(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "agency_id": alert.agency_id,
        "kind": alert.kind.value,
        "subject_type": alert.subject_type,
        "subject_id": alert.subject_id,
        "title": alert.title,
        "detail": alert.detail,
        "severity": alert.severity.value,
        "state": alert.state.value,
        "active": alert.active,
        "first_seen_at": alert.first_seen_at.isoformat(),
        "last_seen_at": alert.last_seen_at.isoformat(),
        "resolution": alert.resolution,
    }


@router.get("/dashboard")
def get_dashboard(session: SessionDep, actor: ActorDep, start: StartQ = None, end: EndQ = None) -> dict[str, Any]:
    """The national dashboard (only the caller's agencies for agency roles)."""
    period = period_from(start, end)
    board = dashboard.build(session, actor=actor, period=period, now=utcnow())
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "basis": board.basis.to_json(),
        "figures": [f.to_json() for f in board.figures],
        "tables": _tables(board.tables),
    }


@router.get("/agencies/{agency_id}/scorecard")
def get_scorecard(
    agency_id: int, session: SessionDep, actor: ActorDep, start: StartQ = None, end: EndQ = None
) -> dict[str, Any]:
    period = period_from(start, end)
    card = scorecard.build(session, actor=actor, agency_id=agency_id, period=period, now=utcnow())
    return {
        "agency": {"id": card.agency.id, "code": card.agency.code, "name": card.agency.name},
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "previous": {"start": card.previous.start.isoformat(), "end": card.previous.end.isoformat()},
        "basis": card.basis.to_json(),
        "figures": [f.to_json() for f in card.figures],
        "tables": _tables(card.tables),
    }


@router.get("/alerts")
def list_alerts(
    session: SessionDep, actor: ActorDep, state: Annotated[str, Query(max_length=16)] = "unresolved"
) -> list[dict[str, Any]]:
    states = alerts.FILTERS.get(state, alerts.FILTERS["unresolved"])
    return [_alert(a) for a in alerts.list_alerts(session, actor=actor, states=states)]


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    return _alert(alerts.acknowledge(session, actor=actor, alert_id=alert_id, now=utcnow()))


@router.post("/alerts/{alert_id}/resolve")
def resolve(
    alert_id: int,
    session: SessionDep,
    actor: ActorDep,
    note: Annotated[str, Body(embed=True, max_length=2000)] = "",
) -> dict[str, Any]:
    return _alert(alerts.resolve(session, actor=actor, alert_id=alert_id, note=note, now=utcnow()))
