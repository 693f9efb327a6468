"""Jobs: tell participants of a commitment's new status, remind assignees of due promises; and the
hooks this domain registers when it is imported (a citizen's STOP, the missed-promise count)."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.accountability import hooks, service
from civicloop.db.session import session_scope

__all__ = ["hooks", "notify_participants", "remind_due_promises"]


@jobs.task(retries=3, retry_delay=60)
def notify_participants(update_id: int) -> dict[str, int]:
    with session_scope() as session:
        return service.notify_participants(session, update_id=update_id)


@jobs.periodic(crontab(minute="*/15"))
def remind_due_promises() -> int:
    """Every quarter hour: remind assignees of promises due within a day, and of missed ones (once each)."""
    with session_scope() as session:
        return service.remind_due(session)
