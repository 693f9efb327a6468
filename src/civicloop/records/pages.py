"""The records page: the retention schedule, legal holds, disposal reports, and records-request exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import Invalid, NotFound
from civicloop.records import export, queries, service
from civicloop.records.classes import CLASSES, RecordClass
from civicloop.records.models import DisposalRun, LegalHold, RecordsExport, RetentionRule
from civicloop.web import nav
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


def uses_records(actor: Actor) -> bool:
    """Agency heads (their agencies' records) and national roles."""
    return actor.sees_all or any(Role.agency_head in roles for roles in actor.roles.values())


nav.restrict("/records", uses_records)


@dataclass
class RecordsPage:
    classes: list[tuple[RecordClass, RetentionRule]]
    holds: list[LegalHold]
    runs: list[DisposalRun]
    exports: list[RecordsExport]
    agencies: list[Agency]  # those the official may hold and export
    accounts: list[OfficialAccount]
    can_set_schedule: bool
    can_hold: bool
    agency_names: dict[int, str] = field(default_factory=dict)
    error: str | None = None


def _agencies(session: Session, actor: Actor) -> list[Agency]:
    query = select(Agency).order_by(Agency.name)
    if not actor.sees_all:
        query = query.where(Agency.id.in_([a for a, roles in actor.roles.items() if Role.agency_head in roles]))
    return list(session.scalars(query))


def _page(session: Session, actor: Actor, error: str | None = None) -> RecordsPage:
    if not uses_records(actor):
        raise NotFound("not found")
    agencies = _agencies(session, actor)
    visible = None if actor.sees_all else {a.id for a in agencies}
    rules = queries.rules(session)
    return RecordsPage(
        classes=[(c, rules[c.key]) for c in CLASSES],
        holds=queries.holds(session, visible),
        runs=queries.disposal_runs(session),
        exports=queries.exports(session, visible),
        agencies=agencies,
        accounts=list(
            session.scalars(
                select(OfficialAccount)
                .where(OfficialAccount.agency_id.in_([a.id for a in agencies]))
                .order_by(OfficialAccount.name)
            )
        ),
        can_set_schedule=actor.is_national_admin,
        can_hold=actor.is_national_admin or (bool(agencies) and not actor.sees_all),
        agency_names={a.id: a.name for a in session.scalars(select(Agency))},
        error=error,
    )


def _refused(request: Request, session: Session, actor: Actor, error: Invalid | object) -> Response:
    message = getattr(error, "message", str(error))
    status = getattr(error, "status_code", 422)
    return render(request, "records/index.html", _page(session, actor, message), status_code=status)


def _moment(value: str, label: str, *, end_of_day: bool = False) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{label}: give a date as YYYY-MM-DD", field=label) from None
    if end_of_day and len(value.strip()) == 10:
        parsed = parsed.replace(hour=23, minute=59, second=59)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _number(value: str, label: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise Invalid(f"{label}: give a number", field=label)
    return int(value)


@router.get("/records", response_class=HTMLResponse)
def records_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "records/index.html", _page(session, actor))


@router.post("/records/schedule/{record_class}", response_class=HTMLResponse)
def set_schedule(
    record_class: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    legal_basis: Annotated[str, Form(max_length=2000)],
    days: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    with form_action(session) as attempt:
        service.set_rule(session, actor, record_class, _number(days, "days"), legal_basis)
    if attempt.error is not None:
        return _refused(request, session, actor, attempt.error)
    flash(request, f"Retention of {record_class.replace('_', ' ')} saved.")
    return RedirectResponse("/records#schedule", status_code=303)


@router.post("/records/holds", response_class=HTMLResponse)
def place_hold(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    reason: Annotated[str, Form(max_length=2000)],
    agency_id: Annotated[str, Form(max_length=12)] = "",
    account_id: Annotated[str, Form(max_length=12)] = "",
    conversation_id: Annotated[str, Form(max_length=12)] = "",
    since: Annotated[str, Form(max_length=32)] = "",
    until: Annotated[str, Form(max_length=32)] = "",
    search: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    with form_action(session) as attempt:
        hold = service.place_hold(
            session,
            actor,
            service.HoldIn(
                reason,
                agency_id=_number(agency_id, "agency"),
                account_id=_number(account_id, "account"),
                conversation_id=_number(conversation_id, "conversation"),
                since=_moment(since, "since"),
                until=_moment(until, "until", end_of_day=True),
                search=search,
            ),
        )
    if attempt.error is not None:
        return _refused(request, session, actor, attempt.error)
    flash(request, f"Legal hold {hold.id} placed: the records it covers will not be disposed of.")
    return RedirectResponse("/records#holds", status_code=303)


@router.post("/records/holds/{hold_id}/lift", response_class=HTMLResponse)
def lift_hold(
    hold_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with form_action(session) as attempt:
        service.lift_hold(session, actor, hold_id, reason)
    if attempt.error is not None:
        return _refused(request, session, actor, attempt.error)
    flash(request, f"Legal hold {hold_id} lifted.")
    return RedirectResponse("/records#holds", status_code=303)


@router.post("/records/exports", response_class=HTMLResponse)
def request_export(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[str, Form(max_length=12)],
    since: Annotated[str, Form(max_length=32)] = "",
    until: Annotated[str, Form(max_length=32)] = "",
    account_id: Annotated[str, Form(max_length=12)] = "",
    search: Annotated[str, Form(max_length=200)] = "",
    redact: Annotated[str, Form(max_length=3)] = "",
    requester_contact_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    with form_action(session) as attempt:
        agency = _number(agency_id, "agency")
        if agency is None:
            raise Invalid("choose the agency whose records are asked for", field="agency_id")
        row = service.request_export(
            session,
            actor,
            service.ExportIn(
                agency_id=agency,
                since=_moment(since, "since"),
                until=_moment(until, "until", end_of_day=True),
                account_id=_number(account_id, "account"),
                search=search,
                redact=bool(redact),
                requester_contact_id=_number(requester_contact_id, "requester"),
            ),
        )
    if attempt.error is not None:
        return _refused(request, session, actor, attempt.error)
    flash(request, f"Export {row.id} is being prepared; it appears below when ready.")
    return RedirectResponse("/records#exports", status_code=303)


@router.get("/records/exports/{export_id}/download")
def download_export(export_id: int, session: SessionDep, actor: ActorDep) -> Response:
    row = service.export_for_download(session, actor, export_id)
    path = export.exports_dir() / (row.file_name or "")
    if not path.is_file():
        raise NotFound("the bundle's file is no longer on this server")
    session.commit()  # the download is audited
    return FileResponse(path, media_type="application/zip", filename=row.file_name)


@dataclass
class DisposalPage:
    run: DisposalRun


@router.get("/records/disposals/{run_id}", response_class=HTMLResponse)
def disposal_report(run_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if not uses_records(actor):
        raise NotFound("not found")
    run = session.get(DisposalRun, run_id)
    if run is None:
        raise NotFound("disposal run not found")
    return render(request, "records/disposal.html", DisposalPage(run=run))
