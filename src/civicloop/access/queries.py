"""Reads of office access: signed policies, designations, and which agency a CLI code names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access.models import AccessDesignation, AccessPolicy
from civicloop.access.snapshot import NATIONAL_CODE
from civicloop.agencies.service import get_agency_by_code
from civicloop.auth.scope import Actor


def list_designations(session: Session, *, actor: Actor, agency_id: int) -> list[AccessDesignation]:
    actor.require_view(agency_id)
    query = select(AccessDesignation).where(AccessDesignation.agency_id == agency_id)
    return list(session.scalars(query.order_by(AccessDesignation.category, AccessDesignation.login)))


def policy_history(session: Session, *, actor: Actor, agency_id: int | None) -> list[AccessPolicy]:
    if agency_id is not None:
        actor.require_view(agency_id)
    query = select(AccessPolicy)
    query = query.where(AccessPolicy.agency_id.is_(None) if agency_id is None else AccessPolicy.agency_id == agency_id)
    return list(session.scalars(query.order_by(AccessPolicy.signed_at.desc(), AccessPolicy.id.desc()).limit(50)))


def agency_for_code(session: Session, code: str) -> int | None:
    """``--agency national`` (or empty) means the national default."""
    if not code.strip() or code.strip().lower() == NATIONAL_CODE:
        return None
    return get_agency_by_code(session, code).id
