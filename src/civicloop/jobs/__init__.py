"""The job queue (Huey): which storage, and enqueue-after-commit by job name.

Owns: the Huey instance and the rule that jobs are enqueued only after the transaction commits,
carrying ids only. Must not: hold business rules; each domain's ``tasks.py`` defines its jobs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from huey.utils import normalize_time
from sqlalchemy import event
from sqlalchemy.orm import Session

from civicloop.config import Settings, get_settings


class LazyHuey(Huey):  # type: ignore[misc]  # Huey ships no type hints
    """A Huey whose storage is opened on first use (an enqueue, a consumer), not when it is configured.

    Importing a module that defines jobs (the CLI does, and ``civicloop squid-helper`` runs as Squid's
    unprivileged user) must not create ``jobs.db`` or connect to Redis.
    """

    _storage: Any = None

    @property
    def storage(self) -> Any:
        if self._storage is None:
            self._storage = self.create_storage()
        return self._storage

    @storage.setter
    def storage(self, value: Any) -> None:
        self._storage = value

    def get_storage(self, **kwargs: Any) -> Any:
        if self.storage_class is SqliteStorage:
            Path(kwargs["filename"]).parent.mkdir(parents=True, exist_ok=True)
        return super().get_storage(**kwargs)


huey: Huey = LazyHuey("civicloop", storage_class=MemoryStorage)


def configure(settings: Settings) -> Huey:
    """Point the queue at the storage the settings name (opened on first use); called at import and
    when settings change.

    Tasks are bound to this one instance when their modules are imported, so it is reconfigured
    in place rather than replaced.
    """
    huey.name = settings.queue_name
    if settings.redis_url:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": settings.redis_url}
    else:
        path = (settings.data_dir / "jobs.db").resolve()
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": str(path)}
    huey._immediate = settings.jobs_immediate  # the property setter would skip an unchanged value
    huey.storage = None
    return huey


configure(get_settings())

P = ParamSpec("P")
R = TypeVar("R")


def task(**options: Any) -> Callable[[Callable[P, R]], Any]:
    """``@jobs.task()``: a typed front for ``huey.task`` (Huey ships no type hints)."""

    def register(fn: Callable[P, R]) -> Any:
        return huey.task(**options)(fn)

    return register


def periodic(schedule: Any, **options: Any) -> Callable[[Callable[[], R]], Any]:
    """``@jobs.periodic(crontab(minute="*"))``: a job the consumer runs on a schedule."""

    def register(fn: Callable[[], R]) -> Any:
        return huey.periodic_task(schedule, **options)(fn)

    return register


_PENDING = "civicloop_pending_jobs"


def after_commit(session: Session, task: str, *args: Any, delay: float | None = None) -> None:
    """Enqueue the job named ``task`` (``"civicloop.<domain>.tasks.<function>"``) with ``args`` once
    ``session`` commits (``delay`` seconds later if given); dropped if it rolls back.

    Jobs are named, not imported, so a service never imports its own domain's ``tasks`` module (which
    imports the service back). The name is checked now, so a typo fails where it was written.
    """
    registered(task)
    session.info.setdefault(_PENDING, []).append((task, args, delay))


def registered(name: str) -> Any:
    """The job class Huey knows by ``name``; raises ``LookupError`` naming what is missing."""
    known: dict[str, Any] = huey._registry._registry
    if name not in known:
        # Processes import job modules lazily (the Squid helper must start fast): load them all on first need.
        load_all()
    if name not in known:
        raise LookupError(f"no job named {name!r}: is its tasks module listed in {_REGISTRY}?")
    return known[name]


# The app layer lists every tasks module; the kernel names it instead of importing it, so the queue
# stays below the domains whose jobs it runs.
_REGISTRY = "civicloop.app.jobs"


def load_all() -> None:
    """Import every module that defines jobs (a worker, or the first enqueue of a process)."""
    importlib.import_module(_REGISTRY)


def enqueue(name: str, *args: Any, delay: float | None = None) -> Any:
    """Enqueue the job named ``name`` now (outside a transaction: a CLI command, a periodic job),
    or ``delay`` seconds from now."""
    eta = None if delay is None else normalize_time(delay=max(delay, 0.0), utc=huey.utc)
    return huey.enqueue(registered(name)(args=args, eta=eta))


_MARKS = "civicloop_pending_marks"


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: Any) -> None:
    # Remember how many jobs were pending when a SAVEPOINT began, to drop only its own on its rollback.
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_PENDING, []))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a SAVEPOINT is released; the outer transaction still holds
    # its locks then (a job's own session would wait on them), so jobs wait for the real commit.
    if session.in_nested_transaction():
        return
    session.info.pop(_MARKS, None)
    for name, args, delay in session.info.pop(_PENDING, []):
        enqueue(name, *args, delay=delay)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.nested:
        mark = session.info.get(_MARKS, {}).pop(previous_transaction, None)
        if mark is not None:
            del session.info.get(_PENDING, [])[mark:]
        return
    session.info.pop(_PENDING, None)
    session.info.pop(_MARKS, None)
