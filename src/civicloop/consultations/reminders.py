"""Reminders timed by the agency's office calendar (``civicloop.sla.calendar``): office hours, public holidays,
district festival days and closures.

* **Closing**: once an open consultation closes within one office day, a "last chance" post goes out on its
  accounts, and its author (in the app, and by email when SMTP is set) and its contact person (by email) are
  told it is closing and the report comes next.
* **Report**: once a closed consultation has waited five office days without a published report, its author
  and contact person are reminded to write and publish "you said, we did".

Both go out only while the office is open, so the people reminded are at work to act on them, and each goes
out once (the closing one is marked on the consultation, the report one in the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.audit.models import AuditEntry
from civicloop.auth.models import Official
from civicloop.config import get_settings
from civicloop.consultations import service
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import local
from civicloop.notifications.service import notify
from civicloop.sla.calendar import calendar_for

OFFICE_DAY = 8 * 60
# The closing reminder goes out once the consultation closes within one office day.
REMIND_WITHIN = OFFICE_DAY
# The report reminder goes out after a week of office days without a published report.
REPORT_DUE_AFTER = 5 * OFFICE_DAY
REPORT_ACTION = "consultation.remind_report"


@dataclass(frozen=True)
class Reminder:
    kind: str  # closing | report
    title: str
    body: str


def remind_due(session: Session) -> list[int]:
    """The closing reminders due now; the ids of the consultations reminded."""
    now = utcnow()
    due = session.scalars(
        select(Consultation).where(
            Consultation.status == ConsultationStatus.open,
            Consultation.reminded_at.is_(None),
            Consultation.closes_at > now,
        )
    ).all()
    reminded = []
    for consultation in due:
        assert consultation.closes_at is not None  # filtered above
        calendar = calendar_for(session, consultation.agency_id)
        if not calendar.is_open(now) or calendar.office_minutes_between(now, consultation.closes_at) > REMIND_WITHIN:
            continue
        consultation.reminded_at = now
        account_ids = service.announce(session, consultation, service.author_of(session, consultation), reminder=True)
        service.record(session, None, "consultation.remind", consultation, after={"accounts": account_ids})
        _tell(session, consultation, reminder_for("closing", consultation))
        reminded.append(consultation.id)
    return reminded


def remind_report_due(session: Session) -> list[int]:
    """The report reminders due now: closed for five office days and not published; the ids reminded."""
    now = utcnow()
    closed = session.scalars(
        select(Consultation).where(
            Consultation.status == ConsultationStatus.closed, Consultation.closed_at.is_not(None)
        )
    ).all()
    reminded = []
    for consultation in closed:
        assert consultation.closed_at is not None  # filtered above
        calendar = calendar_for(session, consultation.agency_id)
        if not calendar.is_open(now) or calendar.office_minutes_between(consultation.closed_at, now) < REPORT_DUE_AFTER:
            continue
        if _report_reminded(session, consultation):
            continue
        service.record(session, None, REPORT_ACTION, consultation, after={"closed_at": consultation.closed_at})
        _tell(session, consultation, reminder_for("report", consultation))
        reminded.append(consultation.id)
    return reminded


# What each reminder says: the date it names, its title and its text ({title}, {code} and {when} filled in).
TEXTS = {
    "closing": (
        "closes_at",
        "“{title}” closes for answers on {when}",
        "The consultation “{title}” ({code}) closes for answers on {when}; a last-chance post went out on its "
        "accounts. Questions may come in until then. After closing, write what people said and what the agency "
        "does about it, and publish the report.",
    ),
    "report": (
        "closed_at",
        "Publish the report of “{title}”",
        "The consultation “{title}” ({code}) closed on {when} and its “you said, we did” report is not "
        "published yet. The people who took part are waiting to hear what the agency does with their answers.",
    ),
}


def reminder_for(kind: str, consultation: Consultation) -> Reminder:
    """The ``closing`` or ``report`` reminder of ``consultation``."""
    attribute, title, body = TEXTS[kind]
    fill = {"title": consultation.title, "code": consultation.code, "when": _local(consultation, attribute)}
    return Reminder(kind, title.format(**fill), body.format(**fill))


def _local(consultation: Consultation, attribute: str) -> str:
    value = getattr(consultation, attribute)
    return local(value, get_settings().timezone).strftime("%A %d %B %Y %H:%M") if value else "—"


def _report_reminded(session: Session, consultation: Consultation) -> bool:
    return (
        session.scalar(
            select(AuditEntry.seq).where(
                AuditEntry.action == REPORT_ACTION,
                AuditEntry.target_type == "consultation",
                AuditEntry.target_id == str(consultation.id),
            )
        )
        is not None
    )


def _tell(session: Session, consultation: Consultation, reminder: Reminder) -> None:
    """A notice to the author in the app (emailed when SMTP is set), and an email to the contact person."""
    author = session.get(Official, consultation.created_by_id) if consultation.created_by_id else None
    if author is not None and author.active:
        notice = notify(
            session,
            official=author,
            conversation=None,
            kind=f"consultation_{reminder.kind}",
            key=str(consultation.id),
            title=reminder.title,
            body=reminder.body,
        )
        if notice is not None:
            notice.agency_id, notice.url = consultation.agency_id, f"/consultations/{consultation.id}"
    contact = consultation.contact_email.strip().lower()
    already_told = author is not None and author.active and author.email.lower() == contact
    if contact and not already_told and get_settings().smtp_url:
        jobs.after_commit(session, "civicloop.consultations.tasks.email_contact", consultation.id, reminder.kind)
