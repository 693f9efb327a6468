"""JSON API for officials (``/api/v1``): moderate a comment, read its record, decide appeals. The public
reads the policy and the log on ``/transparency/moderation``."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.channels.moderation import Operation
from civicloop.deps import ActorDep, SessionDep
from civicloop.moderation import queries, service
from civicloop.moderation.schemas import AppealPublic, DecisionIn, ModerationActionPublic, ModerationIn

router = APIRouter(tags=["moderation"])


@router.post("/messages/{message_id}/moderation", response_model=ModerationActionPublic, status_code=201)
def moderate(message_id: int, body: ModerationIn, session: SessionDep, actor: ActorDep) -> ModerationActionPublic:
    """Hide, unhide or delete a citizen's comment on its platform. The platform's refusal is an answer, not an
    error: the action is recorded with ``applied: false`` and what the platform said."""
    if body.operation is Operation.hide:
        action = service.hide(
            session,
            actor=actor,
            message_id=message_id,
            ground=body.ground,
            note=body.note,
            suggested_by=body.suggested_by,
        )
    elif body.operation is Operation.unhide:
        action = service.unhide(session, actor=actor, message_id=message_id, note=body.note)
    else:
        action = service.delete(session, actor=actor, message_id=message_id, ground=body.ground, note=body.note)
    return ModerationActionPublic.model_validate(action)


@router.get("/messages/{message_id}/moderation", response_model=list[ModerationActionPublic])
def record(message_id: int, session: SessionDep, actor: ActorDep) -> list[ModerationActionPublic]:
    service.target_of(session, actor, message_id)  # scope: another agency's message is not found
    return [ModerationActionPublic.model_validate(a) for a in queries.actions_for(session, message_id)]


@router.post("/moderation/appeals/{appeal_id}/decision", response_model=AppealPublic)
def decide(appeal_id: int, body: DecisionIn, session: SessionDep, actor: ActorDep) -> AppealPublic:
    result = service.decide_appeal(session, actor=actor, appeal_id=appeal_id, decision=body.decision, note=body.note)
    return AppealPublic.model_validate(result.appeal)
