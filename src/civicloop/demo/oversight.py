"""Oversight in the demo: a week of ordinary traffic, then a burst that raises live alerts.

Simulated citizens write to Thimphu Thromde's first account that takes comments (the registry's
first such platform) at its usual pace for a week, then two dozen complaints about the bus stop
arrive within the hour: the alert rules see a spike of messages (and of negative ones). The token of
Punakha's second social account is about to expire, and a Thromde officer posted a citizen's ID
number directly on the platform (an incident). Everything goes through the same
doors as live data (``record_inbound``) and the same jobs as production (refresh, scan, evaluate).
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

from sqlalchemy.orm import Session

from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind, Direction
from civicloop.channels.service import record_inbound
from civicloop.config import get_settings
from civicloop.demo.foundation import DemoWorld
from civicloop.kit.clock import utcnow
from civicloop.oversight import aggregates, alerts, conduct, responses

ORDINARY = [
    "When will the streetlight near the Clock Tower be repaired?",
    "Thank you for fixing the water supply in Changzamtog so quickly.",
    "Is the Norzin Lam parking fee the same on Saturdays?",
    "The garbage truck did not come to Motithang this week.",
    "Where can I renew my trade licence?",
]
COMPLAINTS = [
    "The new bus stop design has no roof, we will get soaked in the monsoon. This is terrible.",
    "Why was the bus stop built without asking us? It is useless and ugly.",
    "No bench and no shelter at the new bus stop. Very disappointed.",
    "The bus stop blocks the footpath, it is unsafe for children. Bad planning.",
]
DIRECT_POST = "Dasho, the permit for CID 11512003456 is approved; please collect it from the counter."


def seed_oversight(session: Session, world: DemoWorld) -> None:
    now = utcnow()
    rng = random.Random(9)  # noqa: S311 - demo traffic, not security
    ids = itertools.count(1)
    page = world.first_account("THROMDE", lambda spec: spec.comment_reply is not None)

    def write(at_hours_ago: float, text: str, direction: Direction = Direction.inbound) -> None:
        n = next(ids)
        record_inbound(
            session,
            account=page,
            inbound=Inbound(
                action=Action.message,
                account_ref=page.external_id,
                conversation_kind=ConversationKind.comment_thread,
                # Each citizen's comment is a conversation of its own under one of twelve posts; the
                # agency's message answers the comment before it.
                conversation_ref=f"demo-oversight-{n if direction is Direction.inbound else n - 1}",
                post_ref=f"demo-oversight-post-{n % 12}",
                created_at=now - timedelta(hours=at_hours_ago),
                external_id=f"demo-oversight-{n}",
                direction=direction,
                contact=ContactRef(f"demo-citizen-{n % 40}", f"Citizen {n % 40}")
                if direction is Direction.inbound
                else None,
                text=text,
            ),
        )

    for hour in range(2, 7 * 24):  # the usual week: one or two messages an hour, fewer at night
        for _ in range(rng.choice((0, 1, 1, 2)) if 2 <= (hour % 24) <= 14 else rng.choice((0, 0, 1))):
            write(hour + rng.random(), rng.choice(ORDINARY))
    for n in range(24):  # the burst, within the last hour
        write(0.95 * (n + 1) / 25, COMPLAINTS[n % len(COMPLAINTS)])
    write(5, DIRECT_POST, Direction.outbound)
    # The district's second social account has a token about to expire.
    world.accounts_of("PUNAKHA", lambda spec: spec.social)[1].token_expires_at = now + timedelta(days=5)
    page.last_event_at = now
    session.flush()
    zone_name = get_settings().timezone
    aggregates.refresh(session, zone_name=zone_name, now=now)
    responses.rebuild_recent(session, zone_name=zone_name, now=now, days=responses.NIGHTLY_DAYS)
    conduct.scan(session, now=now)
    alerts.evaluate(session, now=now)
