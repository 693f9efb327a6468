"""Before-send hooks: another domain's review of every outgoing reply or post, registered at start-up.

The guidelines gate (``guidelines/gate.py``) registers itself here, so that channels never imports
guidelines (which imports channels). The hook runs on the stored row before anything is enqueued: it
may raise ``Invalid`` (blocked) or set the row ``held`` (waiting for approval). Sending fails closed:
with no hook registered nothing is sent, and the web app and the worker refuse to start.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.outbound.models import OutboundMessage

BeforeSend = Callable[[Session, Actor | None, OutboundMessage], object]

BEFORE_SEND: list[BeforeSend] = []


class NoReviewRegistered(RuntimeError):
    """No before-send hook is registered: outgoing text would leave unreviewed."""


def register(hook: BeforeSend) -> None:
    if hook not in BEFORE_SEND:
        BEFORE_SEND.append(hook)


def require_registered() -> None:
    """Called at start-up (web app, worker): refuse to run with nothing reviewing outgoing text."""
    if not BEFORE_SEND:
        raise NoReviewRegistered(
            "no before-send review is registered (import civicloop.guidelines.gate): outgoing text would go unchecked"
        )


def before_send(session: Session, actor: Actor | None, outbound: OutboundMessage) -> None:
    """Run every hook on a freshly stored row; a hook that raises refuses the message."""
    require_registered()
    for hook in BEFORE_SEND:
        hook(session, actor, outbound)
