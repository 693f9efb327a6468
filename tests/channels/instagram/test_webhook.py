"""Instagram deliveries end to end over HTTP: the handshake, X-Hub-Signature-256, dedup, every fixture,
and replies to comments and direct messages through the simulated Graph API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.auth.scope import Actor
from civicloop.channels.instagram import simulator
from civicloop.channels.instagram.provider import sign
from civicloop.channels.models import Conversation, ConversationKind, Direction, RawEvent
from civicloop.channels.outbound.models import OutboundStatus
from civicloop.channels.outbound.service import create_outbound
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.config import reset_settings
from civicloop.errors import Invalid
from civicloop.kit.clock import utcnow
from tests.channels.conftest import count, fixture_bytes, messages
from tests.factories import create_account, create_agency, create_official

ACCOUNT = "17841405822304914"
SECRET = "9b1f3c7a2e5d8f0a4c6b1e3d5f7a9c2e"
VERIFY = "thromde-instagram-verify"
TOKEN = "EAAG-instagram-page-token"
CITIZEN = "1029384756473829"
TOP_COMMENT = "17865799348089039"


@dataclass
class Insta:
    account: OfficialAccount
    url: str


@pytest.fixture
def insta(db: Session) -> Insta:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    credentials = {"app_secret": SECRET, "verify_token": VERIFY, "page_access_token": TOKEN}
    account = create_account(db, agency, "instagram", ACCOUNT, credentials, "@thimphuthromde")
    return Insta(account, urlsplit(AccountPublic.of(account).webhook_url).path)


def post(client: TestClient, insta: Insta, name: str, signature: str | None = None) -> httpx.Response:
    body = fixture_bytes(f"instagram/{name}.json")
    headers = {"content-type": "application/json", "x-hub-signature-256": signature or sign(body, SECRET)}
    return client.post(insta.url, content=body, headers=headers)


def test_the_handshake_answers_the_challenge_for_the_right_verify_token(client: TestClient, insta: Insta) -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY}
    response = client.get(insta.url, params=query)
    assert (response.status_code, response.text) == (200, "1158201444")
    assert client.get(insta.url, params={**query, "hub.verify_token": "nope"}).status_code == 403


def test_a_bad_signature_is_refused_and_nothing_is_stored(client: TestClient, db: Session, insta: Insta) -> None:
    assert post(client, insta, "comments__on_post", signature=sign(b"another body", SECRET)).status_code == 401
    assert post(client, insta, "comments__on_post", signature=sign(b"x", "wrong-secret")).status_code == 401
    assert count(db, RawEvent) == 0
    assert messages(db) == []


def test_a_repeated_delivery_is_stored_once(client: TestClient, db: Session, insta: Insta) -> None:
    for _ in range(3):
        assert post(client, insta, "comments__on_post").status_code == 200
    assert count(db, RawEvent) == 1
    (comment,) = messages(db)
    assert (comment.external_id, comment.direction) == (TOP_COMMENT, Direction.inbound)


def test_comments_and_direct_messages_end_to_end(client: TestClient, db: Session, insta: Insta) -> None:
    names = ["comments__on_post", "comments__reply", "comments__by_account", "messaging__text", "messaging__echo"]
    for name in names:
        assert post(client, insta, name).status_code == 200, name
    assert post(client, insta, "messaging__read").status_code == 200
    assert count(db, RawEvent) == len(names), "read receipts are acknowledged, not stored"
    found = messages(db)
    assert [(m.direction, m.text[:20]) for m in found] == [
        (Direction.inbound, "Will the Changlam fo"),
        (Direction.inbound, "Same question for th"),
        (Direction.outbound, "Yes, the footpath op"),
        (Direction.inbound, "Kuzuzangpo la, where"),
        (Direction.outbound, "At the Thromde offic"),
    ]
    # The comment, another citizen's reply to it and the account's answer are that comment's thread.
    first = found[0]
    assert {m.conversation_id for m in found[:3]} == {first.conversation_id}
    assert len({m.conversation_id for m in found[3:]}) == 1
    kinds = {(c.kind, c.external_ref, c.post_ref) for c in db.query(Conversation).all()}
    assert kinds == {
        (ConversationKind.comment_thread, first.external_id, "17953281016612345"),
        (ConversationKind.direct, CITIZEN, None),
    }


@pytest.fixture
def graph(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[simulator.Account]:
    with SimulatorServer() as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        simulated = simulator.add_account(sim.state, ACCOUNT, TOKEN)
        simulated.comments.update({TOP_COMMENT, "17865799348089077"})
        yield simulated
    reset_settings()


def test_replies_to_comments_and_messages_within_the_window(
    client: TestClient, db: Session, insta: Insta, graph: simulator.Account
) -> None:
    actor = Actor.of(create_official(db, "officer@THROMDE", email="tashi@thromde.bt"))
    for name in ("comments__reply", "messaging__text"):
        assert post(client, insta, name).status_code == 200
    reply_in_thread, dm = messages(db)
    # The fixture's message is from January: the person wrote again just now, on both sides.
    conversation = db.get(Conversation, dm.conversation_id)
    assert conversation is not None
    conversation.last_citizen_message_at = graph.last_message[CITIZEN] = utcnow()
    db.commit()
    rows = [
        create_outbound(db, actor=actor, account_id=insta.account.id, kind="reply", text=text, conversation_id=cid)
        for text, cid in (
            ("Yes, by 12 January.", reply_in_thread.conversation_id),
            ("Counter 3, la.", dm.conversation_id),
        )
    ]
    db.commit()
    for row in rows:
        db.refresh(row)
        assert row.status is OutboundStatus.sent, row.last_error
    assert [(s["kind"], s["to"]) for s in graph.sent] == [("reply", TOP_COMMENT), ("message", CITIZEN)]


def test_a_direct_reply_after_24_hours_is_refused_before_it_is_stored(
    client: TestClient, db: Session, insta: Insta, graph: simulator.Account
) -> None:
    actor = Actor.of(create_official(db, "officer@THROMDE", email="tashi@thromde.bt"))
    assert post(client, insta, "messaging__text").status_code == 200
    (dm,) = messages(db)
    conversation = db.get(Conversation, dm.conversation_id)
    assert conversation is not None
    conversation.last_citizen_message_at = utcnow() - timedelta(hours=25)
    db.commit()
    with pytest.raises(Invalid, match="Instagram allows replies only within 24 hours"):
        create_outbound(
            db, actor=actor, account_id=insta.account.id, kind="reply", text="Hi", conversation_id=dm.conversation_id
        )
    assert graph.sent == []
