"""Citizen and agency messages for oversight tests, stored through channels' one door (``record_inbound``)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import Conversation, ConversationKind, Direction, Message
from civicloop.channels.service import record_inbound
from civicloop.consultations.models import Consultation, ConsultationStatus

_ids = itertools.count(1)


def message(
    session: Session,
    account: OfficialAccount,
    at: datetime,
    *,
    direction: Direction = Direction.inbound,
    thread: str | None = None,
    text: str = "The streetlight on Norzin Lam is out again.",
    citizen: str = "citizen-1",
) -> Message:
    """One message on ``account`` written at ``at``; ``thread`` groups messages into one conversation."""
    n = next(_ids)
    recorded = record_inbound(
        session,
        account=account,
        inbound=Inbound(
            action=Action.message,
            account_ref=account.external_id,
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=thread or f"post-{n}",
            created_at=at,
            external_id=f"m-{n}",
            direction=direction,
            contact=ContactRef(citizen, "Sonam Dema") if direction is Direction.inbound else None,
            text=text,
        ),
    )
    assert recorded.message is not None
    return recorded.message


def bulk_messages(
    session: Session, rows: list[tuple[OfficialAccount, datetime, Direction, str]], text: str = "Bulk message"
) -> dict[tuple[int, str], int]:
    """Many messages at once, (account, written at, direction, thread), straight into the channels tables.

    For volume tests: two multi-row inserts instead of a dozen queries per message. Returns the
    conversation id of each (account id, thread).
    """
    threads = {(account.id, thread): account for account, _, _, thread in rows}
    conversation_ids: dict[tuple[int, str], int] = {}
    for (account_id, thread), account in threads.items():
        conversation = Conversation(
            agency_id=account.agency_id,
            account_id=account_id,
            kind=ConversationKind.comment_thread,
            external_ref=thread,
        )
        session.add(conversation)
        session.flush()
        conversation_ids[(account_id, thread)] = conversation.id
    session.execute(
        insert(Message),
        [
            {
                "agency_id": account.agency_id,
                "conversation_id": conversation_ids[(account.id, thread)],
                "account_id": account.id,
                "direction": direction,
                "platform": account.platform.value,
                "external_id": f"bulk-{next(_ids)}",
                "text": text,
                "attachments": [],
                "created_at": at,
                "received_at": at,
            }
            for account, at, direction, thread in rows
        ],
    )
    return conversation_ids


def bus_stop_consultation(session: Session, agency: Agency, now: datetime, *, published: bool = True) -> Consultation:
    """The bus-stop consultation: open for ten days now, or (``published``) closed ten days ago after ten
    days open, its report published two days ago."""
    dates = (
        {
            "opened_at": now - timedelta(days=20),
            "closed_at": now - timedelta(days=10),
            "published_at": now - timedelta(days=2),
        }
        if published
        else {"opened_at": now - timedelta(days=10)}
    )
    consultation = Consultation(
        agency_id=agency.id,
        code="BUSSTOP",
        title="Design of the model bus stop",
        summary="Which design should we build?",
        status=ConsultationStatus.published if published else ConsultationStatus.open,
        **dates,
    )
    session.add(consultation)
    session.flush()
    return consultation
