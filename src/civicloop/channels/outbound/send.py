"""Sending one outbound message: claim the row, call the platform, record the result — exactly once.

The row is marked ``sending`` and committed *before* the platform call, and it keeps
``attempt_started_at`` for as long as an attempt may have reached the platform unseen (a crash, a
timeout, a 5xx). The next attempt then first looks on the platform for what that attempt created
(``Sender.find``) and only sends when it is not there; a platform that cannot be asked (``find`` raises
``Unverifiable``) makes the row ``unconfirmed`` for a person to decide. See docs/adr/0004-outbound-exactly-once.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.channels import registry
from civicloop.channels.base import Action, Inbound
from civicloop.channels.delivery import Delivery, Next, SendError, Sent, Unverifiable, backoff
from civicloop.channels.models import Conversation, Direction
from civicloop.channels.outbound.models import SEND_JOB, OutboundMessage, OutboundStatus, PlatformToken
from civicloop.channels.service import record_inbound
from civicloop.config import get_settings
from civicloop.db.session import session_scope
from civicloop.kit import http as kit_http
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.words import plural

log = logging.getLogger(__name__)

# A row still "sending" this long after it was claimed belongs to a worker that died (one attempt
# takes at most a few timeouts of 15 s): the sweeper hands it back, to be checked before any resend.
STALE_AFTER = timedelta(minutes=5)
# Refresh a cached access token this long before it expires (a platform may keep the old one 5 more minutes).
TOKEN_MARGIN = timedelta(minutes=10)
# The sweeper leaves a due row alone this long, so that it does not pile jobs onto a busy queue.
SWEEP_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    platform: Platform
    account_id: int
    check_first: bool


@dataclass(frozen=True)
class Outcome:
    sent: Sent | None = None
    error: SendError | None = None
    unconfirmed: str | None = None
    # An attempt may have reached the platform and nobody has looked: the next one must check first.
    unresolved: bool = False


def http_client() -> httpx.Client:
    seconds = get_settings().outbound_timeout_seconds
    return kit_http.http_client(httpx.Timeout(seconds, connect=min(seconds, 5.0)))


def _locked(session: Session, outbound_id: int) -> OutboundMessage | None:
    return session.scalars(select(OutboundMessage).where(OutboundMessage.id == outbound_id).with_for_update()).first()


def _subject(session: Session, row: OutboundMessage) -> str | None:
    if not registry.answers_a_form(row.route):
        return None
    agency = session.get(Agency, row.agency_id)
    name = agency.name if agency else "the agency"
    english = f"Re: your feedback to {name} (reference {row.target})" if row.target else f"Re: your feedback to {name}"
    # A citizen may read English or Dzongkha and the form does not say which: the subject says it in both.
    dz_name = i18n.localized(agency, "name", "dz").text if agency else ""
    dzongkha = i18n.translate("dz", "Re: your feedback to %(agency)s") % {"agency": dz_name or name}
    return f"{english} · {dzongkha}"


def claim(outbound_id: int) -> Claim | None:
    """Mark a due queued row ``sending`` and commit, so that no other worker sends it meanwhile."""
    with session_scope() as session:
        row = _locked(session, outbound_id)
        now = utcnow()
        if row is None or row.status is not OutboundStatus.queued:
            return None
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return None
        account = session.get(OfficialAccount, row.account_id)
        if account is None:
            return None
        if account.status is not AccountStatus.active:
            row.status, row.last_error = OutboundStatus.failed, f"the account is {account.status.value}"
            return None
        check_first = row.attempt_started_at is not None
        if not check_first:
            row.attempt_started_at = now
        row.status, row.attempts, row.updated_at = OutboundStatus.sending, row.attempts + 1, now
        image = row.image_path
        delivery = Delivery(
            outbound_id=row.id,
            idempotency_key=row.idempotency_key,
            route=row.route,
            text=row.text,
            account_external_id=account.external_id,
            credentials=dict(account.credentials or {}),
            target=row.target,
            recipient=row.recipient,
            image_path=None if image is None else Path(image),
            subject=_subject(session, row),
            attempt_started_at=row.attempt_started_at,
        )
        return Claim(delivery, account.platform, account.id, check_first)


def access_token(account_id: int, http: httpx.Client, *, refused: str | None = None) -> str:
    """The account's access token (``PlatformSpec.fetch_token``) from the shared cache, fetched when missing,
    near expiry, or when ``refused`` (the token a call was just refused with) is still the cached one."""
    with session_scope() as session:
        # Locking the account row makes one worker fetch while the others wait and then reuse it:
        # fetching again would retire the token the others hold.
        account = session.scalars(
            select(OfficialAccount).where(OfficialAccount.id == account_id).with_for_update()
        ).one()
        cached = session.scalars(select(PlatformToken).where(PlatformToken.account_id == account_id)).first()
        now = utcnow()
        if cached is not None:
            value = cached.secret.get("access_token", "")
            fresh = cached.expires_at - TOKEN_MARGIN > now
            if value and fresh and value != refused:
                return value
        fetch_token = registry.spec(account.platform).fetch_token
        assert fetch_token is not None, "only platforms that declare fetch_token cache access tokens"
        token, lifetime = fetch_token(http, account.credentials or {})
        expires_at = now + timedelta(seconds=lifetime)
        if cached is None:
            session.add(
                PlatformToken(
                    account_id=account_id, secret={"access_token": token}, expires_at=expires_at, fetched_at=now
                )
            )
        else:
            cached.secret, cached.expires_at, cached.fetched_at = {"access_token": token}, expires_at, now
        account.token_expires_at = expires_at
        return token


def _with_token(claimed: Claim, delivery: Delivery, http: httpx.Client, refused: str | None = None) -> Delivery:
    if registry.spec(claimed.platform).fetch_token is None:
        return delivery
    token = access_token(claimed.account_id, http, refused=refused)
    return replace(delivery, credentials={**delivery.credentials, "access_token": token})


def _restart_attempt(outbound_id: int) -> None:
    """The earlier attempt is known not to have arrived: this one starts the clock afresh."""
    with session_scope() as session:
        row = _locked(session, outbound_id)
        if row is not None:
            row.attempt_started_at = utcnow()


def attempt(claimed: Claim, http: httpx.Client) -> Outcome:
    sender = registry.spec(claimed.platform).sender
    delivery = claimed.delivery
    # Until the platform has been asked, an earlier interrupted attempt may have arrived.
    resolved = not claimed.check_first
    try:
        delivery = _with_token(claimed, delivery, http)
        if not resolved:
            try:
                found = sender.find(delivery, http)
            except Unverifiable as exc:
                return Outcome(
                    unconfirmed=f"an earlier attempt was interrupted and {exc}; check and confirm, or resend"
                )
            if found is not None:
                log.info("outbound %s: found on the platform after an interrupted attempt", delivery.outbound_id)
                return Outcome(sent=found)
            _restart_attempt(delivery.outbound_id)
            resolved = True
        try:
            return Outcome(sent=sender.send(delivery, http))
        except SendError as exc:
            if exc.next_step is not Next.refresh_token:
                raise
            refused = delivery.credentials.get("access_token")
            delivery = _with_token(claimed, delivery, http, refused=refused)
            try:
                return Outcome(sent=sender.send(delivery, http))
            except SendError as again:
                if again.next_step is Next.refresh_token:
                    raise SendError(f"a fresh access token was refused too ({again.reason})", Next.give_up) from again
                raise
    except SendError as exc:
        return Outcome(error=exc, unresolved=not resolved or exc.next_step is Next.check)


def _record_sent_message(session: Session, row: OutboundMessage, sent: Sent) -> None:
    """Store the reply in its conversation, keyed by the platform's id: the echo webhook then dedups."""
    if row.conversation_id is None:
        return
    conversation = session.get(Conversation, row.conversation_id)
    account = session.get(OfficialAccount, row.account_id)
    if conversation is None or account is None:
        return
    inbound = Inbound(
        action=Action.message,
        account_ref=account.external_id,
        conversation_kind=conversation.kind,
        conversation_ref=conversation.external_ref,
        created_at=row.sent_at,
        external_id=sent.external_id,
        direction=Direction.outbound,
        text=row.text,
        reply_to_external_id=None if registry.answers_a_form(row.route) else row.target,
        permalink=sent.permalink,
    )
    record_inbound(session, account=account, inbound=inbound)


