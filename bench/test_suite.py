"""The test suite's fixed costs per test, before and after issue 22, side by side on this machine.

PostgreSQL isolation: a database cloned per test (``CREATE DATABASE … TEMPLATE`` then ``DROP DATABASE … WITH
(FORCE)``, the old ``db_url``) beside one database per worker reset after each test (``PostgresDatabase.reset``
in tests/conftest.py), each after a test-sized write (an agency, an official, an account, through the services).
Passwords: one Argon2id hash and one verify at production cost beside the test suite's cheapest parameters.
The app: a test's first requests (the sign-in page, a sign-in, the inbox) on a new ``create_app()`` and a new
engine (the old ``client`` fixture) beside the worker's app and engine kept from the test before (``shared_app``).
The demo on PostgreSQL: a clone of the seeded demo database per test (the old ``demo`` fixture) beside its rows put
back from the copy the worker keeps (``PostgresDatabase.fill_with_demo``).
A PostgreSQL test (the reset, a test-sized write, the first requests) with the app's pooled connections closed after
the test before (until session 11) beside the pool's idle connections kept (each new one is a new server process).
Rounds alternate between the two sides so that a busy machine slows both alike; medians are printed.

    .venv/bin/python bench/test_suite.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tests.conftest as fixtures  # sets the test environment, as pytest would
from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from tests.factories import create_account, create_agency, create_official, login

from civicloop import migrations
from civicloop.agencies.models import Platform
from civicloop.db.session import reset_engine
from civicloop.main import create_app


def write_like_a_test(url: str) -> None:
    fixtures.use_database(url)
    with Session(fixtures.get_engine()) as session:
        agency = create_agency(session)
        create_official(session, f"officer@{agency.code}")
        create_account(session, agency, Platform("facebook"))
    reset_engine()


def first_requests(app_for_test: Callable[[], object], official: object) -> None:
    """What a test's ``client`` does first: open the app, sign in, read a page."""
    with TestClient(app_for_test()) as client:  # type: ignore[arg-type]
        login(client, official)  # type: ignore[arg-type]
        assert client.get("/inbox").status_code == 200


def app_times(rounds: int, folder: Path) -> tuple[list[float], list[float]]:
    """Seconds of a test's first requests on a new app and engine, and on the worker's app and engine."""
    url = f"sqlite:///{folder / 'app.db'}"
    migrations.upgrade(url)
    fixtures.use_database(url)
    with Session(fixtures.get_engine(), expire_on_commit=False) as session:
        official = create_official(session, f"officer@{create_agency(session).code}")
    first_requests(fixtures.shared_app, official)  # the worker's app has served a test before
    fresh, shared = [], []
    for _ in range(rounds):
        reset_engine()
        fresh.append(timed(lambda: first_requests(create_app, official)))
        fixtures.release_connections()
        shared.append(timed(lambda: first_requests(fixtures.shared_app, official)))
    return fresh, shared


def a_postgres_test(database: fixtures.PostgresDatabase, *, close_pool: bool) -> None:
    """The reset after the test before, a test-sized write and a test's first requests, on the worker's database."""
    if close_pool:
        fixtures.release_connections()
    database.reset()
    with Session(fixtures.get_engine(), expire_on_commit=False) as session:
        official = create_official(session, f"officer@{create_agency(session).code}")
    first_requests(fixtures.shared_app, official)


