"""Running consumers: ``civicloop worker`` (a process) or a thread pool inside ``serve``.

In the app layer because a worker needs every job module and the before-send review registered.
"""

from __future__ import annotations

import logging

from huey.consumer import Consumer

from civicloop.app.jobs import huey
from civicloop.channels.outbound import hooks

log = logging.getLogger(__name__)


def run_worker(workers: int) -> None:
    """Block, consuming jobs (and running periodic ones) until SIGINT/SIGTERM."""
    hooks.require_registered()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


def start_in_process(workers: int) -> Consumer:
    """Start consumer threads without signal handlers (``serve`` with the SQLite queue)."""
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    log.info("in-process job consumer started with %s threads", workers)
    return consumer
