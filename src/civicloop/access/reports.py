"""Usage reports ("was it worth opening?"): minutes per category in and out of office hours,
refusals by reason, people near their allowance, and the trend over weeks.

Aggregates are visible to anyone who may see the agency; per-person detail only to that
agency's head and to national oversight. Other domains may add panels beside the usage — a
staff survey from consultations, say — by appending a provider to ``SURVEY_PROVIDERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from civicloop.access.models import AccessDenial, AccessSession
from civicloop.access.policy import RULES, OfficeHours, PolicySnapshot
from civicloop.access.snapshot import load_snapshot
from civicloop.agencies.models import Agency
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.errors import Forbidden, Invalid
from civicloop.kit.clock import utcnow

NEAR_ALLOWANCE_SHARE = 0.8
UNKNOWN_REASON = "refused (the native log format does not say why)"
_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])
MAX_WEEKS = 52


@dataclass(frozen=True)
class SurveyPanel:
    """Opinion to show beside the usage, e.g. a staff survey's result; rendered as title, text and link."""

    title: str
    summary: str
    url: str | None = None


SurveyProvider = Callable[[Session, Actor, "int | None", date, date], "SurveyPanel | None"]
SURVEY_PROVIDERS: list[SurveyProvider] = []


@dataclass(frozen=True)
class CategoryUsage:
    key: str
    name: str
    office_minutes: float
    other_minutes: float
    people: int


@dataclass(frozen=True)
class WeekUsage:
    week: str  # ISO week, e.g. 2026-W10
    office_minutes: float
    other_minutes: float


@dataclass(frozen=True)
class RefusalCount:
    rule: str
    label: str
    count: int


@dataclass(frozen=True)
class AgencyUsage:
    agency_id: int | None
    code: str
    name: str
    office_minutes: float
    other_minutes: float
    refused: int


@dataclass(frozen=True)
class NearAllowance:
    """Someone who is not designated and used at least 80 % of their daily allowance on some days."""

    person: str
    name: str | None
    category: str
    allowance_minutes: int
    days_near: int  # days with at least 80 % of the allowance used
    days_at_limit: int  # days with all of it used
    most_minutes: float
    last_day: date


@dataclass
class UsageReport:
    agency: Agency | None
    start: date
    end: date
    categories: list[CategoryUsage]
    weeks: list[WeekUsage]
    refusals: list[RefusalCount]
    agencies: list[AgencyUsage] = field(default_factory=list)
    near_allowance: list[NearAllowance] | None = None  # None: the reader may not see people
    panels: list[SurveyPanel] = field(default_factory=list)

    @property
    def total_refused(self) -> int:
        return sum(r.count for r in self.refusals)

    def to_json(self) -> dict[str, object]:
        return {
            "agency": self.agency.code if self.agency else None,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "categories": [c.__dict__ for c in self.categories],
            "weeks": [w.__dict__ for w in self.weeks],
            "refusals": [r.__dict__ for r in self.refusals],
            "agencies": [a.__dict__ for a in self.agencies],
            "near_allowance": (
                [{**n.__dict__, "last_day": n.last_day.isoformat()} for n in self.near_allowance]
                if self.near_allowance is not None
                else None
            ),
            "panels": [p.__dict__ for p in self.panels],
        }


def sees_people(actor: Actor | None, agency_id: int | None) -> bool:
    """Per-person detail: the agency's head and national oversight (the CLI, run on the server, too)."""
    if actor is None or actor.sees_all:
        return True
    return agency_id is not None and Role.agency_head in actor.roles.get(agency_id, frozenset())


