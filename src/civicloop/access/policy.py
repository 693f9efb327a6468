"""The decision: (login, destination host, instant) → allow or deny, the rule, the reason.

Pure: everything it needs is in a ``PolicySnapshot`` (built from the database by
``civicloop.access.snapshot``), so the Squid helper, the "would this be allowed?" tester, the CLI
and the reports all decide with this one function and say the same thing.

The rules, in order:
1. a host in no category is allowed (``uncategorised``);
2. outside the agency's office hours: ``after_hours_open`` or ``after_hours_closed``;
3. in office hours: ``office_hours_all``, ``office_hours_closed``, or — when the agency opens the
   category to designated staff — ``designated``; for everyone else the daily allowance decides:
   ``allowance_unlimited``, ``not_designated`` (allowance 0), ``allowance`` (minutes left) or
   ``allowance_used_up``.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import NamedTuple, Protocol

from civicloop.access.domains import DomainMatcher, normalize_host
from civicloop.access.usage import Interval, add_request, merge_intervals, overlap_seconds


class OfficeHours(enum.StrEnum):
    all = "all"
    designated = "designated"
    closed = "closed"


class AfterHours(enum.StrEnum):
    open = "open"
    closed = "closed"


RULES: dict[str, str] = {
    "uncategorised": "not in any category",
    "after_hours_open": "open after office hours",
    "after_hours_closed": "closed after office hours",
    "office_hours_all": "open to all staff in office hours",
    "office_hours_closed": "closed in office hours",
    "designated": "designated staff",
    "allowance_unlimited": "no daily limit for others",
    "not_designated": "not designated (no allowance)",
    "allowance": "within the daily allowance",
    "allowance_used_up": "daily allowance used up",
}
"""Every rule name a decision can carry, with a short label for reports."""


class OfficeInterval(Protocol):
    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


class Calendar(Protocol):
    """What the decision needs of ``civicloop.sla.calendar.OfficeCalendar``."""

    @property
    def zone(self) -> tzinfo: ...

    def intervals(self, a: datetime, b: datetime) -> Sequence[OfficeInterval]: ...


@dataclass(frozen=True)
class Rule:
    """One signed choice for an agency (or the national default) and one category."""

    office_hours: OfficeHours = OfficeHours.all
    allowance_minutes: int | None = None  # for staff who are not designated; None = unlimited
    after_hours: AfterHours = AfterHours.open
    effective_from: date | None = None
    signed_by: str = "national default"
    signed_at: datetime | None = None

    def describe(self) -> str:
        """The rule in a sentence, e.g. for the policy page and the CLI."""
        if self.office_hours is OfficeHours.all:
            office = "open to all staff in office hours"
        elif self.office_hours is OfficeHours.closed:
            office = "closed in office hours"
        elif self.allowance_minutes is None:
            office = "designated staff in office hours, others without a daily limit"
        elif self.allowance_minutes == 0:
            office = "designated staff only in office hours"
        else:
            office = f"designated staff in office hours, others {self.allowance_minutes} minutes a day"
        return f"{office}; {'open' if self.after_hours is AfterHours.open else 'closed'} after hours"


NATIONAL_DEFAULT = Rule()


@dataclass(frozen=True)
class Designation:
    until: date | None  # last day, inclusive; None = no end
    why: str
    runs_account: bool = False  # from running an official account, not from the agency head


@dataclass(frozen=True)
class Person:
    """Whom a proxy login names. ``key`` is the canonical login that usage is counted under."""

    key: str
    agency_id: int | None
    name: str | None = None
    known: bool = True
    designations: Mapping[str, tuple[Designation, ...]] = field(default_factory=dict)

    def designation(self, category: str, day: date) -> Designation | None:
        for found in self.designations.get(category, ()):
            if found.until is None or found.until >= day:
                return found
        return None


@dataclass
class Office:
    """An agency, or the national default (``agency_id`` None), with its office calendar."""

    agency_id: int | None
    code: str
    name: str
    calendar: Calendar
    calendar_key: tuple[str | None, str | None] = (None, None)  # what the calendar was built from
    _windows: dict[date, tuple[Interval, ...]] = field(default_factory=dict, repr=False)

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.calendar.zone).date()

    def windows(self, day: date) -> tuple[Interval, ...]:
        """Office hours of a local day as epoch-second intervals (computed once per day)."""
        found = self._windows.get(day)
        if found is None:
            start = datetime.combine(day, time.min, tzinfo=self.calendar.zone)
            end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.calendar.zone)
            found = tuple((i.start.timestamp(), i.end.timestamp()) for i in self.calendar.intervals(start, end))
            self._windows[day] = found
        return found

    def is_open(self, at: datetime, day: date) -> bool:
        ts = at.timestamp()
        return any(start <= ts < end for start, end in self.windows(day))


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    platforms: tuple[str, ...] = ()


_HOST_MEMO_SIZE = 100_000

UsageKey = tuple[str, str, date]
"""(person key, category, local day)."""


@dataclass
class PolicySnapshot:
    """Everything a decision reads, loaded at once so that deciding never touches the database."""

    matcher: DomainMatcher
    categories: Mapping[str, Category]
    people: Mapping[str, Person]
    offices: Mapping[int, Office]
    national: Office
    rules: Mapping[tuple[int | None, str], Sequence[Rule]]  # each sorted by effective date
    usage: Mapping[UsageKey, Sequence[Interval]] = field(default_factory=dict)
    loaded_at: datetime | None = None
    calendar_revision: str | None = None
    _hosts: dict[str, str | None] = field(default_factory=dict, repr=False)

    def category_of(self, host: str) -> str | None:
        """The category of a host as a proxy names it (any case, with a port), remembered per snapshot."""
        if host in self._hosts:
            return self._hosts[host]
        if len(self._hosts) >= _HOST_MEMO_SIZE:
            self._hosts.clear()
        found = self._hosts[host] = self.matcher.category_of(normalize_host(host))
        return found

    def person(self, login: str) -> Person:
        key = login.strip().lower()
        found = self.people.get(key)
        return found if found is not None else Person(key=key, agency_id=None, known=False)

    def office(self, agency_id: int | None) -> Office:
        if agency_id is None:
            return self.national
        return self.offices.get(agency_id, self.national)

    def rule_for(self, agency_id: int | None, category: str, day: date) -> tuple[Rule, bool]:
        """The rule in force on ``day`` and whether it is the agency's own (else the national default)."""
        for owner in (agency_id, None) if agency_id is not None else (None,):
            chosen = None
            for rule in self.rules.get((owner, category), ()):
                if rule.effective_from is None or rule.effective_from <= day:
                    chosen = rule
            if chosen is not None:
                return chosen, owner is not None
        return NATIONAL_DEFAULT, False


