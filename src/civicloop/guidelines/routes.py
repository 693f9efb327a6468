"""JSON API: check a text, list and decide held items."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.deps import ActorDep, SessionDep
from civicloop.guidelines import queries, service
from civicloop.guidelines.models import ApprovalStatus
from civicloop.guidelines.schemas import ApprovalPublic, CheckRequest, Decision, ReviewPublic

router = APIRouter(prefix="/guidelines", tags=["guidelines"])


@router.post("/check")
def check_text(body: CheckRequest, session: SessionDep, actor: ActorDep) -> ReviewPublic:
    """Findings for a text under the agency's policy; nothing is recorded."""
    return ReviewPublic.of(service.preview(session, actor=actor, agency_id=body.agency_id, text=body.text))


@router.get("/approvals")
def list_approvals(session: SessionDep, actor: ActorDep, status: ApprovalStatus | None = None) -> list[ApprovalPublic]:
    return [ApprovalPublic.of(a) for a in queries.list_approvals(session, actor=actor, status=status)]


@router.post("/approvals/{approval_id}/decision")
def decide(approval_id: int, body: Decision, session: SessionDep, actor: ActorDep) -> ApprovalPublic:
    approval = service.decide(
        session,
        actor=actor,
        approval_id=approval_id,
        approve=body.decision == "approve",
        reason=body.reason,
        edited_text=body.text,
    )
    return ApprovalPublic.of(approval)
