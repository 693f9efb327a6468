"""Jobs: import the proxy's access log every five minutes (when ``CIVICLOOP_ACCESS_LOG_FILE`` names
one on the worker's machine), and delete raw log lines past the retention period every night."""

from __future__ import annotations

from pathlib import Path

from huey import crontab

from civicloop import jobs
from civicloop.access import logimport
from civicloop.config import get_settings
from civicloop.db.session import session_scope
from civicloop.kit.clock import utcnow


@jobs.periodic(crontab(minute="*/5"))
def import_access_log() -> dict[str, object] | None:
    path = get_settings().access_log_file
    if not path:
        return None
    with session_scope() as session:
        result = logimport.import_log(session, path=Path(path), on_batch=lambda _: session.commit())
    return result.to_json()


@jobs.periodic(crontab(hour="2", minute="30"))
def purge_access_log() -> int:
    with session_scope() as session:
        return logimport.purge(session, retention_days=get_settings().access_retention_days, now=utcnow())