def record(outbound_id: int, outcome: Outcome) -> OutboundStatus | None:
    """Apply an attempt's outcome to the row; schedule the next attempt when one is due."""
    settings = get_settings()
    with session_scope() as session:
        row = _locked(session, outbound_id)
        if row is None:
            return None
        if row.status is not OutboundStatus.sending:
            log.warning(
                "outbound %s changed to %s during an attempt; result %s not applied", row.id, row.status, outcome
            )
            return row.status
        now = utcnow()
        if outcome.sent is not None:
            row.status, row.sent_at, row.last_error = OutboundStatus.sent, now, None
            row.external_id, row.permalink = outcome.sent.external_id, outcome.sent.permalink
            row.attempt_started_at = row.next_attempt_at = None
            _record_sent_message(session, row, outcome.sent)
            return row.status
        if outcome.unconfirmed is not None:
            row.status, row.last_error = OutboundStatus.unconfirmed, outcome.unconfirmed
            return row.status
        error = outcome.error
        assert error is not None
        row.last_error = error.reason
        if not outcome.unresolved:
            row.attempt_started_at = None
        if error.next_step is Next.give_up:
            # Refused now, but an earlier attempt may have arrived: a person must look, not just resend.
            row.status = OutboundStatus.unconfirmed if outcome.unresolved else OutboundStatus.failed
        elif row.attempts >= settings.outbound_max_attempts:
            # Out of attempts: a possibly delivered message is not the same as a failed one.
            row.status = OutboundStatus.unconfirmed if outcome.unresolved else OutboundStatus.failed
            row.last_error = f"gave up after {plural(row.attempts, 'attempt')}: {error.reason}"
        else:
            wait = error.wait if error.wait is not None else backoff(row.attempts)
            row.status, row.next_attempt_at = OutboundStatus.queued, now + timedelta(seconds=wait)
            jobs.after_commit(session, SEND_JOB, row.id, delay=wait)
        return row.status


