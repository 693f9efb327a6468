"""Agencies and official accounts: creation with validation, scoped reads."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from civicloop.agencies import platforms
from civicloop.agencies.models import AccountStatus, Agency, AgencyKind, OfficialAccount, Platform
from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.config import get_settings
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.kit import i18n
from civicloop.kit.timezones import zone

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")

ACCOUNT_AUDIT_FIELDS = ["platform", "external_id", "name", "app_key", "status"]


def parse_kind(value: str) -> AgencyKind:
    try:
        return AgencyKind(value)
    except ValueError as exc:
        allowed = ", ".join(k.value for k in AgencyKind)
        raise Invalid(f"unknown agency kind {value!r}; use one of {allowed}") from exc


def parse_platform(value: str) -> Platform:
    return Platform(value)  # raises Invalid naming the registered platforms


def get_agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise NotFound(f"no agency with code {code!r}")
    return agency


def create_agency(
    session: Session,
    *,
    actor: Actor | None,
    code: str,
    name: str,
    kind: AgencyKind = AgencyKind.department,
    parent_code: str | None = None,
    district: str | None = None,
    timezone: str | None = None,
) -> Agency:
    if actor is not None:
        actor.require_national_admin()
    code = code.strip().upper()
    if not CODE_RE.match(code):
        raise Invalid(f"agency code {code!r} must be 2–32 capital letters, digits, '-' or '_'", field="code")
    if not name.strip():
        raise Invalid("an agency needs a name", field="name")
    if session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise Conflict(f"an agency with code {code} already exists", field="code")
    if timezone:
        zone(timezone)
    parent = get_agency_by_code(session, parent_code) if parent_code else None
    agency = Agency(
        code=code,
        name=name.strip(),
        kind=kind,
        parent_id=parent.id if parent else None,
        district=(district or "").strip() or None,
        timezone=timezone or None,
    )
    session.add(agency)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="agency.create",
        target_type="agency",
        target_id=agency.id,
        agency_id=agency.id,
        after={"code": code, "name": agency.name, "kind": kind.value, "parent": parent_code},
    )
    return agency


def set_public_name(session: Session, *, actor: Actor, agency_id: int, lang: str, name: str) -> Agency:
    """The agency's name as citizens read it in ``lang`` (empty: the English name shows, marked as English)."""
    agency = get_agency(session, actor=actor, agency_id=agency_id)
    actor.require(agency.id, Role.agency_admin)
    if lang == i18n.DEFAULT or lang not in i18n.LANGUAGES:
        raise Invalid(f"{lang!r} is not another language of this deployment", field="lang")
    name = " ".join(name.split())
    if len(name) > 200:
        raise Invalid("the name is longer than 200 characters", field="name")
    before = {"translations": agency.translations}
    agency.translations = i18n.merge(agency.translations, lang, {"name": name})
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="agency.public_name",
        target_type="agency",
        target_id=agency.id,
        agency_id=agency.id,
        before=before,
        after={"translations": agency.translations},
    )
    return agency


def list_agencies(session: Session, *, actor: Actor | None) -> list[Agency]:
    query = select(Agency).order_by(Agency.name)
    visible = actor.agency_ids() if actor else None
    if visible is not None:
        query = query.where(Agency.id.in_(visible))
    return list(session.scalars(query))


def get_agency(session: Session, *, actor: Actor, agency_id: int) -> Agency:
    return actor.fetch(session, Agency, agency_id, what="agency", agency_attr="id")


def _validate_credentials(platform: Platform, credentials: dict[str, str]) -> None:
    rules = platforms.get(platform).credentials
    unknown = set(credentials) - rules.names
    if unknown:
        allowed = ", ".join(sorted(rules.names)) or "none"
        raise Invalid(
            f"unknown credential(s) {', '.join(sorted(unknown))} for {platform}; allowed: {allowed}",
            field="credentials",
        )
    missing = rules.required - {k for k, v in credentials.items() if v}
    if missing:
        raise Invalid(f"{platform} accounts need credential(s) {', '.join(sorted(missing))}", field="credentials")
    for check in rules.checks:
        problem = check(credentials)
        if problem:
            raise Invalid(problem, field="credentials")


def _app_key(platform: Platform, credentials: dict[str, str]) -> str:
    identity = platforms.get(platform).credentials.identity
    if identity is None:
        return secrets.token_hex(8)
    return hashlib.sha256(f"{platform}:{credentials[identity]}".encode()).hexdigest()[:16]


def parse_credentials(pairs: list[str]) -> dict[str, str]:
    """``["app_secret=abc", ...]`` → dict, with a clear error for a malformed pair."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"credential {pair!r} must be written KEY=VALUE")
        out[key.strip()] = value
    return out


def create_account(
    session: Session,
    *,
    actor: Actor | None,
    agency: Agency,
    platform: Platform,
    external_id: str,
    name: str,
    credentials: dict[str, str],
    responsible_official_id: int | None = None,
) -> OfficialAccount:
    if actor is not None:
        actor.require(agency.id, Role.agency_admin)
    platform = Platform(platform)  # a registered name (callers may pass the plain string)
    external_id = external_id.strip()
    if not external_id:
        raise Invalid("the platform's own id of the account is required", field="external_id")
    if not name.strip():
        raise Invalid("an account needs a display name", field="name")
    _validate_credentials(platform, credentials)
    duplicate = session.scalar(
        select(OfficialAccount.id).where(
            OfficialAccount.platform == platform, OfficialAccount.external_id == external_id
        )
    )
    if duplicate is not None:
        raise Conflict(f"a {platform} account with id {external_id} is already registered")
    account = OfficialAccount(
        agency_id=agency.id,
        platform=platform,
        external_id=external_id,
        name=name.strip(),
        app_key=_app_key(platform, credentials),
        credentials=credentials,
        responsible_official_id=responsible_official_id,
        status=AccountStatus.active,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="account.create",
        target_type="official_account",
        target_id=account.id,
        agency_id=agency.id,
        after=audit.snapshot(account, ACCOUNT_AUDIT_FIELDS),
    )
    return account


def list_accounts(session: Session, *, actor: Actor | None, agency_id: int | None = None) -> list[OfficialAccount]:
    query = select(OfficialAccount).order_by(OfficialAccount.agency_id, OfficialAccount.platform)
    visible = actor.agency_ids() if actor else None
    if visible is not None:
        query = query.where(OfficialAccount.agency_id.in_(visible))
    if agency_id is not None:
        query = query.where(OfficialAccount.agency_id == agency_id)
    return list(session.scalars(query))


def get_account(session: Session, *, actor: Actor, account_id: int) -> OfficialAccount:
    return actor.fetch(session, OfficialAccount, account_id, what="account")


def webhook_path(account: OfficialAccount) -> str:
    """Where the account's events arrive: its webhook, its agency's feedback form, or "" when polled."""
    platform = platforms.get(account.platform)
    if platform.polled:
        return ""
    if not platform.webhooks:
        # The public feedback form of the account's agency (channels.web), not a webhook.
        session = object_session(account)
        agency = session.get(Agency, account.agency_id) if session is not None else None
        if agency is None:
            raise NotFound("the account's agency is not loaded")
        return f"/feedback/{agency.code}"
    return f"/webhooks/{account.platform}/{account.app_key}"


def zone_name_of(agency: Agency | None) -> str:
    """The IANA time zone an agency works in: its own, else the deployment's."""
    return (agency.timezone if agency else None) or get_settings().timezone
