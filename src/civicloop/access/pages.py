"""Office access pages: each agency's rule (signed by its head), designations, the "would this be
allowed?" tester, national defaults and categories, and the usage reports with charts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from civicloop.access import queries, reports, service
from civicloop.access.categories import CategoryDef, all_categories
from civicloop.access.models import AccessDesignation, AccessPolicy
from civicloop.access.policy import Decision, Rule
from civicloop.access.snapshot import load_snapshot
from civicloop.agencies import service as agency_service
from civicloop.agencies.models import Agency
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import AppError, Invalid
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import parse_instant
from civicloop.sla.calendar import calendar_for
from civicloop.web.charts import bar_chart, line_chart
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)

MAX_DIRECTORY_BYTES = 20 * 1024 * 1024


@dataclass
class AgencyRow:
    agency: Agency
    policies: list[service.CategoryPolicy]


@dataclass
class AccessHomePage:
    agencies: list[AgencyRow]
    national: list[service.CategoryPolicy]
    categories: list[CategoryDef]
    can_set_national: bool
    sees_national_report: bool
    can_import_directory: bool
    today: date
    directory: service.DirectoryImport | None = None
    error: str | None = None


@dataclass
class Tester:
    login: str = ""
    host: str = "www.facebook.com"
    at: str = ""
    decision: Decision | None = None
    error: str | None = None


@dataclass
class AgencyAccessPage:
    agency: Agency
    policies: list[service.CategoryPolicy]
    history: list[AccessPolicy]
    designations: list[AccessDesignation]
    runners: list[tuple[str, str]]
    categories: list[CategoryDef]
    can_sign: bool
    can_test: bool
    today: date
    tester: Tester
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class ReportPage:
    report: reports.UsageReport
    weeks: int
    minutes_chart: Markup
    refusals_chart: Markup
    trend_chart: Markup
    agencies: list[Agency]


@dataclass
class CategoriesPage:
    categories: list[CategoryDef]
    can_edit: bool
    platforms: dict[str, str]  # name → label
    error: str | None = None


def _local_now_text(session: SessionDep, agency_id: int | None) -> str:
    return utcnow().astimezone(calendar_for(session, agency_id).zone).strftime("%Y-%m-%dT%H:%M")


@router.get("/access", response_class=HTMLResponse)
def access_home(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "access/home.html", _home_page(session, actor))


def _home_page(session: SessionDep, actor: Actor, **extra: object) -> AccessHomePage:
    snapshot = load_snapshot(session, now=utcnow(), usage_days=0)
    agencies = agency_service.list_agencies(session, actor=actor)
    return AccessHomePage(
        agencies=[
            AgencyRow(a, service.policies_for(snapshot, a.id, snapshot.office(a.id).local_day(utcnow())))
            for a in agencies
        ],
        national=service.policies_for(snapshot, None, snapshot.national.local_day(utcnow())),
        categories=all_categories(session),
        can_set_national=actor.is_national_admin,
        sees_national_report=actor.sees_all,
        can_import_directory=any(actor.has_role(a.id, Role.agency_admin) for a in agencies),
        today=snapshot.national.local_day(utcnow()),
        **extra,  # type: ignore[arg-type]
    )


def _agency_page(session: SessionDep, actor: Actor, agency_id: int, **extra: object) -> AgencyAccessPage:
    agency = agency_service.get_agency(session, actor=actor, agency_id=agency_id)
    snapshot = load_snapshot(session, now=utcnow(), usage_days=0)
    office = snapshot.office(agency.id)
    today = office.local_day(utcnow())
    runners = sorted(
        {
            (person.name or person.key, f"{person.key} {designation.why}")
            for person in snapshot.people.values()
            if person.agency_id == agency.id
            for found in person.designations.values()
            for designation in found
            if designation.runs_account
        }
    )
    tester = extra.pop("tester", None) or Tester(at=_local_now_text(session, agency.id))
    policies = service.policies_for(snapshot, agency.id, today)
    extra.setdefault("form", _form_from(policies[0].rule) if policies else {})
    return AgencyAccessPage(
        agency=agency,
        policies=policies,
        history=queries.policy_history(session, actor=actor, agency_id=agency.id),
        designations=queries.list_designations(session, actor=actor, agency_id=agency.id),
        runners=runners,
        categories=all_categories(session),
        can_sign=actor.has_role(agency.id, Role.agency_head),
        can_test=service.may_test(actor, agency.id),
        today=today,
        tester=tester,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def _form_from(rule: Rule) -> dict[str, str]:
    """The signing form starts from the rule in force, so that changing one thing is one click."""
    return {
        "office_hours": rule.office_hours.value,
        "allowance": "unlimited" if rule.allowance_minutes is None else str(rule.allowance_minutes),
        "after_hours": rule.after_hours.value,
    }


@router.get("/access/agencies/{agency_id}", response_class=HTMLResponse)
def agency_access(agency_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "access/agency.html", _agency_page(session, actor, agency_id))


@dataclass(frozen=True)
class SignForm:
    """The signing form, as posted (the same for an agency's rule and the national default)."""

    category: str
    office_hours: str
    after_hours: str
    allowance: str
    effective_from: str

    @classmethod
    def posted(
        cls,
        category: Annotated[str, Form(max_length=32)],
        office_hours: Annotated[str, Form(max_length=16)],
        after_hours: Annotated[str, Form(max_length=16)],
        allowance: Annotated[str, Form(max_length=16)] = "0",
        effective_from: Annotated[str, Form(max_length=10)] = "",
    ) -> SignForm:
        return cls(category, office_hours, after_hours, allowance, effective_from)

    def sign(self, session: SessionDep, actor: Actor, agency_id: int | None) -> AccessPolicy:
        effective = None
        if self.effective_from.strip():
            try:
                effective = date.fromisoformat(self.effective_from.strip())
            except ValueError as exc:
                raise Invalid("the effective date is not a date", field="effective_from") from exc
        return service.set_policy(
            session,
            actor=actor,
            agency_id=agency_id,
            category=self.category,
            office_hours=service.parse_office_hours(self.office_hours),
            allowance_minutes=service.parse_allowance(self.allowance or "0"),
            after_hours=service.parse_after_hours(self.after_hours),
            effective_from=effective,
        )


SignFormDep = Annotated[SignForm, Depends(SignForm.posted)]


@router.post("/access/agencies/{agency_id}/policy", response_class=HTMLResponse)
def sign_policy(agency_id: int, request: Request, session: SessionDep, actor: ActorDep, form: SignFormDep) -> Response:
    agency = agency_service.get_agency(session, actor=actor, agency_id=agency_id)
    with form_action(session) as attempt:
        row = form.sign(session, actor, agency.id)
    if (exc := attempt.error) is not None:
        page = _agency_page(session, actor, agency_id, error=exc.message, form=asdict(form))
        return render(request, "access/agency.html", page, status_code=exc.status_code)
    flash(request, f"Signed: {row.category} from {row.effective_from.isoformat()}.")
    return RedirectResponse(f"/access/agencies/{agency.id}", status_code=303)


def _end_date(until: str) -> date | None:
    try:
        return date.fromisoformat(until) if until.strip() else None
    except ValueError:
        raise Invalid("the end date is not a date", field="until") from None


@router.post("/access/agencies/{agency_id}/designations", response_class=HTMLResponse)
def add_designation(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    login: Annotated[str, Form(max_length=254)],
    category: Annotated[str, Form(max_length=32)] = "social",
    until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    agency = agency_service.get_agency(session, actor=actor, agency_id=agency_id)
    with form_action(session) as attempt:
        row = service.designate(
            session, actor=actor, agency_id=agency.id, login=login, category=category, until=_end_date(until)
        )
    if (exc := attempt.error) is not None:
        form = {"login": login, "designation_category": category, "until": until}
        page = _agency_page(session, actor, agency_id, error=exc.message, form=form)
        return render(request, "access/agency.html", page, status_code=exc.status_code)
    flash(request, f"{row.login} is designated for {row.category}.")
    return RedirectResponse(f"/access/agencies/{agency.id}#designations", status_code=303)


@router.post("/access/designations/{designation_id}/delete")
def remove_designation(designation_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    agency_id = service.undesignate(session, actor=actor, designation_id=designation_id)
    flash(request, "The designation was removed.")
    return RedirectResponse(f"/access/agencies/{agency_id}#designations", status_code=303)


@router.post("/access/agencies/{agency_id}/test", response_class=HTMLResponse)
def test_access(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    login: Annotated[str, Form(max_length=254)],
    host: Annotated[str, Form(max_length=255)],
    at: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    agency = agency_service.get_agency(session, actor=actor, agency_id=agency_id)
    service.require_tester(actor, agency.id)
    tester = Tester(login=login, host=host, at=at)
    try:
        zone = calendar_for(session, agency.id).zone
        instant = parse_instant(at, str(zone)) if at.strip() else utcnow()
        tester.decision = service.check(session, actor=actor, login=login, host=host, at=instant)
    except AppError as exc:
        tester.error = exc.message
    if request.headers.get("hx-request"):
        return render(request, "access/_tester_result.html", tester)
    return render(request, "access/agency.html", _agency_page(session, actor, agency.id, tester=tester))


@router.post("/access/national", response_class=HTMLResponse)
def sign_national(request: Request, session: SessionDep, actor: ActorDep, form: SignFormDep) -> Response:
    with form_action(session) as attempt:
        form.sign(session, actor, None)
    if (exc := attempt.error) is not None:
        return render(request, "access/home.html", _home_page(session, actor, error=exc.message), status_code=422)
    flash(request, "The national default was signed.")
    return RedirectResponse("/access", status_code=303)


@router.post("/access/directory", response_class=HTMLResponse)
async def import_directory(
    request: Request, session: SessionDep, actor: ActorDep, file: Annotated[UploadFile, File()]
) -> Response:
    data = await file.read(MAX_DIRECTORY_BYTES + 1)
    with form_action(session) as attempt:
        if len(data) > MAX_DIRECTORY_BYTES:
            raise Invalid("the directory file is larger than 20 MB; split it")
        result = service.import_directory(session, actor=actor, text=data.decode("utf-8-sig", "replace"))
    if (exc := attempt.error) is not None:
        return render(request, "access/home.html", _home_page(session, actor, error=exc.message), status_code=422)
    return render(request, "access/home.html", _home_page(session, actor, directory=result))


@router.get("/access/categories", response_class=HTMLResponse)
def categories(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    page = CategoriesPage(all_categories(session), actor.is_national_admin, registry.labels())
    return render(request, "access/categories.html", page)


@router.post("/access/categories", response_class=HTMLResponse)
def save_category(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=100)],
    domains: Annotated[str, Form(max_length=200_000)],
    platforms: Annotated[list[str] | None, Form()] = None,
) -> Response:
    with form_action(session) as attempt:
        service.save_category(session, actor=actor, key=key, name=name, domains=domains, platforms=platforms or [])
    if (exc := attempt.error) is not None:
        page = CategoriesPage(all_categories(session), actor.is_national_admin, registry.labels(), error=exc.message)
        return render(request, "access/categories.html", page, status_code=exc.status_code)
    flash(request, f"The category {key} was saved; proxies pick it up within a minute.")
    return RedirectResponse("/access/categories", status_code=303)


@router.get("/access/reports", response_class=HTMLResponse)
def report_page(
    request: Request, session: SessionDep, actor: ActorDep, agency_id: int | None = None, weeks: int = 8
) -> Response:
    if agency_id is None and not actor.sees_all:
        visible = agency_service.list_agencies(session, actor=actor)
        if visible:
            return RedirectResponse(f"/access/reports?agency_id={visible[0].id}&weeks={weeks}", status_code=303)
    report = reports.usage_report(session, actor=actor, agency_id=agency_id, weeks=weeks)
    minutes = []
    for category in report.categories:
        minutes += [
            (f"{category.name} — office hours", category.office_minutes),
            (f"{category.name} — outside", category.other_minutes),
        ]
    page = ReportPage(
        report=report,
        weeks=weeks,
        minutes_chart=bar_chart(minutes, title="Minutes of use per category", unit=" min"),
        refusals_chart=bar_chart([(r.label, r.count) for r in report.refusals], title="Refused requests by reason"),
        trend_chart=line_chart(
            {
                "office hours": [(w.week, w.office_minutes) for w in report.weeks],
                "outside office hours": [(w.week, w.other_minutes) for w in report.weeks],
            },
            title="Minutes of use per week",
        ),
        agencies=agency_service.list_agencies(session, actor=actor),
    )
    return render(request, "access/report.html", page)
