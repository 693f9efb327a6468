"""Office-time arithmetic: worked examples a person can check, then properties over many calendars."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from civicloop.errors import Invalid
from civicloop.sla.calendar import (
    Closure,
    OfficeCalendar,
    Season,
    WeeklyHours,
    holiday_subdivision,
    parse_spans,
)

THIMPHU = ZoneInfo("Asia/Thimphu")
BT = OfficeCalendar()  # Monday–Friday 09:00–17:00, Bhutan's public holidays, Asia/Thimphu
WINTER = WeeklyHours.parse({day: "09:00-16:00" for day in ("mon", "tue", "wed", "thu", "fri")})
WITH_WINTER = OfficeCalendar(seasons=(Season("Winter", date(2000, 11, 16), date(2000, 2, 15), WINTER, yearly=True),))


def at(text: str, zone: ZoneInfo = THIMPHU) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def local(instant: datetime, zone: ZoneInfo = THIMPHU) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# -- worked examples ---------------------------------------------------------------------------------


def test_a_message_at_16_59_on_friday_is_due_monday_at_09_59_for_a_one_hour_target() -> None:
    received = at("2026-03-06T16:59")  # a Friday
    due = BT.add_office_minutes(received, 60)
    assert local(due) == "2026-03-09 09:59"
    assert BT.office_minutes_between(received, due) == 60
    assert [(local(i.start), local(i.end), i.minutes) for i in BT.intervals(received, due)] == [
        ("2026-03-06 16:59", "2026-03-06 17:00", 1.0),
        ("2026-03-09 09:00", "2026-03-09 09:59", 59.0),
    ]


def test_a_message_on_a_public_holiday_starts_the_clock_the_next_office_morning() -> None:
    received = at("2026-12-17T10:00")  # National Day, a Thursday
    assert not BT.is_open(received)
    assert local(BT.next_open(received)) == "2026-12-18 09:00"
    assert local(BT.add_office_minutes(received, 30)) == "2026-12-18 09:30"
    assert [c.name for c in BT.closures_between(received, received)] == ["National Day"]


def test_office_time_runs_across_the_year_end() -> None:
    received = at("2026-12-31T16:30")
    assert local(BT.add_office_minutes(received, 60)) == "2027-01-01 09:30"
    # 2 January 2027 (Winter Solstice) is a Saturday anyway; Monday 4 January is a normal day.
    assert BT.office_minutes_between(received, at("2027-01-04T10:00")) == 30 + 480 + 60


def test_losar_and_the_kings_birthday_close_the_office_for_days() -> None:
    # Monday 8 February 2027 is Losar; 22 and 23 February the King's birth anniversary.
    assert BT.office_minutes_between(at("2027-02-08T00:00"), at("2027-02-09T00:00")) == 0
    week = BT.office_minutes_between(at("2027-02-22T00:00"), at("2027-02-27T00:00"))
    assert week == 3 * 480


def test_the_winter_timing_applies_between_its_dates_every_year() -> None:
    # Week of 9 November 2026 (summer hours; Wednesday 11th is Constitution Day), then the week of
    # 16 November (winter hours 09:00–16:00).
    assert WITH_WINTER.office_minutes_between(at("2026-11-09T00:00"), at("2026-11-14T00:00")) == 4 * 480
    assert WITH_WINTER.office_minutes_between(at("2026-11-16T00:00"), at("2026-11-21T00:00")) == 5 * 420
    # Friday 12 February 2027 15:30 in winter: 30 minutes left that day, then Monday 15th is still winter
    assert local(WITH_WINTER.add_office_minutes(at("2027-02-12T15:30"), 60)) == "2027-02-15 09:30"
    # and Tuesday 16th is back to summer hours
    assert WITH_WINTER.is_open(at("2027-02-16T16:30"))
    assert not WITH_WINTER.is_open(at("2027-02-15T16:30"))


def test_a_day_may_have_several_opening_intervals() -> None:
    lunch = OfficeCalendar(weekly=WeeklyHours.parse({"mon": "09:00-13:00, 14:00-17:00"}), holiday_country=None)
    received = at("2026-03-02T12:50")  # a Monday
    assert local(lunch.add_office_minutes(received, 20)) == "2026-03-02 14:10"
    assert not lunch.is_open(at("2026-03-02T13:30"))
    assert local(lunch.next_open(at("2026-03-02T13:30"))) == "2026-03-02 14:00"
    assert local(lunch.next_open(at("2026-03-02T17:00"))) == "2026-03-09 09:00"


def test_closures_of_part_of_a_day_and_of_whole_days() -> None:
    calendar = OfficeCalendar(
        closures=(
            Closure(date(2026, 3, 3), "Half day for the national event", span=(13 * 60, 24 * 60)),
            Closure(date(2026, 3, 4), "Office move"),
        )
    )
    assert calendar.office_minutes_between(at("2026-03-03T00:00"), at("2026-03-05T00:00")) == 240
    assert local(calendar.add_office_minutes(at("2026-03-03T12:00"), 61)) == "2026-03-05 09:01"


def test_zero_minutes_and_reversed_spans() -> None:
    instant = at("2026-03-07T11:00")  # a Saturday
    assert BT.add_office_minutes(instant, 0) == instant
    assert BT.office_minutes_between(at("2026-03-05T12:00"), at("2026-03-05T10:00")) == 0
    assert BT.intervals(at("2026-03-05T12:00"), at("2026-03-05T10:00")) == []


def test_the_same_calendar_works_in_any_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    india = OfficeCalendar(timezone="Asia/Kolkata", holiday_country=None)
    received = at("2026-03-02T16:45", kolkata)
    assert local(india.add_office_minutes(received, 30), kolkata) == "2026-03-03 09:15"
    # The instant may be given in any zone: 11:15 UTC is 16:45 in Kolkata.
    assert india.add_office_minutes(received.astimezone(UTC), 30) == india.add_office_minutes(received, 30)


def test_daylight_saving_days_count_their_real_length() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    always = OfficeCalendar(
        timezone="Europe/Berlin",
        weekly=WeeklyHours.parse(dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "00:00-24:00")),
        holiday_country=None,
    )
    # Sunday 29 March 2026 has 23 hours in Berlin; Sunday 25 October 2026 has 25.
    assert always.office_minutes_between(at("2026-03-29T00:00", berlin), at("2026-03-30T00:00", berlin)) == 23 * 60
    assert always.office_minutes_between(at("2026-10-25T00:00", berlin), at("2026-10-26T00:00", berlin)) == 25 * 60


def test_district_festivals_from_the_package() -> None:
    assert holiday_subdivision("BT", "Thimphu") == "15"
    assert holiday_subdivision("BT", "thimphu") == "15"
    assert holiday_subdivision("BT", "Atlantis") is None
    thimphu = OfficeCalendar(holiday_subdivision="15")
    tshechu = at("2026-09-21T10:00")  # Thimphu Tshechu, a Monday
    assert not thimphu.is_open(tshechu)
    assert BT.is_open(tshechu)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9-17", "is not an interval"),
        ("17:00-09:00", "ends before it starts"),
        ("09:00-13:00, 12:00-17:00", "overlap"),
        ("09:00-24:30", "24:00"),
        ("09:61-10:00", "24:00"),
    ],
)
def test_bad_opening_hours_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_spans(text)


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(Invalid, match="unknown weekday"):
        WeeklyHours.parse({"monday": "09:00-17:00"})
    with pytest.raises(Invalid, match="time zone"):
        OfficeCalendar(timezone="Mars/Olympus")
    with pytest.raises(Invalid, match="holidays package"):
        OfficeCalendar(holiday_country="XX")
    never = OfficeCalendar(weekly=WeeklyHours.parse({}), holiday_country=None)
    with pytest.raises(Invalid, match="no opening hours"):
        never.add_office_minutes(at("2026-03-02T09:00"), 1)
    with pytest.raises(Invalid, match="negative"):
        BT.add_office_minutes(at("2026-03-02T09:00"), -1)
    with pytest.raises(ValueError, match="aware"):
        BT.is_open(datetime(2026, 3, 2, 10, 0))


def test_is_open_is_cheap_enough_for_the_proxy_helper() -> None:
    instant = at("2026-03-02T10:00")
    BT.is_open(instant)
    started = datetime.now(UTC)
    for _ in range(20_000):
        BT.is_open(instant)
    per_call = (datetime.now(UTC) - started) / 20_000
    assert per_call < timedelta(microseconds=50), per_call


# -- properties --------------------------------------------------------------------------------------

ZONES = ["Asia/Thimphu", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]


@st.composite
def day_spans(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    bounds = sorted(draw(st.lists(st.integers(0, 24 * 60), unique=True, max_size=6)))
    return tuple(zip(bounds[::2], bounds[1::2], strict=False))


weekly_hours = (
    st.lists(day_spans(), min_size=7, max_size=7)
    .map(lambda days: WeeklyHours(tuple(days)))
    .filter(lambda hours: hours.weekly_minutes > 0)
)
dates = st.dates(date(2025, 1, 1), date(2028, 12, 31))


@st.composite
def seasons(draw: st.DrawFn) -> Season:
    first, second = draw(dates), draw(dates)
    yearly = draw(st.booleans())
    starts, ends = (first, second) if yearly else (min(first, second), max(first, second))
    return Season("season", starts, ends, draw(weekly_hours), yearly)


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    span = draw(st.none() | day_spans().filter(lambda spans: len(spans) == 1).map(lambda spans: spans[0]))
    return Closure(draw(dates), "closed", span=span)


calendars = st.builds(
    OfficeCalendar,
    timezone=st.sampled_from(ZONES),
    weekly=weekly_hours,
    seasons=st.lists(seasons(), max_size=2).map(tuple),
    closures=st.lists(closures(), max_size=8).map(tuple),
    holiday_country=st.sampled_from([None, "BT"]),
    working_days=st.frozensets(dates, max_size=3),
)
instants = st.datetimes(datetime(2025, 6, 1), datetime(2028, 6, 1), timezones=st.just(UTC))
minutes = st.integers(0, 20_000)


@settings(max_examples=80, deadline=None)
@given(calendars, instants, minutes)
def test_adding_then_measuring_office_time_round_trips(calendar: OfficeCalendar, start: datetime, m: int) -> None:
    end = calendar.add_office_minutes(start, m)
    assert end >= start
    assert calendar.office_minutes_between(start, end) == m
    if m:
        # the deadline is an office instant (or the very end of an opening), never inside a closure
        assert calendar.is_open(end - timedelta(microseconds=1))


@settings(max_examples=80, deadline=None)
@given(calendars, instants, instants)
def test_measuring_then_adding_lands_within_a_minute_of_the_end(
    calendar: OfficeCalendar, a: datetime, b: datetime
) -> None:
    a, b = min(a, b), max(a, b)
    m = calendar.office_minutes_between(a, b)
    back = calendar.add_office_minutes(a, m)
    assert back <= b
    assert calendar.office_time_between(back, b) < timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(calendars, instants, instants, instants)
@example(  # Sunday night into the spring-forward hour in Berlin: 00:00–02:00 is really 00:00–03:00 local
    OfficeCalendar(timezone="Europe/Berlin", weekly=WeeklyHours(((),) * 6 + (((0, 120),),)), holiday_country=None),
    datetime(2025, 6, 1, tzinfo=UTC),
    datetime(2025, 6, 1, tzinfo=UTC),
    datetime(2027, 1, 1, tzinfo=UTC),
)
def test_office_time_adds_up_over_consecutive_spans(
    calendar: OfficeCalendar, x: datetime, y: datetime, z: datetime
) -> None:
    a, b, c = sorted([x, y, z])
    whole = calendar.office_time_between(a, c)
    assert whole == calendar.office_time_between(a, b) + calendar.office_time_between(b, c)
    assert whole <= c - a
    counted = calendar.intervals(a, c)
    assert sum((i.duration for i in counted), timedelta(0)) == whole
    for interval in counted:
        assert calendar.is_open(interval.start)
        # Through UTC: a local datetime minus a microsecond is wall-clock arithmetic in Python.
        assert calendar.is_open(interval.end.astimezone(UTC) - timedelta(microseconds=1))


@settings(max_examples=60, deadline=None)
@given(calendars, instants)
def test_next_open_is_the_first_office_instant(calendar: OfficeCalendar, instant: datetime) -> None:
    opens = calendar.next_open(instant)
    assert opens >= instant
    assert calendar.is_open(opens)
    assert calendar.office_time_between(instant, opens) == timedelta(0)
    assert (opens == instant) == calendar.is_open(instant)


# -- seasons and reopened holidays -----------------------------------------------------------------

PLAIN = WeeklyHours.parse({day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")})
SEASON_HOURS = WeeklyHours.parse({day: "10:00-12:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})


def _years_later(day: date, years: int) -> date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return None


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(0, 400), dates)
def test_a_season_on_dates_covers_exactly_those_dates(starts: date, length: int, day: date) -> None:
    ends = starts + timedelta(days=length)
    calendar = OfficeCalendar(weekly=PLAIN, seasons=(Season("s", starts, ends, SEASON_HOURS),), holiday_country=None)
    expected = SEASON_HOURS if starts <= day <= ends else PLAIN
    assert calendar.hours_on(day) == expected.days[day.weekday()]


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(0, 364), dates, st.integers(1, 3))
@example(date(2026, 11, 16), 91, date(2027, 1, 1), 1)  # winter across the year end
@example(date(2026, 11, 16), 91, date(2026, 11, 15), 2)  # the day before the first winter
def test_a_yearly_season_repeats_every_year_from_its_first_day(
    starts: date, length: int, day: date, years: int
) -> None:
    season = Season("s", starts, starts + timedelta(days=length), SEASON_HOURS, yearly=True)
    first_run = starts <= day <= starts + timedelta(days=length)
    if first_run:
        assert season.covers(day)
    if day < starts:
        assert not season.covers(day)
    later = _years_later(day, years)
    if day >= starts and later is not None:
        assert season.covers(later) == season.covers(day)


def test_a_winter_season_spans_the_year_end_every_year() -> None:
    calendar = OfficeCalendar(seasons=(Season("Winter", date(2026, 11, 16), date(2027, 2, 15), WINTER, yearly=True),))
    for day in ("2026-11-16", "2026-12-31", "2027-01-04", "2027-02-15", "2028-01-03", "2030-02-15"):
        assert calendar.hours_on(date.fromisoformat(day)) == WINTER.days[date.fromisoformat(day).weekday()], day
    for day in ("2026-11-13", "2027-02-16", "2027-11-15", "2025-12-01"):
        assert calendar.hours_on(date.fromisoformat(day)) == BT.weekly.days[date.fromisoformat(day).weekday()], day


def test_a_season_on_dates_wins_over_a_yearly_one() -> None:
    yearly = Season("Winter", date(2020, 11, 16), date(2021, 2, 15), WINTER, yearly=True)
    dated = Season("Election week", date(2026, 12, 7), date(2026, 12, 12), SEASON_HOURS)
    for order in ((yearly, dated), (dated, yearly)):
        calendar = OfficeCalendar(seasons=order)
        assert calendar.hours_on(date(2026, 12, 8)) == ((600, 720),)
        assert calendar.hours_on(date(2027, 12, 8)) == ((540, 960),)


def test_a_reopened_public_holiday_counts_its_normal_hours() -> None:
    weekday_holidays = sorted({c.day for c in BT.closures_between(at("2025-01-01T00:00"), at("2028-12-31T00:00"))})
    assert len(weekday_holidays) > 30
    for holiday in weekday_holidays:
        _reopened_counts_its_normal_hours(holiday)


def _reopened_counts_its_normal_hours(holiday: date) -> None:
    reopened = OfficeCalendar(working_days=frozenset({holiday}))
    morning, night = at(f"{holiday}T00:00"), at(f"{holiday + timedelta(days=1)}T00:00")
    normal = sum(end - start for start, end in BT.weekly.days[holiday.weekday()])
    assert BT.office_minutes_between(morning, night) == 0
    assert reopened.office_minutes_between(morning, night) == normal
    assert [c.source for c in reopened.closures_on(holiday)] == []
    assert reopened.public_holiday(holiday) == BT.public_holiday(holiday)
