"""Engines and sessions. The boundary (request, job, CLI command) commits; nothing below it does."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from civicloop.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option for sessions that mostly read (GET requests): on SQLite they begin DEFERRED so
# that readers never queue behind writers; every other session begins IMMEDIATE (see below).
READ_MOSTLY_OPTION = "civicloop_read_mostly"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions so that we can BEGIN IMMEDIATE: a deferred
        # transaction that reads and then writes fails at once with SQLITE_BUSY when
        # another writer got there first; IMMEDIATE waits for the lock instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        deferred = connection.get_execution_options().get(READ_MOSTLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def build_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if "poolclass" not in kwargs:
        kwargs.update(pool_size=10, max_overflow=20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


# Engines by database URL: one per process and URL, so that a process moving between databases (the test suite, on
# SQLite and PostgreSQL in turn) keeps each engine's cache of compiled SQL. A few at most: the oldest is closed.
_ENGINES: OrderedDict[str, tuple[Engine, sessionmaker[Session]]] = OrderedDict()
_KEPT_ENGINES = 4
_engines_lock = threading.Lock()


def _current() -> tuple[Engine, sessionmaker[Session]]:
    url = get_settings().resolved_database_url
    with _engines_lock:
        if url not in _ENGINES:
            engine = build_engine(url)
            _ENGINES[url] = (engine, sessionmaker(bind=engine, expire_on_commit=False))
            while len(_ENGINES) > _KEPT_ENGINES:
                _ENGINES.popitem(last=False)[1][0].dispose()
        return _ENGINES[url]


def get_engine() -> Engine:
    """The engine of the configured database."""
    return _current()[0]


def get_sessionmaker() -> sessionmaker[Session]:
    return _current()[1]


def has_engine() -> bool:
    """Whether the configured database's engine was built in this process (and may hold open connections)."""
    return get_settings().resolved_database_url in _ENGINES


def reset_engine() -> None:
    """Close and forget every engine."""
    with _engines_lock:
        for engine, _maker in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def read_mostly(session: Session) -> Session:
    """Begin ``session``'s transaction as a reader (DEFERRED on SQLite; no effect on PostgreSQL)."""
    session.connection(execution_options={READ_MOSTLY_OPTION: True})
    return session


@contextmanager
def session_scope(*, reader: bool = False) -> Iterator[Session]:
    """A unit of work for a request, a job or a CLI command: commit on success, roll back on any error.
    ``reader`` begins it as a reader (``read_mostly``), as GET requests do."""
    session = get_sessionmaker()()
    if reader:
        read_mostly(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
