"""Where this domain meets others at start-up: a citizen's STOP message (channels.hooks.ON_MESSAGE)
and the count of missed promises on oversight's scorecard, dashboard and transparency page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from civicloop.accountability import queries, service
from civicloop.channels import hooks as channel_hooks
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_
from civicloop.oversight import hooks as oversight_hooks


def missed_promises(session: Session, start: datetime, end: datetime, agency_ids: set[int] | None) -> dict[int, int]:
    return queries.missed_promises(session, start=start, end=end, now=utcnow(), agency_ids=agency_ids)


MISSED_PROMISES = oversight_hooks.AgencyCount(
    key="missed_promises",
    label=N_("Missed promises"),
    definition="Promises made in replies (confirmed by the officer) that fell due in the period and were not "
    "kept by their due time.",
    count=missed_promises,
)

if service.stop_updates not in channel_hooks.ON_MESSAGE:
    channel_hooks.ON_MESSAGE.append(service.stop_updates)
if MISSED_PROMISES not in oversight_hooks.AGENCY_COUNTS:
    oversight_hooks.AGENCY_COUNTS.append(MISSED_PROMISES)
