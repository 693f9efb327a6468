"""Hand stored events to the job queue off the request path, many at a time.

Enqueuing into the SQLite queue costs an fsync per job (milliseconds), more than the whole webhook
request otherwise does. Because the database, not the queue, is the source of truth, the request may
answer as soon as its events are committed: a background thread gathers the new ids of all requests
for a few milliseconds and enqueues them as one job. If the process dies before that, the sweeper
finds the events (handled_at is NULL) and nothing is lost. See docs/adr/0005-batched-webhook-handoff.md.

With ``CIVICLOOP_JOBS_IMMEDIATE`` (tests) the job runs at once in the request's thread instead.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

from civicloop import jobs
from civicloop.channels.tasks import process_raw_events

log = logging.getLogger(__name__)

GATHER_SECONDS = 0.02
MAX_IDS_PER_JOB = 200


class Handoff:
    def __init__(self, enqueue: Callable[[list[int]], object]) -> None:
        self._enqueue = enqueue
        self._pending: list[int] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, raw_event_ids: list[int]) -> None:
        if jobs.huey.immediate:
            self._send(raw_event_ids)
            return
        with self._ready:
            self._pending.extend(raw_event_ids)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="civicloop-handoff", daemon=True)
                self._thread.start()
            self._ready.notify()

    def flush(self) -> None:
        with self._ready:
            batch, self._pending = self._pending, []
        self._send(batch)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._pending:
                    self._ready.wait()
            # Let the requests arriving meanwhile join this job.
            time.sleep(GATHER_SECONDS)
            self.flush()

    def _send(self, raw_event_ids: list[int]) -> None:
        for start in range(0, len(raw_event_ids), MAX_IDS_PER_JOB):
            chunk = raw_event_ids[start : start + MAX_IDS_PER_JOB]
            try:
                self._enqueue(chunk)
            except Exception:  # the queue's storage is down or locked: the sweeper will pick these up
                log.exception("could not enqueue %d stored event(s); the sweeper will process them", len(chunk))


handoff = Handoff(process_raw_events)
atexit.register(handoff.flush)
