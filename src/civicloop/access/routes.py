"""JSON API for office access: sign policies, designate staff, ask the decision function, read reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from civicloop.access import queries, reports, service
from civicloop.access.schemas import (
    CheckRequest,
    DecisionPublic,
    DesignationCreate,
    DesignationPublic,
    PolicyPublic,
    PolicySign,
)
from civicloop.config import get_settings
from civicloop.deps import ActorDep, SessionDep
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import zone

router = APIRouter(prefix="/access", tags=["office access"])


@router.get("/agencies/{agency_id}/policies", response_model=list[PolicyPublic])
def list_policies(agency_id: int, session: SessionDep, actor: ActorDep) -> list[PolicyPublic]:
    """Every rule the agency signed, newest first."""
    rows = queries.policy_history(session, actor=actor, agency_id=agency_id)
    return [PolicyPublic.model_validate(row) for row in rows]


@router.post("/agencies/{agency_id}/policies", response_model=PolicyPublic, status_code=201)
def sign_policy(agency_id: int, body: PolicySign, session: SessionDep, actor: ActorDep) -> PolicyPublic:
    """The agency head signs a rule for a category (takes effect on ``effective_from``, default today)."""
    actor.require_view(agency_id)
    row = service.set_policy(
        session,
        actor=actor,
        agency_id=agency_id,
        category=body.category,
        office_hours=body.office_hours,
        allowance_minutes=body.allowance_minutes,
        after_hours=body.after_hours,
        effective_from=body.effective_from,
    )
    return PolicyPublic.model_validate(row)


@router.get("/agencies/{agency_id}/designations", response_model=list[DesignationPublic])
def list_designations(agency_id: int, session: SessionDep, actor: ActorDep) -> list[DesignationPublic]:
    rows = queries.list_designations(session, actor=actor, agency_id=agency_id)
    return [DesignationPublic.model_validate(row) for row in rows]


@router.post("/agencies/{agency_id}/designations", response_model=DesignationPublic, status_code=201)
def designate(agency_id: int, body: DesignationCreate, session: SessionDep, actor: ActorDep) -> DesignationPublic:
    actor.require_view(agency_id)
    row = service.designate(
        session, actor=actor, agency_id=agency_id, login=body.login, category=body.category, until=body.until
    )
    return DesignationPublic.model_validate(row)


@router.delete("/designations/{designation_id}", status_code=204)
def undesignate(designation_id: int, session: SessionDep, actor: ActorDep) -> None:
    service.undesignate(session, actor=actor, designation_id=designation_id)


@router.post("/check", response_model=DecisionPublic)
def check(body: CheckRequest, session: SessionDep, actor: ActorDep) -> DecisionPublic:
    """What the proxy would answer: the same decision function the Squid helper uses."""
    at = body.at or utcnow()
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone(get_settings().timezone))
    decision = service.check(session, actor=actor, login=body.login, host=body.host, at=at)
    return DecisionPublic(allow=decision.allow, rule=decision.rule, reason=decision.reason)


@router.get("/report")
def report(session: SessionDep, actor: ActorDep, agency_id: int | None = None, weeks: int = 8) -> dict[str, Any]:
    """Usage per category in and out of office hours, refusals by reason, weekly trend (national without agency_id)."""
    return reports.usage_report(session, actor=actor, agency_id=agency_id, weeks=weeks).to_json()
