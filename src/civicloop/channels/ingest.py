"""Webhook storage and processing: the raw event is the source of truth, processing can always be redone.

A delivery's events become ``event_rows``, which ``insert_events`` stores (insert, on conflict do
nothing) — for webhooks in the writer's shared transaction (``channels.handoff``); ``process_event``
runs in a job and turns one stored event into contacts, conversations and messages. Both are idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount, Platform
from civicloop.channels import registry, service
from civicloop.channels.base import AppAccount, ChannelApp, EventItem, Inbound, Parser
from civicloop.channels.models import RawEvent, WebhookNonce, WebhookRejection
from civicloop.config import get_settings
from civicloop.db.session import read_mostly, session_scope
from civicloop.errors import InvalidSignature, NotFound
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import local
from civicloop.kit.words import plural

log = logging.getLogger(__name__)

Row = dict[str, Any]

UNKNOWN_ACCOUNT = "unknown account"
APP_CACHE_SECONDS = 10.0
APP_CACHE_SIZE = 1000
MAX_ATTEMPTS = 5
MAX_EXTERNAL_ID = 255
MAX_NONCE = 64
# Headers that authenticate a browser or proxy, never a platform: not worth keeping in the records.
DROPPED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


class Reason:
    """Why a webhook request was refused (the ``webhook_rejections.reason`` values)."""

    invalid_signature = "invalid_signature"
    malformed = "malformed"
    too_large = "too_large"


def load_app(session: Session, provider: str, app_key: str) -> ChannelApp:
    """The accounts sharing a webhook URL, with decrypted credentials; NotFound if there are none."""
    try:
        platform = Platform(provider)
    except ValueError as exc:
        raise NotFound("no such webhook") from exc
    accounts = session.scalars(
        select(OfficialAccount)
        .where(OfficialAccount.platform == platform, OfficialAccount.app_key == app_key)
        .order_by(OfficialAccount.id)
    ).all()
    if not accounts:
        raise NotFound("no such webhook")
    return ChannelApp(
        provider=provider,
        app_key=app_key,
        accounts=tuple(AppAccount(a.id, a.agency_id, a.external_id, dict(a.credentials or {})) for a in accounts),
    )


_apps: dict[tuple[str, str, str], tuple[float, ChannelApp]] = {}
_apps_lock = threading.Lock()


def app_for(provider: str, app_key: str, *, fresh: bool = False) -> ChannelApp:
    """``load_app`` with a short in-process cache: the webhook path then needs no read (and, on SQLite,
    holds no lock) before its insert. Callers ask for a ``fresh`` copy before refusing a signature or
    calling a Page unknown, so a secret just changed or an account just added is never missed."""
    cached = None if fresh else cached_app(provider, app_key)
    if cached is not None:
        return cached
    now = time.monotonic()
    with session_scope() as session:
        app = load_app(read_mostly(session), provider, app_key)
    with _apps_lock:
        if len(_apps) >= APP_CACHE_SIZE:
            _apps.clear()
        _apps[_app_cache_key(provider, app_key)] = (now, app)
    return app


def cached_app(provider: str, app_key: str) -> ChannelApp | None:
    """The app's accounts if read less than ``APP_CACHE_SECONDS`` ago; never touches the database."""
    with _apps_lock:
        cached = _apps.get(_app_cache_key(provider, app_key))
    if cached is None or time.monotonic() - cached[0] >= APP_CACHE_SECONDS:
        return None
    return cached[1]


def _app_cache_key(provider: str, app_key: str) -> tuple[str, str, str]:
    return (get_settings().resolved_database_url, provider, app_key)


def _event_key(external_id: str) -> str:
    external_id = _clean(external_id)
    if len(external_id) <= MAX_EXTERNAL_ID:
        return external_id
    return external_id[:180] + ":sha256:" + hashlib.sha256(external_id.encode()).hexdigest()


def _clean(value: str) -> str:
    # PostgreSQL's JSONB cannot hold NUL characters.
    return value.replace("\x00", "")


def record_headers(headers: Mapping[str, str], query: str) -> dict[str, str]:
    kept = {_clean(k): _clean(v) for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}
    if query:
        kept["x-civicloop-query"] = _clean(query)
    return kept


def store_events(
    session: Session, provider: Parser, app: ChannelApp, items: list[EventItem], headers: dict[str, str]
) -> list[int]:
    """Store the events not seen before; return the ids of those that are new and need processing."""
    return insert_events(session, event_rows(provider, app, items, headers))


