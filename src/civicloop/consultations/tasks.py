"""Jobs: open and close consultations on time, remind the people behind them, and refresh their themes."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.consultations import answers, reminders, schedule, themes
from civicloop.consultations.models import Consultation
from civicloop.consultations.schemas import public_url
from civicloop.db.session import session_scope
from civicloop.kit.mail import send_mail

# Importing answers registers the inbound-message hook in the worker, where message processing runs.
__all__ = ["advance_consultations", "answers", "email_contact", "refresh_themes"]


@jobs.task()
def refresh_themes(consultation_id: int) -> None:
    with session_scope() as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is not None:
            themes.refresh(session, consultation)


@jobs.periodic(crontab(minute="*"))
def advance_consultations() -> dict[str, list[int]]:
    """Every minute: open scheduled consultations whose time came, close those past their closing date."""
    with session_scope() as session:
        return schedule.advance(session)


@jobs.task(retries=3, retry_delay=60)
def email_contact(consultation_id: int, kind: str) -> bool:
    """Email a closing or report reminder to the consultation's contact person (who may not sign in)."""
    with session_scope() as session:
        consultation = session.get(Consultation, consultation_id)
        if consultation is None or not consultation.contact_email:
            return False
        reminder = reminders.reminder_for(kind, consultation)
        body = f"{reminder.body}\n\nThe public page: {public_url(consultation)}\n"
        return send_mail(to=[consultation.contact_email], subject=f"[CivicLoop] {reminder.title}", body=body)
