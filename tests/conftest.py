"""Fixtures shared by every test.

Each database test runs twice, on SQLite and on PostgreSQL, against a fresh database cloned from a
template that real Alembic migrations built once per run. Jobs run immediately in-process, so a
test sees the effect of the job its request enqueued. Under CI=true a missing PostgreSQL or
Chromium fails the run instead of skipping.
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

_TMP = Path(tempfile.mkdtemp(prefix="civicloop-tests-"))
os.environ.update(
    CIVICLOOP_DATA_DIR=str(_TMP / "data"),
    CIVICLOOP_SECRET_KEY="test-secret-key-not-for-production",
    CIVICLOOP_JOBS_IMMEDIATE="true",
    # Argon2 at its cheapest: hundreds of sign-ins would otherwise cost minutes (production cost is tested).
    CIVICLOOP_INSECURE_TEST_PASSWORD_HASHING="true",
    CIVICLOOP_DATABASE_URL=f"sqlite:///{_TMP / 'unused.db'}",
    # Other features' tests sign in with the password alone; tests/foundation/test_totp.py requires the code.
    CIVICLOOP_TOTP_REQUIRED_ROLES="",
    # The fixtures' attachment links point at the real platforms' CDNs: no test may call them. The media
    # tests turn downloads on with the simulator's expiring links (tests/channels/test_media.py).
    CIVICLOOP_MEDIA_DOWNLOAD="false",
)
os.environ.pop("CIVICLOOP_REDIS_URL", None)

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Connection, Engine, MetaData, create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from civicloop import jobs, migrations  # noqa: E402
from civicloop.channels import registry as _platforms  # noqa: E402, F401 - the platforms, as every entry point registers them
from civicloop.config import get_settings, reset_settings  # noqa: E402
from civicloop.db.session import READ_MOSTLY_OPTION, get_engine, has_engine  # noqa: E402
from civicloop.guidelines import gate as _gate  # noqa: E402, F401 - registers the before-send review, as every entry point does

if TYPE_CHECKING:
    from civicloop.demo import DemoWorld

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_SERVER_URL = os.environ.get("CIVICLOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail under CI, where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: nothing may be skipped)", pytrace=False)
    pytest.skip(reason)


def use_database(url: str) -> None:
    os.environ["CIVICLOOP_DATABASE_URL"] = url
    # Signed checkpoints anchor one database's audit chain: a test's fresh database gets its own folder, or a
    # checkpoint another test wrote would make this chain look cut.
    os.environ["CIVICLOOP_AUDIT_CHECKPOINT_DIR"] = tempfile.mkdtemp(prefix="checkpoints-", dir=_TMP)
    _reconfigure()


def _reconfigure() -> None:
    """Settings, the database engine and the job queue read from the environment again.

    Each database URL keeps its engine (``civicloop.db.session`` keeps one per URL; a worker's tests reuse one SQLite
    path and one PostgreSQL database), with its connections closed: SQLAlchemy caches compiled statements per engine.
    Until session 8 the engine was rebuilt whenever the URL changed, which with a test's SQLite and PostgreSQL runs
    side by side meant every test: compiling SQL was 17 % of a profiled run.
    """
    reset_settings()
    release_connections(keep_postgres=True)
    jobs.configure(get_settings())


def release_connections(*, keep_postgres: bool = False) -> None:
    """Close every pooled connection to this test's database (the engine, and its compiled statements, stay).

    ``keep_postgres``: between tests a PostgreSQL pool stays open (the reset ends only connections that are busy),
    since each new connection is a new server process that loads the catalog entries of every table it touches
    again; a SQLite file is replaced under its connections, so those are always closed."""
    if has_engine() and not (keep_postgres and get_engine().dialect.name == "postgresql"):
        get_engine().dispose()


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    path = _TMP / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


def _pg_admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


SEED_COPY = "civicloop_test_seed"  # schema in the template keeping the rows the migrations inserted
DEMO_COPY = "civicloop_test_demo"  # schema in a worker's database keeping the demo's rows


class PostgresDatabase:
    """This worker's PostgreSQL database: cloned once from the migrated template, reset after each test.

    Resetting costs a few milliseconds where ``CREATE DATABASE … TEMPLATE`` and ``DROP DATABASE`` cost most
    of a second. Requests, jobs, live servers and subprocesses all connect and commit as they do in
    production; afterwards every other busy connection is ended (idle ones stay in their pools), every table
    holding rows emptied (children before parents), the rows the migrations inserted put back (a copy of them
    lives in the template's ``SEED_COPY`` schema) and every sequence set back to where the template left it, so
    the next test starts as on a fresh clone.
    Should that fail (a lock that outlives its connection, a foreign-key cycle a new migration adds), the
    database is cloned afresh and a warning says why.
    """

    def __init__(self, admin: Engine, template: str) -> None:
        self.admin, self.template = admin, template
        self.name = f"cl_{uuid.uuid4().hex[:12]}"
        self.url = self.url_of(self.name)
        engine = create_engine(self.url_of(template), poolclass=NullPool)
        try:
            self._prepare(engine)
        finally:
            engine.dispose()
        # The reset runs on one connection kept open from test to test: a new server process would first load the
        # catalog entries of every table it touches, which cost more than the reset itself (tens of milliseconds).
        self._engine = create_engine(self.url, poolclass=NullPool)
        self._resetter: Connection | None = None
        self._demo_fill_sql: str | None = None
        self._clone()

    @staticmethod
    def url_of(name: str) -> str:
        return make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)

    def _clone(self, template: str | None = None) -> None:
        self._close_resetter()
        self._demo_fill_sql = None  # a clone of the template has no copy of the demo's rows
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{template or self.template}"'))
            # A test's commits need not wait for the disk: a test database is never recovered after a crash of the
            # server, and nothing else changes (each commit is still atomic and visible at once to every connection).
            connection.execute(text(f'ALTER DATABASE "{self.name}" SET synchronous_commit = off'))

    def fill_with_demo(self, demo: str) -> None:
        """Make this test's database hold the demo (seeded into the database ``demo``); reset afterwards like any other.

        The first time, the database is cloned from ``demo`` and its rows are copied aside into the ``DEMO_COPY``
        schema; after that they are put back from there, as a reset puts back the migrations' rows: a tenth of the
        time of ``CREATE DATABASE … TEMPLATE`` (1.5–2.5 s on a busy machine)."""
        if self._demo_fill_sql is None:
            self._clone(demo)
            with self._engine.begin() as connection:
                self._demo_fill_sql = self._copy_aside(connection, DEMO_COPY)
            return
        self._run_alone(self._demo_fill_sql)

    def _prepare(self, template: Engine) -> None:
        """Copy the migrations' rows aside in ``template``; note what resetting a clone of it takes."""
        metadata = MetaData()
        metadata.reflect(template)
        self._parents_first = [table.name for table in metadata.sorted_tables if table.name != "alembic_version"]
        with template.begin() as connection:
            self._refill_sql = self._copy_aside(connection, SEED_COPY)
        self._children_first = list(reversed(self._parents_first))
        # One query names the tables holding rows: a test writes to a handful of the ~100, and emptying only
        # those is several times faster than a DELETE on each.
        self._holding_rows = " UNION ALL ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")"  # noqa: S608 - reflected names
            for name in self._parents_first
        )

    def _copy_aside(self, connection: Connection, schema: str) -> str:
        """Copy every table's rows into ``schema``; return the SQL that puts them back into emptied tables and sets
        every sequence to where it stands now."""
        holding = [
            name
            for name in self._parents_first
            if connection.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first()  # noqa: S608 - reflected names
        ]
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        for name in holding:
            connection.exec_driver_sql(f'CREATE TABLE "{schema}"."{name}" AS TABLE "{name}"')
        sequences = connection.exec_driver_sql(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value"
            " FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname = 'public'"
        ).all()
        stored = connection.exec_driver_sql(  # generated columns (a search vector) are computed again, not copied
            "SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)"
            " FROM information_schema.columns WHERE table_schema = 'public' AND is_generated = 'NEVER'"
            " GROUP BY table_name"
        )
        columns = {name: listed for name, listed in stored}
        inserts = [
            f'INSERT INTO "{name}" ({columns[name]}) OVERRIDING SYSTEM VALUE'  # noqa: S608 - reflected names
            f' SELECT {columns[name]} FROM "{schema}"."{name}"'
            for name in holding
        ]
        restarts = [
            "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass,"
            " start_value, false) FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname = 'public'",
            *(f"SELECT setval('{sequence}', {int(value)}, true)" for sequence, value in sequences),
        ]
        return ";".join([*inserts, *restarts])

    def _reset_sql(self, connection: Connection, refill: str) -> str:
        """Empty the tables holding rows (children first), then ``refill``."""
        holding = {name for (name,) in connection.exec_driver_sql(self._holding_rows)}
        deletes = [f'DELETE FROM "{name}"' for name in self._children_first if name in holding]  # noqa: S608
        return ";".join(["SET LOCAL lock_timeout = '10s'", *deletes, refill])

    def reset(self) -> None:
        """Back to a fresh clone of the template: the migrations' rows, sequences restarted."""
        self._run_alone(self._refill_sql)

    def _run_alone(self, refill: str) -> None:
        """End every other connection that is not idle (a transaction left open, a statement still running: they may
        hold locks), empty the tables and run ``refill``; clone afresh if that fails. Idle connections hold no lock
        and stay in their pools (the product's pool pings a connection before lending it)."""
        try:
            resetter = self._open_resetter()
            resetter.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            resetter.commit()
            with resetter.begin():
                resetter.exec_driver_sql(self._reset_sql(resetter, refill))
        except DBAPIError as exc:
            warnings.warn(f"resetting {self.name} failed, cloning it afresh: {exc}", stacklevel=1)
            self._clone()
            if refill != self._refill_sql:
                raise

    def _open_resetter(self) -> Connection:
        if self._resetter is None:
            self._resetter = self._engine.connect()
        return self._resetter

    def _close_resetter(self) -> None:
        if self._resetter is not None:
            self._resetter.close()
            self._resetter = None

    def drop(self) -> None:
        self._close_resetter()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    """A migrated PostgreSQL database for this worker, shared by its tests one after another."""
    try:
        admin = _pg_admin_engine()
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # any connection failure means "no PostgreSQL here"
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_SERVER_URL}: {exc.__class__.__name__}")
    template = f"cl_tmpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{template}"'))
    migrations.upgrade(PostgresDatabase.url_of(template))
    database = PostgresDatabase(admin, template)
    yield database
    database.drop()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty database for this test, on each backend in turn.

    SQLite: a copy of the migrated template file. PostgreSQL: this worker's database, emptied after the
    test (see ``PostgresDatabase``).
    """
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        _copy_sqlite(template, SQLITE_PATH)
        url = f"sqlite:///{SQLITE_PATH}"
        use_database(url)
        yield url
        release_connections()
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    use_database(database.url)
    yield database.url
    database.reset()


SQLITE_PATH = _TMP / "db" / "civicloop.db"  # this worker's SQLite database, a fresh copy for each test


def _copy_sqlite(source: Path, target: Path) -> None:
    """``target`` becomes an exact copy of the database file ``source`` (its old journal files removed). The copy
    replaces the file rather than writing into it, so a connection a test left open keeps the old one."""
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.copy(source, partial)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    partial.replace(target)


@dataclass(frozen=True)
class DemoTemplate:
    source: str  # the SQLite file or the PostgreSQL database the demo was seeded into
    world: DemoWorld


# One run's id, set by the first process (xdist's controller, or the only process) and inherited by the
# workers it starts: the demo is seeded once per run and backend into names derived from it.
_RUN_VARIABLE = "CIVICLOOP_TEST_RUN"
OWNS_RUN = _RUN_VARIABLE not in os.environ
RUN_ID = os.environ.setdefault(_RUN_VARIABLE, uuid.uuid4().hex[:12])
SHARED = Path(tempfile.gettempdir()) / f"civicloop-tests-{RUN_ID}"  # files every worker of this run shares
PG_DEMO = f"cl_demo_{RUN_ID}"


@contextmanager
def _run_lock(name: str) -> Iterator[None]:
    """Held by one process of this run at a time (the workers build shared things under it)."""
    SHARED.mkdir(exist_ok=True)
    with (SHARED / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _seed_demo(url: str) -> None:
    """``civicloop.demo.seed`` into the database at ``url``, where its jobs run too."""
    from civicloop.demo import seed

    previous = os.environ["CIVICLOOP_DATABASE_URL"]
    use_database(url)
    try:
        with Session(get_engine(), expire_on_commit=False) as session:
            seed(session)
            session.commit()
    finally:
        release_connections()  # the template is copied next, which PostgreSQL refuses while anyone is connected
        use_database(previous)


def _demo_world(url: str) -> DemoWorld:
    """The ``DemoWorld`` the seed returned, read back from a database holding the demo (its agencies, officials
    and accounts, detached), so that a worker that did not seed it gets the same world."""
    from civicloop.agencies.models import Agency, OfficialAccount
    from civicloop.auth.models import Official
    from civicloop.demo import DemoWorld
    from civicloop.demo.foundation import PEOPLE, demo_email

    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine, expire_on_commit=False) as session:
            world = DemoWorld()
            for agency in session.scalars(select(Agency).order_by(Agency.id)):
                world.agencies[agency.code] = agency
            emails = {demo_email(role, code) for code, people in PEOPLE.items() for role, _name in people}
            for official in session.scalars(select(Official).where(Official.email.in_(emails)).order_by(Official.id)):
                world.officials[official.email] = official
            codes = {agency.id: code for code, agency in world.agencies.items()}
            for account in session.scalars(select(OfficialAccount).order_by(OfficialAccount.id)):
                world.accounts[(codes[account.agency_id], account.platform)] = account
            session.expunge_all()
    finally:
        engine.dispose()
    return world


@pytest.fixture(scope="session")
def sqlite_demo(sqlite_template: Path) -> DemoTemplate:
    """The demo seeded once per run (by the first worker that needs it) into a shared SQLite file."""
    path = SHARED / "demo.db"
    with _run_lock("sqlite-demo"):
        if not path.exists():
            partial = SHARED / "demo.db.partial"
            shutil.copy(sqlite_template, partial)
            _seed_demo(f"sqlite:///{partial}")
            partial.rename(path)
        return DemoTemplate(str(path), _demo_world(f"sqlite:///{path}"))


def _copy_rows(source_url: str, target_url: str) -> None:
    """Every row of the database at ``source_url`` (migrated, SQLite) into the migrated one at ``target_url``
    (PostgreSQL), in place of the target's own rows, and each sequence set past the ids copied.

    Rows are read and written through the product's tables and column types, so values arrive as the product wrote
    them (times, JSON, encrypted credentials); generated columns (PostgreSQL's search vectors) are computed again.
    Foreign keys are not checked while the tables fill (``session_replication_role``): the source is consistent."""
    from civicloop.db.base import Base

    source = create_engine(source_url, poolclass=NullPool)
    target = create_engine(target_url, poolclass=NullPool)
    try:
        with source.connect() as reading, target.begin() as writing:
            writing.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in reversed(Base.metadata.sorted_tables):
                writing.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                rows = [dict(row) for row in reading.execute(select(table)).mappings()]
                if rows:
                    writing.execute(table.insert(), rows)
            serials = writing.exec_driver_sql(
                "SELECT quote_ident(table_name), quote_ident(column_name), sequence FROM information_schema.columns,"
                " pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence"
                " WHERE table_schema = 'public' AND sequence IS NOT NULL"
            ).all()
            for table_name, column, sequence in serials:
                writing.exec_driver_sql(
                    f"SELECT setval('{sequence}', coalesce(max({column}), 1), max({column}) IS NOT NULL)"  # noqa: S608
                    f" FROM {table_name}"
                )
    finally:
        source.dispose()
        target.dispose()


@pytest.fixture(scope="session")
def postgres_demo(postgres_database: PostgresDatabase, sqlite_demo: DemoTemplate) -> DemoTemplate:
    """The demo copied once per run into a PostgreSQL database every worker clones (dropped at the end of the run).

    Its rows are the SQLite demo's (``_copy_rows``): seeding it again through the product would take a worker 15 s
    for the same rows, and the seed's steps all have PostgreSQL tests of their own. The world is read from this
    worker's own copy: nothing but ``CREATE DATABASE … TEMPLATE`` touches the shared one, which refuses to be copied
    while anyone is connected to it."""
    with _run_lock("postgres-demo"):
        with postgres_database.admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DEMO}).first()
        if not exists:
            partial = f"{PG_DEMO}_partial"
            with postgres_database.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{partial}" TEMPLATE "{postgres_database.template}"'))
            _copy_rows(f"sqlite:///{sqlite_demo.source}", postgres_database.url_of(partial))
            with postgres_database.admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{partial}" RENAME TO "{PG_DEMO}"'))
    postgres_database.fill_with_demo(PG_DEMO)
    world = _demo_world(postgres_database.url)
    postgres_database.reset()
    return DemoTemplate(PG_DEMO, world)


def _drop_shared_demo() -> None:
    try:
        admin = _pg_admin_engine()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DEMO}" WITH (FORCE)'))
        admin.dispose()
    except Exception:  # noqa: S110 - no PostgreSQL here: nothing was made on it
        pass


@pytest.fixture
def demo(request: pytest.FixtureRequest, db_url: str) -> DemoWorld:
    """This test's database filled with the demo (``civicloop.demo.seed``), seeded once per run and backend
    (the first worker to need it seeds it, the others wait for it) and copied for each test that asks."""
    release_connections()
    if make_url(db_url).get_backend_name() == "sqlite":
        template: DemoTemplate = request.getfixturevalue("sqlite_demo")
        _copy_sqlite(Path(template.source), SQLITE_PATH)
    else:
        template = request.getfixturevalue("postgres_demo")
        database: PostgresDatabase = request.getfixturevalue("postgres_database")
        database.fill_with_demo(template.source)
    return template.world


@pytest.fixture
def db(db_url: str) -> Iterator[Session]:
    """A session on this test's fresh database. Commit to make data visible to requests and jobs.

    It begins its transactions as a reader so that a test holding it open never blocks the app.
    """
    engine = get_engine().execution_options(**{READ_MOSTLY_OPTION: True})
    session = Session(bind=engine, expire_on_commit=False)
    yield session
    session.rollback()
    session.close()


# Settings a test changes that ``create_app`` does not read: they belong to requests and jobs, not to the app.
_PER_REQUEST_SETTINGS = {
    "database_url",
    "audit_checkpoint_dir",
    "api_urls",
    "oauth_urls",
    "platform_apps",
    "poll_budgets",
    "smtp_url",
    "mail_sink_dir",
    "media_download",
}
_APPS: dict[str, FastAPI] = {}


def shared_app() -> FastAPI:
    """``create_app()`` for the current settings, built once per worker and reused by every test with those settings.

    FastAPI builds each route's validation models on the first request that reaches it, per app (about 0.2 s for the
    first page of a fresh app, more for the pages behind many routes): a new app per test paid that in every test.
    The app keeps no state of its own between requests (sessions are cookies, data is in the database), so sharing it
    changes nothing a test can see. Any setting outside ``_PER_REQUEST_SETTINGS`` gets its own app, so a test that
    changes what the app is built from (the secret key, https, the session length) still gets one built from it.
    """
    from civicloop.main import create_app

    key = get_settings().model_dump_json(exclude=_PER_REQUEST_SETTINGS)
    if key not in _APPS:
        _APPS[key] = create_app()
    return _APPS[key]


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    with TestClient(shared_app()) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _CurrentApp:
    """An ASGI app that hands each request to ``shared_app()`` for the settings of the test now running, and counts
    the requests in progress: one server per worker then serves every test, each on its own database. ``paths``
    keeps what the running test's requests asked for (what a browser fetched rather than took from its cache)."""

    def __init__(self) -> None:
        self.in_progress = 0
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        self.paths.append(scope.get("path", ""))
        self.in_progress += 1
        try:
            await shared_app()(scope, receive, send)
        finally:
            self.in_progress -= 1

    def wait_until_idle(self, timeout: float = 10) -> None:
        """No request of the test that ends may reach the next test's database."""
        deadline = time.monotonic() + timeout
        while self.in_progress:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the live server still handles {self.in_progress} request(s) after the test")
            time.sleep(0.01)


