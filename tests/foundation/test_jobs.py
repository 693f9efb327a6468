import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.jobs import after_commit, huey
from tests.conftest import run_civicloop, unavailable
from tests.factories import create_agency

calls: list[int] = []


@huey.task()
def remember(value: int) -> None:
    calls.append(value)


JOB = f"{__name__}.remember"


def test_a_job_is_enqueued_by_name_and_a_wrong_name_fails_where_it_is_written(db: Session) -> None:
    with pytest.raises(LookupError, match=r"no job named 'civicloop.nowhere.tasks.missing'"):
        after_commit(db, "civicloop.nowhere.tasks.missing", 1)
    after_commit(db, "civicloop.oversight.tasks.notify_alert", 1)  # a real job, loaded on first need
    db.rollback()


def test_jobs_are_enqueued_only_after_commit_and_dropped_on_rollback(db: Session) -> None:
    calls.clear()
    agency = create_agency(db)
    after_commit(db, JOB, agency.id)
    assert calls == []
    db.commit()
    assert calls == [agency.id]
    agencies.create_agency(db, actor=None, code="ROLLED", name="Rolled back")
    after_commit(db, JOB, 999)
    db.rollback()
    db.commit()
    assert calls == [agency.id]


REDIS_URL = os.environ.get("CIVICLOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_only_env() -> dict[str, str]:
    """The environment of a process that talks to Redis and to no database (``jobs ping``)."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return {
        **os.environ,
        "CIVICLOOP_REDIS_URL": REDIS_URL,
        "CIVICLOOP_JOBS_IMMEDIATE": "false",
        "CIVICLOOP_QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}",
    }


@pytest.fixture
def redis_env(db_url: str, redis_only_env: dict[str, str]) -> dict[str, str]:
    """The same for a worker, which checks the schema of this test's database (``db_url``, set up first, points
    the environment the copy is taken from at it) on each backend."""
    return redis_only_env


def _ping(env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """``civicloop jobs ping`` in this process: what is tested is the process that answers it."""
    return run_civicloop("jobs", "ping", "--timeout", str(timeout), env=dict(env))


def test_a_job_runs_through_redis_in_a_separate_worker_process(redis_env: dict[str, str]) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "civicloop", "worker", "--workers", "1"],
        env=redis_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = _ping(redis_env, 90)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"(pid {worker.pid})" in result.stdout
    finally:
        worker.kill()  # what is tested is done; a graceful stop would add most of a second
        worker.wait(timeout=20)


def test_ping_fails_clearly_when_no_worker_consumes(redis_only_env: dict[str, str]) -> None:
    started = time.monotonic()
    result = _ping(redis_only_env, 1)
    assert result.returncode == 1
    assert "no worker answered" in result.stderr
    assert time.monotonic() - started < 30


def test_serve_without_redis_consumes_jobs_in_process(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import free_port

    env = {**os.environ, "CIVICLOOP_JOBS_IMMEDIATE": "false", "CIVICLOOP_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "civicloop", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = _ping(env, 90)  # includes the server's start-up, slow on a loaded 2-core machine
    finally:
        server.kill()  # what is tested is done; a graceful stop would add more than a second
        output, _ = server.communicate(timeout=20)
    assert result.returncode == 0, result.stderr + output
    assert f"(pid {server.pid})" in result.stdout