class UsageLedger:
    """What this process allowed under a daily allowance, so that the next decision counts it.

    Written by the helper's serving thread and read by its refresher (which shares it with other
    helper processes through the database), hence the lock.
    """

    def __init__(self) -> None:
        self._intervals: dict[UsageKey, list[Interval]] = {}
        self._lock = threading.Lock()

    def record(self, key: UsageKey, instant: float) -> None:
        with self._lock:
            self._intervals[key] = add_request(self._intervals.get(key, []), instant)

    def get(self, key: UsageKey) -> Sequence[Interval]:
        return self._intervals.get(key, ())

    def export(self, since: date) -> dict[UsageKey, list[Interval]]:
        """A copy of the entries for ``since`` and later; older days are forgotten."""
        with self._lock:
            for key in [k for k in self._intervals if k[2] < since]:
                del self._intervals[key]
            return {key: list(value) for key, value in self._intervals.items()}


class Decision(NamedTuple):  # a tuple, not a frozen dataclass: the helper builds one per request
    allow: bool
    rule: str
    reason: str
    category: str | None = None
    person: str = ""
    agency_code: str | None = None
    used_minutes: float | None = None
    allowance_minutes: int | None = None

    @property
    def tag(self) -> str:
        """The tag the helper gives Squid for the access log: ``category:rule``."""
        return f"{self.category}:{self.rule}" if self.category else ""

    def to_json(self) -> dict[str, object]:
        return {"allow": self.allow, "rule": self.rule, "reason": self.reason}


