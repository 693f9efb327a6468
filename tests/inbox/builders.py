"""Conversations built the way the channels build them: through ``record_inbound``."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

import civicloop.inbox.tasks  # noqa: F401 - registers the inbox's ON_MESSAGE hook, as the worker does
from civicloop.agencies.models import OfficialAccount
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import Conversation, ConversationKind, Direction, Message
from civicloop.channels.service import record_inbound
from civicloop.kit.clock import FixedClock, set_clock

THIMPHU = ZoneInfo("Asia/Thimphu")
_ids = itertools.count(1)


def at(text: str) -> datetime:
    """A local Thimphu time, e.g. ``at("2026-03-02 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=THIMPHU)


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(at("2026-03-02 08:00"))
    restore = set_clock(fixed)
    yield fixed
    restore()


def _record(db: Session, account: OfficialAccount, inbound: Inbound) -> Message:
    recorded = record_inbound(db, account=account, inbound=inbound)
    assert recorded.message is not None
    db.commit()
    return recorded.message


def citizen_says(
    db: Session,
    account: OfficialAccount,
    when: datetime,
    text: str = "The streetlight on Norzin Lam is out.",
    *,
    ref: str = "post-1",
    who: str = "citizen-1",
    name: str = "Karma Dorji",
    kind: ConversationKind = ConversationKind.comment_thread,
) -> Message:
    contact = ContactRef(platform_user_id=who, display_name=name)
    inbound = Inbound(Action.message, account.external_id, kind, ref, when, f"in-{next(_ids)}", contact=contact,
                      text=text, permalink=f"https://www.facebook.com/{ref}")  # fmt: skip
    return _record(db, account, inbound)


def agency_says(
    db: Session,
    account: OfficialAccount,
    when: datetime,
    text: str = "Thank you, a team is on its way.",
    *,
    ref: str = "post-1",
    kind: ConversationKind = ConversationKind.comment_thread,
) -> Message:
    """The agency's own message as the platform reports it (a reply made directly on the platform)."""
    inbound = Inbound(Action.message, account.external_id, kind, ref, when, f"out-{next(_ids)}",
                      direction=Direction.outbound, text=text)  # fmt: skip
    return _record(db, account, inbound)


def conversation_of(db: Session, message: Message) -> Conversation:
    conversation = db.get(Conversation, message.conversation_id)
    assert conversation is not None
    db.refresh(conversation)
    return conversation
