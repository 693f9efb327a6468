"""Jobs that process stored webhook events, and the sweeper that makes sure none is left behind.

The database, not the queue, is the source of truth: an event with ``handled_at`` NULL still needs
work. A worker killed mid-job or a lost queue entry is repaired by the sweeper (every minute, for
events older than a minute) and by a sweep when a worker process starts (for everything unhandled).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from huey import crontab

from civicloop import jobs
from civicloop.channels import ingest, polling
from civicloop.channels.media import hooks as _media_hooks  # noqa: F401 - attachments are fetched after ingest
from civicloop.db.session import session_scope

log = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(minutes=1)
SWEEP_CHUNK = 50


@jobs.task()
def process_raw_events(raw_event_ids: list[int]) -> int:
    """Process each event in its own transaction, so one bad event never holds back the others."""
    failures = 0
    for raw_event_id in raw_event_ids:
        try:
            with session_scope() as session:
                ingest.process_event(session, raw_event_id)
        except Exception as exc:  # any failure is recorded on the event; the sweeper retries it
            failures += 1
            log.exception("processing raw event %s failed", raw_event_id)
            with session_scope() as session:
                if ingest.record_failure(session, raw_event_id, f"{exc.__class__.__name__}: {exc}"):
                    log.error("raw event %s: gave up after %s attempts", raw_event_id, ingest.MAX_ATTEMPTS)
    return failures


def sweep(older_than: timedelta = SWEEP_AFTER, *, pages: int | None = 1) -> int:
    """Re-enqueue unhandled events received more than ``older_than`` ago, ``pages`` of 500 at most
    (None: all); returns how many. The periodic sweep takes one page a minute so that a backlog
    behind slow workers is not enqueued again and again."""
    total, after_id, page = 0, 0, 0
    while pages is None or page < pages:
        with session_scope() as session:
            ids = ingest.unhandled_event_ids(session, older_than=older_than, after_id=after_id)
        if not ids:
            break
        for start in range(0, len(ids), SWEEP_CHUNK):
            process_raw_events(ids[start : start + SWEEP_CHUNK])
        total, after_id, page = total + len(ids), ids[-1], page + 1
    if total:
        log.warning("sweeper re-enqueued %d unhandled raw event(s)", total)
    return total


@jobs.periodic(crontab(minute="*"))
def sweep_raw_events() -> int:
    with session_scope() as session:
        ingest.forget_old_nonces(session)
    return sweep()


@jobs.periodic(crontab(minute="*/5"))
def poll_platforms() -> int:
    """Platforms without webhooks for what the agency must see are asked what is new every five minutes."""
    return polling.poll_all()


@jobs.task()
def sweep_everything_unhandled() -> int:
    return sweep(timedelta(0), pages=None)


_startup_lock = threading.Lock()
_swept_at_startup = False


def sweep_when_a_worker_starts() -> None:
    """A worker that (re)starts may follow one that was killed mid-job: queue a full sweep, once per process."""
    global _swept_at_startup
    with _startup_lock:
        if _swept_at_startup:
            return
        _swept_at_startup = True
    sweep_everything_unhandled()


jobs.huey.on_startup()(sweep_when_a_worker_starts)
