"""X Account Activity webhooks end to end over HTTP: CRC, signatures, posts, DMs, routing, repeats."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import Contact, Conversation, ConversationKind, Direction, MessageState, RawEvent
from tests.channels.conftest import X_SECRET, X_USER, X_USER2, World, count, deliver, fixture_bytes, messages, post_x


def test_crc_answers_with_the_base64_hmac_of_the_token(client: TestClient, world: World) -> None:
    url = world.url(world.x)
    response = client.get(url, params={"crc_token": "tLwp3s7mZ1aQ"})
    assert response.status_code == 200
    expected = base64.b64encode(hmac.new(X_SECRET.encode(), b"tLwp3s7mZ1aQ", hashlib.sha256).digest()).decode()
    assert response.json() == {"response_token": f"sha256={expected}"}
    assert client.get(url).status_code == 400


def test_signatures_are_checked_and_wrong_ones_counted(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.x)
    body = fixture_bytes("x/tweet__mention.json")
    hex_signature = "sha256=" + hmac.new(X_SECRET.encode(), body, hashlib.sha256).hexdigest()  # Meta's style, not X's
    for signature in ["", "sha256=", hex_signature, "sha256=" + base64.b64encode(b"0" * 32).decode()]:
        headers = {"x-twitter-webhooks-signature": signature} if signature else {}
        assert client.post(url, content=body, headers=headers).status_code == 401, signature
    assert post_x(client, url, body, secret="another-consumer-secret").status_code == 401
    assert count(db, RawEvent) == 0
    db.refresh(world.x)
    assert world.x.rejected_requests == 5
    independent = "sha256=" + base64.b64encode(hmac.new(X_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert post_x(client, url, body, signature=independent).status_code == 200
    assert count(db, RawEvent) == 1


STANDALONE = {
    "x/tweet__mention.json": ("1875432109876543210", Direction.inbound),
    "x/tweet__reply.json": ("1875433300000000222", Direction.inbound),
    "x/tweet__extended.json": ("1875434400000000333", Direction.inbound),
    "x/tweet__by_agency.json": ("1875435500000000444", Direction.outbound),
    "x/dm__received.json": ("1875440000000000001", Direction.inbound),
    "x/dm__sent.json": ("1875440000000000002", Direction.outbound),
    "x/dm__users_inside_apps.json": ("1875440000000000003", Direction.inbound),
}


def test_each_event_kind_end_to_end(client: TestClient, db: Session, world: World) -> None:
    """Per fixture: a wrong signature stores nothing; repeated correct deliveries store one message."""
    for copies, (name, (external_id, direction)) in zip([2, 4, 10, 2, 4, 10, 2], STANDALONE.items(), strict=True):
        before = count(db, RawEvent)
        assert deliver(client, world, name, secret="wrong").status_code == 401
        assert count(db, RawEvent) == before, name
        for _ in range(copies):
            assert deliver(client, world, name).status_code == 200
        assert count(db, RawEvent) == before + 1, name
        found = [m for m in messages(db) if m.external_id == external_id]
        assert [(m.direction, m.account_id) for m in found] == [(direction, world.x.id)], name
    extended = next(m for m in messages(db) if m.external_id == "1875434400000000333")
    assert extended.text.endswith("Could the Thromde send someone today? Thank you.")  # the full text, not the cut
    assert {c.handle for c in db.scalars(select(Contact))} == {"pemachoden_thim", "sonamdorji88"}


def test_a_mention_and_the_agencys_reply_share_a_conversation_and_a_deletion_keeps_the_words(
    client: TestClient, db: Session, world: World
) -> None:
    for name in ("tweet__mention", "tweet__by_agency", "dm__received", "dm__sent"):
        assert deliver(client, world, f"x/{name}.json").status_code == 200
    mention, reply, dm_in, dm_out = messages(db)
    assert mention.conversation_id == reply.conversation_id
    assert (reply.direction, reply.state, reply.contact_id) == (Direction.outbound, MessageState.sent, None)
    assert reply.permalink == "https://x.com/ThimphuThromde/status/1875435500000000444"
    assert dm_in.conversation_id == dm_out.conversation_id != mention.conversation_id
    conversation = db.get(Conversation, dm_in.conversation_id)
    assert conversation is not None and conversation.kind is ConversationKind.direct
    assert conversation.external_ref == f"1322334455667788990-{X_USER}"
    assert dm_out.contact_id == dm_in.contact_id == conversation.contact_id
    assert deliver(client, world, "x/tweet__deleted.json", secret="wrong").status_code == 401
    assert messages(db)[0].state is MessageState.received
    for _ in range(4):
        assert deliver(client, world, "x/tweet__deleted.json").status_code == 200
    deleted = messages(db)[0]
    assert deleted.state is MessageState.removed and "garbage truck" in deleted.text


def test_a_deletion_delivered_before_its_post_marks_the_post_removed_when_it_arrives(
    client: TestClient, db: Session, world: World
) -> None:
    assert deliver(client, world, "x/tweet__deleted.json").status_code == 200
    assert messages(db) == []
    assert deliver(client, world, "x/tweet__mention.json").status_code == 200
    (mention,) = messages(db)
    assert mention.state is MessageState.removed and "garbage truck" in mention.text


def test_reposts_and_likes_are_acknowledged_not_stored(client: TestClient, db: Session, world: World) -> None:
    for name in ("tweet__retweet", "favorite__added"):
        assert deliver(client, world, f"x/{name}.json").status_code == 200
    assert count(db, RawEvent) == 0


def test_events_are_routed_by_for_user_id(client: TestClient, db: Session, world: World) -> None:
    document = json.loads(fixture_bytes("x/tweet__mention.json"))
    document["for_user_id"] = X_USER2
    assert post_x(client, world.url(world.x), json.dumps(document).encode()).status_code == 200
    document["for_user_id"] = "999"
    assert post_x(client, world.url(world.x), json.dumps(document).encode()).status_code == 200
    (message,) = messages(db)
    assert (message.account_id, message.agency_id) == (world.x_health.id, world.health.id)
    unknown = db.scalars(select(RawEvent).where(RawEvent.account_id.is_(None))).one()
    assert unknown.error is not None and unknown.error.startswith("unknown account")
    for body in (b"{}", b'{"tweet_create_events": "x"}', b"null", b"\xff\xfe"):
        assert post_x(client, world.url(world.x), body).status_code == 400, body
