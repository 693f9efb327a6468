"""The effective calendar of an agency, built from the database, and who may change it."""

from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.auth.scope import Actor
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.sla import queries, service
from civicloop.sla.calendar import WeeklyHours, calendar_for
from tests.factories import create_agency, create_official

THIMPHU = ZoneInfo("Asia/Thimphu")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=THIMPHU)


def test_an_agency_without_settings_works_monday_to_friday_nine_to_five_with_holidays(db: Session) -> None:
    agency = create_agency(db, "MOIT")
    calendar = calendar_for(db, agency.id)
    assert calendar.timezone == "Asia/Thimphu"
    assert calendar.is_open(at("2026-03-02T09:00"))
    assert not calendar.is_open(at("2026-03-02T17:00"))
    assert not calendar.is_open(at("2026-12-17T10:00"))  # National Day
    with pytest.raises(NotFound):
        calendar_for(db, 999_999)


def test_national_district_and_agency_closures_apply_to_the_right_agencies(db: Session) -> None:
    punakha = create_agency(db, "PUNAKHA", district="Punakha")
    thromde = create_agency(db, "THROMDE", district="Thimphu")
    ministry = create_agency(db, "MOIT", district="Thimphu")
    admin = Actor.of(create_official(db, "national_admin@MOIT"))
    it_admin = Actor.of(create_official(db, "agency_admin@THROMDE"))
    service.add_closure(db, actor=admin, scope="national", day=date(2026, 3, 2), name="Royal event")
    service.add_closure(
        db, actor=admin, scope="district", day=date(2026, 3, 3), name="Punakha Drubchen", district="punakha"
    )
    service.add_closure(
        db, actor=it_admin, scope="agency", day=date(2026, 3, 4), name="Office move", agency_id=thromde.id
    )
    service.add_closure(
        db,
        actor=it_admin,
        scope="agency",
        day=date(2026, 3, 5),
        name="Staff retreat",
        agency_id=thromde.id,
        span=(13 * 60, 17 * 60),
    )
    db.commit()

    def closed(agency_id: int) -> list[str]:
        calendar = calendar_for(db, agency_id)
        return [c.name for c in calendar.closures_between(at("2026-03-02T00:00"), at("2026-03-06T00:00"))]

    assert closed(punakha.id) == ["Royal event", "Punakha Drubchen"]
    assert closed(thromde.id) == ["Royal event", "Office move", "Staff retreat"]
    assert closed(ministry.id) == ["Royal event"]
    assert calendar_for(db, thromde.id).office_minutes_between(at("2026-03-02T00:00"), at("2026-03-06T00:00")) == (
        480 + 240
    )
    # The package's own Thimphu district festival applies to Thimphu agencies only.
    assert not calendar_for(db, thromde.id).is_open(at("2026-09-21T10:00"))
    assert calendar_for(db, punakha.id).is_open(at("2026-09-21T10:00"))
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("calendar.%")).order_by(AuditEntry.seq)
    ).all()
    assert (
        actions
        == ["calendar.national_closure_add", "calendar.district_closure_add"] + ["calendar.agency_closure_add"] * 2
    )


def test_a_change_is_seen_at_once_by_calendar_for(db: Session) -> None:
    agency = create_agency(db, "MOIT")
    admin = Actor.of(create_official(db, "national_admin@MOIT"))
    monday = at("2026-03-02T10:00")
    assert calendar_for(db, agency.id) is calendar_for(db, agency.id)  # cached while nothing changes
    assert calendar_for(db, agency.id).is_open(monday)
    closure = service.add_closure(db, actor=admin, scope="national", day=date(2026, 3, 2), name="Ad-hoc closure")
    db.commit()
    assert not calendar_for(db, agency.id).is_open(monday)
    service.remove_closure(db, actor=admin, scope="national", closure_id=closure.id)
    db.commit()
    assert calendar_for(db, agency.id).is_open(monday)


