"""Jobs: release scheduled posts when their time comes."""

from __future__ import annotations

from huey import crontab

from civicloop import jobs
from civicloop.db.session import session_scope
from civicloop.publishing import service


@jobs.periodic(crontab(minute="*"))
def release_scheduled_posts() -> list[int]:
    with session_scope() as session:
        return service.release_due(session)
