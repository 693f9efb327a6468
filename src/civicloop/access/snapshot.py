"""Build a ``PolicySnapshot`` from the database: categories, people, rules, office calendars, usage.

Who a proxy login is: an official's email, or its local part when no other official shares it;
else a login from the staff directory; else a login an agency head designated. The email (or the
directory login) is the person's key, under which usage is counted whatever alias they used.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access.categories import all_categories
from civicloop.access.domains import DomainMatcher
from civicloop.access.models import AccessDesignation, AccessGrant, AccessPolicy, AccessSession, DirectoryEntry
from civicloop.access.policy import Category, Designation, Office, Person, PolicySnapshot, Rule
from civicloop.access.usage import Interval, merge_intervals
from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.auth.models import Membership, Official
from civicloop.channels import registry
from civicloop.sla.calendar import calendar_for
from civicloop.sla.models import NATIONAL_CALENDAR_ID, NationalCalendar

NATIONAL_CODE = "national"


def load_snapshot(
    session: Session,
    *,
    now: datetime,
    usage_days: int = 2,
    exclude_instance: str | None = None,
    previous: PolicySnapshot | None = None,
) -> PolicySnapshot:
    """Everything a decision needs. Usage covers the last ``usage_days`` local days (0 = none);
    helper grants of ``exclude_instance`` (the caller's own) are left out because it holds them.
    Offices of ``previous`` are reused while no calendar changed (the helper reloads every 30 s)."""
    categories = all_categories(session)
    revision = session.scalar(select(NationalCalendar.revision).where(NationalCalendar.id == NATIONAL_CALENDAR_ID))
    reusable = previous.offices if previous is not None and previous.calendar_revision == revision else {}
    offices = {}
    for agency_id, code, name, timezone, district in session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.timezone, Agency.district)
    ):
        old = reusable.get(agency_id)
        if old is not None and old.calendar_key == (timezone, district):
            offices[agency_id] = replace(old, code=code, name=name)
        else:
            calendar = calendar_for(session, agency_id)
            offices[agency_id] = Office(agency_id, code, name, calendar, calendar_key=(timezone, district))
    national = previous.national if reusable and previous is not None else None
    people = _people(session, {c.key: c.platforms for c in categories})
    snapshot = PolicySnapshot(
        matcher=DomainMatcher.build((c.key, c.domains) for c in categories),
        categories={c.key: Category(c.key, c.name, c.platforms) for c in categories},
        people=people,
        offices=offices,
        national=national or Office(None, NATIONAL_CODE, "the national default", calendar_for(session, None)),
        rules=_rules(session),
        loaded_at=now,
        calendar_revision=revision,
    )
    if usage_days:
        since = now.date() - timedelta(days=usage_days)
        snapshot.usage = load_usage(session, since=since, exclude_instance=exclude_instance)
    return snapshot


def _rules(session: Session) -> dict[tuple[int | None, str], list[Rule]]:
    rules: dict[tuple[int | None, str], list[Rule]] = defaultdict(list)
    query = select(AccessPolicy).order_by(AccessPolicy.effective_from, AccessPolicy.signed_at, AccessPolicy.id)
    for row in session.scalars(query):
        rules[(row.agency_id, row.category)].append(
            Rule(
                office_hours=row.office_hours,
                allowance_minutes=row.allowance_minutes,
                after_hours=row.after_hours,
                effective_from=row.effective_from,
                signed_by=row.signed_by,
                signed_at=row.signed_at,
            )
        )
    return dict(rules)


def _people(session: Session, platforms_of: dict[str, tuple[str, ...]]) -> dict[str, Person]:
    agency_of: dict[int, int] = {}
    for official_id, agency_id in session.execute(
        select(Membership.official_id, Membership.agency_id).order_by(Membership.id)
    ):
        agency_of.setdefault(official_id, agency_id)  # the first agency they joined is their own
    designations: dict[str, dict[str, list[Designation]]] = defaultdict(lambda: defaultdict(list))
    accounts = select(OfficialAccount.responsible_official_id, OfficialAccount.platform, OfficialAccount.name).where(
        OfficialAccount.responsible_official_id.is_not(None), OfficialAccount.status != AccountStatus.disconnected
    )
    runs: dict[int | None, list[tuple[Platform, str]]] = defaultdict(list)
    for responsible, platform, account_name in session.execute(accounts):
        runs[responsible].append((platform, account_name))

    bases: dict[str, tuple[int | None, str | None]] = {}
    aliases: dict[str, str] = {}
    officials = session.execute(select(Official.id, Official.email, Official.name).where(Official.active)).all()
    for official_id, email, name in officials:
        bases[email] = (agency_of.get(official_id), name)
        aliases[email] = email
        for platform, account_name in runs.get(official_id, ()):
            for category, platforms in platforms_of.items():
                if platform in platforms:
                    why = f"runs the official {registry.label(platform)} account “{account_name}”"
                    designations[email][category].append(Designation(None, why, runs_account=True))
    for login, directory_agency, full_name in session.execute(
        select(DirectoryEntry.login, DirectoryEntry.agency_id, DirectoryEntry.name)
    ):
        if login not in bases:
            bases[login] = (directory_agency, full_name)
            aliases[login] = login
    local_parts = Counter(email.split("@", 1)[0] for _, email, _ in officials)
    for _, email, _ in officials:
        local = email.split("@", 1)[0]
        if local_parts[local] == 1 and local not in aliases:
            aliases[local] = email

    rows = session.execute(
        select(
            AccessDesignation.login,
            AccessDesignation.agency_id,
            AccessDesignation.category,
            AccessDesignation.until,
            AccessDesignation.designated_by,
        )
    )
    for login, agency_id, category, until, by in rows:
        key = aliases.get(login)
        if key is None:  # a login known only from the agency's own designation
            key = aliases[login] = login
            bases[login] = (agency_id, None)
        if bases[key][0] != agency_id:
            continue  # another agency's designation does not reach this person's own rule
        ending = f" until {until.isoformat()}" if until else ""
        designations[key][category].append(Designation(until, f"is designated by {by}{ending}"))

    persons = {
        key: Person(
            key=key,
            agency_id=agency_id,
            name=name,
            designations={c: tuple(found) for c, found in designations.get(key, {}).items()},
        )
        for key, (agency_id, name) in bases.items()
    }
    return {alias: persons[key] for alias, key in aliases.items()}


def load_usage(
    session: Session, *, since: date, until: date | None = None, exclude_instance: str | None = None
) -> dict[tuple[str, str, date], list[Interval]]:
    """Session intervals per (person, category, local day) from the imported log and running helpers."""
    found: dict[tuple[str, str, date], list[Interval]] = defaultdict(list)
    sessions = select(
        AccessSession.person, AccessSession.category, AccessSession.day, AccessSession.start, AccessSession.end
    ).where(AccessSession.day >= since)
    grants = select(AccessGrant.person, AccessGrant.category, AccessGrant.day, AccessGrant.intervals).where(
        AccessGrant.day >= since
    )
    if until is not None:
        sessions = sessions.where(AccessSession.day <= until)
        grants = grants.where(AccessGrant.day <= until)
    if exclude_instance is not None:
        grants = grants.where(AccessGrant.instance != exclude_instance)
    for person, category, day, start, end in session.execute(sessions):
        found[(person, category, day)].append((start.timestamp(), end.timestamp()))
    for person, category, day, intervals in session.execute(grants):
        found[(person, category, day)] += [(float(s), float(e)) for s, e in intervals]
    return {key: merge_intervals(value) for key, value in found.items()}