def event_rows(provider: Parser, app: ChannelApp, items: list[EventItem], headers: dict[str, str]) -> list[Row]:
    """The ``raw_events`` rows for a verified delivery's events.

    An event for a Page or user that no account of this app has is kept for the records, marked
    handled with the error "unknown account" (and logged), and not processed.
    """
    now = utcnow()
    rows = []
    unknown = []
    for item in items:
        account = app.account_for(item.route_key)
        if account is None:
            unknown.append(item.route_key)
        rows.append(
            {
                "provider": provider.name,
                "app_key": app.app_key,
                "external_id": _event_key(item.external_id),
                "kind": _clean(item.kind)[:64],
                "account_id": account.id if account else None,
                "agency_id": account.agency_id if account else None,
                "headers": headers,
                "body": item.body,
                "received_at": now,
                "handled_at": None if account else now,
                "attempts": 0,
                "error": None if account else f"{UNKNOWN_ACCOUNT}: {item.route_key[:100]!r}",
            }
        )
    if unknown:
        log.warning(
            "%s/%s: %d event(s) for id(s) %s that no account of this app has; stored, not processed",
            provider.name,
            app.app_key,
            len(unknown),
            ", ".join(sorted(set(unknown))[:5]),
        )
    return rows


def insert_events(session: Session, rows: Sequence[Row]) -> list[int]:
    """One ``INSERT … ON CONFLICT DO NOTHING`` of ``rows`` (of any requests); returns the ids of the new
    rows that need processing, in order. A row seen before (a repeated delivery) inserts nothing."""
    if not rows:
        return []
    table = RawEvent.__table__
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # The rows go as parameters, not into the statement, so that its compiled form is cached.
    statement = (
        module.insert(table)
        .on_conflict_do_nothing(index_elements=["provider", "app_key", "external_id"])
        .returning(table.c.id, table.c.handled_at)
    )
    return sorted(row.id for row in session.execute(statement, list(rows)) if row.handled_at is None)


def claim_nonce(session: Session, *, provider: str, app_key: str, nonce: str, body: bytes) -> None:
    """Record the first use of a signed delivery's nonce; InvalidSignature if it was used with another
    body. The same body again is the platform retrying (the events' keys make it harmless)."""
    digest = hashlib.sha256(body).hexdigest()
    key = nonce if len(nonce) <= MAX_NONCE else hashlib.sha256(nonce.encode()).hexdigest()
    values = {"provider": provider, "app_key": app_key, "nonce": key, "body_sha256": digest, "seen_at": utcnow()}
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = WebhookNonce.__table__
    statement = (
        module.insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=["provider", "app_key", "nonce"])
        .returning(table.c.id)
    )
    if session.execute(statement).first() is not None:
        return
    first = session.scalar(
        select(WebhookNonce.body_sha256).where(
            WebhookNonce.provider == provider, WebhookNonce.app_key == app_key, WebhookNonce.nonce == key
        )
    )
    if first != digest:
        raise InvalidSignature("this signature's nonce was already used with another body")


