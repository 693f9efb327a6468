"""Facebook webhooks end to end over HTTP: handshake, signatures, every event kind, repeats, batches."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import (
    Contact,
    Conversation,
    ConversationKind,
    Direction,
    MessageRevision,
    MessageState,
    RawEvent,
    WebhookRejection,
)
from civicloop.channels.moderation import Operation
from civicloop.channels.service import record_inbound
from civicloop.kit.clock import utcnow
from civicloop.moderation.models import ModerationAction
from civicloop.moderation.queries import NO_GROUND, monthly_log
from tests.channels.conftest import (
    FB_PAGE,
    FB_SECRET,
    FB_VERIFY,
    World,
    count,
    deliver,
    fixture_bytes,
    messages,
    post_facebook,
)
from tests.factories import create_official, login


def test_handshake(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.facebook)
    for token in (FB_VERIFY, "moh-verify"):  # any Page of the app may have configured the URL
        query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": token}
        response = client.get(url, params=query)
        assert (response.status_code, response.text) == (200, "1158201444")
    wrong = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "meatyhamhock"}
    assert client.get(url, params=wrong).status_code == 403
    assert client.get(url, params={"hub.verify_token": FB_VERIFY}).status_code == 400
    assert client.get("/webhooks/facebook/0000000000000000", params=wrong).status_code == 404
    assert client.get("/webhooks/myspace/" + world.facebook.app_key, params=wrong).status_code == 404
    for method, path in (("POST", url + "/extra"), ("GET", "/webhooks/facebook"), ("DELETE", url)):
        response = client.request(method, path)
        assert response.status_code == (405 if method == "DELETE" else 404)
        assert response.json()["error"]["code"] == "http_error"
    db.rollback()
    assert db.scalar(select(WebhookRejection.count).where(WebhookRejection.reason == "invalid_signature")) == 1


WRONG_SIGNATURES = [
    "",
    "sha256=",
    "sha1=0123",
    "sha256=" + "0" * 64,
    "signed",
    "sha256=" + hmac.new(b"another app", b"{}", "sha256").hexdigest(),
]


def test_a_wrong_or_missing_signature_is_401_nothing_is_stored_and_it_is_counted(
    client: TestClient, db: Session, world: World
) -> None:
    url = world.url(world.facebook)
    body = fixture_bytes("facebook/comment__added.json")
    for signature in WRONG_SIGNATURES:
        headers = {"content-type": "application/json"} | ({"x-hub-signature-256": signature} if signature else {})
        response = client.post(url, content=body, headers=headers)
        assert response.status_code == 401, signature
        assert response.json()["error"]["code"] == "invalid_signature"
    assert post_facebook(client, url, body, secret="other-app").status_code == 401
    assert count(db, RawEvent) == 0
    db.refresh(world.facebook)
    db.refresh(world.facebook_health)
    # Both Pages share the Meta app (and so the URL): each refusal counts for each of them.
    refused = len(WRONG_SIGNATURES) + 1
    assert (world.facebook.rejected_requests, world.facebook_health.rejected_requests) == (refused, refused)
    independent = "sha256=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert post_facebook(client, url, body, signature=independent).status_code == 200
    assert [m.external_id for m in messages(db)] == ["918273645512_1203948576"]
    # Officials see today's count on the account's page.
    login(client, create_official(db, "agency_admin@MOH"))
    page = client.get(f"/accounts/{world.facebook_health.id}")
    assert page.status_code == 200
    assert f"{refused} requests with bad signatures today." in page.text


STANDALONE = {
    "facebook/comment__added.json": ("918273645512_1203948576", Direction.inbound, MessageState.received),
    "facebook/comment__reply.json": ("918273645512_1203948611", Direction.inbound, MessageState.received),
    "facebook/comment__by_page.json": ("918273645512_1203948702", Direction.outbound, MessageState.sent),
    "facebook/comment__with_photo.json": ("918273645512_1203948790", Direction.inbound, MessageState.received),
    "facebook/post__by_visitor.json": ("104958162837_918299001122", Direction.inbound, MessageState.received),
    # The Page's own status update (the App Dashboard's feed test sample): kept as the Page's outbound post.
    "facebook/status__by_page.json": ("104958162837_918301447788", Direction.outbound, MessageState.sent),
    "facebook/message__text.json": ("m_Q2hhbmd6YW10b2ctd2F0ZXItMDEwNQ", Direction.inbound, MessageState.received),
    "facebook/message__attachment.json": ("m_Q2hhbmd6YW10b2ctcGhvdG8tMDEwNQ", Direction.inbound, MessageState.received),
    "facebook/message__echo.json": ("m_VGhyb21kZS1yZXBseS0wMTA1", Direction.outbound, MessageState.sent),
}


def test_each_event_kind_end_to_end(client: TestClient, db: Session, world: World) -> None:
    """Per fixture: a wrong signature stores nothing; two correct deliveries store one message."""
    for name, (external_id, direction, state) in STANDALONE.items():
        before = count(db, RawEvent)
        assert deliver(client, world, name, secret="not-the-app-secret").status_code == 401
        assert count(db, RawEvent) == before, name
        for _ in range(2):
            assert deliver(client, world, name).status_code == 200
        assert count(db, RawEvent) == before + 1, name
        found = [m for m in messages(db) if m.external_id == external_id]
        assert [(m.direction, m.state, m.account_id) for m in found] == [(direction, state, world.facebook.id)], name
    assert len(messages(db)) == len(STANDALONE)
    assert all(e.handled_at and e.error is None and e.attempts == 1 for e in db.scalars(select(RawEvent)))
    db.refresh(world.facebook)
    assert world.facebook.last_event_at is not None


def test_a_repeated_delivery_yields_one_message(client: TestClient, db: Session, world: World) -> None:
    for copies, name in [(2, "comment__added"), (4, "message__text"), (10, "post__by_visitor")]:
        for _ in range(copies):
            assert deliver(client, world, f"facebook/{name}.json").status_code == 200
    assert count(db, RawEvent) == 3
    assert len(messages(db)) == 3


def test_a_comment_thread_with_replies_and_the_pages_own_answer(client: TestClient, db: Session, world: World) -> None:
    for name in ("comment__added", "comment__reply", "comment__by_page"):
        assert deliver(client, world, f"facebook/{name}.json").status_code == 200
    stored = messages(db)
    # One citizen's thread: the top-level comment, another citizen's reply to it and the Page's answer.
    assert len({m.conversation_id for m in stored}) == 1
    conversation = db.get(Conversation, stored[0].conversation_id)
    assert conversation is not None
    assert (conversation.kind, conversation.external_ref, conversation.post_ref) == (
        ConversationKind.comment_thread,
        stored[0].external_id,
        f"{FB_PAGE}_918273645512",
    )
    assert conversation.contact_id == stored[0].contact_id  # the citizen whose comment begins it
    assert conversation.last_agency_message_at is not None and conversation.last_citizen_message_at is not None
    reply, answer = stored[1], stored[2]
    assert reply.reply_to_external_id == "918273645512_1203948576"
    assert (answer.direction, answer.contact_id) == (Direction.outbound, None)
    names = sorted(c.display_name for c in db.scalars(select(Contact)))
    assert names == ["Karma Wangchuk", "Pema Choden"]


def test_an_edit_keeps_the_old_text_a_hide_and_a_removal_keep_the_words(
    client: TestClient, db: Session, world: World
) -> None:
    deliver(client, world, "facebook/comment__added.json")
    for name in ("comment__edited", "comment__hidden", "comment__removed"):
        assert deliver(client, world, f"facebook/{name}.json", secret="wrong").status_code == 401
    assert count(db, RawEvent) == 1 and messages(db)[0].state is MessageState.received
    for _ in range(2):  # a repeated edit is one revision
        assert deliver(client, world, "facebook/comment__edited.json").status_code == 200
    (comment,) = messages(db)
    assert comment.state is MessageState.edited
    assert "ten days" in comment.text
    revisions = list(db.scalars(select(MessageRevision).where(MessageRevision.message_id == comment.id)))
    assert [r.text[:40] for r in revisions] == ["The streetlight at the Norzin Lam traffi"]
    deliver(client, world, "facebook/comment__hidden.json")
    assert messages(db)[0].state is MessageState.hidden
    deliver(client, world, "facebook/comment__removed.json")
    (removed,) = messages(db)
    assert removed.state is MessageState.removed
    assert "ten days" in removed.text


def test_a_hide_made_on_facebook_itself_joins_the_moderation_record_and_the_public_log(
    client: TestClient, db: Session, world: World
) -> None:
    deliver(client, world, "facebook/comment__added.json")
    for _ in range(2):  # hidden by a Page administrator on Facebook; the retry changes nothing more
        assert deliver(client, world, "facebook/comment__hidden.json").status_code == 200
    deliver(client, world, "facebook/comment__unhidden.json")
    db.rollback()
    actions = list(db.scalars(select(ModerationAction).order_by(ModerationAction.id)))
    assert [(a.operation, a.ground, a.by_label, a.applied) for a in actions] == [
        (Operation.hide, None, "on the platform", True),
        (Operation.unhide, None, "on the platform", True),
    ]
    assert "outside CivicLoop" in actions[0].platform_summary
    assert actions[0].appeal_token is None  # nobody told the citizen, so there is no appeal link to follow
    audited = [
        e.action
        for e in db.scalars(select(AuditEntry).where(AuditEntry.action.like("moderation.%")).order_by(AuditEntry.seq))
    ]
    assert audited == ["moderation.hide", "moderation.unhide"]
    # Counted when CivicLoop learnt of it (the platform does not date a hide).
    (row,) = monthly_log(db, utcnow() - timedelta(days=40), utcnow() + timedelta(days=1), "Asia/Thimphu")
    assert (row.agency_code, row.hidden, dict(row.grounds)) == ("THROMDE", 1, {NO_GROUND: 1})
    page = client.get("/transparency/moderation")
    assert "hidden on the platform itself, no ground given 1" in page.text

    # A hide made through CivicLoop is recorded by CivicLoop; the platform's webhook about it adds no second row.
    (comment,) = messages(db)
    comment.state = MessageState.hidden
    db.commit()
    deliver(client, world, "facebook/comment__hidden.json")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ModerationAction)) == 2


def test_a_removal_delivered_before_its_comment_marks_the_comment_removed_when_it_arrives(
    client: TestClient, db: Session, world: World
) -> None:
    # Meta does not order deliveries: the removal may come first, and then there is nothing to mark yet.
    assert deliver(client, world, "facebook/comment__removed.json").status_code == 200
    assert messages(db) == []
    assert db.scalars(select(RawEvent)).one().error is None
    for _ in range(2):  # the comment, then a retry of it
        assert deliver(client, world, "facebook/comment__added.json").status_code == 200
    (comment,) = messages(db)
    assert comment.state is MessageState.removed
    assert comment.text.startswith("The streetlight at the Norzin Lam traffic circle")  # what was received is kept
    assert comment.contact_id is not None
    # A removal seen again changes nothing more, and an unrelated comment is not touched.
    assert deliver(client, world, "facebook/comment__removed.json").status_code == 200
    assert deliver(client, world, "facebook/comment__reply.json").status_code == 200
    assert [m.state for m in messages(db)] == [MessageState.removed, MessageState.received]


def test_messenger_conversation_with_edit_attachment_and_echo(client: TestClient, db: Session, world: World) -> None:
    # What channels-out stores when Messenger returns the id of a reply it sent: the echo must not copy it.
    record_inbound(
        db,
        account=world.facebook,
        inbound=Inbound(
            action=Action.message,
            account_ref=FB_PAGE,
            conversation_kind=ConversationKind.direct,
            conversation_ref="6219384750192837",
            created_at=None,
            external_id="m_VGhyb21kZS1yZXBseS0wMTA1",
            direction=Direction.outbound,
            contact=ContactRef("6219384750192837", ""),
            text="Kuzuzangpo la. A pipe burst at Changzamtog; the water team expects supply back by 4 pm today.",
        ),
    )
    db.commit()
    for name in ("message__text", "message__attachment", "message__edited", "message__echo"):
        assert deliver(client, world, f"facebook/{name}.json").status_code == 200
    echo, text, photo = messages(db)
    assert len({text.conversation_id, photo.conversation_id, echo.conversation_id}) == 1
    assert text.state is MessageState.edited and "lower Changzamtog" in text.text
    assert photo.attachments == [
        {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/471209988_88213_n.jpg"}
    ]
    assert (echo.direction, echo.state) == (Direction.outbound, MessageState.sent)
    conversation = db.get(Conversation, text.conversation_id)
    assert conversation is not None and conversation.kind is ConversationKind.direct
    contact = db.get(Contact, conversation.contact_id)
    assert contact is not None and contact.platform_user_id == "6219384750192837"
    assert echo.contact_id == contact.id


def test_a_batch_of_mixed_kinds_for_several_pages_is_routed_page_by_page(
    client: TestClient, db: Session, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    assert deliver(client, world, "facebook/batch__mixed_pages.json").status_code == 200
    stored = messages(db)
    assert {(m.external_id, m.agency_id) for m in stored} == {
        ("918273645512_1203949001", world.thromde.id),
        ("m_SGVhbHRoLWZsdS1jbGluaWMtMDEwNQ", world.health.id),
    }
    # Reactions, read and delivery receipts are acknowledged, not stored.
    assert sorted(e.kind for e in db.scalars(select(RawEvent))) == ["feed.comment", "feed.comment", "messaging.message"]
    unknown = db.scalars(select(RawEvent).where(RawEvent.account_id.is_(None))).one()
    assert unknown.handled_at is not None and unknown.error is not None
    assert unknown.error.startswith("unknown account")
    assert "555000111222" in caplog.text


def test_malformed_and_oversized_bodies(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.facebook)
    for body in (b"{not json", b"[]", b'{"object": "page", "entry": {}}', "ü".encode("latin-1")):
        assert post_facebook(client, url, body).status_code == 400
    big = json.dumps({"object": "page", "entry": [], "pad": "x" * 1_100_000}).encode()
    assert post_facebook(client, url, big).status_code == 413
    assert count(db, RawEvent) == 0
    db.rollback()
    counts = dict(db.execute(select(WebhookRejection.reason, WebhookRejection.count)).all())
    assert counts == {"malformed": 4, "too_large": 1}
    # NUL characters (which PostgreSQL refuses in text) in a signed event: stored without them.
    document = json.loads(fixture_bytes("facebook/comment__added.json"))
    document["entry"][0]["changes"][0]["value"]["message"] = "Norzin\u0000 Lam"
    document["entry"][0]["changes"][0]["value"]["from"]["name"] = "Karma\u0000"
    body = json.dumps(document).encode()
    assert b"\\u0000" in body
    assert post_facebook(client, url, body).status_code == 200
    assert [m.text for m in messages(db)] == ["Norzin Lam"]