@pytest.fixture(scope="session")
def _live_server_of_this_worker() -> Iterator[tuple[str, _CurrentApp]]:
    """Uvicorn on a free port, in a thread, for the whole run: starting and stopping it cost each browser test
    0.1–0.3 s (its shutdown waits for a 0.1 s tick)."""
    import uvicorn

    app = _CurrentApp()
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_server(db: Session, _live_server_of_this_worker: tuple[str, _CurrentApp]) -> Iterator[str]:
    """The real app served by uvicorn, on this test's database (requests read the database from the settings)."""
    url, app = _live_server_of_this_worker
    app.paths.clear()
    yield url
    app.wait_until_idle()


@pytest.fixture
def live_server_paths(live_server: str, _live_server_of_this_worker: tuple[str, _CurrentApp]) -> list[str]:
    """The paths the live server has been asked for during this test, in order."""
    return _live_server_of_this_worker[1].paths


# Debian's Chromium headless shell (package chromium-headless-shell, what Playwright itself runs for headless
# tests): the same Blink and V8 as the full browser without its user-interface layer. Driving the full Chromium
# in headless mode cost a third more CPU for the same browser tests (tests/README.md, session 10).
CHROMIUM = os.environ.get("CIVICLOOP_CHROMIUM", "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium-headless-shell)")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: a page that is still loading after a click is not a failure.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    refused = _policy_violations(tab)
    yield tab
    context.close()
    assert not refused, f"the Content-Security-Policy blocked something on a page: {refused}"


