"""Engines and sessions. The boundary (request, job, CLI command) commits; nothing below it does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
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


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return build_engine(get_settings().resolved_database_url)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def reset_engine() -> None:
    """Drop the cached engine (after the database URL changed)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()


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
