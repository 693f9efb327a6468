"""Officials, memberships, logins and API tokens. Services flush; the caller commits."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.agencies.service import get_agency_by_code
from civicloop.audit import service as audit
from civicloop.auth import sessions, throttle
from civicloop.auth.models import NATIONAL_ROLES, ApiToken, Membership, Official, Role
from civicloop.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from civicloop.auth.scope import Actor
from civicloop.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from civicloop.kit import crypto
from civicloop.kit.clock import utcnow

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not EMAIL_RE.match(cleaned) or len(cleaned) > 254:
        raise Invalid(f"{email!r} is not a valid email address", field="email")
    return cleaned


def parse_role_spec(spec: str) -> tuple[Role, str]:
    """``officer@MOIC`` → (Role.officer, "MOIC")."""
    role_name, sep, agency_code = spec.partition("@")
    if not sep or not agency_code:
        raise Invalid(f"role {spec!r} must be written ROLE@AGENCY, e.g. officer@THROMDE")
    try:
        return Role(role_name.strip()), agency_code.strip()
    except ValueError as exc:
        allowed = ", ".join(r.value for r in Role)
        raise Invalid(f"unknown role {role_name!r}; use one of {allowed}") from exc


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password")


def create_official(
    session: Session, *, actor: Actor | None, email: str, name: str, password: str | None = None
) -> Official:
    email = normalize_email(email)
    if not name.strip():
        raise Invalid("a name is required", field="name")
    if session.scalar(select(Official.id).where(Official.email == email)) is not None:
        raise Conflict(f"an official with email {email} already exists", field="email")
    if password is not None:
        _check_password(password)
    official = Official(email=email, name=name.strip(), password_hash=hash_password(password) if password else None)
    session.add(official)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="official.create",
        target_type="official",
        target_id=official.id,
        after={"email": email, "name": official.name},
    )
    return official


def set_password(
    session: Session, *, actor: Actor | None, official: Official, password: str, keep_session_id: int | None = None
) -> None:
    """A new password ends every session of the official but ``keep_session_id`` (the browser that changed it)."""
    _check_password(password)
    official.password_hash = hash_password(password)
    sessions.end_all(session, official_id=official.id, keep_id=keep_session_id)
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="official.set_password",
        target_type="official",
        target_id=official.id,
    )


def change_own_password(
    session: Session, *, actor: Actor, current: str, password: str, keep_session_id: int | None
) -> None:
    if not verify_password(actor.official.password_hash, current):
        raise Unauthenticated("the current password is wrong", field="current")
    set_password(session, actor=actor, official=actor.official, password=password, keep_session_id=keep_session_id)


def set_active(session: Session, *, actor: Actor, official: Official, active: bool) -> None:
    """Disable or re-enable an official. Disabling ends their sessions at once; their API tokens stop working
    too (tokens of inactive officials are refused). Only a national administrator, or an administrator of
    every agency the official works for, may do it: one agency cannot lock out another's staff."""
    agencies = {m.agency_id for m in official.memberships if m.role not in NATIONAL_ROLES}
    holds_national = any(m.role in NATIONAL_ROLES for m in official.memberships)
    if not actor.is_national_admin and (
        holds_national or not agencies or not all(actor.has_role(a, Role.agency_admin) for a in agencies)
    ):
        raise Forbidden("only an administrator of every agency this official works for can do this")
    if official.id == actor.id:
        raise Invalid("you cannot disable yourself; ask another administrator")
    if official.active == active:
        return
    official.active = active
    if not active:
        sessions.end_all(session, official_id=official.id)
    audit.record(
        session,
        actor=actor.official,
        action="official.enable" if active else "official.disable",
        target_type="official",
        target_id=official.id,
        before={"active": not active},
        after={"active": active},
    )


