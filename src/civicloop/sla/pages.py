"""Pages: the office calendar (national and per agency), response targets, and response metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import AppError, Invalid
from civicloop.inbox import metrics
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import parse_day
from civicloop.sla import queries, service
from civicloop.sla.calendar import WEEKDAYS, WeeklyHours, calendar_for, parse_spans
from civicloop.sla.engine import Targets
from civicloop.web.charts import bar_chart
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)
DAY_NAMES = dict(
    zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)


def _weekly_from_form(form: dict[str, str]) -> WeeklyHours:
    return WeeklyHours.parse({day: form.get(day, "") for day in WEEKDAYS})


def _one_span(text: str) -> tuple[int, int] | None:
    spans = parse_spans(text) if text.strip() else ()
    if len(spans) > 1:
        raise Invalid("give one interval of closed hours, e.g. 13:00-17:00, or leave it empty for the whole day")
    return spans[0] if spans else None


# -- the calendar ----------------------------------------------------------------------------------


@dataclass
class CalendarPage:
    agency: Agency | None
    agencies: list[Agency]
    year: int
    view: dict[str, Any]
    targets: Targets
    national_targets: Targets
    districts: list[str]
    can_edit_national: bool
    can_close: bool
    can_set_targets: bool
    day_names: dict[str, str] = field(default_factory=lambda: DAY_NAMES)
    explanation: dict[str, Any] | None = None
    explain_form: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _calendar_page(
    session: Session, actor: Actor, agency_id: int | None, year: int | None, **extra: object
) -> CalendarPage:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id) if agency_id is not None else None
    year = year or utcnow().year
    return CalendarPage(
        agency=agency,
        agencies=agencies.list_agencies(session, actor=actor),
        year=year,
        view=service.year_view(session, agency_id=agency.id if agency else None, year=year),
        targets=queries.targets_for(session, agency.id if agency else None),
        national_targets=queries.targets_for(session, None),
        districts=queries.districts(session),
        can_edit_national=actor.is_national_admin,
        can_close=bool(agency and actor.has_role(agency.id, Role.agency_admin, Role.agency_head)),
        can_set_targets=bool(agency and actor.has_role(agency.id, Role.agency_head)),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    year: int | None = None,
    received: str = "",
    responded: str = "",
) -> Response:
    """The national calendar, or with ``agency_id`` the agency's; with received/responded, an explanation."""
    explanation, error = None, None
    if agency_id is not None and received and responded:
        agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
        try:
            explanation = service.explain(session, agency_code=agency.code, received=received, responded=responded)
        except AppError as exc:
            error = exc.message
    page = _calendar_page(
        session,
        actor,
        agency_id,
        year,
        explanation=explanation.to_json() if explanation else None,
        explain_form={"received": received, "responded": responded},
        error=error,
    )
    return render(request, "sla/calendar.html", page, status_code=422 if error else 200)


def _back(agency_id: int | None, year: str = "") -> RedirectResponse:
    query = [f"agency_id={agency_id}"] if agency_id else []
    if year.isdigit():
        query.append(f"year={year}")
    return RedirectResponse("/calendar" + ("?" + "&".join(query) if query else ""), status_code=303)


def _done(request: Request, session: Session, message: str, agency_id: int | None, year: str, work: Any) -> Response:
    with form_action(session) as attempt:
        work()
    if (exc := attempt.error) is not None:
        flash(request, exc.message, "error")
    else:
        flash(request, message)
    return _back(agency_id, year)


@router.post("/calendar/hours", response_class=HTMLResponse)
async def post_hours(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}

    def work() -> None:
        service.update_national_calendar(
            session,
            actor=actor,
            weekly=_weekly_from_form(form),
            timezone=form.get("timezone", "").strip() or None,
            holiday_country=form.get("holiday_country", "").strip(),
        )

    return _done(request, session, "National office hours saved.", None, "", work)


@router.post("/calendar/seasons", response_class=HTMLResponse)
async def post_season(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}

    def work() -> None:
        service.add_season(
            session,
            actor=actor,
            name=form.get("name", ""),
            starts_on=parse_day(form.get("starts_on", ""), "starts_on"),
            ends_on=parse_day(form.get("ends_on", ""), "ends_on"),
            hours=_weekly_from_form(form),
            yearly=form.get("yearly") == "true",
        )

    return _done(request, session, "Seasonal schedule added.", None, "", work)


@router.post("/calendar/seasons/{season_id}/delete", response_class=HTMLResponse)
def delete_season(season_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _done(
        request,
        session,
        "Seasonal schedule removed.",
        None,
        "",
        lambda: service.remove_season(session, actor=actor, season_id=season_id),
    )


@router.post("/calendar/closures", response_class=HTMLResponse)
def post_closure(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    scope: Annotated[str, Form()],
    day: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=200)],
    hours: Annotated[str, Form(max_length=20)] = "",
    district: Annotated[str, Form(max_length=100)] = "",
    agency_id: Annotated[str, Form()] = "",
) -> Response:
    target_agency = int(agency_id) if agency_id.isdigit() else None

    def work() -> None:
        if scope not in queries.CLOSURE_MODELS:
            raise Invalid("choose national, district or agency")
        service.add_closure(
            session,
            actor=actor,
            scope=scope,  # type: ignore[arg-type]
            day=parse_day(day, "day"),
            name=name,
            span=_one_span(hours),
            district=district or None,
            agency_id=target_agency if scope == "agency" else None,
        )

    year = day[:4]
    return _done(request, session, f"Closure on {day} added.", target_agency, year, work)


