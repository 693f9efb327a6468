"""A real ``civicloop worker`` is killed (SIGKILL) while events stream in: after a restart every
acknowledged event is stored exactly once and processed into exactly one message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.channels.models import Message, RawEvent
from civicloop.config import get_settings, reset_settings
from tests.channels.conftest import World, fixture_bytes, post_facebook

EVENTS = 120
KILL_AFTER = 40
LOSE_QUEUE_AT = 80


@pytest.fixture
def queued_jobs(db: Session, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Jobs go through the SQLite queue file (not run in-process) for this test and its worker processes."""
    changed = {"CIVICLOOP_JOBS_IMMEDIATE": "false", "CIVICLOOP_QUEUE_NAME": f"crash-{uuid.uuid4().hex[:8]}"}
    saved = {key: os.environ.get(key) for key in changed}
    os.environ.update(changed)
    reset_settings()
    jobs.configure(get_settings())
    yield dict(os.environ)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_settings()
    jobs.configure(get_settings())


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "civicloop", "worker", "--workers", "2"], env=env, stdout=out, stderr=out
        )


def _comment(n: int) -> bytes:
    document = json.loads(fixture_bytes("facebook/comment__added.json"))
    value = document["entry"][0]["changes"][0]["value"]
    value["comment_id"] = f"918273645512_{7000000 + n}"
    value["message"] = f"Report {n}: the streetlight on Norzin Lam is still out."
    return json.dumps(document).encode()


def _settled(db: Session) -> tuple[int, int, int]:
    db.rollback()
    stored = db.scalar(select(func.count()).select_from(RawEvent)) or 0
    pending = db.scalar(select(func.count()).select_from(RawEvent).where(RawEvent.handled_at.is_(None))) or 0
    made = db.scalar(select(func.count()).select_from(Message)) or 0
    return stored, pending, made


@pytest.mark.slow
def test_a_killed_worker_loses_no_acknowledged_event(
    client: TestClient, db: Session, world: World, queued_jobs: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    worker = _start_worker(queued_jobs, log)
    acknowledged: list[int] = []
    try:
        for n in range(EVENTS):
            if n == KILL_AFTER:
                deadline = time.monotonic() + 60
                while _settled(db)[2] == 0 and time.monotonic() < deadline:
                    time.sleep(0.1)  # the worker is up and busy with what is queued
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=20)
            if n == LOSE_QUEUE_AT:
                # The queue loses what it held (its storage was wiped, or its entries went to a dead worker):
                # only the database knows these events now, and the sweeper must find them.
                jobs.huey.flush()
            response = post_facebook(client, world.url(world.facebook), _comment(n))
            if response.status_code == 200:
                acknowledged.append(n)
            if n in (0, KILL_AFTER // 2):
                post_facebook(client, world.url(world.facebook), _comment(n))  # a platform retry
        assert len(acknowledged) == EVENTS
        assert _settled(db)[1] > 0, "events queued while no worker ran must still be pending"
        worker = _start_worker(queued_jobs, log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and _settled(db) != (EVENTS, 0, EVENTS):
            time.sleep(0.1)
    finally:
        worker.kill()
        worker.wait(timeout=20)
    assert _settled(db) == (EVENTS, 0, EVENTS), log.read_text()[-3000:]
    assert "sweeper re-enqueued" in log.read_text()
    texts = sorted(db.scalars(select(Message.text)))
    assert texts == sorted(f"Report {n}: the streetlight on Norzin Lam is still out." for n in acknowledged)
    assert db.scalars(select(RawEvent).where(RawEvent.error.is_not(None))).all() == []
