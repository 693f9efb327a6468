"""What a revision left for the application to recount once every revision has run.

A revision may not call the application (its code changes; what an old revision does must not), so one
that invalidates derived rows marks them instead: an SLA row with ``evaluated_at`` NULL has not been
evaluated yet (revision 0220 resets the rows of the conversations it split). ``upgrade`` then evaluates
those rows with the rules of the code being installed — breaches counted, nobody notified, these are old
clocks — and recounts oversight's days they began on, in one transaction. A row whose last evaluation
failed also has ``evaluated_at`` NULL; it is evaluated again here, as the periodic sweep would.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import Conversation
from civicloop.config import get_settings
from civicloop.db.session import build_engine
from civicloop.inbox import clocks
from civicloop.inbox.models import ConversationSla
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import zone
from civicloop.oversight import aggregates
from civicloop.oversight import responses as response_days
from civicloop.oversight.periods import Period

CHUNK = 500


def pending(database_url: str) -> int:
    """Evaluate every SLA row not evaluated yet and recount the oversight days of those conversations;
    returns how many rows. Cheap when there are none (one read)."""
    engine = build_engine(database_url)
    try:
        with Session(bind=engine) as session, session.begin():
            return _recount(session)
    finally:
        engine.dispose()


def _recount(session: Session) -> int:
    ids = list(session.scalars(select(ConversationSla.conversation_id).where(ConversationSla.evaluated_at.is_(None))))
    if not ids:
        return 0
    zone_name = get_settings().timezone
    tz = zone(zone_name)
    now = utcnow()
    context = clocks.Context.empty()
    days: set[tuple[int, date]] = set()
    for start in range(0, len(ids), CHUNK):
        for conversation in session.scalars(
            select(Conversation).where(Conversation.id.in_(ids[start : start + CHUNK]))
        ):
            row = clocks.refresh(session, conversation, now=now, context=context, announce=False)
            for instant in (row.first_citizen_at, conversation.last_citizen_message_at):
                if isinstance(instant, datetime):
                    days.add((conversation.agency_id, instant.astimezone(tz).date()))
        session.flush()
    if days:
        aggregates.rebuild(session, agency_days=days, zone_name=zone_name, now=now)
        first, last = min(d for _, d in days), max(d for _, d in days)
        for part in Period(first, last).by_month():
            response_days.rebuild(session, period=part, zone_name=zone_name)
    session.flush()
    return len(ids)
