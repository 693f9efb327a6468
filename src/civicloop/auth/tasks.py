"""Jobs: every night, forget sessions past their end and sign-in counters past their window."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.auth import sessions, throttle
from civicloop.db.session import session_scope


@jobs.periodic(crontab(hour="3", minute="10"))
def purge_sessions() -> int:
    """Expired rows already count for nothing; this only keeps the tables small."""
    with session_scope() as session:
        return sessions.purge_expired(session) + throttle.purge_expired(session)
