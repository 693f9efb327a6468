"""Fixtures shared by every test.

Each database test runs twice, on SQLite and on PostgreSQL, against a fresh database cloned from a
template that real Alembic migrations built once per run. Jobs run immediately in-process, so a
test sees the effect of the job its request enqueued. Under CI=true a missing PostgreSQL or
Chromium fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="civicloop-tests-"))
os.environ.update(
    CIVICLOOP_DATA_DIR=str(_TMP / "data"),
    CIVICLOOP_SECRET_KEY="test-secret-key-not-for-production",
    CIVICLOOP_JOBS_IMMEDIATE="true",
    CIVICLOOP_DATABASE_URL=f"sqlite:///{_TMP / 'unused.db'}",
    # Other features' tests sign in with the password alone; tests/foundation/test_totp.py requires the code.
    CIVICLOOP_TOTP_REQUIRED_ROLES="",
)
os.environ.pop("CIVICLOOP_REDIS_URL", None)

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from civicloop import jobs, migrations  # noqa: E402
from civicloop.channels import registry as _platforms  # noqa: E402, F401 - the platforms, as every entry point registers them
from civicloop.config import get_settings, reset_settings  # noqa: E402
from civicloop.db.session import READ_MOSTLY_OPTION, get_engine, reset_engine  # noqa: E402
from civicloop.guidelines import gate as _gate  # noqa: E402, F401 - registers the before-send review, as every entry point does

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
    reset_settings()
    reset_engine()
    jobs.configure(get_settings())


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    path = _TMP / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


def _pg_admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    try:
        admin = _pg_admin_engine()
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # any connection failure means "no PostgreSQL here"
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_SERVER_URL}: {exc.__class__.__name__}")
    name = f"cl_tmpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated, empty database for this test, on each backend in turn."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        folder = Path(tempfile.mkdtemp(dir=_TMP))
        shutil.copy(template, folder / "civicloop.db")
        url = f"sqlite:///{folder / 'civicloop.db'}"
        use_database(url)
        yield url
        reset_engine()
        shutil.rmtree(folder, ignore_errors=True)
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"cl_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    url = make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    use_database(url)
    yield url
    reset_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    from civicloop.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server(db: Session) -> Iterator[str]:
    """The real app served by uvicorn on a free port, on this test's database."""
    import uvicorn

    from civicloop.main import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM = os.environ.get("CIVICLOOP_CHROMIUM", "/usr/bin/chromium")
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
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
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
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)
