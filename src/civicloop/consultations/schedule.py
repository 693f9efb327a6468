"""The scheduler's step, run every minute (and by ``civicloop consultation tick``): open and close
consultations on time, then send the reminders that have come due.

Its own module because it drives both the service and the reminders, which use the service.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations import reminders
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.consultations.service import close, open_now, record
from civicloop.errors import Invalid
from civicloop.kit.clock import utcnow


def advance(session: Session) -> dict[str, list[int]]:
    """The scheduler's step: open scheduled consultations whose time came, close open ones that are past due."""
    now = utcnow()
    opened, closed, failed = [], [], []
    due = session.scalars(
        select(Consultation).where(Consultation.status == ConsultationStatus.scheduled, Consultation.opens_at <= now)
    ).all()
    for consultation in due:
        try:
            with session.begin_nested():
                open_now(session, actor=None, consultation_id=consultation.id)
            opened.append(consultation.id)
        except Invalid as exc:
            # e.g. its closing date passed while it waited: back to draft, with the reason in the audit log,
            # rather than retrying every minute.
            consultation.status = ConsultationStatus.draft
            record(session, None, "consultation.open_failed", consultation, after={"reason": exc.message})
            failed.append(consultation.id)
    past = session.scalars(
        select(Consultation.id).where(Consultation.status == ConsultationStatus.open, Consultation.closes_at <= now)
    ).all()
    for consultation_id in past:
        close(session, actor=None, consultation_id=consultation_id)
        closed.append(consultation_id)
    return {
        "opened": opened,
        "closed": closed,
        "failed": failed,
        "reminded": reminders.remind_due(session),
        "report_reminded": reminders.remind_report_due(session),
    }
