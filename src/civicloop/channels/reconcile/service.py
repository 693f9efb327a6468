"""Reconciling one account: list what the platform holds since a time, store the events not stored yet.

The platform's reconciler rebuilds each comment or message it lists as the webhook event the platform would
have pushed; those events go through ``ingest.event_rows`` and ``ingest.insert_events`` (insert, on conflict
do nothing, keyed as webhook events are) and the same processing job, so an event the webhook did deliver
is not stored twice and one it missed is stored once — and a second run recovers nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.channels import ingest, registry
from civicloop.channels.base import AppAccount, ChannelApp, wanted
from civicloop.channels.connect import service as connections
from civicloop.channels.reconcile.models import ChannelReconciliation
from civicloop.channels.spec import CredentialsRefused, PlatformFailed
from civicloop.errors import Invalid, NotFound
from civicloop.kit.clock import utcnow

log = logging.getLogger(__name__)

PROCESS_JOB = "civicloop.channels.tasks.process_raw_events"
RECONCILED_HEADER = "x-civicloop-reconciled"  # recorded on recovered events in place of a webhook's headers
FIRST_LOOKBACK = timedelta(hours=24)  # an account never reconciled is read back this far
OVERLAP = timedelta(minutes=15)  # each scheduled run re-reads the end of the previous one's window
MAX_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Outcome:
    account_id: int
    platform: str
    since: datetime
    fetched: int
    recovered: int
    supported: bool
    gaps: tuple[str, ...]
    problem: str | None = None
    credentials_refused: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat()
        data["gaps"] = list(self.gaps)
        return data


def parse_since(value: str) -> datetime:
    """An ISO 8601 time (a time without an offset is taken as UTC); Invalid if unreadable or in the future."""
    try:
        since = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(f"--since {value!r} is not an ISO 8601 time such as 2026-12-01T00:00:00Z", field="since") from exc
    since = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
    if since > utcnow():
        raise Invalid(f"--since {value!r} is in the future", field="since")
    return since


def find_account(session: Session, reference: str) -> OfficialAccount:
    """An account by its CivicLoop id, or by its id on the platform when only one account has it."""
    reference = reference.strip()
    # Page and user ids are digits too, mostly beyond what an id column holds.
    if reference.isdigit() and int(reference) < 2**31 and (account := session.get(OfficialAccount, int(reference))):
        return account
    found = session.scalars(select(OfficialAccount).where(OfficialAccount.external_id == reference)).all()
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise Invalid(f"{len(found)} accounts have the platform id {reference!r}; give CivicLoop's account id")
    raise NotFound(f"no account {reference!r} (give the id `civicloop account list` shows, or the platform id)")


def reconcile_account(
    session: Session, account: OfficialAccount, *, since: datetime, http: httpx.Client, trigger: str
) -> Outcome:
    """Read the account's comments and messages since ``since`` back from its platform and store the events
    not stored yet; their processing is enqueued after commit. The run is recorded either way; a refused token
    or a failing platform is an outcome with a ``problem``, not an exception; a refused token also marks the
    account *needs attention* (``connect.service.needs_person``). Never commits."""
    spec = registry.spec(account.platform.value)
    run = ChannelReconciliation(
        agency_id=account.agency_id, account_id=account.id, trigger=trigger, since=since, started_at=utcnow()
    )
    session.add(run)
    outcome = Outcome(account.id, spec.name, since, 0, 0, spec.reconciler is not None, spec.reconcile_gaps)
    if spec.reconciler is None:
        run.supported, run.finished_at = False, utcnow()
        return outcome
    target = AppAccount(account.id, account.agency_id, account.external_id, dict(account.credentials or {}))
    try:
        listed = spec.reconciler.list_since(target, since, http)
    except (CredentialsRefused, PlatformFailed) as exc:
        refused = isinstance(exc, CredentialsRefused)
        run.problem, run.credentials_refused, run.finished_at = str(exc), refused, utcnow()
        log.warning("reconciling %s account %s: %s", spec.name, account.id, exc)
        if refused:
            # As when refreshing its token is refused (``connect.tasks``): a person must connect it again, so it shows
            # *needs attention* and the alerts raise one alert, with the reconnect button, to its admins.
            connections.needs_person(session, account, f"reconciliation was refused: {exc}", now=utcnow())
        return replace(outcome, problem=str(exc), credentials_refused=refused)
    parser = registry.parser(spec.name)
    items = wanted(parser, listed.items, account.app_key)
    app = ChannelApp(spec.name, account.app_key, (target,))
    new = ingest.insert_events(session, ingest.event_rows(parser, app, items, {RECONCILED_HEADER: spec.name}))
    if new:
        log.warning(
            "reconciling %s account %s recovered %d event(s) its webhooks missed", spec.name, account.id, len(new)
        )
        jobs.after_commit(session, PROCESS_JOB, new)
    run.fetched, run.recovered, run.finished_at = listed.fetched, len(new), utcnow()
    return replace(outcome, fetched=listed.fetched, recovered=len(new))


def last_run(session: Session, account_id: int) -> ChannelReconciliation | None:
    query = select(ChannelReconciliation).where(ChannelReconciliation.account_id == account_id)
    return session.scalars(
        query.order_by(ChannelReconciliation.started_at.desc(), ChannelReconciliation.id.desc())
    ).first()


def scheduled_since(session: Session, account_id: int) -> datetime:
    """Where a scheduled run starts: shortly before the last run that read the platform, within a week."""
    now = utcnow()
    last = session.scalars(
        select(ChannelReconciliation.started_at)
        .where(ChannelReconciliation.account_id == account_id, ChannelReconciliation.problem.is_(None))
        .order_by(ChannelReconciliation.started_at.desc())
        .limit(1)
    ).first()
    since = now - FIRST_LOOKBACK if last is None else last - OVERLAP
    return max(since, now - MAX_LOOKBACK)


def reconcilable_account_ids(session: Session) -> list[int]:
    """Active accounts on the platforms whose API can list what their webhooks push."""
    names = [name for name, spec in registry.PLATFORMS.items() if spec.reconciler is not None]
    query = select(OfficialAccount.id).where(
        OfficialAccount.platform.in_(names), OfficialAccount.status == AccountStatus.active
    )
    return list(session.scalars(query.order_by(OfficialAccount.id)))
