"""Consultations: opened, closed, reported, people taking part, and how long reports take."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.consultations.models import Consultation, ConsultationStatus, Response
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

    mine = [Consultation.agency_id.in_(agency_ids)] if agency_ids is not None else []

    for column, name in (
        (Consultation.opened_at, "opened"),
        (Consultation.closed_at, "closed"),
        (Consultation.published_at, "reported"),
    ):
        rows = session.execute(
            select(Consultation.agency_id, func.count())
            .where(column >= start, column < end, *mine)
            .group_by(Consultation.agency_id)
        )
        for agency_id, count in rows:
            setattr(out.setdefault(agency_id, Participation()), name, int(count))
    responses = select(Response.agency_id, func.count()).where(
        Response.submitted_at >= start, Response.submitted_at < end
    )
    if agency_ids is not None:
        responses = responses.where(Response.agency_id.in_(agency_ids))
    for agency_id, count in session.execute(responses.group_by(Response.agency_id)):
        out.setdefault(agency_id, Participation()).participants = int(count)
    reported = session.execute(
        select(Consultation.agency_id, Consultation.closed_at, Consultation.published_at).where(
            Consultation.published_at >= start, Consultation.published_at < end, *mine
        )
    )
    for agency_id, closed_at, published_at in reported:
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
    query = (
        select(Consultation)
        .where(
            Consultation.status.in_(PUBLIC_STATES),
            Consultation.opened_at < end,
            (Consultation.closed_at.is_(None)) | (Consultation.closed_at >= start),
        )
        .order_by(Consultation.opened_at.desc())
    )
    if agency_ids is not None:
        query = query.where(Consultation.agency_id.in_(agency_ids))
    return list(session.scalars(query))
