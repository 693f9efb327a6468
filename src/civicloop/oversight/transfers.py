"""A conversation transferred to another agency (``inbox.hooks.ON_TRANSFER``): recount, in the same
transaction, every day oversight counted it on, for the agency it left and the agency holding it.

The incremental refresh reads new messages by id, and a transfer adds none (it re-labels the
conversation's messages and SLA row), so without this a conversation begun more than
``responses.RECENT_DAYS`` ago would stay under the old agency until the nightly rebuild (and for ever
beyond its ``NIGHTLY_DAYS``). Recounted: the account days (messages in and out, new conversations) of
every day it has a message, for both agencies, and the response days of the day it began.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from civicloop.config import get_settings
from civicloop.inbox import hooks
from civicloop.kit.clock import utcnow
from civicloop.oversight import aggregates, queries, responses
from civicloop.oversight.periods import Period


def recount_transferred(session: Session, moved: hooks.Transferred) -> None:
    zone_name = get_settings().timezone
    days = queries.message_days(session, moved.conversation_id, zone_name)
    if not days:
        return
    agencies = (moved.from_agency_id, moved.to_agency_id)
    aggregates.rebuild(
        session, agency_days={(a, day) for a in agencies for day in days}, zone_name=zone_name, now=utcnow()
    )
    began = queries.first_citizen_day(session, moved.conversation_id, zone_name)
    if began is not None:
        responses.rebuild(session, period=Period(began, began), zone_name=zone_name)


if recount_transferred not in hooks.ON_TRANSFER:
    hooks.ON_TRANSFER.append(recount_transferred)
