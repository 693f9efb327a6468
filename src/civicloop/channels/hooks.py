"""Extension point for other domains: react to each new inbound message.

A domain appends a callable at import time (its ``tasks`` or ``service`` module), e.g. the inbox
reopening a conversation or analysis assigning a topic. Each callee runs inside the processing
transaction, so it must be idempotent (a replay calls it again only for a message that was new then)
and cheap: enqueue a job with ``jobs.after_commit`` for anything heavy. A hook that raises is rolled
back to its savepoint and logged; the message is stored anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from civicloop.channels.models import Message

log = logging.getLogger(__name__)

MessageHook = Callable[[Session, Message], None]

ON_MESSAGE: list[MessageHook] = []


def message_received(session: Session, message: Message) -> None:
    """Call every hook, each in its own savepoint: a failing reaction is logged and rolled back, and
    never costs the citizen's message, which is stored regardless."""
    for hook in ON_MESSAGE:
        try:
            with session.begin_nested():
                hook(session, message)
        except Exception:  # another domain's bug must not block intake; it is logged loudly
            log.exception("ON_MESSAGE hook %s failed for message %s", getattr(hook, "__qualname__", hook), message.id)
