"""Jobs: open and close consultations on time, and refresh their themes."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.consultations import answers, service, themes
from civicloop.consultations.models import Consultation
from civicloop.db.session import session_scope

# Importing answers registers the inbound-message hook in the worker, where message processing runs.
__all__ = ["advance_consultations", "answers", "refresh_themes"]


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
        changed = service.advance(session)
        for consultation_id in changed["closed"]:
            jobs.after_commit(session, refresh_themes, consultation_id)
    return changed
