"""Connecting official accounts the way each platform intends, and keeping the connection healthy.

Rules: only an agency admin (or a national admin) connects; an OAuth ``state`` is random, stored as a
digest, bound to the official's server-side session, single-use and good for ``ATTEMPT_TTL``; an account
is stored only once every platform step has succeeded (the caller's transaction rolls back on any
``AppError``), so nothing half-connected is left marked active; a token that refreshes itself never asks a
person, and one that needs a person marks the account ``needs_attention`` until it is reconnected.
Never commits: the request, the job or the CLI command does.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.connect.base import Candidate, Checked, Connector, PlatformRefused, RefreshRefused, pkce_pair
from civicloop.channels.connect.models import AccountConnection, ConnectAttempt
from civicloop.config import get_settings
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.kit.clock import utcnow

ATTEMPT_TTL = timedelta(minutes=15)
# Tokens are refreshed this long before they expire (the periodic job runs every five minutes).
REFRESH_AHEAD = timedelta(minutes=20)
# A platform that keeps failing to refresh (down, not refusing) is a person's problem after this many runs.
TRANSIENT_LIMIT = 12


def connector_of(platform: str) -> Connector:
    connector = registry.spec(platform).connector
    if connector is None:
        raise Invalid(f"{registry.label(platform)} accounts cannot be connected this way")
    return connector


def redirect_uri(platform: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/connect/{platform}/callback"


def webhook_url(account: OfficialAccount) -> str:
    return f"{get_settings().base_url.rstrip('/')}{agencies.webhook_path(account)}"


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


# --- OAuth -------------------------------------------------------------------------------------------


def start(session: Session, *, actor: Actor, agency: Agency, platform: str, official_session_id: int | None) -> str:
    """Open an attempt and return the platform's consent URL to send the official to."""
    actor.require(agency.id, Role.agency_admin)
    connector = connector_of(platform)
    if connector.kind != "oauth":
        raise Invalid(f"{connector.label}s are connected with a form, not a sign-in")
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    url = connector.authorize_url(state=state, redirect_uri=redirect_uri(platform), challenge=challenge)
    now = utcnow()
    session.add(
        ConnectAttempt(
            agency_id=agency.id,
            platform=platform,
            official_id=actor.official.id,
            official_session_id=official_session_id,
            state_digest=_digest(state),
            secret={"verifier": verifier},
            offered=[],
            scopes=[],
            created_at=now,
            expires_at=now + ATTEMPT_TTL,
            problem="",
        )
    )
    session.flush()
    return url


def _attempt_for(
    session: Session, *, actor: Actor, attempt: ConnectAttempt | None, official_session_id: int | None
) -> ConnectAttempt:
    if attempt is None:
        raise Invalid("this connection is unknown or was already used: start again from the accounts page")
    if attempt.official_id != actor.official.id or attempt.official_session_id != official_session_id:
        # Someone else's link (or one from another sign-in): a forged or replayed callback.
        raise Forbidden("this connection was started by another sign-in: start again from the accounts page")
    actor.require(attempt.agency_id, Role.agency_admin)
    return attempt


def returned(
    session: Session,
    *,
    actor: Actor,
    platform: str,
    state: str,
    code: str,
    error: str,
    error_description: str,
    official_session_id: int | None,
    http: httpx.Client,
) -> ConnectAttempt:
    """The platform sent the official back: exchange the code once, and list what can be connected.

    A refusal is kept on the attempt (``problem``) rather than raised, so that the attempt is spent even
    when nothing is connected."""
    found = session.scalar(select(ConnectAttempt).where(ConnectAttempt.state_digest == _digest(state or "-")))
    attempt = _attempt_for(session, actor=actor, attempt=found, official_session_id=official_session_id)
    if attempt.platform != platform:
        raise Invalid("this connection was started for another platform: start again")
    if attempt.returned_at is not None:
        raise Invalid("this sign-in was already used: start again from the accounts page")
    now = utcnow()
    attempt.returned_at = now
    connector = connector_of(platform)
    if now > attempt.expires_at:
        attempt.problem = "the sign-in took too long and expired: start again"
    elif error:
        attempt.problem = f"{registry.label(platform)} did not grant access: {error_description or error} ({error})"
    elif not code:
        attempt.problem = f"{registry.label(platform)} sent no authorization code back: start again"
    if attempt.problem:
        attempt.finished_at = now
        return attempt
    try:
        grant = connector.exchange(
            http, code=code, redirect_uri=redirect_uri(platform), verifier=attempt.secret.get("verifier", ""), now=now
        )
        candidates = connector.candidates(http, grant, now=now)
    except PlatformRefused as exc:
        attempt.problem, attempt.finished_at = exc.message, now
        return attempt
    attempt.scopes = list(grant.scopes)
    attempt.offered = [
        {"external_id": c.external_id, "name": c.name, "detail": c.detail, "problem": c.problem} for c in candidates
    ]
    attempt.secret = {"candidates": json.dumps([_stored(c) for c in candidates])}
    if not candidates:
        attempt.problem = f"there is nothing you manage on {registry.label(platform)} to connect"
        attempt.finished_at = now
    return attempt


