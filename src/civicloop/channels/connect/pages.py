"""Connecting accounts from the browser, and each account's health page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency
from civicloop.auth.models import Role
from civicloop.channels import registry
from civicloop.channels.connect import queries, service
from civicloop.channels.connect.base import Connector
from civicloop.channels.connect.models import ConnectAttempt
from civicloop.channels.outbound.send import http_client
from civicloop.deps import WRITING_GET, ActorDep, SessionDep
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)


@dataclass
class ConnectFormPage:
    agency: Agency
    platform: str
    label: str
    connector: Connector
    platform_label: str = ""
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class ChoosePage:
    attempt: ConnectAttempt
    label: str
    agency: Agency
    platform_label: str = ""
    error: str | None = None


@dataclass
class HealthPage:
    health: queries.AccountHealth
    agency: Agency
    can_manage: bool


def _article_label(connector: Connector) -> str:
    return f"{connector.article} {connector.label}"


def _session_id(request: Request) -> int | None:
    value = getattr(request.state, "official_session_id", None)
    return value if isinstance(value, int) else None


# The two GETs of the OAuth dance write (the attempt is opened, then spent): begun as readers, as GETs are,
# SQLite would refuse their write at once whenever another writer (webhooks, jobs) committed since they first
# read. Marked, their request's unit of work begins as a writer and waits for the lock instead (``deps``).
WRITES = {WRITING_GET: True}


@router.get("/agencies/{agency_id}/connect/{platform}", response_class=HTMLResponse, openapi_extra=WRITES)
def connect(agency_id: int, platform: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
    connector = service.connector_of(platform)
    if connector.kind == "form":
        actor.require(agency.id, Role.agency_admin)
        page = ConnectFormPage(agency, platform, _article_label(connector), connector, registry.label(platform))
        return render(request, "connect/form.html", page)
    with form_action(session) as attempt:
        url = service.start(
            session, actor=actor, agency=agency, platform=platform, official_session_id=_session_id(request)
        )
    if (exc := attempt.error) is not None:
        flash(request, f"{connector.label}: {exc.message}", "error")
        return RedirectResponse("/accounts", status_code=303)
    # The consent page is the platform's own, at another origin: a plain redirect (no form), so that the
    # Content-Security-Policy's form-action never applies to it.
    return RedirectResponse(url, status_code=303)


Field = Annotated[str, Form(max_length=4000)]


@router.post("/agencies/{agency_id}/connect/{platform}", response_class=HTMLResponse)
def connect_with_form(
    agency_id: int,
    platform: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    external_id: Field = "",
    name: Field = "",
    app_id: Field = "",
    app_secret: Field = "",
    token: Field = "",
    encoding_aes_key: Field = "",
    bot_token: Field = "",
    channel_id: Field = "",
) -> Response:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
    connector = service.connector_of(platform)
    submitted = {
        "external_id": external_id,
        "name": name,
        "app_id": app_id,
        "app_secret": app_secret,
        "token": token,
        "encoding_aes_key": encoding_aes_key,
        "bot_token": bot_token,
        "channel_id": channel_id,
    }
    values = {f.name: submitted.get(f.name, "") for f in connector.fields}
    with form_action(session) as attempt, http_client() as http:
        account = service.connect_form(session, actor=actor, agency=agency, platform=platform, values=values, http=http)
    if (exc := attempt.error) is not None:
        shown = {f.name: values.get(f.name, "") for f in connector.fields if not f.secret}
        page = ConnectFormPage(
            agency,
            platform,
            _article_label(connector),
            connector,
            registry.label(platform),
            error=exc.message,
            form=shown,
        )
        return render(request, "connect/form.html", page, status_code=exc.status_code)
    flash(request, f"The {connector.label} {account.name} is connected.")
    return RedirectResponse(f"/accounts/{account.id}", status_code=303)


@router.get("/connect/{platform}/callback", response_class=HTMLResponse, openapi_extra=WRITES)
def callback(
    platform: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    state: str = "",
    code: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    with http_client() as http:
        attempt = service.returned(
            session,
            actor=actor,
            platform=platform,
            state=state[:200],
            code=code[:2000],
            error=error[:200],
            error_description=error_description[:500],
            official_session_id=_session_id(request),
            http=http,
        )
    agency = agencies.get_agency(session, actor=actor, agency_id=attempt.agency_id)
    label = _article_label(service.connector_of(platform))
    page = ChoosePage(attempt, label, agency, registry.label(platform), error=attempt.problem or None)
    return render(request, "connect/choose.html", page, status_code=400 if attempt.problem else 200)


@router.post("/connect/attempts/{attempt_id}", response_class=HTMLResponse)
def choose(
    attempt_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    external_id: Annotated[str, Form(max_length=128)],
) -> Response:
    with form_action(session) as attempt, http_client() as http:
        account = service.choose(
            session,
            actor=actor,
            attempt_id=attempt_id,
            external_id=external_id,
            official_session_id=_session_id(request),
            http=http,
        )
    if (exc := attempt.error) is not None:
        found = service.get_attempt(
            session, actor=actor, attempt_id=attempt_id, official_session_id=_session_id(request)
        )
        agency = agencies.get_agency(session, actor=actor, agency_id=found.agency_id)
        label = _article_label(service.connector_of(found.platform))
        page = ChoosePage(found, label, agency, registry.label(found.platform), error=exc.message)
        return render(request, "connect/choose.html", page, status_code=exc.status_code)
    flash(request, f"{account.name} is connected: CivicLoop now receives and answers its messages.")
    return RedirectResponse(f"/accounts/{account.id}", status_code=303)


@router.get("/accounts/{account_id}/reconnect", response_class=HTMLResponse)
def reconnect(account_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    account = agencies.get_account(session, actor=actor, account_id=account_id)
    return RedirectResponse(f"/agencies/{account.agency_id}/connect/{account.platform.value}", status_code=303)


@router.get("/accounts/{account_id}/health", response_class=HTMLResponse)
def health(account_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    account = agencies.get_account(session, actor=actor, account_id=account_id)
    agency = agencies.get_agency(session, actor=actor, agency_id=account.agency_id)
    page = HealthPage(queries.health_of(session, account), agency, actor.has_role(agency.id, Role.agency_admin))
    return render(request, "connect/health.html", page)
