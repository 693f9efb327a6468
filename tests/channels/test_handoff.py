"""The group-committing writer: many requests' events in one transaction, each request told apart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civicloop.channels import ingest, registry
from civicloop.channels.handoff import Writer
from civicloop.channels.models import RawEvent
from tests.channels.conftest import World, count, fixture_bytes

FIXTURES = ["comment__added", "comment__reply", "comment__by_page", "message__text", "message__echo"]

Rows = Callable[[str], list[ingest.Row]]


@pytest.fixture
def rows(db: Session, world: World) -> Rows:
    """The raw-event rows of a Facebook fixture delivered to the Thromde's Page."""
    provider = registry.get("facebook")
    app = ingest.load_app(db, "facebook", world.facebook.app_key)
    db.rollback()

    def of(name: str) -> list[ingest.Row]:
        items = provider.events(fixture_bytes(f"facebook/{name}.json"))
        return ingest.event_rows(provider, app, items, {"x-request": name})

    return of


def test_concurrent_requests_are_stored_once_and_a_bad_one_fails_alone(db: Session, rows: Rows) -> None:
    handed: list[int] = []
    writer = Writer(handed.extend)
    good = [writer.submit(rows(name)) for name in FIXTURES]
    bad = writer.submit([{**rows("comment__with_photo")[0], "external_id": None}])
    again = [writer.submit(rows(name)) for name in FIXTURES[:3]]  # repeated deliveries
    for future in good + again:
        assert future.result(timeout=30) is None
    with pytest.raises(IntegrityError):
        bad.result(timeout=30)
    assert count(db, RawEvent) == len(FIXTURES)
    stored = db.scalars(select(RawEvent).order_by(RawEvent.id)).all()
    assert [event.headers["x-request"] for event in stored] == FIXTURES
    assert sorted(handed) == [event.id for event in stored]  # each new event handed over once


def test_a_request_cancelled_while_waiting_does_not_stop_the_writer(db: Session, rows: Rows) -> None:
    writer = Writer(lambda ids: None)
    futures = [writer.submit(rows(name)) for name in FIXTURES]
    cancelled = futures[2].cancel()  # False if the writer had already taken it: then it is stored
    for future in futures[:2] + futures[3:]:
        assert future.result(timeout=30) is None
    assert writer.submit(rows("post__by_visitor")).result(timeout=30) is None
    assert count(db, RawEvent) == len(FIXTURES) + 1 - int(cancelled)
