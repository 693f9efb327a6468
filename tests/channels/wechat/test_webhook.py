"""WeChat pushes end to end over HTTP: URL verification, signatures, plaintext and safe mode, hostile XML."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import Contact, Conversation, ConversationKind, RawEvent
from civicloop.channels.wechat import crypto
from civicloop.channels.wechat.provider import sign_query
from tests.channels.conftest import WX_AES, WX_TOKEN, World, count, deliver, fixture_bytes, messages, post_wechat

SAFE_GH = "gh_9d8c7b6a5f40"
SAFE_APPID = "wx1a2b3c4d5e6f7081"
SAFE_TOKEN = "mohWeChatToken"


def test_url_verification_returns_echostr_verbatim(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.wechat)
    timestamp, nonce = "1767607201", "1397012468"
    # Independently: SHA1 of token, timestamp and nonce sorted and concatenated.
    signature = hashlib.sha1("".join(sorted([WX_TOKEN, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    query = {"signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": "5837479426913409810"}
    response = client.get(url, params=query)
    assert (response.status_code, response.text) == (200, "5837479426913409810")
    assert client.get(url, params={**query, "nonce": "1"}).status_code == 401
    assert client.get(url, params={k: v for k, v in query.items() if k != "echostr"}).status_code == 400
    # Safe mode still verifies the URL with the plain three-value signature.
    safe = sign_query(SAFE_TOKEN, timestamp, nonce) | {"echostr": "abc"}
    assert client.get(world.url(world.wechat_safe), params=safe).text == "abc"
    db.refresh(world.wechat)
    assert world.wechat.rejected_requests == 1


STANDALONE = {
    "wechat/text__plain.xml": "24571234567890123",
    "wechat/text__dzongkha.xml": "24571234567890199",
    "wechat/image__photo.xml": "24571234567890150",
}


def test_each_message_kind_end_to_end(client: TestClient, db: Session, world: World) -> None:
    for copies, (name, msg_id) in zip([2, 4, 10], STANDALONE.items(), strict=True):
        before = count(db, RawEvent)
        assert deliver(client, world, name, token="wrong-token").status_code == 401
        assert count(db, RawEvent) == before
        for _ in range(copies):
            response = deliver(client, world, name)
            assert (response.status_code, response.text) == (200, "success")
        assert count(db, RawEvent) == before + 1
        assert [m.account_id for m in messages(db) if m.external_id == msg_id] == [world.wechat.id], name
    text, dzongkha, image = messages(db)
    assert dzongkha.text.startswith("ཀུ་ཟུ་ཟང་པོ་ལགས།")
    assert image.attachments[0]["media_id"] == "Hk3sB7_n2r9Zq1xYbT0mV5cW8uL4pA6dE"
    assert text.conversation_id == image.conversation_id != dzongkha.conversation_id
    conversation = db.get(Conversation, text.conversation_id)
    assert conversation is not None
    assert (conversation.kind, conversation.external_ref) == (ConversationKind.direct, "oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh")


def test_follow_unfollow_and_menu_clicks_record_the_contact_not_a_message(
    client: TestClient, db: Session, world: World
) -> None:
    names = ["event__subscribe", "event__subscribe_qrscene", "event__click", "event__unsubscribe"]
    for name in names:
        assert deliver(client, world, f"wechat/{name}.xml", token="wrong").status_code == 401
        for _ in range(4):  # events have no MsgId: sender + CreateTime (+ kind) deduplicate them
            assert deliver(client, world, f"wechat/{name}.xml").text == "success"
    assert messages(db) == []
    assert count(db, RawEvent) == 4
    assert sorted(c.platform_user_id for c in db.scalars(select(Contact))) == [
        "oX7sT5hJ3pQ6wE1rT9yU2iO4aSdF",
        "oX7sT5r1Kq9mZ2bN4vC8dL0eWfYh",
    ]
    assert db.scalars(select(Conversation)).all() == []


def test_voice_notes_and_videos_are_messages_with_their_media_ids(
    client: TestClient, db: Session, world: World
) -> None:
    for name in ("voice__note", "video__clip", "shortvideo__clip"):
        for _ in range(2):
            assert deliver(client, world, f"wechat/{name}.xml").text == "success"
    voice, video, short = messages(db)
    assert video.attachments[0] | {} == {"type": "video", "media_id": "Vd3kP8q_r1Z0nB5vT2mK9aX4cF7gH1jW"}
    assert short.attachments[0]["media_id"] == "Sv5mR1t_y7U3iO9pA2sD6fG0hJ4kL8zX"
    assert voice.text == ""  # no transcript: speech recognition is off for this account
    assert voice.attachments[0] | {} == {
        "type": "voice",
        "media_id": "Vc8sL2m_x9Q1bN4vT7rK0pA3dF6gH2jE",
        "format": "amr",
    }


def _safe_body() -> bytes:
    return fixture_bytes("wechat/text__plain.xml").replace(b"gh_3a7c1e5d9b20", SAFE_GH.encode())


def test_safe_mode_decrypts_checks_msg_signature_and_appid(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.wechat_safe)
    body = _safe_body()
    assert post_wechat(client, url, body, token=SAFE_TOKEN, safe=(WX_AES, "wx0000000000000000")).status_code == 401
    assert post_wechat(client, url, body, token=SAFE_TOKEN).status_code == 401  # plaintext refused in safe mode
    encrypted = crypto.encrypt(body, encoding_aes_key=WX_AES, app_id=SAFE_APPID)
    envelope = f"<xml><ToUserName><![CDATA[{SAFE_GH}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    forged = sign_query(SAFE_TOKEN, "1767607201", "1397012468", encrypted) | {"msg_signature": "0" * 40}
    assert client.post(url, content=envelope.encode(), params=forged).status_code == 401
    assert count(db, RawEvent) == 0
    for _ in range(3):
        response = post_wechat(client, url, body, token=SAFE_TOKEN, safe=(WX_AES, SAFE_APPID))
        assert (response.status_code, response.text) == (200, "success")
    (message,) = messages(db)
    assert (message.account_id, message.external_id) == (world.wechat_safe.id, "24571234567890123")
    # The stored body is the decrypted message: replay does not need the key again.
    assert db.scalars(select(RawEvent)).one().body == body
    # An encrypted push to an account without an EncodingAESKey is refused.
    assert post_wechat(client, world.url(world.wechat), body, safe=(WX_AES, SAFE_APPID)).status_code == 401


HOSTILE = [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<xml><ToUserName>&lol2;</ToUserName><MsgType>text</MsgType></xml>",
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<xml><ToUserName>gh_3a7c1e5d9b20</ToUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>",
    b'<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml><MsgType>text</MsgType></xml>',
]
MALFORMED = [
    b"",
    b"<xml>",
    b"not xml",
    b"<other><MsgType>text</MsgType></other>",
    b"<xml><MsgType>text</MsgType></xml>",
]


def test_hostile_and_malformed_xml_is_400_even_when_signed(client: TestClient, db: Session, world: World) -> None:
    url = world.url(world.wechat)
    for body in HOSTILE + MALFORMED:
        response = post_wechat(client, url, body)
        assert response.status_code == 400, body
    assert count(db, RawEvent) == 0
    db.refresh(world.wechat)
    assert world.wechat.rejected_requests == len(HOSTILE) + len(MALFORMED)
