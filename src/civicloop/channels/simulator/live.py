"""The live demo: platform APIs simulated on a local port, and citizens writing in while a visitor watches.

``start`` serves the simulator, points this process's platform API and sign-in settings at it, teaches
it the accounts and the conversations already in the database (so that replies to them are accepted or
refused as the real platforms would), arranges the platforms' "Connect …" flows on it (this deployment's
apps and someone with something to connect, ``channels.connect.simulated``) and, unless told not to,
starts a background thread that sends one simulated citizen's webhook to the served app every few seconds.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels.connect import simulated
from civicloop.channels.models import Contact, Conversation, ConversationKind, Direction, Message
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.citizens import MAX_DURATION, Citizens, drive, load_targets, register_accounts, side
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.spec import Addressee, Earlier
from civicloop.config import get_settings, reset_settings
from civicloop.db.session import session_scope
from civicloop.kit.http import http_client

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 60


def remember_conversations(state: SimulatorState, session: Session) -> None:
    """Teach the simulated platforms what citizens already wrote (the demo's seeded history), each platform
    as its citizen side knows how (``CitizenSide.remember``)."""
    rows = session.execute(
        select(Message, Conversation, OfficialAccount, Contact)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(OfficialAccount, OfficialAccount.id == Message.account_id)
        .outerjoin(Contact, Contact.id == Message.contact_id)
        .where(Message.direction == Direction.inbound)
    ).all()
    for message, conversation, account, contact in rows:
        writers = side(account.platform)
        if writers is None:
            continue
        earlier = Earlier(
            account=Addressee(account.external_id, account.name, dict(account.credentials or {})),
            comment=conversation.kind is ConversationKind.comment_thread,
            external_id=message.external_id or "",
            thread=conversation.post_ref or conversation.external_ref,
            reply_to=message.reply_to_external_id,
            citizen=contact.platform_user_id if contact else "",
            text=message.text,
            at=message.created_at,
        )
        writers.remember(state, earlier)


@dataclass
class LiveDemo:
    simulator: SimulatorServer
    thread: threading.Thread | None
    stopping: threading.Event
    connect_hints: list[str] = field(default_factory=list)  # what can be connected on the simulator

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.simulator.stop()


def _wait_until_up(app_url: str, stopping: threading.Event) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline and not stopping.is_set():
        try:
            if httpx.get(f"{app_url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        stopping.wait(0.5)
    return False


def _citizens_loop(app_url: str, citizens: Citizens, interval: float, stopping: threading.Event) -> None:
    if not _wait_until_up(app_url, stopping):
        if not stopping.is_set():  # stopped before it came up: nothing went wrong
            log.warning("the demo app did not come up at %s; no simulated citizens", app_url)
        return
    with http_client(10) as client:
        while not stopping.is_set():
            report = drive(app_url, citizens, rate=1 / interval, duration=MAX_DURATION, client=client, stop=stopping)
            log.info("simulated citizens sent %s events: %s", report.sent, dict(report.by_status))


def start(app_url: str, *, interval: float = 4.0, citizens: bool = True) -> LiveDemo:
    """Serve the simulator, point the platform settings at it, arrange the connection flows on it, and (with
    ``citizens``) let citizens write to ``app_url``."""
    state = SimulatorState()
    simulator = SimulatorServer(state).start()
    os.environ.update(simulator.env())
    simulated.use_apps()
    reset_settings()
    hints = simulated.arrange(state, get_settings().base_url)
    with session_scope() as session:
        targets = load_targets(session)
        register_accounts(state, targets)
        remember_conversations(state, session)
    stopping = threading.Event()
    thread = None
    if citizens:
        writers = Citizens(targets, state=state)
        thread = threading.Thread(
            target=_citizens_loop, args=(app_url, writers, interval, stopping), name="civicloop-citizens", daemon=True
        )
        thread.start()
    return LiveDemo(simulator, thread, stopping, hints)
