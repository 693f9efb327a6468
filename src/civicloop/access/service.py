"""Office access policies, designations, the staff directory and categories: who may change what, audited."""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access.categories import CategoryDef, all_categories, shipped
from civicloop.access.domains import DomainMatcher, host_of_url, parse_domain_list
from civicloop.access.models import AccessCategory, AccessDesignation, AccessPolicy, DirectoryEntry
from civicloop.access.policy import AfterHours, Decision, OfficeHours, PolicySnapshot, Rule, decide
from civicloop.access.snapshot import load_snapshot
from civicloop.agencies.models import Agency
from civicloop.audit import service as audit
from civicloop.auth.models import Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.kit.clock import utcnow
from civicloop.sla.calendar import calendar_for

MAX_ALLOWANCE_MINUTES = 24 * 60
MAX_LOGIN_LENGTH = 254
MAX_DIRECTORY_ROWS = 200_000


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP
"""Leave a policy field as it is (the CLI's options are all optional)."""


def parse_office_hours(value: str) -> OfficeHours:
    try:
        return OfficeHours(value.strip().lower())
    except ValueError as exc:
        raise Invalid(f"office hours must be all, designated or closed, not {value!r}", field="office_hours") from exc


def parse_after_hours(value: str) -> AfterHours:
    try:
        return AfterHours(value.strip().lower())
    except ValueError as exc:
        raise Invalid(f"after hours must be open or closed, not {value!r}", field="after_hours") from exc


def parse_allowance(value: str) -> int | None:
    """``"30"`` → 30, ``"unlimited"`` → None."""
    text = value.strip().lower()
    if text in {"unlimited", "none", "no limit"}:
        return None
    if not text.isdigit() or int(text) > MAX_ALLOWANCE_MINUTES:
        raise Invalid(
            f"the allowance is a number of minutes from 0 to {MAX_ALLOWANCE_MINUTES}, or 'unlimited'; not {value!r}",
            field="allowance",
        )
    return int(text)


def normalize_login(login: str) -> str:
    """Proxies compare logins without case; spaces inside are allowed, control characters are not."""
    cleaned = login.strip().lower()
    if not cleaned or len(cleaned) > MAX_LOGIN_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
        raise Invalid(f"{login!r} is not a proxy login (1–{MAX_LOGIN_LENGTH} printable characters)", field="login")
    return cleaned


def _category(session: Session, key: str) -> CategoryDef:
    for category in all_categories(session):
        if category.key == key.strip().lower():
            return category
    known = ", ".join(c.key for c in all_categories(session))
    raise Invalid(f"unknown category {key!r}; known: {known}", field="category")


def _local_today(session: Session, agency_id: int | None) -> date:
    return utcnow().astimezone(calendar_for(session, agency_id).zone).date()


def _signer(actor: Actor | None, signed_by: Official | None) -> tuple[int | None, str]:
    official = actor.official if actor is not None else signed_by
    if official is None:
        return None, "the command line (no signer named)"
    return official.id, f"{official.name} <{official.email}>"


def _rule_json(rule: Rule) -> dict[str, object]:
    return {
        "office_hours": rule.office_hours.value,
        "allowance_minutes": rule.allowance_minutes,
        "after_hours": rule.after_hours.value,
        "effective_from": rule.effective_from.isoformat() if rule.effective_from else None,
        "signed_by": rule.signed_by,
    }


def _latest_rule(session: Session, agency_id: int | None, category: str) -> Rule | None:
    query = select(AccessPolicy).where(AccessPolicy.category == category)
    query = query.where(AccessPolicy.agency_id.is_(None) if agency_id is None else AccessPolicy.agency_id == agency_id)
    row = session.scalars(
        query.order_by(AccessPolicy.effective_from.desc(), AccessPolicy.signed_at.desc(), AccessPolicy.id.desc())
    ).first()
    if row is None:
        return None
    return Rule(row.office_hours, row.allowance_minutes, row.after_hours, row.effective_from, row.signed_by)