def pool_times(database: fixtures.PostgresDatabase, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of ``a_postgres_test`` with the pool closed before it and with the pool kept, alternately."""
    fixtures.use_database(database.url)
    a_postgres_test(database, close_pool=False)  # the worker's app has served a PostgreSQL test before
    closed, kept = [], []
    for _ in range(rounds):
        closed.append(timed(lambda: a_postgres_test(database, close_pool=True)))
        kept.append(timed(lambda: a_postgres_test(database, close_pool=False)))
    return closed, kept


def demo_times(
    admin: Engine,
    template: str,
    database: fixtures.PostgresDatabase,
    rounds: int,
    clone_times: list[float],
    fill_times: list[float],
) -> str:
    """Seconds to give a test the demo: a clone of the demo database (``CREATE DATABASE … TEMPLATE`` and ``DROP``,
    the old ``demo`` fixture) beside ``fill_with_demo`` putting the demo's rows back into the worker's database."""
    demo = f"cl_demo_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{demo}" TEMPLATE "{template}"'))
    fixtures._seed_demo(fixtures.PostgresDatabase.url_of(demo))
    database.fill_with_demo(demo)  # the worker's first demo test clones it and copies its rows aside
    for _ in range(rounds):
        name = f"cl_{uuid.uuid4().hex[:12]}"

        def clone(name: str = name) -> None:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{demo}"'))

        clone_times.append(timed(clone) + timed(lambda name=name: drop(admin, name)))  # type: ignore[misc]
        database.reset()
        fill_times.append(timed(lambda: database.fill_with_demo(demo)))
        database.reset()
    return demo


def drop(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    admin = fixtures._pg_admin_engine()
    template = f"cl_tmpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{template}"'))
    migrations.upgrade(fixtures.PostgresDatabase.url_of(template))
    reused = fixtures.PostgresDatabase(admin, template)
    clone_times, reset_times = [], []
    demo_clone_times, demo_fill_times = [], []
    try:
        demo = demo_times(admin, template, reused, rounds, demo_clone_times, demo_fill_times)
        for _ in range(rounds):
            name = f"cl_{uuid.uuid4().hex[:12]}"
            started = time.perf_counter()
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            clone_time = time.perf_counter() - started
            write_like_a_test(fixtures.PostgresDatabase.url_of(name))
            clone_times.append(clone_time + timed(lambda name=name: drop(admin, name)))  # type: ignore[misc]
            write_like_a_test(reused.url)
            reset_times.append(timed(reused.reset))
        pool_closed, pool_kept = pool_times(reused, rounds)
    finally:
        reset_engine()
        reused.drop()
        with admin.connect() as connection:
            for name in (template, demo):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    production = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    cheapest = PasswordHasher.from_parameters(profiles.CHEAPEST)
    hash_times: dict[str, list[float]] = {"production": [], "tests": []}
    for _ in range(rounds):
        for label, hasher in (("production", production), ("tests", cheapest)):
            hash_times[label].append(
                timed(lambda hasher=hasher: hasher.verify(hasher.hash("a long passphrase"), "a long passphrase"))
            )  # type: ignore[misc]
    fresh, shared = app_times(rounds, Path(fixtures._TMP))
    clone, reset = statistics.median(clone_times), statistics.median(reset_times)
    slow, fast = statistics.median(hash_times["production"]), statistics.median(hash_times["tests"])
    print(f"PostgreSQL per test: clone + drop {clone * 1000:.0f} ms, reset {reset * 1000:.1f} ms: {clone / reset:.0f}x")
    print(f"Argon2id hash + verify: production {slow * 1000:.0f} ms, tests {fast * 1000:.2f} ms: {slow / fast:.0f}x")
    cloned, filled = statistics.median(demo_clone_times), statistics.median(demo_fill_times)
    print(
        f"A PostgreSQL demo test's database: clone of the demo {cloned * 1000:.0f} ms, "
        f"its rows put back {filled * 1000:.0f} ms: {cloned / filled:.1f}x"
    )
    closed, pooled = statistics.median(pool_closed), statistics.median(pool_kept)
    print(
        f"A PostgreSQL test (reset, write, first requests): pool closed before it {closed * 1000:.0f} ms, "
        f"pool kept {pooled * 1000:.0f} ms: {closed / pooled:.2f}x"
    )
    new, kept = statistics.median(fresh), statistics.median(shared)
    print(
        f"A test's first requests: new app and engine {new * 1000:.0f} ms, "
        f"the worker's {kept * 1000:.0f} ms: {new / kept:.1f}x"
    )


if __name__ == "__main__":
    main()
