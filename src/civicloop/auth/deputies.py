"""Deputy approvers: an agency head names an official of the agency to approve in their place for a period.

Within the period (local dates of the deployment's time zone, both days included) the deputy may decide
what waits for the agency head's approval: held replies and posts (guidelines) and posts that need approval
(publishing). Naming and ending a deputyship are audited; an ended one approves nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.deputy_models import Deputy
from civicloop.auth.models import Membership, Official, Role
from civicloop.auth.scope import Actor
from civicloop.config import get_settings
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import local

# A head away for longer should hand the role over (a membership), not name a deputy.
LONGEST = timedelta(days=92)


def today() -> date:
    return local(utcnow(), get_settings().timezone).date()


def is_deputy(session: Session, *, official_id: int, agency_id: int, on: date | None = None) -> bool:
    day = on or today()
    found = session.scalar(
        select(Deputy.id).where(
            Deputy.agency_id == agency_id,
            Deputy.official_id == official_id,
            Deputy.revoked_at.is_(None),
            Deputy.starts_on <= day,
            Deputy.ends_on >= day,
        )
    )
    return found is not None


def may_approve(session: Session, actor: Actor, agency_id: int) -> bool:
    """The agency head (or national oversight), or the deputy the head named for today."""
    return actor.has_role(agency_id, Role.agency_head) or (
        actor.can_view(agency_id) and is_deputy(session, official_id=actor.id, agency_id=agency_id)
    )


def require_approver(session: Session, actor: Actor, agency_id: int) -> None:
    actor.require_view(agency_id)
    if not may_approve(session, actor, agency_id):
        raise Forbidden("this needs the agency head, or the deputy the head named for today")


def serving(session: Session, *, official_id: int) -> list[Deputy]:
    """The deputyships ``official_id`` holds today (their home page says so and links the queue)."""
    day = today()
    return list(
        session.scalars(
            select(Deputy).where(
                Deputy.official_id == official_id,
                Deputy.revoked_at.is_(None),
                Deputy.starts_on <= day,
                Deputy.ends_on >= day,
            )
        )
    )


def agencies_deputised(session: Session, *, official_id: int) -> frozenset[int]:
    """The agencies ``official_id`` approves for today as a deputy."""
    return frozenset(d.agency_id for d in serving(session, official_id=official_id))


def list_for(session: Session, *, actor: Actor, agency_id: int) -> list[Deputy]:
    """The agency's deputyships that have not ended, soonest first."""
    actor.require_view(agency_id)
    return list(
        session.scalars(
            select(Deputy)
            .where(Deputy.agency_id == agency_id, Deputy.revoked_at.is_(None), Deputy.ends_on >= today())
            .order_by(Deputy.starts_on, Deputy.id)
        )
    )


def name_deputy(
    session: Session,
    *,
    actor: Actor,
    agency_id: int,
    official_id: int,
    starts_on: date,
    ends_on: date,
    reason: str = "",
) -> Deputy:
    actor.require(agency_id, Role.agency_head)
    member = session.scalar(
        select(Membership.id).where(Membership.agency_id == agency_id, Membership.official_id == official_id)
    )
    official = session.get(Official, official_id)
    if member is None or official is None or not official.active:
        raise Invalid("the deputy must be an active official of this agency", field="official_id")
    if official_id == actor.id:
        raise Invalid("name someone else: you approve already", field="official_id")
    if ends_on < starts_on:
        raise Invalid("the period ends before it starts", field="ends_on")
    if ends_on < today():
        raise Invalid("the period is over already", field="ends_on")
    if ends_on - starts_on > LONGEST:
        raise Invalid(
            f"a deputy serves at most {LONGEST.days} days; for longer, make them agency head", field="ends_on"
        )
    deputy = Deputy(
        agency_id=agency_id,
        official_id=official_id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip()[:200],
        named_by_id=actor.id,
    )
    session.add(deputy)
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="deputy.name",
        target_type="approval_deputy",
        target_id=deputy.id,
        agency_id=agency_id,
        after={
            "official_id": official_id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "reason": deputy.reason,
        },
    )
    return deputy


def end(session: Session, *, actor: Actor, deputy_id: int) -> Deputy:
    deputy = session.get(Deputy, deputy_id)
    if deputy is None or not actor.can_view(deputy.agency_id):
        raise NotFound("deputy not found")
    actor.require(deputy.agency_id, Role.agency_head)
    if deputy.revoked_at is None:
        deputy.revoked_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor=actor.official,
            action="deputy.end",
            target_type="approval_deputy",
            target_id=deputy.id,
            agency_id=deputy.agency_id,
            before={"official_id": deputy.official_id, "ends_on": deputy.ends_on.isoformat()},
        )
    return deputy