def set_policy(
    session: Session,
    *,
    actor: Actor | None,
    agency_id: int | None,
    category: str,
    office_hours: OfficeHours | _Keep = KEEP,
    allowance_minutes: int | _Keep | None = KEEP,
    after_hours: AfterHours | _Keep = KEEP,
    effective_from: date | None = None,
    signed_by: Official | None = None,
) -> AccessPolicy:
    """Sign a new choice for an agency (``agency_id``) or the national default (None).

    Fields left as ``KEEP`` carry over from the latest signed choice (else the national default).
    The agency head signs an agency's choice; national administrators sign the national default.
    """
    if agency_id is None:
        if actor is not None:
            actor.require_national_admin()
        if signed_by is not None and not _holds(session, signed_by, None, Role.national_admin):
            raise Forbidden(f"{signed_by.email} is not a national administrator")
    else:
        if actor is not None:
            actor.require(agency_id, Role.agency_head)
        if signed_by is not None and not _holds(session, signed_by, agency_id, Role.agency_head):
            raise Forbidden(f"{signed_by.email} is not the head of this agency")
    key = _category(session, category).key
    previous = _latest_rule(session, agency_id, key)
    base = previous or (_latest_rule(session, None, key) if agency_id is not None else None) or Rule()
    today = _local_today(session, agency_id)
    day = effective_from or today
    if day < today:
        raise Invalid(
            f"the effective date cannot be in the past (today is {today.isoformat()})", field="effective_from"
        )
    allowance = base.allowance_minutes if allowance_minutes is KEEP else allowance_minutes
    if allowance is not None and not 0 <= allowance <= MAX_ALLOWANCE_MINUTES:
        raise Invalid(f"the allowance must be between 0 and {MAX_ALLOWANCE_MINUTES} minutes", field="allowance")
    signer_id, signer = _signer(actor, signed_by)
    row = AccessPolicy(
        agency_id=agency_id,
        category=key,
        office_hours=base.office_hours if office_hours is KEEP else office_hours,
        allowance_minutes=allowance,
        after_hours=base.after_hours if after_hours is KEEP else after_hours,
        effective_from=day,
        signed_by_id=signer_id,
        signed_by=signer,
        signed_at=utcnow(),
    )
    session.add(row)
    session.flush()
    new_rule = Rule(row.office_hours, row.allowance_minutes, row.after_hours, row.effective_from, signer)
    _audit(
        session,
        actor,
        "policy.sign",
        ("access_policy", row.id),
        actor_label=None if actor else f"command line, signed for {signer}"[:254],
        agency_id=agency_id,
        before=_rule_json(previous) if previous else None,
        after={"category": key, **_rule_json(new_rule), "summary": new_rule.describe()},
    )
    return row


def _holds(session: Session, official: Official, agency_id: int | None, role: Role) -> bool:
    session.refresh(official, ["memberships"])
    return any(m.role is role and (agency_id is None or m.agency_id == agency_id) for m in official.memberships) or any(
        m.role is Role.national_admin for m in official.memberships
    )


def designate(
    session: Session,
    *,
    actor: Actor | None,
    agency_id: int,
    login: str,
    category: str = "social",
    until: date | None = None,
) -> AccessDesignation:
    """Designate a login for a category (or change the end date of an existing designation)."""
    if actor is not None:
        actor.require(agency_id, Role.agency_head)
    login = normalize_login(login)
    key = _category(session, category).key
    today = _local_today(session, agency_id)
    if until is not None and until < today:
        raise Invalid(f"the end date cannot be in the past (today is {today.isoformat()})", field="until")
    person = load_snapshot(session, now=utcnow(), usage_days=0).people.get(login)
    if person is not None and person.agency_id not in (None, agency_id):
        raise Invalid(f"{login} belongs to another agency; its own head designates them", field="login")
    _, by = _signer(actor, None)
    row = session.scalar(
        select(AccessDesignation).where(
            AccessDesignation.agency_id == agency_id,
            AccessDesignation.login == login,
            AccessDesignation.category == key,
        )
    )
    before = {"until": row.until.isoformat() if row.until else None} if row else None
    if row is None:
        row = AccessDesignation(agency_id=agency_id, login=login, category=key)
        session.add(row)
    row.until = until
    row.designated_by_id = actor.id if actor else None
    row.designated_by = by if actor else "an administrator on the command line"
    session.flush()
    _audit(
        session,
        actor,
        "designate",
        ("access_designation", row.id),
        agency_id=agency_id,
        before=before,
        after={"login": login, "category": key, "until": until.isoformat() if until else None},
    )
    return row


