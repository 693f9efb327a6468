"""Consultations: opened, closed, reported, people taking part, and how long reports take."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from sqlalchemy.orm import Session

from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.oversight import queries
from civicloop.oversight.periods import Period

PUBLIC_STATES = (ConsultationStatus.open, ConsultationStatus.closed, ConsultationStatus.published)


@dataclass
class Participation:
    opened: int = 0
    closed: int = 0
    reported: int = 0
    participants: int = 0
    days_to_report: list[float] = field(default_factory=list)

    @property
    def median_days_to_report(self) -> float | None:
        return round(median(self.days_to_report), 1) if self.days_to_report else None


def by_agency(
    session: Session, period: Period, agency_ids: set[int] | None, zone_name: str
) -> dict[int, Participation]:
    """Per agency: consultations opened, closed and reported in the period, and responses received in it.

    A participant is one response: a submitted form, or one social-media message linked to the
    consultation. Days to report run from closing to publishing the "you said, we did" report.
    """
    start, end = period.bounds(zone_name)
    out: dict[int, Participation] = {}

    for column, name in (
        (Consultation.opened_at, "opened"),
        (Consultation.closed_at, "closed"),
        (Consultation.published_at, "reported"),
    ):
        for agency_id, count in queries.consultations_per_agency(session, column, start, end, agency_ids):
            setattr(out.setdefault(agency_id, Participation()), name, int(count))
    for agency_id, count in queries.consultation_responses_per_agency(session, start, end, agency_ids):
        out.setdefault(agency_id, Participation()).participants = int(count)
    for agency_id, closed_at, published_at in queries.consultations_reported(session, start, end, agency_ids):
        if closed_at is not None and published_at is not None:
            out.setdefault(agency_id, Participation()).days_to_report.append(
                (published_at - closed_at).total_seconds() / 86400
            )
    return out


def consultations_of(
    session: Session, period: Period, agency_ids: set[int] | None, zone_name: str
) -> list[Consultation]:
    """The consultations that were open at some time in the period (drafts never count)."""
    start, end = period.bounds(zone_name)
    return queries.consultations_open_in(session, start, end, agency_ids, PUBLIC_STATES)