def _stored(candidate: Candidate) -> dict[str, object]:
    data = asdict(candidate)
    data["token_expires_at"] = candidate.token_expires_at.isoformat() if candidate.token_expires_at else None
    return data


def _loaded(data: Mapping[str, object]) -> Candidate:
    expires = data.get("token_expires_at")
    return Candidate(
        external_id=str(data["external_id"]),
        name=str(data["name"]),
        credentials={str(k): str(v) for k, v in dict(data.get("credentials") or {}).items()},  # type: ignore[call-overload]
        problem=str(data.get("problem") or ""),
        scopes=tuple(str(s) for s in list(data.get("scopes") or [])),  # type: ignore[call-overload]
        token_expires_at=datetime.fromisoformat(str(expires)) if expires else None,
        detail=str(data.get("detail") or ""),
    )


def get_attempt(session: Session, *, actor: Actor, attempt_id: int, official_session_id: int | None) -> ConnectAttempt:
    return _attempt_for(
        session, actor=actor, attempt=session.get(ConnectAttempt, attempt_id), official_session_id=official_session_id
    )


def choose(
    session: Session,
    *,
    actor: Actor,
    attempt_id: int,
    external_id: str,
    official_session_id: int | None,
    http: httpx.Client,
) -> OfficialAccount:
    """Connect the candidate the official picked: store it, subscribe its webhooks, mark it active."""
    attempt = get_attempt(session, actor=actor, attempt_id=attempt_id, official_session_id=official_session_id)
    now = utcnow()
    if attempt.finished_at is not None or attempt.returned_at is None:
        raise Invalid("this connection is finished: start again from the accounts page")
    if now > attempt.expires_at:
        raise Invalid("this connection expired: start again from the accounts page")
    candidates = [_loaded(c) for c in json.loads(attempt.secret.get("candidates", "[]"))]
    candidate = next((c for c in candidates if c.external_id == external_id), None)
    if candidate is None:
        raise Invalid("choose one of the accounts offered")
    if candidate.problem:
        raise Invalid(f"{candidate.name} cannot be connected: {candidate.problem}")
    agency = agencies.get_agency(session, actor=actor, agency_id=attempt.agency_id)
    account = _store(
        session, actor=actor, agency=agency, platform=attempt.platform, candidate=candidate, method="oauth", http=http
    )
    attempt.finished_at, attempt.account_id, attempt.secret = now, account.id, {}
    return account


# --- forms ------------------------------------------------------------------------


def connect_form(
    session: Session, *, actor: Actor, agency: Agency, platform: str, values: Mapping[str, str], http: httpx.Client
) -> OfficialAccount:
    actor.require(agency.id, Role.agency_admin)
    connector = connector_of(platform)
    if connector.kind != "form":
        raise Invalid(f"{connector.label}s are connected by signing in on {registry.label(platform)}")
    missing = [f.label for f in connector.fields if f.required and not values.get(f.name, "").strip()]
    if missing:
        raise Invalid(f"fill in {', '.join(missing)}")
    candidate = connector.from_form(http, values, now=utcnow())
    return _store(session, actor=actor, agency=agency, platform=platform, candidate=candidate, method="form", http=http)


