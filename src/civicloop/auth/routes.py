"""JSON API for officials, memberships and API tokens."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.agencies.service import get_agency_by_code
from civicloop.auth import service
from civicloop.auth.schemas import MembershipCreate, OfficialCreate, OfficialPublic, TokenCreate, TokenCreated
from civicloop.deps import ActorDep, SessionDep

router = APIRouter(tags=["officials"])


@router.get("/me", response_model=OfficialPublic)
def me(actor: ActorDep) -> OfficialPublic:
    return OfficialPublic.of(actor.official)


@router.get("/officials", response_model=list[OfficialPublic])
def list_officials(session: SessionDep, actor: ActorDep) -> list[OfficialPublic]:
    return [OfficialPublic.of(o) for o in service.list_officials(session, actor=actor)]


@router.post("/officials", response_model=OfficialPublic, status_code=201)
def create_official(body: OfficialCreate, session: SessionDep, actor: ActorDep) -> OfficialPublic:
    official = service.create_official_with_roles(
        session, actor=actor, email=body.email, name=body.name, password=body.password, roles=body.roles
    )
    return OfficialPublic.of(official)


@router.get("/officials/{official_id}", response_model=OfficialPublic)
def get_official(official_id: int, session: SessionDep, actor: ActorDep) -> OfficialPublic:
    return OfficialPublic.of(service.get_official(session, actor=actor, official_id=official_id))


@router.post("/officials/{official_id}/memberships", response_model=OfficialPublic, status_code=201)
def add_membership(official_id: int, body: MembershipCreate, session: SessionDep, actor: ActorDep) -> OfficialPublic:
    official = service.get_official(session, actor=actor, official_id=official_id)
    agency = get_agency_by_code(session, body.agency_code)
    actor.require_view(agency.id)
    service.add_membership(session, actor=actor, official=official, agency=agency, role=body.role)
    return OfficialPublic.of(official)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, session: SessionDep, actor: ActorDep) -> TokenCreated:
    return TokenCreated(token=service.create_api_token(session, actor=actor, name=body.name))