@pytest.fixture
def phone_page(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    refused = _policy_violations(tab)
    yield tab
    context.close()
    assert not refused, f"the Content-Security-Policy blocked something on a page: {refused}"


def _policy_violations(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """Every browser test also checks that the pages it visits work under the CSP: Chromium reports each
    blocked inline script, handler or style on the console."""
    refused: list[str] = []
    tab.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    return refused


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (a browser, or marked slow) first: xdist hands tests out in this order (``make test``), so the
    workers start on them together and finish on short ones, instead of one worker ending alone on a long one."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("browser") or item.get_closest_marker("slow") else 1)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep the garbage collector off what lives for the whole run, and let it run less often.

    Everything imported by now (CivicLoop, its libraries, the test modules) stays until the process ends:
    ``gc.freeze`` puts it out of the collector's reach, which otherwise walks all of it in each full collection.
    Tests make many short-lived objects, so the youngest generation is collected after 10,000 allocations rather
    than 700. Collecting was 9 % of a test process's time (``tests/inbox``, ``tests/sla`` and
    ``tests/oversight`` in one process); tests/README.md has the measurements."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)


def run_civicloop(
    *args: str, env: dict[str, str | None] | None = None, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``civicloop ARGS`` run in this process, through the console entry point (``civicloop.cli.main``), as a
    ``subprocess.run`` of ``python -m civicloop`` would run it: its exit code, stdout and stderr.

    A new process imports CivicLoop again (2–3 s); tests use this wherever the process boundary is not what they
    test (``serve``, the job workers, Squid's helper, a killed process keep real ones). ``env`` sets (or, with
    None, removes) environment variables for the command only; every change to the environment the command makes
    itself (``civicloop demo`` points the settings at its folder) is undone afterwards, as is ``cwd``.
    """
    from civicloop.cli import main

    saved = dict(os.environ), sys.argv, sys.stdin, Path.cwd()
    for name, value in (env or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    try:
        _reconfigure()
        sys.argv, sys.stdin = ["civicloop", *args], io.StringIO(stdin)
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
    finally:
        environment, sys.argv, sys.stdin, folder = saved
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(environment)
        _reconfigure()
    if isinstance(code, str):  # sys.exit("message"), as Python prints it
        err.write(code + "\n")
        code = 1
    return subprocess.CompletedProcess(["civicloop", *args], int(code or 0), out.getvalue(), err.getvalue())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)
    if OWNS_RUN:  # the controller, after every worker has finished (or the only process)
        if SHARED.exists():
            _drop_shared_demo()
        shutil.rmtree(SHARED, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """An xdist worker whose results are sent (``workerfinished``, at the end of its session) runs the exit handlers
    and exits without tearing its interpreter down: freeing, object by object, everything a whole run built up (the
    app, its caches, the browser client, every test module) took each worker seconds, and ``make test`` waited for
    the slower (7 s from the workers' last report to the end of a profiled run; tests/README.md, session 14)."""
    if not hasattr(config, "workerinput"):
        return
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
