"""JSON API for officials: make commitments and add updates (``/api/v1``). Photos go through the page
form; the public reads the tracker's open data (``/commitments/open-data.json``)."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.accountability import service
from civicloop.accountability.schemas import CommitmentIn, CommitmentPublic, UpdateIn, UpdatePublic
from civicloop.deps import ActorDep, SessionDep

router = APIRouter(tags=["accountability"])


@router.post("/consultations/{consultation_id}/commitments", response_model=CommitmentPublic, status_code=201)
def create(consultation_id: int, body: CommitmentIn, session: SessionDep, actor: ActorDep) -> CommitmentPublic:
    commitment = service.create_commitment(session, actor=actor, consultation_id=consultation_id, data=body)
    return CommitmentPublic.model_validate(commitment)


@router.post("/commitments/{commitment_id}/updates", response_model=UpdatePublic, status_code=201)
def add_update(commitment_id: int, body: UpdateIn, session: SessionDep, actor: ActorDep) -> UpdatePublic:
    update = service.add_update(session, actor=actor, commitment_id=commitment_id, data=body)
    return UpdatePublic.model_validate(update)