def test_national_hours_seasons_and_time_zone(db: Session) -> None:
    agency = create_agency(db, "MOIT")
    abroad = create_agency(db, "EMBASSY", timezone="Asia/Kolkata")
    admin = Actor.of(create_official(db, "national_admin@MOIT"))
    service.update_national_calendar(
        db,
        actor=admin,
        weekly=WeeklyHours.parse(
            {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": "09:00-13:00"}
        ),
    )
    winter = WeeklyHours.parse({d: "09:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri")})
    service.add_season(
        db, actor=admin, name="Winter", starts_on=date(2026, 11, 16), ends_on=date(2027, 2, 15), hours=winter
    )
    db.commit()
    calendar = calendar_for(db, agency.id)
    assert calendar.is_open(at("2026-03-07T12:00"))  # a Saturday morning
    assert not calendar.is_open(at("2026-11-20T16:30"))  # winter Friday afternoon
    assert calendar.is_open(at("2026-11-13T16:30"))  # a week earlier, summer hours
    assert calendar_for(db, abroad.id).timezone == "Asia/Kolkata"
    assert calendar_for(db, None).timezone == "Asia/Thimphu"


def test_who_may_change_the_calendar(db: Session) -> None:
    thromde = create_agency(db, "THROMDE")
    other = create_agency(db, "MOIT")
    it_admin = Actor.of(create_official(db, "agency_admin@THROMDE"))
    officer = Actor.of(create_official(db, "officer@THROMDE"))
    with pytest.raises(Forbidden):
        service.add_closure(db, actor=it_admin, scope="national", day=date(2026, 3, 2), name="x")
    with pytest.raises(Forbidden):
        service.add_closure(db, actor=officer, scope="agency", day=date(2026, 3, 2), name="x", agency_id=thromde.id)
    with pytest.raises(NotFound):
        service.add_closure(db, actor=it_admin, scope="agency", day=date(2026, 3, 2), name="x", agency_id=other.id)
    with pytest.raises(Forbidden):
        service.update_national_calendar(db, actor=it_admin, timezone="Asia/Kolkata")
    with pytest.raises(Invalid, match="at least once a week"):
        service.update_national_calendar(db, actor=None, weekly=WeeklyHours.parse({}))
    with pytest.raises(Invalid, match="why"):
        service.add_closure(db, actor=it_admin, scope="agency", day=date(2026, 3, 2), name=" ", agency_id=thromde.id)


def test_targets_default_national_and_agency_override(db: Session) -> None:
    agency = create_agency(db, "MOIT")
    head = Actor.of(create_official(db, "agency_head@MOIT"))
    admin = Actor.of(create_official(db, "national_admin@MOIT"))
    assert queries.targets_for(db, agency.id).first_response == 480
    service.set_targets(db, actor=admin, agency_id=None, first_response=240, next_response=240, resolution=2400)
    assert queries.targets_for(db, agency.id) == service.Targets(240, 240, 2400, "national")
    service.set_targets(db, actor=head, agency_id=agency.id, first_response=120, next_response=240, resolution=960)
    assert queries.targets_for(db, agency.id).first_response == 120
    assert queries.targets_by_agency(db, {agency.id})[agency.id].source == "agency"
    with pytest.raises(Forbidden):
        service.set_targets(db, actor=head, agency_id=None, first_response=1, next_response=1, resolution=1)
    with pytest.raises(Invalid, match="shorter"):
        service.set_targets(db, actor=head, agency_id=agency.id, first_response=600, next_response=60, resolution=60)
    assert service.clear_agency_targets(db, actor=head, agency_id=agency.id).source == "national"


