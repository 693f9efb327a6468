"""The demo: a lived-in inbox on every platform, citizens writing in live, replies that work, and the
"Connect …" flows completed against the simulator the demo serves."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Platform
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.models import Conversation, ConversationKind, Direction, Message
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.outbound.service import create_outbound
from civicloop.channels.simulator import live
from civicloop.config import reset_settings
from civicloop.db.session import session_scope
from civicloop.demo.channels import seed_channels
from civicloop.demo.foundation import seed_foundation

pytestmark = pytest.mark.slow


def _connect_a_page_in_the_demo(db: Session, agency_id: int) -> None:
    from fastapi.testclient import TestClient

    from civicloop.agencies.models import OfficialAccount
    from civicloop.config import get_settings
    from civicloop.demo import DEMO_PASSWORD
    from civicloop.main import create_app
    from tests.channels.connect.conftest import PAGE, consent
    from tests.factories import csrf_from, login

    base_url = get_settings().base_url
    with TestClient(create_app(), base_url=base_url) as client:
        admin = db.scalars(select(Official).where(Official.email == "itadmin@thromde.example")).one()
        login(client, admin, DEMO_PASSWORD)
        start = client.get(f"/agencies/{agency_id}/connect/facebook", follow_redirects=False)
        assert start.status_code == 303 and start.headers["location"].startswith(
            get_settings().oauth_urls["meta.dialog"]
        )
        back = consent(start.headers["location"])  # the simulator's own consent page, as a browser plays it
        assert back.startswith(f"{base_url}/connect/facebook/callback?")
        chooser = client.get(back[len(base_url) :])
        assert chooser.status_code == 200 and "Thimphu Thromde" in chooser.text
        attempt = int(chooser.text.split('action="/connect/attempts/')[1].split('"')[0])
        done = client.post(
            f"/connect/attempts/{attempt}",
            data={"external_id": PAGE, "csrf_token": csrf_from(chooser.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
    db.rollback()
    connected = db.scalars(select(OfficialAccount).where(OfficialAccount.external_id == PAGE)).one()
    assert connected.agency_id == agency_id and connected.credentials["page_access_token"]


def _inbound(db: Session) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(Message).where(Message.direction == Direction.inbound)) or 0)


# The demo runs on SQLite (``civicloop demo``); the seeding code is the product's own, tested on both elsewhere.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_demo_inbox_fills_live_and_replies_go_out(db: Session, live_server: str) -> None:
    world = seed_foundation(db)
    seed_channels(db, world)
    db.commit()
    by_platform = dict(db.execute(select(Message.platform, func.count()).group_by(Message.platform)).all())
    assert set(by_platform) == set(registry.PLATFORMS) and sum(by_platform.values()) >= 40
    assert db.scalar(
        select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == OutboundStatus.sent)
    )
    before = _inbound(db)
    saved = dict(os.environ)
    demo = live.start(live_server, interval=0.3)
    try:
        deadline = time.monotonic() + 90
        while _inbound(db) < before + 4 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _inbound(db) >= before + 4, "no simulated citizen reached the inbox"
        # A reply to a comment from the seeded history goes through the simulated Graph API.
        facebook = world.accounts[("THROMDE", Platform.facebook)]
        comment = db.scalars(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Message.account_id == facebook.id,
                Message.direction == Direction.inbound,
                Conversation.kind == ConversationKind.comment_thread,
            )
            .order_by(Message.id)
        ).first()
        assert comment is not None
        # The reply is written as the app writes it: in its own unit of work, which begins IMMEDIATE and so
        # waits for the simulated citizens' writes instead of failing on a stale read snapshot (ADR 0003).
        with session_scope() as writer:
            officer = writer.scalars(select(Official).where(Official.email == "officer@thromde.example")).one()
            reply_id = create_outbound(
                writer,
                actor=Actor.of(officer),
                account_id=facebook.id,
                kind="reply",
                text="Kadrinchey la, the crew is on its way.",
                in_reply_to_message_id=comment.id,
            ).id
        db.rollback()
        row = db.get(OutboundMessage, reply_id)
        assert row is not None and row.status is OutboundStatus.sent, row and row.last_error
        assert demo.simulator.state.calls("facebook.comments")[0].status == 200

        # "Connect a Facebook Page" as the demo's agency administrator: the consent page is the simulator's.
        assert any("Karma Wangmo" in hint for hint in demo.connect_hints)
        assert any("AppSecret" in hint for hint in demo.connect_hints)
        _connect_a_page_in_the_demo(db, world.agencies["THROMDE"].id)
    finally:
        demo.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()
