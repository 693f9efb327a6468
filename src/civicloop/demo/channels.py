"""A lived-in inbox: a few days of citizens' comments and messages on every platform, some answered.

The events are the simulator's citizens, in each platform's own webhook format, stored and processed
by the same inbound code as live deliveries; replies are recorded as sent outbound messages.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels import ingest, registry
from civicloop.channels.base import Action, ContactRef, Inbound, wanted
from civicloop.channels.models import Conversation, ConversationKind, Direction
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage, OutboundStatus
from civicloop.channels.outbound.service import reply_route
from civicloop.channels.service import record_inbound
from civicloop.channels.simulator.citizens import Citizens, load_targets
from civicloop.channels.web import topics
from civicloop.demo import dzongkha
from civicloop.demo.foundation import DemoWorld, demo_email
from civicloop.kit.clock import utcnow

EVENTS = 48
FEW_PER_PLATFORM = 4
DAYS = 5
REPLY_SHARE = 0.45
REPLIES = [
    "Thank you for letting us know. We have passed this to the team responsible and will update you.",
    "Kadrinchey la. A crew has been scheduled for tomorrow morning.",
    "Thank you. This is now fixed; please tell us if you still see a problem.",
    "We are sorry for the trouble. The new timetable is on our website and at the bus terminal.",
    "Thank you for your suggestion — we will include it in the consultation on the new bus stops.",
]
FORMS = [
    (
        "Sangay Wangmo",
        "sangay.wangmo@example.bt",
        "Buses and bus stops",
        "The Motithang bus stop needs a roof and a bench.",
    ),
    ("", "", "Water supply", "Water pressure in Upper Motithang is very low every evening."),
    ("Tenzin", "77123456", "Building permits", "How long does a building permit renewal take now?"),
]


def _replay(session: Session, citizens: Citizens) -> None:
    """Store and process one simulated event exactly as the webhook route (or a poll) and the job would."""
    event = citizens.next()
    provider = registry.parser(event.target.platform)
    app_key = session.scalars(
        select(OfficialAccount.app_key).where(
            OfficialAccount.platform == event.target.platform, OfficialAccount.external_id == event.target.external_id
        )
    ).one()
    app = ingest.load_app(session, provider.name, app_key)
    items = wanted(provider, provider.events(event.body), app.app_key)
    for raw_event_id in ingest.store_events(session, provider, app, items, {}):
        ingest.process_event(session, raw_event_id)


def _reply(session: Session, conversation: Conversation, text: str, at: datetime, official_id: int | None) -> None:
    account = session.get(OfficialAccount, conversation.account_id)
    assert account is not None
    route, target, recipient = reply_route(session, account, conversation, None, None)
    external_id = f"demo-{secrets.token_hex(8)}"
    session.add(
        OutboundMessage(
            agency_id=conversation.agency_id,
            account_id=account.id,
            conversation_id=conversation.id,
            kind=OutboundKind.reply,
            route=route,
            text=text,
            target=target,
            recipient=recipient,
            status=OutboundStatus.sent,
            attempts=1,
            idempotency_key=secrets.token_hex(16),
            external_id=external_id,
            created_by_id=official_id,
            created_at=at,
            sent_at=at,
        )
    )
    inbound = Inbound(
        action=Action.message,
        account_ref=account.external_id,
        conversation_kind=conversation.kind,
        conversation_ref=conversation.external_ref,
        created_at=at,
        external_id=external_id,
        direction=Direction.outbound,
        text=text,
        reply_to_external_id=target,
    )
    record_inbound(session, account=account, inbound=inbound)


def _forms(session: Session, world: DemoWorld, start: datetime) -> None:
    account = world.first_account("THROMDE", lambda spec: spec.form_reply is not None)
    # The form's topics in English and Dzongkha, as the agency's officer writes them on the topics page.
    for code, rows in dzongkha.FEEDBACK_TOPICS.items():
        officer = Actor.of(world.officials[demo_email("officer", code)])
        texts = [topics.TopicText(english, {"dz": dz}) for english, dz in rows]
        topics.set_topics(session, actor=officer, agency_id=world.agencies[code].id, rows=texts)
    for n, (name, contact, topic, text) in enumerate(FORMS):
        reference = f"THROMDE-D3M0{n}K"
        email = contact if "@" in contact else None
        phone = f"+975{contact}" if contact and not email else None
        inbound = Inbound(
            action=Action.message,
            account_ref=account.external_id,
            conversation_kind=ConversationKind.form,
            conversation_ref=reference,
            created_at=start + timedelta(days=n + 1, hours=3),
            external_id=reference,
            contact=ContactRef(email or phone or reference, name or "Anonymous", email=email, phone=phone),
            text=text,
            subject=topic,
        )
        record_inbound(session, account=account, inbound=inbound)


def seed_channels(session: Session, world: DemoWorld) -> None:
    now = utcnow()
    start = now - timedelta(days=DAYS)
    rng = random.Random(2026)  # noqa: S311 - demo data
    clock = {"at": start}
    targets = load_targets(session)
    # The platforms the demo gives every agency an account on (``PlatformSpec.demo``) share the lived-in mix.
    everywhere = {name for name, p in registry.PLATFORMS.items() if p.demo is not None}
    citizens = Citizens([t for t in targets if t.platform in everywhere], seed=2026, now=lambda: clock["at"])
    step = timedelta(days=DAYS) / EVENTS
    for _ in range(EVENTS):
        clock["at"] += step * rng.uniform(0.5, 1.5)
        clock["at"] = min(clock["at"], now - timedelta(minutes=5))
        _replay(session, citizens)
    # The platforms only the city has an account on: a few citizens each, on their own draw.
    others = [t for t in targets if t.platform not in everywhere]
    if others:
        clock["at"] = start
        few = Citizens(others, seed=2027, now=lambda: clock["at"])
        for _ in range(FEW_PER_PLATFORM * len({t.platform for t in others})):
            clock["at"] += timedelta(days=DAYS) / (FEW_PER_PLATFORM + 1)
            _replay(session, few)
    _forms(session, world, start)
    session.flush()
    conversations = session.scalars(
        select(Conversation)
        .where(Conversation.last_citizen_message_at < now - timedelta(hours=6))
        .order_by(Conversation.id)
    ).all()
    for conversation in conversations:
        if conversation.kind is ConversationKind.form or rng.random() > REPLY_SHARE:
            continue
        last = conversation.last_citizen_message_at
        assert last is not None
        agency = next(a for a in world.agencies.values() if a.id == conversation.agency_id)
        officer = world.officials.get(demo_email("officer", agency.code))
        answered_at = min(last + timedelta(minutes=rng.randint(20, 300)), now - timedelta(minutes=1))
        _reply(session, conversation, rng.choice(REPLIES), answered_at, officer.id if officer else None)
    session.flush()
    _five_on_one_post(session, world, now)


# The demo: five citizens comment on one post, an officer answers one; four stay waiting.
BUSY_POST = "Norzin Lam will be resurfaced from Monday; expect one lane closed near the clock tower."
BUSY_COMMENTS = [
    ("Kinley Wangmo", "Will the buses still stop at the clock tower during the works?"),
    ("Tshering Yangzom", "Please do the night work quietly, there is a hospital ward nearby."),
    ("Sangay Tenzin", "How long will the lane stay closed?"),
    ("Deki Choden", "The drain on the same stretch overflows every monsoon, fix it too please."),
    ("Jigme Namgyel", "Where should taxis drop passengers meanwhile?"),
]


def _five_on_one_post(session: Session, world: DemoWorld, now: datetime) -> None:
    """Five citizens' comments under one post of the city's first account that takes comment replies: five
    conversations, one of them answered."""
    account = next(
        account
        for (code, platform), account in world.accounts.items()
        if code == "THROMDE" and registry.PLATFORMS[platform].comment_reply is not None
    )
    post_id = f"{account.external_id}_demo-resurfacing"
    at = now - timedelta(hours=3)
    record_inbound(
        session,
        account=account,
        inbound=Inbound(
            action=Action.message,
            account_ref=account.external_id,
            conversation_kind=ConversationKind.comment_thread,
            conversation_ref=post_id,
            post_ref=post_id,
            created_at=at,
            external_id=post_id,
            direction=Direction.outbound,
            text=BUSY_POST,
            subject=BUSY_POST[:120],
        ),
    )
    first = None
    for n, (name, text) in enumerate(BUSY_COMMENTS):
        comment_id = f"demo-resurfacing_{n + 1}"
        recorded = record_inbound(
            session,
            account=account,
            inbound=Inbound(
                action=Action.message,
                account_ref=account.external_id,
                conversation_kind=ConversationKind.comment_thread,
                conversation_ref=comment_id,
                post_ref=post_id,
                created_at=at + timedelta(minutes=10 * (n + 1)),
                external_id=comment_id,
                contact=ContactRef(f"demo-resurfacing-{n + 1}", name),
                text=text,
            ),
        )
        first = first or recorded.message
    assert first is not None
    conversation = session.get(Conversation, first.conversation_id)
    assert conversation is not None
    officer = world.officials.get(demo_email("officer", "THROMDE"))
    reply = "Dear Kinley, yes: the buses stop 50 metres further up, beside the post office, during the works."
    _reply(session, conversation, reply, at + timedelta(hours=1), officer.id if officer else None)
    session.flush()
