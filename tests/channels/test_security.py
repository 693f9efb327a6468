"""What a webhook signature proves, and no more: events are de-duplicated within the app that signed
them, and a WeChat signature (which covers the query only) is fresh and used once."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels import ingest
from civicloop.channels.models import RawEvent, WebhookNonce
from civicloop.kit.clock import utcnow
from tests.channels.conftest import FB_PAGE, World, count, deliver, fixture_bytes, messages, post_facebook, post_wechat
from tests.factories import create_account, create_agency

OTHER_SECRET = "9e1d7c3b5a2f4e6d8c0b1a3f5e7d9c2b"


def test_another_agencys_app_cannot_take_a_pages_event_ids(client: TestClient, db: Session, world: World) -> None:
    """Agency B's own Meta app signs a body naming agency A's Page and comment: stored under B's app as
    an unknown Page, it must not stop A's genuine delivery of that comment."""
    other = create_agency(db, "DOT", name="Department of Tourism")
    credentials = {"app_secret": OTHER_SECRET, "verify_token": "dot-verify"}
    tourism = create_account(db, other, "facebook", "330198765432", credentials, "Tourism")
    assert tourism.app_key != world.facebook.app_key
    body = fixture_bytes("facebook/comment__added.json")
    assert FB_PAGE.encode() in body
    assert post_facebook(client, world.url(tourism), body, secret=OTHER_SECRET).status_code == 200
    (planted,) = db.scalars(select(RawEvent)).all()
    assert (planted.app_key, planted.account_id) == (tourism.app_key, None)
    assert planted.error is not None and planted.error.startswith(ingest.UNKNOWN_ACCOUNT)

    assert deliver(client, world, "facebook/comment__added.json").status_code == 200
    (message,) = messages(db)
    assert (message.account_id, message.agency_id) == (world.facebook.id, world.thromde.id)
    # Within one app, a repeat is still one event.
    assert deliver(client, world, "facebook/comment__added.json").status_code == 200
    assert count(db, RawEvent) == 2 and len(messages(db)) == 1


def test_wechat_refuses_a_signed_query_outside_the_freshness_window(
    client: TestClient, db: Session, world: World
) -> None:
    url, body = world.url(world.wechat), fixture_bytes("wechat/text__plain.xml")
    now = int(utcnow().timestamp())
    # Skews of 5 minutes and 20 seconds each way: the window is 5 minutes, and a loaded machine may take a few
    # seconds between reading the clock here and the server reading its own (a second made 301 s fail).
    for timestamp in ("1704067200", str(now - 320), str(now + 320), "", "soon", "9" * 20):  # 2024-01-01, skews
        response = post_wechat(client, url, body, timestamp=timestamp)
        assert response.status_code == 401, timestamp
        assert response.json()["error"]["code"] == "invalid_signature"
    assert count(db, RawEvent) == 0
    db.refresh(world.wechat)
    assert world.wechat.rejected_requests == 6
    assert post_wechat(client, url, body, timestamp=str(now - 290)).status_code == 200
    assert len(messages(db)) == 1


def test_wechat_refuses_a_nonce_used_again_with_another_body(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.wechat)
    first, second = fixture_bytes("wechat/text__plain.xml"), fixture_bytes("wechat/text__dzongkha.xml")
    timestamp, nonce = str(int(utcnow().timestamp())), "1397012468"
    assert post_wechat(client, url, first, timestamp=timestamp, nonce=nonce).status_code == 200
    # WeChat retrying the same push with the same query is accepted (and stored once).
    assert post_wechat(client, url, first, timestamp=timestamp, nonce=nonce).status_code == 200
    replayed = post_wechat(client, url, second, timestamp=timestamp, nonce=nonce)
    assert replayed.status_code == 401 and "nonce" in replayed.json()["error"]["message"]
    assert len(messages(db)) == 1 and count(db, RawEvent) == 1
    # The second body under a nonce of its own is a delivery like any other.
    assert post_wechat(client, url, second, timestamp=timestamp, nonce="1397012469").status_code == 200
    assert len(messages(db)) == 2
    db.refresh(world.wechat)
    assert world.wechat.rejected_requests == 1


def test_nonces_are_forgotten_once_their_timestamps_would_be_refused_anyway(
    client: TestClient, db: Session, world: World
) -> None:
    assert post_wechat(client, world.url(world.wechat), fixture_bytes("wechat/text__plain.xml")).status_code == 200
    db.rollback()
    (nonce,) = db.scalars(select(WebhookNonce)).all()
    nonce.seen_at = utcnow() - timedelta(seconds=599)
    db.commit()
    assert ingest.forget_old_nonces(db) == 0
    nonce.seen_at = utcnow() - timedelta(seconds=601)
    db.commit()
    assert ingest.forget_old_nonces(db) == 1