def forget_old_nonces(session: Session) -> int:
    """Nonces whose timestamps the freshness window refuses anyway (kept twice as long, for clock skew)."""
    cutoff = utcnow() - 2 * timedelta(seconds=get_settings().webhook_max_age_seconds)
    result = session.execute(delete(WebhookNonce).where(WebhookNonce.seen_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def count_rejection(session: Session, *, provider: str, app_key: str, reason: str) -> None:
    """Count a refused request against the app's accounts (today's counter and the running total)."""
    account_ids = session.scalars(
        select(OfficialAccount.id).where(OfficialAccount.platform == provider, OfficialAccount.app_key == app_key)
    ).all()
    if not account_ids:
        return
    day = today()
    values = {"provider": provider, "app_key": app_key, "day": day, "reason": reason, "count": 1}
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = WebhookRejection.__table__
    statement = (
        module.insert(table)
        .values(values)
        .on_conflict_do_update(
            index_elements=["provider", "app_key", "day", "reason"], set_={"count": table.c.count + 1}
        )
    )
    session.execute(statement)
    session.execute(
        update(OfficialAccount)
        .where(OfficialAccount.id.in_(account_ids))
        .values(rejected_requests=OfficialAccount.rejected_requests + 1)
    )


def today() -> date:
    """The current day where the deployment is (what "today" means on the account page)."""
    return local(utcnow(), get_settings().timezone).date()


def rejections_today(session: Session, account: OfficialAccount) -> dict[str, int]:
    rows = session.execute(
        select(WebhookRejection.reason, WebhookRejection.count).where(
            WebhookRejection.provider == account.platform,
            WebhookRejection.app_key == account.app_key,
            WebhookRejection.day == today(),
        )
    ).all()
    return {reason: count for reason, count in rows}


@dataclass(frozen=True)
class Processed:
    event_id: int
    messages_created: int
    error: str | None


def process_event(session: Session, raw_event_id: int, *, replay: bool = False) -> Processed:
    """Turn one stored event into contacts, conversations and messages. Idempotent: an event already
    handled is skipped unless ``replay`` asks to apply it again (which changes nothing already there)."""
    query = select(RawEvent).where(RawEvent.id == raw_event_id)
    # On PostgreSQL two workers handed the same id take turns; SQLite writers are serialized anyway.
    event = session.scalars(query.with_for_update()).one_or_none()
    if event is None:
        raise NotFound(f"no raw event {raw_event_id}")
    if event.handled_at is not None and not replay:
        return Processed(event.id, 0, event.error)
    provider = registry.parser(event.provider)
    now = utcnow()
    event.attempts += 1
    account = _route(session, provider, event)
    if account is None:
        event.handled_at, event.error = now, f"{UNKNOWN_ACCOUNT}: no account of app {event.app_key} matches"
        log.warning("%s event %s: %s", event.provider, event.id, event.error)
        return Processed(event.id, 0, event.error)
    created = 0
    for fact in provider.parse(event):
        if service.record_inbound(session, account=account, inbound=fact, raw_event_id=event.id).created:
            created += 1
            _apply_earlier_removal(session, provider, event, fact)
    account.last_event_at = _latest(account.last_event_at, now)
    event.handled_at, event.error = now, None
    return Processed(event.id, created, None)


def _apply_earlier_removal(session: Session, provider: Parser, event: RawEvent, fact: Inbound) -> None:
    """Platforms do not order their deliveries: a removal stored before the message it removes (and
    then applied to nothing) is applied again now that the message exists."""
    keys = [_event_key(key) for key in provider.removal_keys(event.kind, fact)]
    if not keys:
        return
    earlier = session.scalars(
        select(RawEvent.id)
        .where(RawEvent.provider == event.provider, RawEvent.app_key == event.app_key, RawEvent.external_id.in_(keys))
        .order_by(RawEvent.id)
    ).all()
    for raw_event_id in earlier:
        log.info("%s event %s: applying removal %s stored before its message", event.provider, event.id, raw_event_id)
        process_event(session, raw_event_id, replay=True)


def _route(session: Session, provider: Parser, event: RawEvent) -> OfficialAccount | None:
    if event.account_id is not None:
        return session.get(OfficialAccount, event.account_id)
    # Stored for an unknown Page or user: the account may have been added since (replay).
    route_keys = {item.route_key for item in provider.events(event.body)}
    account = session.scalars(
        select(OfficialAccount).where(
            OfficialAccount.platform == event.provider,
            OfficialAccount.app_key == event.app_key,
            OfficialAccount.external_id.in_(route_keys),
        )
    ).first()
    if account is not None:
        event.account_id, event.agency_id = account.id, account.agency_id
    return account


def _latest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current


def record_failure(session: Session, raw_event_id: int, error: str) -> bool:
    """Note a failed attempt (its own transaction: the failed one was rolled back). Returns True when
    the event is given up on after ``MAX_ATTEMPTS``: it is then marked handled, with the error kept."""
    event = session.get(RawEvent, raw_event_id)
    if event is None:
        return False
    event.attempts += 1
    event.error = error[:2000]
    if event.attempts >= MAX_ATTEMPTS:
        event.handled_at = utcnow()
        event.error = f"gave up after {plural(event.attempts, 'attempt')}: {error}"[:2000]
        return True
    return False


def unhandled_event_ids(session: Session, *, older_than: timedelta, after_id: int = 0, limit: int = 500) -> list[int]:
    """Events nobody finished processing (a crashed worker, a lost queue entry), oldest first."""
    cutoff = utcnow() - older_than
    query = (
        select(RawEvent.id)
        .where(RawEvent.handled_at.is_(None), RawEvent.received_at <= cutoff, RawEvent.id > after_id)
        .order_by(RawEvent.id)
        .limit(limit)
    )
    return list(session.scalars(query))
