"""The effective calendar of an agency, built from the database, and who may change it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.auth.scope import Actor
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.sla import service
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
    assert service.targets_for(db, agency.id).first_response == 480
    service.set_targets(db, actor=admin, agency_id=None, first_response=240, next_response=240, resolution=2400)
    assert service.targets_for(db, agency.id) == service.Targets(240, 240, 2400, "national")
    service.set_targets(db, actor=head, agency_id=agency.id, first_response=120, next_response=240, resolution=960)
    assert service.targets_for(db, agency.id).first_response == 120
    assert service.targets_by_agency(db, {agency.id})[agency.id].source == "agency"
    with pytest.raises(Forbidden):
        service.set_targets(db, actor=head, agency_id=None, first_response=1, next_response=1, resolution=1)
    with pytest.raises(Invalid, match="shorter"):
        service.set_targets(db, actor=head, agency_id=agency.id, first_response=600, next_response=60, resolution=60)
    assert service.clear_agency_targets(db, actor=head, agency_id=agency.id).source == "national"
