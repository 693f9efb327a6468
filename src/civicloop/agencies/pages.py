"""Home, agencies and official accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicloop.agencies import public, queries, service
from civicloop.agencies.models import Agency, AgencyKind, OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.auth import deputies
from civicloop.auth.models import Official, Role
from civicloop.channels import registry
from civicloop.channels.connect import service as connections
from civicloop.channels.ingest import rejections_today
from civicloop.channels.models import ChannelPoll
from civicloop.channels.outbound.send import http_client
from civicloop.channels.polling import last_poll
from civicloop.channels.reconcile.models import ChannelReconciliation
from civicloop.channels.reconcile.service import last_run as last_reconciliation
from civicloop.channels.spec import PlatformSpec
from civicloop.deps import ActorDep, OptionalActorDep, SessionDep
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)

# Agencies listed with "Connect …" links on the accounts page; a national admin opens the agency's page
# for the others.
CONNECT_LISTED = 12


@dataclass
class HomePage:
    agencies: list[Agency]
    accounts_by_agency: dict[int, list[OfficialAccount]]
    # Agencies the official approves for today as a named deputy, and until when.
    deputy_for: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class AgenciesPage:
    agencies: list[Agency]
    kinds: list[str]
    can_create: bool
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class AgencyPage:
    agency: Agency
    accounts: list[AccountPublic]
    members: list[tuple[Official, str]]
    can_manage: bool
    platforms: list[PlatformSpec]
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    connectable: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class AccountsPage:
    accounts: list[AccountPublic]
    agency_names: dict[int, str]
    # Where the official may connect accounts (agency admin), and what can be connected.
    connect_agencies: list[Agency] = field(default_factory=list)
    connectable: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class AccountPage:
    account: AccountPublic
    agency: Agency
    # Webhook requests refused today, by reason (channels.ingest counts them).
    rejections_today: dict[str, int] = field(default_factory=dict)
    platform: PlatformSpec | None = None
    # Where polling the account stands, for a polled platform (channels.polling).
    poll: ChannelPoll | None = None
    # The last reconciliation run (channels.reconcile); what the platform's API cannot list is in ``platform``.
    reconciliation: ChannelReconciliation | None = None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, actor: OptionalActorDep, lang: str | None = None) -> Response:
    if actor is None:
        return public.render_home(request, session, lang)
    agencies = service.list_agencies(session, actor=actor)
    accounts: dict[int, list[OfficialAccount]] = {}
    for account in service.list_accounts(session, actor=actor):
        accounts.setdefault(account.agency_id, []).append(account)
    names = {a.id: a.name for a in agencies}
    deputy_for = [
        (names.get(d.agency_id, ""), d.ends_on.isoformat()) for d in deputies.serving(session, official_id=actor.id)
    ]
    return render(request, "home.html", HomePage(agencies, accounts, deputy_for))


def _agencies_page(session: SessionDep, actor: ActorDep, **extra: object) -> AgenciesPage:
    return AgenciesPage(
        agencies=service.list_agencies(session, actor=actor),
        kinds=[k.value for k in AgencyKind],
        can_create=actor.is_national_admin,
        **extra,  # type: ignore[arg-type]
    )


@router.get("/agencies", response_class=HTMLResponse)
def agencies(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "agencies/list.html", _agencies_page(session, actor))


@router.post("/agencies", response_class=HTMLResponse)
def create_agency(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    code: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form()],
    parent_code: Annotated[str, Form()] = "",
    district: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    with form_action(session) as attempt:
        agency = service.create_agency(
            session,
            actor=actor,
            code=code,
            name=name,
            kind=service.parse_kind(kind),
            parent_code=parent_code or None,
            district=district or None,
        )
    if (exc := attempt.error) is not None:
        form = {"code": code, "name": name, "kind": kind, "parent_code": parent_code, "district": district}
        return render(
            request,
            "agencies/list.html",
            _agencies_page(session, actor, error=exc.message, form=form),
            status_code=exc.status_code,
        )
    flash(request, f"Agency {agency.code} was created.")
    return RedirectResponse(f"/agencies/{agency.id}", status_code=303)


def _agency_page(session: SessionDep, actor: ActorDep, agency_id: int, **extra: object) -> AgencyPage:
    agency = service.get_agency(session, actor=actor, agency_id=agency_id)
    members = queries.members_of(session, agency.id)
    return AgencyPage(
        agency=agency,
        accounts=[AccountPublic.of(a) for a in service.list_accounts(session, actor=actor, agency_id=agency.id)],
        members=[(official, role.value) for official, role in members],
        can_manage=actor.has_role(agency.id, Role.agency_admin),
        platforms=list(registry.PLATFORMS.values()),
        connectable=connections.connectable(),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/agencies/{agency_id}", response_class=HTMLResponse)
def agency_detail(agency_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "agencies/detail.html", _agency_page(session, actor, agency_id))


@router.post("/agencies/{agency_id}/public-name", response_class=HTMLResponse)
def set_public_name(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    name_dz: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    with form_action(session) as attempt:
        service.set_public_name(session, actor=actor, agency_id=agency_id, lang="dz", name=name_dz)
    if (exc := attempt.error) is not None:
        page = _agency_page(session, actor, agency_id, error=exc.message)
        return render(request, "agencies/detail.html", page, status_code=exc.status_code)
    flash(request, "The Dzongkha name was saved.")
    return RedirectResponse(f"/agencies/{agency_id}", status_code=303)


@router.post("/agencies/{agency_id}/accounts", response_class=HTMLResponse)
def create_account(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    platform: Annotated[str, Form()],
    external_id: Annotated[str, Form(max_length=128)],
    name: Annotated[str, Form(max_length=200)],
    credentials: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    agency = service.get_agency(session, actor=actor, agency_id=agency_id)
    with form_action(session) as attempt, http_client() as http:
        # Pasted credentials are checked with the platform first; "Connect …" signs in instead.
        account = connections.add_pasted(
            session,
            actor=actor,
            agency=agency,
            platform=service.parse_platform(platform),
            external_id=external_id,
            name=name,
            credentials=service.parse_credentials([ln for ln in credentials.splitlines() if ln.strip()]),
            http=http,
        )
    if (exc := attempt.error) is not None:
        form = {"platform": platform, "external_id": external_id, "name": name}
        page = _agency_page(session, actor, agency_id, error=exc.message, form=form)
        return render(request, "agencies/detail.html", page, status_code=exc.status_code)
    flash(request, f"The {account.platform} account {account.name} was added.")
    return RedirectResponse(f"/accounts/{account.id}", status_code=303)


@router.get("/accounts", response_class=HTMLResponse)
def accounts(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    visible = service.list_agencies(session, actor=actor)
    page = AccountsPage(
        accounts=[AccountPublic.of(a) for a in service.list_accounts(session, actor=actor)],
        agency_names={a.id: a.name for a in visible},
        connect_agencies=[a for a in visible if actor.has_role(a.id, Role.agency_admin)][:CONNECT_LISTED],
        connectable=connections.connectable(),
    )
    return render(request, "agencies/accounts.html", page)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_detail(account_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    account = service.get_account(session, actor=actor, account_id=account_id)
    agency = service.get_agency(session, actor=actor, agency_id=account.agency_id)
    page = AccountPage(
        account=AccountPublic.of(account),
        agency=agency,
        rejections_today=rejections_today(session, account),
        platform=registry.spec(account.platform),
        poll=last_poll(session, account.id),
        reconciliation=last_reconciliation(session, account.id),
    )
    return render(request, "agencies/account.html", page)
