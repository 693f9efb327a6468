"""Date ranges and account health: pure rules, no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from civicloop.agencies.models import AccountStatus
from civicloop.errors import Invalid
from civicloop.oversight import health
from civicloop.oversight.periods import Period, parse_period

TODAY = date(2026, 3, 31)
NOW = datetime(2026, 3, 31, 4, 0, tzinfo=UTC)


def test_a_period_is_compared_with_the_same_number_of_days_just_before() -> None:
    period = parse_period("2026-03-01", "2026-03-31", today=TODAY)
    assert period.days == 31
    assert period.previous() == Period(date(2026, 1, 29), date(2026, 2, 28))


def test_the_default_period_is_the_last_thirty_days() -> None:
    assert parse_period(None, None, today=TODAY) == Period(date(2026, 3, 2), TODAY)


def test_days_are_local_days_of_the_deployment() -> None:
    start, after = Period(date(2026, 3, 2), date(2026, 3, 2)).bounds("Asia/Thimphu")
    assert start == datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert after - start == timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", None, "is not a date"),
        ("2026-03-10", "2026-03-01", "start date is after the end date"),
        ("2020-01-01", "2026-01-01", "at most"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(start: str, end: str | None, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_period(start, end, today=TODAY)


def test_months_lists_every_month_the_period_touches() -> None:
    assert Period(date(2025, 11, 20), date(2026, 2, 3)).months() == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def _facts(**overrides: object) -> health.AccountFacts:
    values: dict[str, object] = {
        "account_id": 1,
        "agency_id": 1,
        "platform": "facebook",
        "name": "Thimphu Thromde Page",
        "status": AccountStatus.active,
        "created_at": NOW - timedelta(days=90),
        "token_expires_at": NOW + timedelta(days=60),
        "last_event_at": NOW - timedelta(hours=1),
        "rejected_requests": 0,
    }
    values.update(overrides)
    return health.AccountFacts(**values)  # type: ignore[arg-type]


def test_a_connected_account_with_recent_events_is_working() -> None:
    result = health.assess(_facts(), now=NOW)
    assert result.level is health.Level.ok and result.reasons == []


@pytest.mark.parametrize(
    ("overrides", "level", "reason"),
    [
        ({"status": AccountStatus.disconnected}, health.Level.problem, "disconnected"),
        ({"status": AccountStatus.paused}, health.Level.warning, "paused"),
        ({"token_expires_at": NOW - timedelta(days=2)}, health.Level.problem, "expired 2 days ago"),
        ({"token_expires_at": NOW + timedelta(days=6)}, health.Level.warning, "expires in 6 days"),
        ({"rejected_today": 12}, health.Level.warning, "12 webhook requests rejected today"),
        ({"last_event_at": None}, health.Level.warning, "no event received since it was added"),
        ({"silent": "no event for 70 hours"}, health.Level.problem, "silent: no event for 70 hours"),
    ],
)
def test_each_problem_is_named_and_sets_the_level(
    overrides: dict[str, object], level: health.Level, reason: str
) -> None:
    result = health.assess(_facts(**overrides), now=NOW)
    assert result.level is level
    assert any(reason in r for r in result.reasons), result.reasons


def test_a_new_account_or_a_web_form_is_not_blamed_for_having_no_event_yet() -> None:
    fresh = _facts(last_event_at=None, created_at=NOW - timedelta(hours=5))
    form = _facts(last_event_at=None, platform="web")
    assert health.assess(fresh, now=NOW).level is health.Level.ok
    assert health.assess(form, now=NOW).level is health.Level.ok


def test_the_worst_reason_decides_the_level() -> None:
    result = health.assess(_facts(status=AccountStatus.paused, token_expires_at=NOW - timedelta(days=1)), now=NOW)
    assert result.level is health.Level.problem and len(result.reasons) == 2
