"""Off the request path, many at a time: storing webhook events, and handing them to the job queue.

Two background threads, each batching what concurrent requests give it (ADR 0005):

- ``writer`` stores the raw-event rows of all requests waiting at that moment in one transaction
  (group commit: one ``INSERT … ON CONFLICT DO NOTHING`` and one commit for many requests), then
  tells each request that its events are committed; only then does the request answer the platform.
- ``handoff`` gathers the new ids for a few milliseconds and enqueues them as one job. Enqueuing into
  the SQLite queue costs an fsync per job (milliseconds). Because the database, not the queue, is
  the source of truth, the request need not wait for it: if the process dies before that, the
  sweeper finds the events (handled_at is NULL) and nothing is lost.

With ``CIVICLOOP_JOBS_IMMEDIATE`` (tests) the job runs at once, in the writer's thread, before the
request is told its events are stored: the request then answers after processing.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from civicloop import jobs
from civicloop.channels import ingest
from civicloop.channels.tasks import process_raw_events
from civicloop.db.session import session_scope

log = logging.getLogger(__name__)

GATHER_SECONDS = 0.02
MAX_IDS_PER_JOB = 200
# Requests whose rows one transaction of the writer stores at most (a Meta batch holds ≤ 1000 events).
MAX_REQUESTS_PER_COMMIT = 64


class Handoff:
    def __init__(self, enqueue: Callable[[list[int]], object]) -> None:
        self._enqueue = enqueue
        self._pending: list[int] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, raw_event_ids: list[int]) -> None:
        if not raw_event_ids:
            return
        if jobs.huey.immediate:
            self._send(raw_event_ids)
            return
        with self._ready:
            self._pending.extend(raw_event_ids)
            self._thread = _running(self._thread, self._run, "civicloop-handoff")
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


Waiting = tuple[Sequence[ingest.Row], "Future[None]"]


class Writer:
    """Group commit: the rows of every request waiting when the thread is free go in one transaction.

    No timer: under light load each request is stored alone at once; under heavy load requests wait
    for the transaction ahead of them and then share the next one, so throughput rises with load.
    """

    def __init__(self, hand_over: Callable[[list[int]], None]) -> None:
        self._hand_over = hand_over
        self._waiting: list[Waiting] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, rows: Sequence[ingest.Row]) -> Future[None]:
        """Queue ``rows`` for storage; the future completes once they are committed (or fails)."""
        future: Future[None] = Future()
        with self._ready:
            self._waiting.append((rows, future))
            self._thread = _running(self._thread, self._run, "civicloop-writer")
            self._ready.notify()
        return future

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._waiting:
                    self._ready.wait()
                batch = self._waiting[:MAX_REQUESTS_PER_COMMIT]
                del self._waiting[:MAX_REQUESTS_PER_COMMIT]
            # A request cancelled meanwhile was not answered: the platform will deliver it again.
            self._write([waiting for waiting in batch if waiting[1].set_running_or_notify_cancel()])

    def _write(self, batch: list[Waiting]) -> None:
        if not batch:
            return
        try:
            with session_scope() as session:
                new_ids = ingest.insert_events(session, [row for rows, _ in batch for row in rows])
        except Exception as exc:
            if len(batch) > 1:  # one request's rows must not fail the others: store each alone
                for waiting in batch:
                    self._write([waiting])
            else:
                batch[0][1].set_exception(exc)
            return
        try:
            self._hand_over(new_ids)
        except Exception:  # stored and committed: the sweeper will process them
            log.exception("could not hand over %d stored event(s)", len(new_ids))
        for _, future in batch:
            future.set_result(None)


def _running(thread: threading.Thread | None, target: Callable[[], None], name: str) -> threading.Thread:
    if thread is not None and thread.is_alive():
        return thread
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


handoff = Handoff(process_raw_events)
writer = Writer(handoff.submit)
atexit.register(handoff.flush)
