"""Extension point for other domains: react to a conversation moving to another agency.

``transfers.transfer`` calls every hook in ``ON_TRANSFER`` inside its own transaction, after the
conversation, its messages and its SLA row have moved: oversight recounts the days it counted the
conversation on, for both agencies, so that no figure keeps it under the agency it left. A hook that
raises fails the transfer (nothing moves), so the figures and the inbox never disagree. Oversight
registers its hook when ``oversight.transfers`` is imported: by the web app (``main``) and by the workers
and the CLI (through ``oversight.tasks``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Transferred:
    conversation_id: int
    from_agency_id: int
    to_agency_id: int


TransferHook = Callable[[Session, Transferred], None]

ON_TRANSFER: list[TransferHook] = []


def transferred(session: Session, moved: Transferred) -> None:
    for hook in ON_TRANSFER:
        hook(session, moved)
