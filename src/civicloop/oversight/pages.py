"""Oversight pages: national dashboard, agency scorecards, the lists behind figures, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicloop.agencies import queries as agency_queries
from civicloop.agencies.models import Agency
from civicloop.config import get_settings
from civicloop.deps import ActorDep, SessionDep
from civicloop.kit.clock import utcnow
from civicloop.oversight import alerts, conduct, dashboard, lists, scope, scorecard
from civicloop.oversight.exports import Export, ExportDep, respond
from civicloop.oversight.models import Alert, Incident
from civicloop.oversight.periods import Period, period_from
from civicloop.oversight.report import Column, Table, figures_table
from civicloop.web import nav
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)
nav.restrict("/oversight", scope.sees_alerts)

StartQ = Annotated[str | None, Query(max_length=10, description="First day, YYYY-MM-DD")]
EndQ = Annotated[str | None, Query(max_length=10, description="Last day, YYYY-MM-DD")]


def period_query(start: StartQ = None, end: EndQ = None) -> Period:
    return period_from(start, end)


PeriodDep = Annotated[Period, Depends(period_query)]


@dataclass
class ScorecardPage:
    card: scorecard.Scorecard
    figures: Table


@dataclass
class DashboardPage:
    board: dashboard.Dashboard
    figures: Table


@dataclass
class ListPage:
    agency: Agency
    period: Period
    table: Table
    figure: str
    filters: dict[str, str]


@dataclass
class AlertsPage:
    table: Table
    state: str
    states: list[str]


@dataclass
class AlertPage:
    alert: Alert
    agency: Agency
    can_manage: bool


def _report(
    request: Request,
    template: str,
    page: object,
    report: dashboard.Dashboard | scorecard.Scorecard,
    figures: Table,
    basename: str,
    export: Export,
) -> Response:
    """The dashboard or a scorecard, or one of its tables (the headline figures first) or charts."""
    return respond(
        request,
        template,
        page,
        tables=[figures, *report.tables],
        charts=report.charts,
        basename=basename,
        period=report.period,
        basis=report.basis,
        export=export,
    )


@router.get("/oversight", response_class=HTMLResponse)
def dashboard_page(
    request: Request, session: SessionDep, actor: ActorDep, export: ExportDep, period: PeriodDep
) -> Response:
    if not scope.sees_oversight(actor) and scope.sees_alerts(actor):
        return RedirectResponse("/oversight/alerts", status_code=303)
    board = dashboard.build(session, actor=actor, period=period, now=utcnow())
    figures = figures_table(board.figures)
    page = DashboardPage(board=board, figures=figures)
    return _report(request, "oversight/dashboard.html", page, board, figures, "national", export)


@router.get("/oversight/agencies/{agency_id}", response_class=HTMLResponse)
def scorecard_page(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    export: ExportDep,
    period: PeriodDep,
) -> Response:
    card = scorecard.build(session, actor=actor, agency_id=agency_id, period=period, now=utcnow())
    figures = figures_table(card.figures)
    page = ScorecardPage(card=card, figures=figures)
    basename = f"scorecard-{card.agency.code.lower()}"
    return _report(request, "oversight/scorecard.html", page, card, figures, basename, export)


@router.get("/oversight/agencies/{agency_id}/list/{figure}", response_class=HTMLResponse)
def list_page(
    agency_id: int,
    figure: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    export: ExportDep,
    period: PeriodDep,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    direction: Annotated[str | None, Query(max_length=3)] = None,
) -> Response:
    scope.require_scorecard(actor, agency_id)
    agency = agency_queries.get(session, agency_id)
    filters = lists.ListFilters(channel=channel or None, direction=direction or None)
    rows = lists.build(
        session, agency=agency, figure=figure, period=period, filters=filters, zone=get_settings().timezone
    )
    shown = {k: v for k, v in (("channel", filters.channel), ("direction", filters.direction)) if v}
    return respond(
        request,
        "oversight/list.html",
        ListPage(agency=agency, period=period, table=rows, figure=figure, filters=shown),
        tables=[rows],
        basename=f"{agency.code.lower()}",
        period=period,
        export=export,
    )


def alerts_table(rows: list[Alert], agency_names: dict[int, str]) -> Table:
    table = Table(
        "alerts",
        "Alerts",
        [
            Column("id", "Alert", numeric=True),
            Column("title", "What"),
            Column("agency", "Agency"),
            Column("kind", "Rule"),
            Column("severity", "Severity"),
            Column("state", "State"),
            Column("active", "Still happening"),
            Column("first_seen_at", "First seen"),
            Column("last_seen_at", "Last seen"),
            Column("detail", "Detail"),
        ],
        empty="No alert in this list.",
    )
    for alert in rows:
        table.add(
            {
                "id": alert.id,
                "title": alert.title,
                "agency": agency_names.get(alert.agency_id, ""),
                "kind": alert.kind.value,
                "severity": alert.severity.value,
                "state": alert.state.value,
                "active": alert.active,
                "first_seen_at": alert.first_seen_at,
                "last_seen_at": alert.last_seen_at,
                "detail": alert.detail,
            },
            {"title": f"/oversight/alerts/{alert.id}", "id": f"/oversight/alerts/{alert.id}"},
        )
    return table


@router.get("/oversight/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    export: ExportDep,
    state: Annotated[str, Query(max_length=16)] = "unresolved",
) -> Response:
    state = state if state in alerts.FILTERS else "unresolved"
    rows = alerts.list_alerts(session, actor=actor, states=alerts.FILTERS[state])
    agency_ids = {r.agency_id for r in rows}
    names = agency_queries.names(session, agency_ids)
    listed = alerts_table(rows, names)
    return respond(
        request,
        "oversight/alerts.html",
        AlertsPage(table=listed, state=state, states=list(alerts.FILTERS)),
        tables=[listed],
        basename=f"alerts-{state}",
        period=None,
        export=export,
    )


@router.get("/oversight/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(alert_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    alert = alerts.get_alert(session, actor=actor, alert_id=alert_id)
    agency = agency_queries.get(session, alert.agency_id)
    can_manage = actor.is_national_admin or bool(
        actor.roles.get(alert.agency_id, frozenset()) & scope.ALERT_MANAGE_ROLES
    )
    return render(request, "oversight/alert.html", AlertPage(alert=alert, agency=agency, can_manage=can_manage))


@router.post("/oversight/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    alerts.acknowledge(session, actor=actor, alert_id=alert_id, now=utcnow())
    flash(request, "The alert is acknowledged: the others see that someone is on it.")
    return RedirectResponse(f"/oversight/alerts/{alert_id}", status_code=303)


@router.post("/oversight/alerts/{alert_id}/resolve")
def resolve(
    alert_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    alerts.resolve(session, actor=actor, alert_id=alert_id, note=note, now=utcnow())
    flash(request, "The alert is resolved. If the condition comes back, a new alert is raised.")
    return RedirectResponse(f"/oversight/alerts/{alert_id}", status_code=303)


@dataclass
class IncidentsPage:
    period: Period
    table: Table


@dataclass
class IncidentPage:
    incident: Incident
    agency: Agency
    findings: list[dict[str, object]]


@router.get("/oversight/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    export: ExportDep,
    period: PeriodDep,
    agency_id: Annotated[int | None, Query()] = None,
) -> Response:
    visible = scope.scorecard_agency_ids(actor)
    if agency_id is not None:
        scope.require_scorecard(actor, agency_id)
        visible = {agency_id}
    elif visible is not None and not visible:
        scope.require_national(actor)
    listed = dashboard.incidents_table(session, period, visible, get_settings().timezone)
    return respond(
        request,
        "oversight/incidents.html",
        IncidentsPage(period=period, table=listed),
        tables=[listed],
        basename="incidents",
        period=period,
        export=export,
    )


@router.get("/oversight/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(incident_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    incident = conduct.get_incident(session, actor=actor, incident_id=incident_id)
    agency = agency_queries.get(session, incident.agency_id)
    return render(request, "oversight/incident.html", IncidentPage(incident, agency, incident.findings))
