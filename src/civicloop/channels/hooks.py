"""Extension points for other domains: react to each new inbound message, and to a comment hidden on the platform.

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

from civicloop.channels.base import Action
from civicloop.channels.models import Message

log = logging.getLogger(__name__)

MessageHook = Callable[[Session, Message], None]
# A comment hidden or shown again on the platform itself (by one of its administrators), not through
# CivicLoop: called with the message and ``Action.hide`` or ``Action.unhide`` once its state has changed.
PlatformModerationHook = Callable[[Session, Message, Action], None]

ON_MESSAGE: list[MessageHook] = []
ON_PLATFORM_MODERATION: list[PlatformModerationHook] = []


def message_received(session: Session, message: Message) -> None:
    """Call every hook, each in its own savepoint: a failing reaction is logged and rolled back, and
    never costs the citizen's message, which is stored regardless."""
    for hook in ON_MESSAGE:
        _guarded(session, "ON_MESSAGE", hook, message)


def moderated_on_platform(session: Session, message: Message, action: Action) -> None:
    """Tell the domains that keep the record of moderation; guarded like ``message_received``."""
    for hook in ON_PLATFORM_MODERATION:
        _guarded(session, "ON_PLATFORM_MODERATION", hook, message, action)


def _guarded(session: Session, kind: str, hook: Callable[..., None], message: Message, *more: object) -> None:
    try:
        with session.begin_nested():
            hook(session, message, *more)
    except Exception:  # another domain's bug must not block intake; it is logged loudly
        log.exception("%s hook %s failed for message %s", kind, getattr(hook, "__qualname__", hook), message.id)