def usage_report(
    session: Session, *, actor: Actor | None, agency_id: int | None, weeks: int = 8, end: date | None = None
) -> UsageReport:
    """The report for one agency, or (``agency_id`` None) the national one for national oversight."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"a report covers 1 to {MAX_WEEKS} weeks", field="weeks")
    if actor is not None:
        if agency_id is None and not actor.sees_all:
            raise Forbidden("the national report is for national oversight; open your agency's report")
        if agency_id is not None:
            actor.require_view(agency_id)
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    snapshot = load_snapshot(session, now=utcnow(), usage_days=0)
    last = end or snapshot.office(agency_id).local_day(utcnow())
    # Whole ISO weeks, the last one up to ``last``, so that the weekly trend compares like with like.
    first = last - timedelta(days=last.weekday(), weeks=weeks - 1)
    sessions = _Window(first, last, agency_id)

    names = {key: category.name for key, category in snapshot.categories.items()}
    categories = []
    for key, office, total, people in session.execute(
        sessions.where(
            select(
                AccessSession.category,
                func.sum(AccessSession.office_minutes),
                func.sum(AccessSession.minutes),
                func.count(func.distinct(AccessSession.person)),
            ).group_by(AccessSession.category),
            AccessSession,
        )
    ):
        categories.append(CategoryUsage(key, names.get(key, key), round(office, 1), round(total - office, 1), people))
    by_week = {_week(first + timedelta(days=7 * i)): [0.0, 0.0] for i in range(weeks)}
    per_day = sessions.where(
        select(AccessSession.day, func.sum(AccessSession.office_minutes), func.sum(AccessSession.minutes)).group_by(
            AccessSession.day
        ),
        AccessSession,
    )
    for day, office, total in session.execute(per_day):
        bucket = by_week.setdefault(_week(day), [0.0, 0.0])
        bucket[0] += office
        bucket[1] += total - office
    refused = sessions.where(
        select(AccessDenial.rule, func.sum(AccessDenial.count)).group_by(AccessDenial.rule), AccessDenial
    )
    refusals = [
        RefusalCount(rule, RULES.get(rule, UNKNOWN_REASON), int(count))
        for rule, count in session.execute(refused.order_by(func.sum(AccessDenial.count).desc()))
    ]
    report = UsageReport(
        agency=agency,
        start=first,
        end=last,
        categories=sorted(categories, key=lambda c: -(c.office_minutes + c.other_minutes)),
        weeks=[WeekUsage(week, round(v[0], 1), round(v[1], 1)) for week, v in sorted(by_week.items())],
        refusals=refusals,
    )
    if agency_id is None:
        report.agencies = _per_agency(session, sessions)
    if sees_people(actor, agency_id):
        report.near_allowance = _near_allowance(session, snapshot, sessions)
    if actor is not None:
        for provider in SURVEY_PROVIDERS:
            panel = provider(session, actor, agency_id, first, last)
            if panel is not None:
                report.panels.append(panel)
    return report


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class _Window:
    first: date
    last: date
    agency_id: int | None

    def where(self, query: _Q, model: type[AccessSession] | type[AccessDenial]) -> _Q:
        query = query.where(model.day >= self.first, model.day <= self.last)
        return query.where(model.agency_id == self.agency_id) if self.agency_id is not None else query


def _per_agency(session: Session, window: _Window) -> list[AgencyUsage]:
    minutes = {
        agency_id: (office, total - office)
        for agency_id, office, total in session.execute(
            window.where(
                select(
                    AccessSession.agency_id, func.sum(AccessSession.office_minutes), func.sum(AccessSession.minutes)
                ).group_by(AccessSession.agency_id),
                AccessSession,
            )
        )
    }
    refused = {
        agency_id: int(count)
        for agency_id, count in session.execute(
            window.where(
                select(AccessDenial.agency_id, func.sum(AccessDenial.count)).group_by(AccessDenial.agency_id),
                AccessDenial,
            )
        )
    }
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    rows = []
    for agency_id in set(minutes) | set(refused):
        agency = agencies.get(agency_id) if agency_id is not None else None
        office, other = minutes.get(agency_id, (0.0, 0.0))
        rows.append(
            AgencyUsage(
                agency_id,
                agency.code if agency else "—",
                agency.name if agency else "Logins not known to CivicLoop",
                round(office, 1),
                round(other, 1),
                refused.get(agency_id, 0),
            )
        )
    return sorted(rows, key=lambda row: (row.agency_id is None, row.name))


def _near_allowance(session: Session, snapshot: PolicySnapshot, window: _Window) -> list[NearAllowance]:
    """People who are not designated, with the days they used most of their allowance in the period."""
    per_day = window.where(
        select(
            AccessSession.person,
            AccessSession.agency_id,
            AccessSession.category,
            AccessSession.day,
            func.sum(AccessSession.office_minutes),
        ).group_by(AccessSession.person, AccessSession.agency_id, AccessSession.category, AccessSession.day),
        AccessSession,
    )
    found: dict[tuple[str, str], NearAllowance] = {}
    for person_key, person_agency, category, day, used in session.execute(per_day):
        rule, _ = snapshot.rule_for(person_agency, category, day)
        allowance = rule.allowance_minutes
        if rule.office_hours is not OfficeHours.designated or not allowance or used < NEAR_ALLOWANCE_SHARE * allowance:
            continue
        person = snapshot.person(person_key)
        if person.designation(category, day) is not None:
            continue
        before = found.get((person_key, category))
        found[(person_key, category)] = NearAllowance(
            person_key,
            person.name,
            category,
            allowance,
            (before.days_near if before else 0) + 1,
            (before.days_at_limit if before else 0) + (used >= allowance),
            round(max(used, before.most_minutes if before else 0.0), 1),
            max(day, before.last_day) if before else day,
        )
    return sorted(found.values(), key=lambda n: (-n.days_near, -n.most_minutes))
