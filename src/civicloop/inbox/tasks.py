"""Jobs: the SLA sweep (every minute) and the inbound-message hook."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.channels import hooks
from civicloop.channels.models import Conversation, Message
from civicloop.db.session import session_scope
from civicloop.inbox import clocks, service

log = logging.getLogger(__name__)


def on_message(session: Session, message: Message) -> None:
    """channels.hooks.ON_MESSAGE: a citizen wrote; reopen the conversation if needed, restart its clocks.

    In a savepoint: whatever goes wrong here must not cost the citizen's message its place in the
    database (the sweep retries the SLA bookkeeping a minute later).
    """
    try:
        with session.begin_nested():
            service.citizen_wrote(session, message)
    except Exception:
        log.exception("SLA bookkeeping failed for message %s; the sweep will retry", message.id)
        conversation = session.get(Conversation, message.conversation_id)
        if conversation is not None:
            clocks.ensure_row(session, conversation)  # so that it is listed in the inbox all the same


if on_message not in hooks.ON_MESSAGE:
    hooks.ON_MESSAGE.append(on_message)


@jobs.periodic(crontab(minute="*"))
def sweep_sla() -> int:
    """Every minute: refresh the conversations whose SLA state may have moved (at most 500 a run;
    the rest follow the next minute)."""
    with session_scope() as session:
        return clocks.sweep(session)
