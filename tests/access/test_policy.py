"""The decision function, domain matching and usage counting, without a database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.access.categories import shipped
from civicloop.access.domains import DomainMatcher, normalize_domain, normalize_host, parse_domain_list
from civicloop.access.policy import (
    AfterHours,
    Category,
    Designation,
    Office,
    OfficeHours,
    Person,
    PolicySnapshot,
    Rule,
    UsageLedger,
    decide,
)
from civicloop.access.usage import merge_sessions, overlap_seconds, sessions_from_requests
from civicloop.errors import Invalid
from civicloop.sla.calendar import OfficeCalendar

THIMPHU = OfficeCalendar(timezone="Asia/Thimphu", holiday_country=None)  # Mon–Fri 09:00–17:00
TUESDAY = date(2026, 3, 3)


def thimphu(hour: int, minute: int = 0, day: date = TUESDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=THIMPHU.zone).astimezone(UTC)


def snapshot(rule: Rule, *people: Person, usage: dict | None = None) -> PolicySnapshot:  # type: ignore[type-arg]
    return PolicySnapshot(
        matcher=DomainMatcher.build([("social", ["facebook.com", "*.fbcdn.net", "x.com"])]),
        categories={"social": Category("social", "Social media", ("facebook", "x"))},
        people={p.key: p for p in people},
        offices={1: Office(1, "THROMDE", "Thimphu Thromde", THIMPHU)},
        national=Office(None, "national", "the national default", THIMPHU),
        rules={(1, "social"): [rule]},
        usage=usage or {},
    )


PEMA = Person("pema@thromde.example", 1, "Pema")
DESIGNATED = Person(
    "kinley@thromde.example", 1, "Kinley", designations={"social": (Designation(None, "runs the official Page"),)}
)


def test_shipped_categories_cover_the_platforms_named_by_the_policy() -> None:
    categories = shipped()
    matcher = DomainMatcher.build((c.key, c.domains) for c in categories.values())
    hosts = "www.facebook.com scontent.xx.fbcdn.net x.com mobile.twitter.com pbs.twimg.com web.wechat.com"
    hosts += " mp.weixin.qq.com m.youtube.com www.instagram.com www.tiktok.com"
    for host in hosts.split():
        assert matcher.category_of(host) == "social", host
    assert matcher.category_of("web.whatsapp.com") == "messaging"
    assert matcher.category_of("qq.com") is None and matcher.category_of("www.moic.gov.bt") is None
    # Each platform names its category in its folder: the social media ones, and Telegram with the messaging apps.
    assert set(categories["social"].platforms) == {"facebook", "x", "wechat", "instagram", "youtube"}
    assert categories["messaging"].platforms == ("telegram",)
    assert matcher.category_of("t.me") == "messaging"


def test_domains_cover_subdomains_and_wildcards_cover_only_subdomains() -> None:
    matcher = DomainMatcher.build([("social", ["facebook.com", "*.fbcdn.net"])])
    assert matcher.category_of("facebook.com") == "social"
    assert matcher.category_of("a.b.facebook.com") == "social"
    assert matcher.category_of("notfacebook.com") is None
    assert matcher.category_of("fbcdn.net") is None
    assert matcher.category_of("static.xx.fbcdn.net") == "social"
    assert normalize_host("WWW.Facebook.COM.:443") == "www.facebook.com"
    assert normalize_host("[2a03:2880::1]:443") == "2a03:2880::1"
    assert normalize_domain(".Facebook.com") == "facebook.com"
    assert normalize_domain("*.Bücher.example") == "*.xn--bcher-kva.example"


def test_bad_domain_lists_are_refused_with_the_entry_named() -> None:
    assert parse_domain_list("facebook.com, x.com\n# comment\n*.twimg.com") == ["*.twimg.com", "facebook.com", "x.com"]
    for bad in ["facebook", "face book.com", "-x.com", "x..com", "*."]:
        with pytest.raises(Invalid):
            parse_domain_list(bad)
    with pytest.raises(Invalid, match="both social and video"):
        DomainMatcher.build([("social", ["youtube.com"]), ("video", ["youtube.com"])])


def test_sessions_join_requests_less_than_five_minutes_apart() -> None:
    start = thimphu(9).timestamp()
    joined = sessions_from_requests([start, start + 4 * 60 + 59])
    assert joined == [(start, start + 5 * 60 + 59, 2)]
    apart = sessions_from_requests([start, start + 5 * 60])
    assert len(apart) == 2 and sum(e - s for s, e, _ in apart) == 120


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4 * 3600), min_size=1, max_size=40), st.randoms())
def test_merging_sessions_from_two_sources_is_the_same_as_grouping_all_requests(
    offsets: list[int], rnd: random.Random
) -> None:
    times = [1_700_000_000.0 + o for o in offsets]
    left = [t for t in times if rnd.random() < 0.5]
    right = [t for t in times if t not in left] + rnd.sample(times, k=min(3, len(times)))  # some seen twice
    merged = merge_sessions(sessions_from_requests(left) + sessions_from_requests(right))
    assert [(s, e) for s, e, _ in merged] == [(s, e) for s, e, _ in sessions_from_requests(times)]


def test_overlap_counts_only_time_inside_the_windows() -> None:
    assert overlap_seconds([(0, 100), (150, 400)], [(50, 200), (300, 350)]) == 50 + 50 + 50


def test_after_hours_follow_the_agencys_choice() -> None:
    closed = snapshot(Rule(OfficeHours.all, None, AfterHours.closed), PEMA, DESIGNATED)
    for login, at in [("pema@thromde.example", thimphu(18)), ("kinley@thromde.example", thimphu(8, 59))]:
        decision = decide(closed, login, "www.facebook.com", at)
        assert (decision.allow, decision.rule) == (False, "after_hours_closed")
        assert decision.reason == "It is outside office hours, and Thimphu Thromde closes social media then."
    weekend = decide(closed, "pema@thromde.example", "www.facebook.com", thimphu(10, day=date(2026, 3, 7)))
    assert weekend.rule == "after_hours_closed"
    opened = snapshot(Rule(OfficeHours.closed, None, AfterHours.open), PEMA)
    assert decide(opened, "pema@thromde.example", "x.com", thimphu(17)).rule == "after_hours_open"


def test_office_hours_all_closed_and_designated() -> None:
    assert decide(snapshot(Rule(OfficeHours.all), PEMA), "pema@thromde.example", "x.com", thimphu(10)).allow
    closed = decide(snapshot(Rule(OfficeHours.closed), DESIGNATED), "kinley@thromde.example", "x.com", thimphu(10))
    assert (closed.allow, closed.rule) == (False, "office_hours_closed")
    designated_only = snapshot(Rule(OfficeHours.designated, 0), PEMA, DESIGNATED)
    ok = decide(designated_only, "KINLEY@thromde.example", "www.facebook.com", thimphu(10))
    assert (ok.allow, ok.rule, ok.tag, ok.agency_code) == (True, "designated", "social:designated", "THROMDE")
    assert ok.reason.endswith("kinley@thromde.example runs the official Page.")
    no = decide(designated_only, "pema@thromde.example", "static.xx.fbcdn.net", thimphu(10))
    assert (no.allow, no.rule) == (False, "not_designated")
    assert (
        no.reason
        == "In office hours Thimphu Thromde opens social media to designated staff only; pema@thromde.example is not."
    )
    unlimited = snapshot(Rule(OfficeHours.designated, None), PEMA)
    assert decide(unlimited, "pema@thromde.example", "x.com", thimphu(10)).rule == "allowance_unlimited"
    assert decide(designated_only, "pema@thromde.example", "www.gov.bt", thimphu(10)).rule == "uncategorised"


def test_a_designation_ends_after_its_last_day() -> None:
    until = Person("tashi@thromde.example", 1, designations={"social": (Designation(TUESDAY, "is designated"),)})
    rules = snapshot(Rule(OfficeHours.designated, 0), until)
    assert decide(rules, "tashi@thromde.example", "x.com", thimphu(16, 59)).allow
    assert not decide(rules, "tashi@thromde.example", "x.com", thimphu(9, day=TUESDAY + timedelta(days=1))).allow


def test_the_allowance_counts_logged_sessions_and_what_the_helper_allowed() -> None:
    day_usage = {("pema@thromde.example", "social", TUESDAY): [(thimphu(9).timestamp(), thimphu(9, 29).timestamp())]}
    rules = snapshot(Rule(OfficeHours.designated, 30), PEMA, usage=day_usage)
    ledger = UsageLedger()
    first = decide(rules, "pema@thromde.example", "x.com", thimphu(10), ledger=ledger)
    assert (first.allow, first.rule, first.used_minutes) == (True, "allowance", 29.0)
    again = decide(rules, "pema@thromde.example", "x.com", thimphu(10), ledger=ledger)  # same instant: 1 minute
    assert (again.allow, again.rule) == (False, "allowance_used_up")
    assert "has used 30 of the 30 minutes a day that Thimphu Thromde allows" in again.reason
    assert decide(rules, "pema@thromde.example", "x.com", thimphu(10)).allow  # without the ledger: log only


def test_use_outside_office_hours_does_not_count_against_the_allowance() -> None:
    lunch = {("pema@thromde.example", "social", TUESDAY): [(thimphu(7).timestamp(), thimphu(9, 5).timestamp())]}
    rules = snapshot(Rule(OfficeHours.designated, 10), PEMA, usage=lunch)
    decision = decide(rules, "pema@thromde.example", "x.com", thimphu(11))
    assert decision.allow and decision.used_minutes == 5.0


def test_unknown_logins_and_effective_dates_fall_back_to_the_national_default() -> None:
    later = Rule(OfficeHours.closed, effective_from=TUESDAY + timedelta(days=7), signed_by="Chimi")
    rules = snapshot(Rule(OfficeHours.designated, 0, effective_from=TUESDAY - timedelta(days=1)), PEMA)
    rules.rules = {(1, "social"): [*rules.rules[(1, "social")], later], (None, "social"): [Rule(OfficeHours.all)]}
    assert decide(rules, "pema@thromde.example", "x.com", thimphu(10)).rule == "not_designated"
    assert decide(rules, "pema@thromde.example", "x.com", thimphu(10, day=TUESDAY + timedelta(days=7))).rule == (
        "office_hours_closed"
    )
    stranger = decide(rules, "karma", "x.com", thimphu(10))
    assert stranger.rule == "office_hours_all" and stranger.agency_code is None
    assert "karma is not a CivicLoop official or in the staff directory" in stranger.reason
    assert Rule(OfficeHours.designated, 30, AfterHours.closed).describe() == (
        "designated staff in office hours, others 30 minutes a day; closed after hours"
    )