def deliver(outbound_id: int) -> OutboundStatus | None:
    """One attempt for one row (the send job). Running it twice at once sends once: the claim is atomic."""
    claimed = claim(outbound_id)
    if claimed is None:
        return None
    with http_client() as http:
        outcome = attempt(claimed, http)
    return record(outbound_id, outcome)


@dataclass(frozen=True)
class Sweep:
    requeued: int
    enqueued: int


def sweep() -> Sweep:
    """Hand back rows a dead worker left ``sending`` (to be checked first) and enqueue overdue rows."""
    now = utcnow()
    with session_scope() as session:
        stale = session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.status == OutboundStatus.sending, OutboundMessage.updated_at < now - STALE_AFTER)
            .with_for_update()
        ).all()
        for row in stale:
            row.status, row.next_attempt_at = OutboundStatus.queued, now
            row.last_error = "the worker stopped during an attempt; the platform is checked before any resend"
        due = session.scalars(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.status == OutboundStatus.queued,
                OutboundMessage.next_attempt_at <= now - SWEEP_GRACE,
            )
            .order_by(OutboundMessage.next_attempt_at)
            .limit(500)
        ).all()
        ids = sorted({*due, *(row.id for row in stale)})
        for outbound_id in ids:
            jobs.after_commit(session, SEND_JOB, outbound_id)
    return Sweep(len(stale), len(ids))
