"""Telegram updates end to end over HTTP: the secret-token header, dedup by update_id, every fixture,
and replies through the simulated Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.auth.scope import Actor
from civicloop.channels.models import Conversation, ConversationKind, Direction, RawEvent
from civicloop.channels.outbound import send as outbound_send
from civicloop.channels.outbound.models import OutboundStatus
from civicloop.channels.outbound.service import create_outbound, create_posts
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.telegram import simulator
from civicloop.config import reset_settings
from civicloop.errors import Invalid
from tests.channels.conftest import count, fixture_bytes, messages
from tests.factories import create_account, create_agency, create_official

BOT_ID = "7012345678"
BOT_TOKEN = f"{BOT_ID}:AAHk3sB7n2r9Zq1xYbT0mV5cW8uL4pA6dEf"
SECRET = "thromde-telegram-2026_secret"
CITIZEN = "5123456789"
GROUP = "-1001987654321"
CHANNEL = "-1001122334455"


@dataclass
class Bot:
    account: OfficialAccount
    url: str


@pytest.fixture
def bot(db: Session) -> Bot:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    credentials = {"bot_token": BOT_TOKEN, "secret_token": SECRET, "channel_id": CHANNEL}
    account = create_account(db, agency, "telegram", BOT_ID, credentials, "Thromde Helpdesk")
    return Bot(account, urlsplit(AccountPublic.of(account).webhook_url).path)


def post(client: TestClient, bot: Bot, name: str, secret: str | None = SECRET) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["x-telegram-bot-api-secret-token"] = secret
    return client.post(bot.url, content=fixture_bytes(f"telegram/{name}.json"), headers=headers)


def test_a_wrong_or_missing_secret_token_is_refused_and_nothing_is_stored(
    client: TestClient, db: Session, bot: Bot
) -> None:
    assert post(client, bot, "message__private_text", secret="not-the-secret").status_code == 401
    assert post(client, bot, "message__private_text", secret=None).status_code == 401
    assert count(db, RawEvent) == 0
    assert messages(db) == []
    db.refresh(bot.account)
    assert bot.account.rejected_requests == 2


def test_a_repeated_update_id_is_stored_once(client: TestClient, db: Session, bot: Bot) -> None:
    for _ in range(3):
        assert post(client, bot, "message__private_text").status_code == 200
    assert count(db, RawEvent) == 1
    (message,) = messages(db)
    assert (message.external_id, message.direction) == (f"{CITIZEN}:42", Direction.inbound)
    assert message.text.startswith("Kuzuzangpo. The streetlight near Changlam Plaza")


def test_private_chats_groups_and_channel_posts_end_to_end(client: TestClient, db: Session, bot: Bot) -> None:
    names = [
        "message__private_text",
        "message__private_photo",
        "edited_message__private",
        "message__group_reply",
        "channel_post__announcement",
        "edited_channel_post__correction",
    ]
    for name in names:
        assert post(client, bot, name).status_code == 200, name
    assert post(client, bot, "my_chat_member__added_to_group").status_code == 200
    assert count(db, RawEvent) == len(names), "the bot joining a group is acknowledged, not stored"
    by_id = {m.external_id: m for m in messages(db)}
    assert sorted(by_id) == sorted([f"{CITIZEN}:42", f"{CITIZEN}:43", f"{GROUP}:1187", f"{CHANNEL}:311"])
    assert by_id[f"{CITIZEN}:42"].text.endswith("off for ten days."), "the edit replaced the text"
    assert by_id[f"{CITIZEN}:43"].attachments[0]["file_id"] == "AgACAgUAAxkBAAIBK2cLarge"
    assert by_id[f"{CHANNEL}:311"].direction is Direction.outbound, "a channel post is the agency's own"
    assert by_id[f"{CHANNEL}:311"].text.endswith("09:00–16:00.")
    kinds = {
        (c.kind, c.external_ref)
        for c in db.scalars(select(Conversation).where(Conversation.account_id == bot.account.id))
    }
    assert kinds == {
        (ConversationKind.direct, CITIZEN),
        # In a group each citizen is a conversation of their own (here answering the bot's notice).
        (ConversationKind.comment_thread, f"{GROUP}/6234567890"),
        (ConversationKind.comment_thread, CHANNEL),
    }


def test_a_body_that_is_not_an_update_is_refused(client: TestClient, db: Session, bot: Bot) -> None:
    headers = {"content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET}
    assert client.post(bot.url, content=b'{"message": {}}', headers=headers).status_code == 400
    assert client.post(bot.url, content=b"[1, 2]", headers=headers).status_code == 400
    assert count(db, RawEvent) == 0


def test_account_credentials_are_checked_when_registered(db: Session) -> None:
    agency = create_agency(db, "MOH", name="Ministry of Health")
    with pytest.raises(Invalid, match="bot_token looks like"):
        create_account(db, agency, "telegram", "1", {"bot_token": "nocolon", "secret_token": "abc"})
    with pytest.raises(Invalid, match="secret_token has 1–256"):
        create_account(db, agency, "telegram", "1", {"bot_token": "1:abc", "secret_token": "not allowed!"})


@pytest.fixture
def bot_api(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[simulator.Bot]:
    with SimulatorServer() as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        simulated = simulator.add_bot(sim.state, int(BOT_ID), BOT_TOKEN, "ThromdeHelpdeskBot")
        yield simulated
    reset_settings()


def test_replies_go_back_through_send_message_with_reply_parameters(
    client: TestClient, db: Session, bot: Bot, bot_api: simulator.Bot
) -> None:
    officer = create_official(db, "officer@THROMDE", email="tashi@thromde.bt")
    actor = Actor.of(officer)
    for name in ("message__private_text", "message__group_reply"):
        assert post(client, bot, name).status_code == 200
    bot_api.chats.update({CITIZEN: "private", GROUP: "supergroup", CHANNEL: "channel"})
    bot_api.messages.update({(GROUP, 1187)})
    private, group = (db.get(Conversation, m.conversation_id) for m in messages(db))
    assert private is not None and group is not None
    direct = create_outbound(
        db,
        actor=actor,
        account_id=bot.account.id,
        kind="reply",
        text="Thank you, a crew is on its way.",
        conversation_id=private.id,
    )
    in_group = create_outbound(
        db,
        actor=actor,
        account_id=bot.account.id,
        kind="reply",
        text="Supply resumes by 17:00, sorry.",
        conversation_id=group.id,
    )
    (post_row,) = create_posts(db, actor=actor, account_ids=[bot.account.id], text="Norzin Lam reopens Sunday.")
    db.commit()
    for row in (direct, in_group, post_row):
        db.refresh(row)
        assert row.status is OutboundStatus.sent, row.last_error
    assert [(s["chat_id"], s["reply_parameters"]) for s in bot_api.sent] == [
        (CITIZEN, None),
        (GROUP, {"message_id": 1187, "allow_sending_without_reply": True}),
        (CHANNEL, None),
    ]
    assert in_group.external_id == f"{GROUP}:{bot_api.sent[1]['message_id']}"
    replies = [m for m in messages(db) if m.direction is Direction.outbound]
    assert {m.text for m in replies} == {"Thank you, a crew is on its way.", "Supply resumes by 17:00, sorry."}


def test_a_blocked_bot_fails_the_reply_without_retrying(
    client: TestClient, db: Session, bot: Bot, bot_api: simulator.Bot
) -> None:
    officer = create_official(db, "officer@THROMDE", email="tashi@thromde.bt")
    assert post(client, bot, "message__private_text").status_code == 200
    bot_api.chats[CITIZEN] = "private"
    bot_api.blocked_by.add(CITIZEN)
    (message,) = messages(db)
    row = create_outbound(
        db,
        actor=Actor.of(officer),
        account_id=bot.account.id,
        kind="reply",
        text="Hello?",
        conversation_id=message.conversation_id,
    )
    db.commit()
    db.refresh(row)
    assert row.status is OutboundStatus.failed
    assert "blocked the bot" in (row.last_error or "")
    assert outbound_send.deliver(row.id) is None, "a failed message is not sent again by itself"