def _store(
    session: Session,
    *,
    actor: Actor | None,
    agency: Agency,
    platform: str,
    candidate: Candidate,
    method: str,
    http: httpx.Client,
) -> OfficialAccount:
    """Create the account (or renew a reconnected one), then let the platform activate it; a refusal
    raises and the caller's rollback leaves nothing behind."""
    account = session.scalar(
        select(OfficialAccount).where(
            OfficialAccount.platform == Platform(platform), OfficialAccount.external_id == candidate.external_id
        )
    )
    if account is not None and account.agency_id != agency.id:
        raise Invalid(f"this {registry.label(platform)} account is already connected to another agency")
    if account is None:
        account = agencies.create_account(
            session,
            actor=actor,
            agency=agency,
            platform=Platform(platform),
            external_id=candidate.external_id,
            name=candidate.name,
            credentials=candidate.credentials,
        )
        action = "account.connect"
    else:
        if actor is not None:
            actor.require(agency.id, Role.agency_admin)
        account.credentials = dict(account.credentials or {}) | candidate.credentials
        account.status = AccountStatus.active
        action = "account.reconnect"
    connector = connector_of(platform)
    active = connector.activate(http, candidate, webhook_url=webhook_url(account))
    account.credentials = dict(account.credentials or {}) | active.credentials
    account.token_expires_at = candidate.token_expires_at
    now = utcnow()
    link = session.get(AccountConnection, account.id) or AccountConnection(
        account_id=account.id, agency_id=account.agency_id
    )
    link.method, link.connected_at = method, now
    link.connected_by_id = actor.official.id if actor is not None else None
    link.scopes_granted = list(candidate.scopes) if connector.needed_scopes else None
    link.scopes_needed = list(connector.needed_scopes)
    link.webhook = "subscribed" if registry.spec(platform).provider is not None else ""
    link.checked_at, link.refreshed_at = now, None
    link.attention, link.attention_since, link.last_failure, link.failures = "", None, "", 0
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action=action,
        target_type="official_account",
        target_id=account.id,
        agency_id=account.agency_id,
        after={
            "platform": platform,
            "external_id": account.external_id,
            "method": method,
            "scopes": list(candidate.scopes),
        },
    )
    return account


# --- pasted credentials (the CLI) --------------------------------------------------------------------


def verify_pasted(platform: str, external_id: str, credentials: Mapping[str, str], http: httpx.Client) -> Checked:
    """Ask the platform whether pasted credentials work; raise ``PlatformRefused`` with its reason if not."""
    connector = registry.spec(platform).connector
    if connector is None:
        return Checked(True, scopes=None)
    checked = connector.check(http, external_id.strip(), credentials, now=utcnow())
    if not checked.valid:
        raise PlatformRefused(f"{registry.label(platform)} refused these credentials: {checked.problem}")
    return checked


def add_pasted(
    session: Session,
    *,
    actor: Actor | None,
    agency: Agency,
    platform: Platform,
    external_id: str,
    name: str,
    credentials: dict[str, str],
    http: httpx.Client,
) -> OfficialAccount:
    """Register an account from pasted credentials (CLI, API, the agency page's form) once the platform has
    accepted them; a refusal raises with its reason and the caller's rollback keeps nothing."""
    account = agencies.create_account(
        session,
        actor=actor,
        agency=agency,
        platform=platform,
        external_id=external_id,
        name=name,
        credentials=credentials,
    )
    record_pasted(session, account, verify_pasted(account.platform, account.external_id, account.credentials, http))
    return account


def record_pasted(session: Session, account: OfficialAccount, checked: Checked) -> None:
    connector = registry.spec(account.platform).connector
    session.add(
        AccountConnection(
            account_id=account.id,
            agency_id=account.agency_id,
            method="pasted",
            connected_at=utcnow(),
            scopes_granted=list(checked.scopes) if checked.scopes is not None else None,
            scopes_needed=list(connector.needed_scopes) if connector else [],
            webhook=checked.webhook,
            checked_at=utcnow(),
            last_failure="",
            attention="",
            failures=0,
        )
    )
    if checked.token_expires_at is not None:
        account.token_expires_at = checked.token_expires_at
    session.flush()


# --- lifecycle ---------------------------------------------------------------------------------------


def link_of(session: Session, account: OfficialAccount) -> AccountConnection:
    link = session.get(AccountConnection, account.id)
    if link is None:
        connector = registry.spec(account.platform).connector
        link = AccountConnection(
            account_id=account.id,
            agency_id=account.agency_id,
            method="pasted",
            connected_at=account.created_at,
            scopes_needed=list(connector.needed_scopes) if connector else [],
            webhook="",
            last_failure="",
            attention="",
            failures=0,
        )
        session.add(link)
    return link


