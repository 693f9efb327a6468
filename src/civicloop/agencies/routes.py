"""JSON API for agencies and official accounts."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.agencies import service
from civicloop.agencies.schemas import AccountCreate, AccountPublic, AgencyCreate, AgencyPublic
from civicloop.channels.connect import service as connections
from civicloop.channels.outbound.send import http_client
from civicloop.deps import ActorDep, SessionDep

router = APIRouter(tags=["agencies"])


@router.get("/agencies", response_model=list[AgencyPublic])
def list_agencies(session: SessionDep, actor: ActorDep) -> list[AgencyPublic]:
    return [AgencyPublic.model_validate(a) for a in service.list_agencies(session, actor=actor)]


@router.post("/agencies", response_model=AgencyPublic, status_code=201)
def create_agency(body: AgencyCreate, session: SessionDep, actor: ActorDep) -> AgencyPublic:
    agency = service.create_agency(
        session,
        actor=actor,
        code=body.code,
        name=body.name,
        kind=body.kind,
        parent_code=body.parent_code,
        district=body.district,
        timezone=body.timezone,
    )
    return AgencyPublic.model_validate(agency)


@router.get("/agencies/{agency_id}", response_model=AgencyPublic)
def get_agency(agency_id: int, session: SessionDep, actor: ActorDep) -> AgencyPublic:
    return AgencyPublic.model_validate(service.get_agency(session, actor=actor, agency_id=agency_id))


@router.get("/accounts", response_model=list[AccountPublic])
def list_accounts(session: SessionDep, actor: ActorDep, agency_id: int | None = None) -> list[AccountPublic]:
    if agency_id is not None:
        actor.require_view(agency_id)
    return [AccountPublic.of(a) for a in service.list_accounts(session, actor=actor, agency_id=agency_id)]


@router.post("/accounts", response_model=AccountPublic, status_code=201)
def create_account(body: AccountCreate, session: SessionDep, actor: ActorDep) -> AccountPublic:
    agency = service.get_agency_by_code(session, body.agency_code)
    actor.require_view(agency.id)
    with http_client() as http:
        # Pasted credentials are checked with the platform first (docs/channels/connecting.md).
        account = connections.add_pasted(
            session,
            actor=actor,
            agency=agency,
            platform=body.platform,
            external_id=body.external_id,
            name=body.name,
            credentials=body.credentials,
            http=http,
        )
    return AccountPublic.of(account)


@router.get("/accounts/{account_id}", response_model=AccountPublic)
def get_account(account_id: int, session: SessionDep, actor: ActorDep) -> AccountPublic:
    return AccountPublic.of(service.get_account(session, actor=actor, account_id=account_id))