@dataclass(frozen=True)
class BackTo:
    """Where a remove button returns: the calendar of ``agency_id`` (None: national) in ``year``."""

    agency_id: int | None
    year: str


def _back_to(agency_id: Annotated[str, Form()] = "", year: Annotated[str, Form()] = "") -> BackTo:
    return BackTo(int(agency_id) if agency_id.isdigit() else None, year)


BackForm = Annotated[BackTo, Depends(_back_to)]


@router.post("/calendar/closures/{scope}/{closure_id}/delete", response_class=HTMLResponse)
def delete_closure(
    scope: str, closure_id: int, request: Request, session: SessionDep, actor: ActorDep, back: BackForm
) -> Response:
    def work() -> None:
        if scope not in queries.CLOSURE_MODELS:
            raise Invalid("unknown kind of closure")
        service.remove_closure(session, actor=actor, scope=scope, closure_id=closure_id)  # type: ignore[arg-type]

    return _done(request, session, "Closure removed.", back.agency_id, back.year, work)


@router.post("/calendar/working-days", response_class=HTMLResponse)
def post_working_day(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    day: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=200)],
    agency_id: Annotated[str, Form()] = "",
) -> Response:
    """Work on a public holiday of the package: nationally, or for the agency whose calendar is shown."""
    target_agency = int(agency_id) if agency_id.isdigit() else None

    def work() -> None:
        service.add_working_day(session, actor=actor, day=parse_day(day, "day"), reason=reason, agency_id=target_agency)

    return _done(request, session, f"{day} is a working day.", target_agency, day[:4], work)


@router.post("/calendar/working-days/{working_day_id}/delete", response_class=HTMLResponse)
def delete_working_day(
    working_day_id: int, request: Request, session: SessionDep, actor: ActorDep, back: BackForm
) -> Response:
    remove = partial(service.remove_working_day, session, actor=actor, working_day_id=working_day_id)
    return _done(request, session, "The public holiday is a holiday again.", back.agency_id, back.year, remove)


@router.post("/calendar/targets", response_class=HTMLResponse)
def post_targets(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    first_response: Annotated[int, Form()],
    next_response: Annotated[int, Form()],
    resolution: Annotated[int, Form()],
    agency_id: Annotated[str, Form()] = "",
    clear: Annotated[bool, Form()] = False,
) -> Response:
    target_agency = int(agency_id) if agency_id.isdigit() else None

    def work() -> None:
        if clear and target_agency is not None:
            service.clear_agency_targets(session, actor=actor, agency_id=target_agency)
            return
        service.set_targets(
            session,
            actor=actor,
            agency_id=target_agency,
            first_response=first_response,
            next_response=next_response,
            resolution=resolution,
        )

    return _done(request, session, "Response targets saved.", target_agency, "", work)


# -- metrics ---------------------------------------------------------------------------------------


@dataclass
class MetricsPage:
    agencies: list[Agency]
    agency: Agency | None
    accounts: list[OfficialAccount]
    start: date
    end: date
    group_by: str
    report: metrics.Report
    targets: Targets
    charts: list[Markup]
    groups: tuple[str, ...] = metrics.GROUPS


@router.get("/metrics", response_class=HTMLResponse)
def metrics_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    start: str = "",
    end: str = "",
    group_by: str = "account",
    account_id: int | None = None,
) -> Response:
    visible = agencies.list_agencies(session, actor=actor)
    if agency_id is None and not actor.sees_all and visible:
        agency_id = visible[0].id
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id) if agency_id else None
    calendar = calendar_for(session, agency.id if agency else None)
    first, last, start_at, end_at = metrics.date_range(start, end, calendar.timezone)
    report = metrics.response_metrics(
        session,
        scope=metrics.Scope.visible_to(actor, agency_id, account_id=account_id),
        start=start_at,
        end=end_at,
        group_by=group_by,
    )
    groups = [(g.label, g.metrics) for g in report.groups]
    charts = [
        bar_chart(
            # No answered conversation means no median: no bar, rather than a "0 min" bar.
            [(label, m.median_first_response_minutes) for label, m in groups],
            title="Median first response (office minutes)",
            unit=" min",
        ),
        bar_chart(
            [(label, _percent(m.within_target_share)) for label, m in groups],
            title="Citizen conversations answered within target",
            unit="%",
        ),
        bar_chart(list(report.backlog.items()), title="Open conversations by how long the citizen has waited"),
    ]
    page = MetricsPage(
        agencies=visible,
        agency=agency,
        accounts=agencies.list_accounts(session, actor=actor, agency_id=agency.id) if agency else [],
        start=first,
        end=last,
        group_by=group_by,
        report=report,
        targets=queries.targets_for(session, agency.id if agency else None),
        charts=charts,
    )
    return render(request, "sla/metrics.html", page)


def _percent(share: float | None) -> int | None:
    return None if share is None else round(100 * share)
