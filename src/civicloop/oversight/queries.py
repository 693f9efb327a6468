"""Oversight's reads: what the figure modules count, scoped by the agency ids their callers pass.

The figure modules (scorecard, dashboard, adoption, participation, …) turn these rows into figures;
the recounts that write the pre-aggregated tables (``aggregates``, ``responses``, ``rollup``) keep
their reads beside their writes, since a read there is half of one rule.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import Message
from civicloop.inbox.models import ConversationSla
from civicloop.kit.timezones import zone


def message_days(session: Session, conversation_id: int, zone_name: str) -> set[date]:
    """The local days on which the conversation has a message."""
    tz = zone(zone_name)
    instants = session.scalars(select(Message.created_at).where(Message.conversation_id == conversation_id))
    return {instant.astimezone(tz).date() for instant in instants}


def first_citizen_day(session: Session, conversation_id: int, zone_name: str) -> date | None:
    """The local day the conversation began (its first citizen message), as its SLA row records it."""
    began = session.scalar(
        select(ConversationSla.first_citizen_at).where(ConversationSla.conversation_id == conversation_id)
    )
    return began.astimezone(zone(zone_name)).date() if began is not None else None
