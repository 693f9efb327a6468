"""The inbox at work: saved replies, tags, a few conversations assigned, noted or closed, SLA states,
national response targets and a few closures in the calendar."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.models import Conversation, ConversationStatus, Direction, Message
from civicloop.demo import dzongkha
from civicloop.demo.foundation import DemoWorld, demo_email
from civicloop.inbox import clocks
from civicloop.inbox import service as inbox
from civicloop.kit.clock import utcnow
from civicloop.sla import service as calendar

SAVED_REPLIES = [
    (
        "Thanks, passed on",
        "Dear {citizen_name}, thank you for telling us. We have passed this to the team responsible "
        "and will update you here. — {agency_name}",
    ),
    (
        "Need more details",
        "Dear {citizen_name}, could you tell us the exact location (and a photo if you can)? "
        "Please quote reference {conversation_id}.",
    ),
    ("Fixed", "Dear {citizen_name}, this has been fixed. Thank you for your patience. — {officer_name}, {agency_name}"),
]
TAGS = {
    "streetlights": ("light", "dark"),
    "water": ("water", "pipe", "leak", "水"),
    "buses": ("bus", "timetable", "route"),
    "roads": ("road", "pothole", "footpath"),
    "waste": ("garbage", "waste", "rubbish"),
}


def _calendar(session: Session, world: DemoWorld) -> None:
    today = utcnow().date()
    calendar.set_targets(session, actor=None, agency_id=None, first_response=240, next_response=240, resolution=2400)
    calendar.add_closure(
        session, actor=None, scope="district", day=date(today.year, 3, 10), name="Punakha Drubchen", district="Punakha"
    )
    calendar.add_closure(
        session,
        actor=None,
        scope="agency",
        day=today + timedelta(days=20),
        name="Staff retreat (afternoon)",
        span=(13 * 60, 17 * 60),
        agency_id=world.agencies["THROMDE"].id,
    )


def _officer(world: DemoWorld, code: str) -> Actor:
    return Actor.of(world.officials[demo_email("officer", code)])


def seed_inbox(session: Session, world: DemoWorld) -> None:
    _calendar(session, world)
    for code, agency in world.agencies.items():
        officer = _officer(world, code)
        for title, text in SAVED_REPLIES:
            dz_title, dz_text = dzongkha.SAVED_REPLIES[title]
            inbox.save_reply(
                session,
                actor=officer,
                agency_id=agency.id,
                title=title,
                text=text,
                translations={"dz": {"title": dz_title, "text": dz_text}},
            )
    session.flush()
    conversations = list(session.scalars(select(Conversation).order_by(Conversation.id)))
    codes = {agency.id: code for code, agency in world.agencies.items()}
    for n, conversation in enumerate(conversations):
        officer = _officer(world, codes[conversation.agency_id])
        texts = session.scalars(
            select(Message.text).where(
                Message.conversation_id == conversation.id, Message.direction == Direction.inbound
            )
        ).all()
        words = " ".join(texts).lower()
        for tag, keys in TAGS.items():
            if any(key in words for key in keys):
                inbox.add_tag(session, actor=officer, conversation_id=conversation.id, name=tag)
        answered = conversation.last_agency_message_at is not None
        if answered and n % 3 == 0:
            inbox.set_status(session, actor=officer, conversation_id=conversation.id, status=ConversationStatus.closed)
        elif n % 4 == 1:
            inbox.assign(session, actor=officer, conversation_id=conversation.id, assignee_id=officer.id)
        if n % 7 == 2:
            inbox.add_note(
                session,
                actor=officer,
                conversation_id=conversation.id,
                text="Checked with the section in charge: they know and will visit this week.",
            )
    session.flush()
    context = clocks.Context.empty()
    for conversation in conversations:
        clocks.refresh(session, conversation, context=context)
    session.flush()