def used_minutes(snapshot: PolicySnapshot, ledger: UsageLedger | None, key: UsageKey, office: Office) -> float:
    """Minutes of ``key``'s sessions inside office hours: the log's and other helpers' plus our own."""
    known = snapshot.usage.get(key, ())
    own = ledger.get(key) if ledger is not None else ()
    intervals = merge_intervals(known, own) if own and known else (own or known)
    return overlap_seconds(intervals, office.windows(key[2])) / 60.0


def decide(
    snapshot: PolicySnapshot, login: str, host: str, at: datetime, *, ledger: UsageLedger | None = None
) -> Decision:
    """Decide one request. When ``ledger`` is given, a request allowed under an allowance is recorded in it."""
    category_key = snapshot.category_of(host)
    if category_key is None:
        outside = f"{normalize_host(host)} is not in any category of sites that office access controls."
        return Decision(True, "uncategorised", outside)
    person = snapshot.person(login)
    category = snapshot.categories[category_key]
    office = snapshot.office(person.agency_id)
    day = office.local_day(at)
    rule, own_rule = snapshot.rule_for(person.agency_id, category_key, day)
    who = person.key or "this login"
    owner = office.name if own_rule else "the national default"
    unknown = (
        ""
        if person.known
        else f" ({who} is not a CivicLoop official or in the staff directory, so the national default applies.)"
    )
    what = category.name.lower()

    def result(allow: bool, name: str, reason: str, used: float | None = None) -> Decision:
        return Decision(
            allow,
            name,
            reason + unknown,
            category_key,
            person.key,
            office.code if office.agency_id is not None else None,
            used,
            rule.allowance_minutes,
        )

    if not office.is_open(at, day):
        if rule.after_hours is AfterHours.open:
            return result(True, "after_hours_open", f"It is outside office hours, and {owner} leaves {what} open then.")
        return result(False, "after_hours_closed", f"It is outside office hours, and {owner} closes {what} then.")
    if rule.office_hours is OfficeHours.all:
        return result(True, "office_hours_all", f"In office hours {owner} opens {what} to all staff.")
    if rule.office_hours is OfficeHours.closed:
        return result(False, "office_hours_closed", f"In office hours {owner} closes {what} to all staff.")
    designation = person.designation(category_key, day)
    if designation is not None:
        return result(
            True, "designated", f"In office hours {owner} opens {what} to designated staff; {who} {designation.why}."
        )
    allowance = rule.allowance_minutes
    if allowance is None:
        return result(
            True,
            "allowance_unlimited",
            f"{who} is not designated, and {owner} lets staff who are not designated use {what} "
            "in office hours without a daily limit.",
        )
    if allowance == 0:
        return result(
            False, "not_designated", f"In office hours {owner} opens {what} to designated staff only; {who} is not."
        )
    key = (person.key, category_key, day)
    used = used_minutes(snapshot, ledger, key, office)
    if used >= allowance:
        return result(
            False,
            "allowance_used_up",
            f"{who} is not designated and has used {min(int(used), allowance)} of the {allowance} minutes a day "
            f"that {owner} allows for {what} in office hours.",
            used,
        )
    if ledger is not None:
        ledger.record(key, at.timestamp())
    return result(
        True,
        "allowance",
        f"{who} is not designated; {owner} allows {allowance} minutes a day of {what} in office hours, "
        f"and {int(used)} have been used today.",
        used,
    )
