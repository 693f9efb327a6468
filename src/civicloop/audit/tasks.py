"""The periodic signed checkpoint of the audit chain's head (see ``audit.checkpoints``)."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.audit import checkpoints
from civicloop.db.session import session_scope


@jobs.periodic(crontab(minute="*/5"))
def checkpoint_audit_chain() -> int:
    """The sequence number signed, or 0 when the head has not moved since the last checkpoint."""
    with session_scope() as session:
        written = checkpoints.write(session)
    return written.seq if written else 0
