"""The test suite's fixed costs per test, before and after issue 22, side by side on this machine.

PostgreSQL isolation: a database cloned per test (``CREATE DATABASE … TEMPLATE`` then ``DROP DATABASE … WITH
(FORCE)``, the old ``db_url``) beside one database per worker reset after each test (``PostgresDatabase.reset``
in tests/conftest.py), each after a test-sized write (an agency, an official, an account, through the services).
Passwords: one Argon2id hash and one verify at production cost beside the test suite's cheapest parameters.
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
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from tests.factories import create_account, create_agency, create_official

from civicloop import migrations
from civicloop.agencies.models import Platform


def write_like_a_test(url: str) -> None:
    fixtures.use_database(url)
    with Session(fixtures.get_engine()) as session:
        agency = create_agency(session)
        create_official(session, f"officer@{agency.code}")
        create_account(session, agency, Platform("facebook"))
    fixtures.reset_engine()


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
    try:
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
    finally:
        fixtures.reset_engine()
        reused.drop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    production = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    cheapest = PasswordHasher.from_parameters(profiles.CHEAPEST)
    hash_times: dict[str, list[float]] = {"production": [], "tests": []}
    for _ in range(rounds):
        for label, hasher in (("production", production), ("tests", cheapest)):
            hash_times[label].append(
                timed(lambda hasher=hasher: hasher.verify(hasher.hash("a long passphrase"), "a long passphrase"))
            )  # type: ignore[misc]
    clone, reset = statistics.median(clone_times), statistics.median(reset_times)
    slow, fast = statistics.median(hash_times["production"]), statistics.median(hash_times["tests"])
    print(f"PostgreSQL per test: clone + drop {clone * 1000:.0f} ms, reset {reset * 1000:.1f} ms: {clone / reset:.0f}x")
    print(f"Argon2id hash + verify: production {slow * 1000:.0f} ms, tests {fast * 1000:.2f} ms: {slow / fast:.0f}x")


if __name__ == "__main__":
    main()
