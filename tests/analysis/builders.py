"""Stored citizen messages for the analysis tests: a generated corpus posted as Facebook comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind, Message
from civicloop.channels.service import record_inbound
from tests.analysis.corpus import generate
from tests.factories import create_account, create_agency, create_official

START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 09:00 in Thimphu


def post(session: Session, account: OfficialAccount, text: str, n: int) -> Message:
    inbound = Inbound(
        action=Action.message,
        account_ref=account.external_id,
        conversation_kind=ConversationKind.comment_thread,
        conversation_ref="post-1",
        created_at=START + timedelta(minutes=n),
        external_id=f"c{n}",
        contact=ContactRef(platform_user_id=f"u{n % 40}", display_name=f"Citizen {n % 40}"),
        text=text,
    )
    recorded = record_inbound(session, account=account, inbound=inbound)
    assert recorded.message is not None
    return recorded.message


def seed(db: Session) -> tuple[Agency, OfficialAccount, Actor]:
    agency = create_agency(db, "ANLYS")
    account = create_account(db, agency, "facebook")
    corpus = generate(per_theme=12, campaign_size=12, seed=3)
    for n, text in enumerate(corpus.texts):
        post(db, account, text, n)
    db.commit()
    analyst = create_official(db, "analyst@ANLYS")
    return agency, account, Actor.of(analyst)