def undesignate(session: Session, *, actor: Actor | None, designation_id: int) -> int:
    """Remove a designation; returns its agency's id."""
    row = session.get(AccessDesignation, designation_id)
    if row is None:
        raise NotFound("designation not found")
    if actor is not None:
        actor.require(row.agency_id, Role.agency_head)
    _audit(
        session,
        actor,
        "undesignate",
        ("access_designation", row.id),
        agency_id=row.agency_id,
        before={"login": row.login, "category": row.category, "until": row.until.isoformat() if row.until else None},
    )
    session.delete(row)
    session.flush()
    return row.agency_id


@dataclass
class DirectoryImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors}


def import_directory(session: Session, *, actor: Actor | None, text: str) -> DirectoryImport:
    """Read ``login,agency[,name]`` rows (with that header) mapping proxy logins to agencies.

    Bad rows are reported by line number and skipped; the rest are added or updated.
    """
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.strip().lower() for name in reader.fieldnames or []}
    if not {"login", "agency"} <= fields:
        raise Invalid("the directory CSV needs a header with the columns login and agency (and optionally name)")
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    existing = {row.login: row for row in session.scalars(select(DirectoryEntry))}
    result, touched = DirectoryImport(), set()
    for number, raw in enumerate(reader, start=2):
        if number > MAX_DIRECTORY_ROWS + 1:
            raise Invalid(f"a directory file holds at most {MAX_DIRECTORY_ROWS} rows; split it")
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        agency = agencies.get(row.get("agency", "").upper())
        try:
            login = normalize_login(row.get("login", ""))
        except Invalid as exc:
            result.errors.append(f"line {number}: {exc.message}")
            continue
        if agency is None:
            result.errors.append(f"line {number}: unknown agency {row.get('agency', '')!r}")
            continue
        if actor is not None and not actor.has_role(agency.id, Role.agency_admin):
            result.errors.append(f"line {number}: you do not administer {agency.code}")
            continue
        name = row.get("name") or None
        entry = existing.get(login)
        if entry is None:
            entry = existing[login] = DirectoryEntry(login=login, agency_id=agency.id, name=name)
            session.add(entry)
            result.added += 1
        elif (entry.agency_id, entry.name) == (agency.id, name):
            result.unchanged += 1
        else:
            entry.agency_id, entry.name = agency.id, name
            result.updated += 1
        touched.add(agency.id)
    session.flush()
    for agency_id in sorted(touched):
        _audit(
            session,
            actor,
            "directory.import",
            ("agency", agency_id),
            agency_id=agency_id,
            after={"added": result.added, "updated": result.updated, "errors": len(result.errors)},
        )
    return result


