"""Polling: for platforms that push nothing the agency must see (some have no webhooks for comments),
a periodic job asks each registered spec that declares a ``poller`` for what is new on each active
account, and stores it exactly as webhook events are stored — the same ``raw_events`` rows, de-duplicated
by external id, processed by the same job. A poll spends platform API quota: what each account spent
today is kept (``ChannelPoll``), and a poll never spends more than what is left of the day's budget.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.channels import ingest, registry
from civicloop.channels.base import AppAccount, ChannelApp, wanted
from civicloop.channels.models import ChannelPoll, RawEvent
from civicloop.channels.spec import PlatformSpec
from civicloop.kit.clock import utcnow

log = logging.getLogger(__name__)

PROCESS_JOB = "civicloop.channels.tasks.process_raw_events"
POLLED_HEADER = "x-civicloop-polled"  # recorded on polled events in place of a webhook's headers


@dataclass(frozen=True)
class PollOutcome:
    account_id: int
    stored: int
    units: int
    problem: str


def pollable_account_ids(session: Session) -> list[int]:
    """The active accounts on every platform that declares a poller."""
    names = [spec.name for spec in registry.pollers()]
    if not names:
        return []
    query = select(OfficialAccount.id).where(
        OfficialAccount.platform.in_(names), OfficialAccount.status == AccountStatus.active
    )
    return list(session.scalars(query.order_by(OfficialAccount.id)))


def _state(session: Session, account_id: int) -> ChannelPoll:
    """The account's poll state for today (a new day starts with no quota spent)."""
    day = ingest.today()
    state = session.scalars(select(ChannelPoll).where(ChannelPoll.account_id == account_id)).one_or_none()
    if state is None:
        state = ChannelPoll(account_id=account_id, day=day, units=0, stored=0)
        session.add(state)
    elif state.day != day:
        state.day, state.units = day, 0
    return state


def poll_account(session: Session, account: OfficialAccount, http: httpx.Client) -> PollOutcome:
    """Ask the account's platform for new events within what is left of today's quota budget; store the
    new ones and enqueue their processing after commit."""
    spec: PlatformSpec = registry.spec(account.platform)
    poller = spec.poller
    if poller is None:
        raise ValueError(f"{spec.label} is not polled")
    state = _state(session, account.id)
    budget = spec.poll_budget() - state.units
    state.polled_at = utcnow()
    if budget <= 0:
        state.stored = 0
        state.problem = (
            f"today's {spec.label} quota budget of {spec.poll_budget()} units is spent; polling resumes tomorrow"
        )
        return PollOutcome(account.id, 0, 0, state.problem)
    target = AppAccount(account.id, account.agency_id, account.external_id, dict(account.credentials or {}))

    def seen(external_id: str) -> bool:
        found = select(RawEvent.id).where(RawEvent.provider == spec.name, RawEvent.external_id == external_id)
        return session.scalars(found.limit(1)).first() is not None

    polled = poller.poll(target, seen, budget, http)
    app = ChannelApp(spec.name, account.app_key, (target,))
    items = wanted(poller, polled.items, account.app_key)
    new = ingest.insert_events(session, ingest.event_rows(poller, app, items, {POLLED_HEADER: spec.name}))
    state.units += polled.units
    state.stored, state.problem = len(new), polled.problem or None
    if polled.problem:
        log.warning("%s account %s: %s", spec.name, account.id, polled.problem)
    if new:
        jobs.after_commit(session, PROCESS_JOB, new)
    return PollOutcome(account.id, len(new), polled.units, polled.problem)


def problems(session: Session, account_ids: Sequence[int]) -> dict[int, str]:
    """Why the accounts' last polls stopped early, for those that did (a platform's health check)."""
    rows = session.execute(
        select(ChannelPoll.account_id, ChannelPoll.problem).where(
            ChannelPoll.account_id.in_(account_ids), ChannelPoll.problem.is_not(None)
        )
    ).all()
    return {account_id: f"last poll: {problem}" for account_id, problem in rows}


def last_poll(session: Session, account_id: int) -> ChannelPoll | None:
    return session.scalars(select(ChannelPoll).where(ChannelPoll.account_id == account_id)).one_or_none()


def poll_all() -> int:
    """Poll every pollable account, each in its own transaction so that one failing never holds back the
    others; returns how many new events were stored."""
    from civicloop.channels.outbound.send import http_client
    from civicloop.db.session import session_scope

    with session_scope() as session:
        account_ids = pollable_account_ids(session)
    stored = 0
    with http_client() as http:
        for account_id in account_ids:
            try:
                with session_scope() as session:
                    account = session.get(OfficialAccount, account_id)
                    if account is not None:
                        stored += poll_account(session, account, http).stored
            except Exception:  # one account's failure is logged; the next poll tries again
                log.exception("polling account %s failed", account_id)
    return stored