def add_membership(
    session: Session, *, actor: Actor | None, official: Official, agency: Agency, role: Role
) -> Membership:
    if actor is not None:
        if role in (Role.national_admin, Role.auditor):
            actor.require_national_admin()
        else:
            actor.require(agency.id, Role.agency_admin)
    exists = session.scalar(
        select(Membership).where(
            Membership.official_id == official.id, Membership.agency_id == agency.id, Membership.role == role
        )
    )
    if exists is not None:
        raise Conflict(f"{official.email} is already {role.value} at {agency.code}")
    membership = Membership(official_id=official.id, agency_id=agency.id, role=role)
    session.add(membership)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{official.email} is already {role.value} at {agency.code}") from exc
    session.refresh(official, ["memberships"])
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="membership.add",
        target_type="official",
        target_id=official.id,
        agency_id=agency.id,
        after={"role": role.value, "agency": agency.code},
    )
    return membership


def remove_membership(session: Session, *, actor: Actor, membership_id: int) -> None:
    membership = actor.fetch(session, Membership, membership_id, what="membership", roles=(Role.agency_admin,))
    audit.record(
        session,
        actor=actor.official,
        action="membership.remove",
        target_type="official",
        target_id=membership.official_id,
        agency_id=membership.agency_id,
        before={"role": membership.role.value},
    )
    session.delete(membership)
    # What the official may do changed: every browser signs in again rather than keep a stale view.
    sessions.end_all(session, official_id=membership.official_id)
    session.flush()


def authenticate(session: Session, *, email: str, password: str, client: str) -> Official:
    """Check a password; attempts are throttled per email and per client address across all processes."""
    email = email.strip().lower()
    throttle.count_attempt(session, email=email, client=client)
    official = session.scalar(select(Official).where(Official.email == email))
    if (
        official is None
        or not official.active
        or not verify_password(official.password_hash if official else None, password)
    ):
        raise Unauthenticated("wrong email or password")
    throttle.succeeded(session, email=email, client=client)
    return official


def create_api_token(session: Session, *, actor: Actor, name: str) -> str:
    """Returns the token once; only its digest is stored."""
    if not name.strip():
        raise Invalid("give the token a name, e.g. 'reporting script'", field="name")
    token = crypto.new_token()
    session.add(ApiToken(official_id=actor.id, name=name.strip()[:100], digest=crypto.token_digest(token)))
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="api_token.create",
        target_type="official",
        target_id=actor.id,
        after={"name": name.strip()},
    )
    return token


def official_for_token(session: Session, token: str) -> Official | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.digest == crypto.token_digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    now = utcnow()
    # Recorded at most hourly, so that reading the API is not a write on every call.
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        row.last_used_at = now
    official = session.get(Official, row.official_id)
    return official if official is not None and official.active else None


def get_official(session: Session, *, actor: Actor, official_id: int) -> Official:
    official = session.get(Official, official_id)
    if official is None:
        raise NotFound("official not found")
    if not actor.sees_all and official.id != actor.id:
        shared = {m.agency_id for m in official.memberships} & set(actor.roles)
        if not shared:
            raise NotFound("official not found")
    return official


def list_officials(session: Session, *, actor: Actor) -> list[Official]:
    query = select(Official).order_by(Official.name)
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(Official.id.in_(select(Membership.official_id).where(Membership.agency_id.in_(visible))))
    return list(session.scalars(query))


def create_official_with_roles(
    session: Session, *, actor: Actor | None, email: str, name: str, password: str | None, roles: list[str]
) -> Official:
    """Create an official holding the given ROLE@AGENCY roles; the creator must be allowed to grant each."""
    parsed = [parse_role_spec(spec) for spec in roles]
    if actor is not None and not parsed and not actor.is_national_admin:
        raise Forbidden("give the new official a role in an agency you administer")
    agencies = [(role, get_agency_by_code(session, code)) for role, code in parsed]
    official = create_official(session, actor=actor, email=email, name=name, password=password)
    for role, agency in agencies:
        add_membership(session, actor=actor, official=official, agency=agency, role=role)
    return official