def save_category(
    session: Session,
    *,
    actor: Actor | None,
    key: str,
    name: str,
    domains: str,
    platforms: list[str] | None = None,
) -> AccessCategory:
    """Create or edit a category (national administrators); domains are one per line."""
    if actor is not None:
        actor.require_national_admin()
    key = key.strip().lower()
    if not key.replace("_", "").isalnum() or not key.isascii() or len(key) > 32:
        raise Invalid("a category key is 1–32 lower-case letters, digits or _", field="key")
    if not name.strip():
        raise Invalid("a category needs a name", field="name")
    parsed = parse_domain_list(domains)
    chosen = sorted(set(platforms or ()))
    unknown = set(chosen) - set(registry.PLATFORMS)
    if unknown:
        raise Invalid(f"unknown platform(s) {', '.join(sorted(unknown))}", field="platforms")
    others = [(c.key, c.domains) for c in all_categories(session) if c.key != key]
    DomainMatcher.build([*others, (key, parsed)])  # refuses a domain listed in two categories
    row = session.scalar(select(AccessCategory).where(AccessCategory.key == key))
    before_def = next((c for c in all_categories(session) if c.key == key), None)
    if row is None:
        row = AccessCategory(key=key)
        session.add(row)
    row.name, row.domains, row.platforms = name.strip(), parsed, chosen
    row.updated_by_id = actor.id if actor else None
    session.flush()
    _audit(
        session,
        actor,
        "category.save",
        ("access_category", key),
        before={"name": before_def.name, "domains": list(before_def.domains)} if before_def else None,
        after={"name": row.name, "domains": parsed, "platforms": chosen},
    )
    return row


def reset_category(session: Session, *, actor: Actor | None, key: str) -> None:
    """Drop the app's edits of a shipped category, going back to the data file's list."""
    if actor is not None:
        actor.require_national_admin()
    row = session.scalar(select(AccessCategory).where(AccessCategory.key == key))
    if row is None or key not in shipped():
        raise NotFound("no edited shipped category with that key")
    _audit(
        session,
        actor,
        "category.reset",
        ("access_category", key),
        before={"name": row.name, "domains": row.domains},
    )
    session.delete(row)
    session.flush()


def may_test(actor: Actor, agency_id: int) -> bool:
    """The tester shows one person's standing (and usage), so it is for the head, IT and oversight."""
    return actor.sees_all or actor.has_role(agency_id, Role.agency_head, Role.agency_admin)


def require_tester(actor: Actor, agency_id: int) -> None:
    if not may_test(actor, agency_id):
        raise Forbidden("the tester is for the agency head, its IT administrators and national oversight")


def check(session: Session, *, actor: Actor | None, login: str, host: str, at: datetime) -> Decision:
    """What the proxy would answer for ``login`` visiting ``host`` at ``at`` (usage as recorded so far).

    Officials may ask about people of agencies they head or administer; national oversight about anyone.
    """
    if not host.strip():
        raise Invalid("give a host name, e.g. www.facebook.com", field="host")
    snapshot = load_snapshot(session, now=at)
    person = snapshot.person(normalize_login(login))
    if actor is not None and not actor.sees_all:
        agencies = [person.agency_id] if person.agency_id is not None else list(actor.roles)
        if not any(actor.has_role(a, Role.agency_head, Role.agency_admin) for a in agencies):
            raise Forbidden("checking a person's access is for their agency head, its IT administrators and oversight")
    return decide(snapshot, person.key, host_of_url(host), at)


@dataclass(frozen=True)
class CategoryPolicy:
    category: CategoryDef
    rule: Rule
    own: bool  # the agency's own signed choice, else the national default
    upcoming: Rule | None  # a signed choice that takes effect later


def policies_for(snapshot: PolicySnapshot, agency_id: int | None, day: date) -> list[CategoryPolicy]:
    """The rule in force on ``day`` for every category, and any signed for later."""
    out = []
    for key, category in snapshot.categories.items():
        rule, own = snapshot.rule_for(agency_id, key, day)
        later = [r for r in snapshot.rules.get((agency_id, key), ()) if r.effective_from and r.effective_from > day]
        definition = CategoryDef(key, category.name, (), category.platforms)
        out.append(CategoryPolicy(definition, rule, own, later[-1] if later else None))
    return out


def _audit(session: Session, actor: Actor | None, action: str, target: tuple[str, object], **fields: Any) -> None:
    """An audit entry ``access.<action>`` on ``target`` (type, id), by ``actor`` or the command line."""
    audit.record(
        session,
        actor=actor.official if actor else None,
        action=f"access.{action}",
        target_type=target[0],
        target_id=target[1],
        **fields,
    )
