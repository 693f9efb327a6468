"""Office access to social media, aggregated per agency: minutes, people, refusals (never who)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from civicloop.oversight import queries
from civicloop.oversight.periods import Period


@dataclass
class Usage:
    office_minutes: float = 0.0
    other_minutes: float = 0.0
    people: int = 0
    denials: int = 0


def usage(session: Session, period: Period, agency_ids: set[int] | None) -> dict[int, Usage]:
    """Per agency over the period's days (the access domain's own local days)."""
    out: dict[int, Usage] = {}
    for agency_id, office, total, people in queries.access_minutes(session, period, agency_ids):
        if agency_id is not None:
            out[agency_id] = Usage(float(office or 0), float((total or 0) - (office or 0)), int(people))
    for agency_id, count in queries.access_denials(session, period, agency_ids):
        if agency_id is not None:
            out.setdefault(agency_id, Usage()).denials = int(count or 0)
    return out