def needs_person(session: Session, account: OfficialAccount, reason: str, *, now: datetime) -> bool:
    """Mark the account ``needs_attention`` (once); returns whether it changed."""
    link = link_of(session, account)
    if account.status is AccountStatus.needs_attention and link.attention == reason:
        return False
    before = account.status.value
    account.status = AccountStatus.needs_attention
    link.attention, link.attention_since = reason, link.attention_since or now
    audit.record(
        session,
        actor=None,
        action="account.needs_attention",
        target_type="official_account",
        target_id=account.id,
        agency_id=account.agency_id,
        before={"status": before},
        after={"status": account.status.value, "reason": reason},
        actor_label="system",
    )
    return True


def apply_check(session: Session, account: OfficialAccount, checked: Checked, *, now: datetime) -> None:
    link = link_of(session, account)
    link.checked_at, link.last_failure, link.failures = now, "", 0
    if checked.scopes is not None:
        link.scopes_granted = list(checked.scopes)
    if checked.webhook:
        link.webhook = checked.webhook
    if checked.token_expires_at is not None:
        account.token_expires_at = checked.token_expires_at
    if not checked.valid:
        needs_person(session, account, checked.problem, now=now)
    elif account.status is AccountStatus.needs_attention:
        # Fixed on the platform's side (a permission granted again): working again without a reconnect.
        account.status, link.attention, link.attention_since = AccountStatus.active, "", None


def transient_failure(session: Session, account: OfficialAccount, problem: str, *, now: datetime) -> None:
    """The platform failed (not refused): try again next run; only a long run of failures needs a person."""
    link = link_of(session, account)
    link.last_failure, link.failures = problem, link.failures + 1
    if link.failures >= TRANSIENT_LIMIT:
        needs_person(session, account, f"{problem} (failing for {link.failures} runs)", now=now)


def refresh_account(session: Session, account: OfficialAccount, http: httpx.Client, *, now: datetime) -> bool:
    """Refresh the account's OAuth token if it expires within ``REFRESH_AHEAD``; returns whether it did."""
    connector = registry.spec(account.platform).connector
    if connector is None or account.token_expires_at is None or account.token_expires_at - now > REFRESH_AHEAD:
        return False
    try:
        fresh = connector.refresh(http, account.credentials or {}, now=now)
    except RefreshRefused as exc:
        needs_person(session, account, f"{exc.message}: reconnect the account", now=now)
        return False
    except PlatformRefused as exc:
        transient_failure(session, account, exc.message, now=now)
        return False
    if fresh is None:
        return False
    account.credentials, account.token_expires_at = fresh.credentials, fresh.expires_at
    link = link_of(session, account)
    link.refreshed_at, link.last_failure, link.failures = now, "", 0
    return True


def check_account(session: Session, account: OfficialAccount, http: httpx.Client, *, now: datetime) -> Checked | None:
    connector = registry.spec(account.platform).connector
    if connector is None:
        return None
    try:
        checked = connector.check(http, account.external_id, account.credentials or {}, now=now)
    except PlatformRefused as exc:
        if exc.transient:
            transient_failure(session, account, exc.message, now=now)
            return None
        checked = Checked(False, exc.message, scopes=None)
    apply_check(session, account, checked, now=now)
    return checked


def refreshes_itself(account: OfficialAccount) -> bool:
    """Whether the account's token expiry is handled without a person (alerts leave it alone)."""
    spec = registry.spec(account.platform)
    if spec.fetch_token is not None:
        return True
    return bool(spec.connector and spec.connector.refreshes and (account.credentials or {}).get("refresh_token"))


def connected_accounts(session: Session) -> list[int]:
    """Accounts a platform connector looks after (active or waiting for a person), by id."""
    names = [Platform(s.name) for s in registry.PLATFORMS.values() if s.connector is not None]
    query = select(OfficialAccount.id).where(
        OfficialAccount.platform.in_(names),
        OfficialAccount.status.in_([AccountStatus.active, AccountStatus.needs_attention]),
    )
    return list(session.scalars(query.order_by(OfficialAccount.id)))


def connectable() -> list[tuple[str, str]]:
    """(platform, "an X account") for every platform whose accounts are connected from the accounts page."""
    return [
        (s.name, f"{s.connector.article} {s.connector.label}")
        for s in registry.PLATFORMS.values()
        if s.connector is not None
    ]


def get_account_for(session: Session, account_id: int) -> OfficialAccount:
    account = session.get(OfficialAccount, account_id)
    if account is None:
        raise NotFound("account not found")
    return account