def test_a_public_holiday_reopened_nationally_or_by_one_agency(db: Session) -> None:
    thromde = create_agency(db, "THROMDE", district="Thimphu")
    ministry = create_agency(db, "MOIT")
    admin = Actor.of(create_official(db, "national_admin@MOIT"))
    thromde_admin = Actor.of(create_official(db, "agency_admin@THROMDE"))
    officer = Actor.of(create_official(db, "officer@THROMDE"))
    national_day, king_birthday = date(2026, 12, 17), date(2026, 2, 23)  # a Thursday, a Monday
    assert calendar_for(db, thromde.id).public_holiday(king_birthday) is not None
    assert not calendar_for(db, ministry.id).is_open(at("2026-02-23T10:00"))

    # One agency works on National Day; the others keep the holiday.
    row = service.add_working_day(
        db, actor=thromde_admin, day=national_day, reason="Service counter open for tax week", agency_id=thromde.id
    )
    db.commit()
    assert calendar_for(db, thromde.id).is_open(at("2026-12-17T10:00"))
    assert not calendar_for(db, ministry.id).is_open(at("2026-12-17T10:00"))
    assert calendar_for(db, thromde.id).office_minutes_between(at("2026-12-16T16:00"), at("2026-12-17T10:00")) == 120
    view = service.year_view(db, agency_id=thromde.id, year=2026)
    assert national_day.isoformat() not in [c["date"] for c in view["closures"]]
    assert view["working_days"] == [
        {
            "id": row.id,
            "date": "2026-12-17",
            "reason": "Service counter open for tax week",
            "scope": "agency",
            "holiday": "National Day",
        }
    ]
    assert service.year_view(db, agency_id=ministry.id, year=2026)["working_days"] == []

    # Only a package holiday can be reopened, once, and only by the agency's admin or head (or nationally).
    with pytest.raises(Invalid, match="not a public holiday"):
        service.add_working_day(db, actor=admin, day=date(2026, 12, 18), reason="x")
    with pytest.raises(Invalid, match="already a working day"):
        service.add_working_day(db, actor=thromde_admin, day=national_day, reason="again", agency_id=thromde.id)
    with pytest.raises(Invalid, match="say why"):
        service.add_working_day(db, actor=admin, day=king_birthday, reason="  ")
    with pytest.raises(Forbidden):
        service.add_working_day(db, actor=officer, day=king_birthday, reason="x", agency_id=thromde.id)
    with pytest.raises(Forbidden):
        service.add_working_day(db, actor=thromde_admin, day=king_birthday, reason="for everyone")

    # National oversight reopens a holiday for every agency; removing it makes it a holiday again.
    national = service.add_working_day(db, actor=admin, day=king_birthday, reason="Moved by government order")
    db.commit()
    assert all(calendar_for(db, a.id).is_open(at("2026-02-23T10:00")) for a in (thromde, ministry))
    assert calendar_for(db, ministry.id).public_holiday(king_birthday) is not None  # the package still knows it
    with pytest.raises(Forbidden):
        service.remove_working_day(db, actor=thromde_admin, working_day_id=national.id)
    service.remove_working_day(db, actor=thromde_admin, working_day_id=row.id)
    db.commit()
    assert not calendar_for(db, thromde.id).is_open(at("2026-12-17T10:00"))
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar.working_day%"))).all()
    assert sorted(actions) == ["calendar.working_day_add", "calendar.working_day_add", "calendar.working_day_remove"]


def test_seasons_on_dates_apply_to_those_dates_and_yearly_ones_repeat_across_year_ends(db: Session) -> None:
    admin = Actor.of(create_official(db, "national_admin@" + create_agency(db, "DOIM").code))
    winter = WeeklyHours.parse({d: "09:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri")})
    election = WeeklyHours.parse({d: "08:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")})
    every_year = partial(service.add_season, db, actor=admin, hours=winter, yearly=True)
    every_year(name="Winter", starts_on=date(2026, 11, 16), ends_on=date(2027, 2, 15))
    service.add_season(
        db, actor=admin, name="Election week", starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 12), hours=election
    )
    db.commit()
    calendar = calendar_for(db, None)
    assert not calendar.is_open(at("2026-11-17T16:30"))  # winter, first year
    assert not calendar.is_open(at("2028-01-05T16:30"))  # winter, across a later year end
    assert calendar.is_open(at("2027-03-01T16:30"))  # spring
    assert calendar.is_open(at("2025-12-01T16:30"))  # before the yearly season was first in force
    assert calendar.is_open(at("2026-12-08T17:30"))  # the dated season wins over the yearly one
    assert calendar.is_open(at("2026-12-12T10:00"))  # a Saturday of election week
    assert not calendar.is_open(at("2027-12-08T17:30"))  # election week was 2026 only: winter hours again
    with pytest.raises(Invalid, match="shorter than a year"):
        every_year(name="Always", starts_on=date(2026, 1, 1), ends_on=date(2027, 1, 1))
