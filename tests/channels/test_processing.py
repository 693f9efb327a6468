"""Processing stored events: the sweeper, failures and giving up, replay, and the ON_MESSAGE hook."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civicloop.channels import hooks, ingest, registry, tasks
from civicloop.channels.base import AppAccount, ChannelApp
from civicloop.channels.models import Message, RawEvent
from civicloop.kit.clock import FixedClock, set_clock
from tests.channels.conftest import FB_PAGE, World, count, deliver, fixture_bytes, messages
from tests.factories import create_account


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2026, 1, 5, 4, 0, tzinfo=UTC))
    restore = set_clock(fixed)
    yield fixed
    restore()


def _store_without_processing(db: Session, world: World, name: str) -> list[int]:
    """What a request leaves behind when the worker dies (or the queue loses the job) right after it."""
    provider = registry.get("facebook")
    account = AppAccount(world.facebook.id, world.facebook.agency_id, FB_PAGE, {})
    app = ChannelApp("facebook", world.facebook.app_key, (account,))
    ids = ingest.store_events(db, provider, app, provider.events(fixture_bytes(name)), {})
    db.commit()
    return ids


def test_the_sweeper_processes_events_left_behind_after_a_minute(db: Session, world: World, clock: FixedClock) -> None:
    _store_without_processing(db, world, "facebook/comment__added.json")
    assert tasks.sweep() == 0  # too fresh: its job may still be queued
    assert messages(db) == []
    clock.advance(minutes=2)
    assert tasks.sweep() == 1
    assert [m.external_id for m in messages(db)] == ["918273645512_1203948576"]
    assert tasks.sweep() == 0
    assert tasks.sweep_everything_unhandled.call_local() == 0


def test_a_failing_event_is_retried_then_given_up_on_loudly(
    db: Session, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    (event_id,) = _store_without_processing(db, world, "facebook/comment__added.json")
    event = db.get(RawEvent, event_id)
    assert event is not None
    event.body = b"{truncated"  # a stored body that can no longer be parsed
    db.commit()
    for attempt in range(1, ingest.MAX_ATTEMPTS + 1):
        assert tasks.process_raw_events.call_local([event_id]) == 1
        db.rollback()  # a fresh snapshot
        db.refresh(event)
        assert event.attempts == attempt
        assert (event.handled_at is None) == (attempt < ingest.MAX_ATTEMPTS)
    assert event.error is not None and event.error.startswith(f"gave up after {ingest.MAX_ATTEMPTS} attempts")
    assert any(r.levelno == logging.ERROR and "gave up" in r.getMessage() for r in caplog.records)
    assert tasks.sweep_everything_unhandled.call_local() == 0


def test_replay_is_idempotent_and_routes_events_once_the_account_exists(
    client: TestClient, db: Session, world: World
) -> None:
    deliver(client, world, "facebook/comment__added.json")
    (event,) = db.scalars(select(RawEvent)).all()
    assert ingest.process_event(db, event.id, replay=True).messages_created == 0
    db.execute(delete(Message))
    assert ingest.process_event(db, event.id, replay=True).messages_created == 1
    db.commit()
    assert len(messages(db)) == 1

    batch = json.loads(fixture_bytes("facebook/batch__mixed_pages.json"))
    deliver(client, world, "facebook/batch__mixed_pages.json")
    db.rollback()
    unknown = db.scalars(select(RawEvent).where(RawEvent.account_id.is_(None))).one()
    assert ingest.process_event(db, unknown.id, replay=True).error is not None
    db.commit()
    page = batch["entry"][3]["id"]
    create_account(
        db,
        world.thromde,
        "facebook",
        page,
        {"app_secret": "3f9c2b7e8d1a4c6f0b5e9d2a7c3f1e8b", "verify_token": "v"},
    )
    assert ingest.process_event(db, unknown.id, replay=True) == ingest.Processed(unknown.id, 1, None)
    db.commit()
    assert "Is the Dechencholing road open?" in [m.text for m in messages(db)]


def test_on_message_is_called_once_per_new_inbound_message(client: TestClient, db: Session, world: World) -> None:
    seen: list[tuple[str | None, str]] = []

    def remember(session: Session, message: Message) -> None:
        seen.append((message.external_id, message.direction.value))

    def broken(session: Session, message: Message) -> None:
        raise RuntimeError("a bug in another domain")

    hooks.ON_MESSAGE.extend([broken, remember])
    try:
        for name in ("comment__added", "comment__added", "comment__edited", "comment__by_page", "message__text"):
            assert deliver(client, world, f"facebook/{name}.json").status_code == 200
    finally:
        hooks.ON_MESSAGE.remove(broken)
        hooks.ON_MESSAGE.remove(remember)
    assert seen == [("918273645512_1203948576", "in"), ("m_Q2hhbmd6YW10b2ctd2F0ZXItMDEwNQ", "in")]
    assert count(db, Message) == 3  # the broken hook cost nothing
