"""Office access to social media, aggregated per agency: minutes, people, refusals (never who)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.access.models import AccessDenial, AccessSession
from civicloop.oversight.periods import Period


@dataclass
class Usage:
    office_minutes: float = 0.0
    other_minutes: float = 0.0
    people: int = 0
    denials: int = 0


def usage(session: Session, period: Period, agency_ids: set[int] | None) -> dict[int, Usage]:
    """Per agency over the period's days (the access domain's own local days)."""
    mine = [AccessSession.agency_id.in_(agency_ids)] if agency_ids is not None else []
    out: dict[int, Usage] = {}
    for agency_id, office, total, people in session.execute(
        select(
            AccessSession.agency_id,
            func.sum(AccessSession.office_minutes),
            func.sum(AccessSession.minutes),
            func.count(func.distinct(AccessSession.person)),
        )
        .where(
            AccessSession.day >= period.start,
            AccessSession.day <= period.end,
            AccessSession.agency_id.is_not(None),
            *mine,
        )
        .group_by(AccessSession.agency_id)
    ):
        if agency_id is not None:
            out[agency_id] = Usage(float(office or 0), float((total or 0) - (office or 0)), int(people))
    denied = [AccessDenial.agency_id.in_(agency_ids)] if agency_ids is not None else []
    for agency_id, count in session.execute(
        select(AccessDenial.agency_id, func.sum(AccessDenial.count))
        .where(
            AccessDenial.day >= period.start,
            AccessDenial.day <= period.end,
            AccessDenial.agency_id.is_not(None),
            *denied,
        )
        .group_by(AccessDenial.agency_id)
    ):
        if agency_id is not None:
            out.setdefault(agency_id, Usage()).denials = int(count or 0)
    return out
