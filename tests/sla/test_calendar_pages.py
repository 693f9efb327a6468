"""The calendar pages: national oversight edits hours and closures, an agency admin its own closures."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AgencyKind
from civicloop.audit.models import AuditEntry
from civicloop.sla.calendar import calendar_for
from civicloop.sla.models import AgencyClosure, CalendarSeason, HolidayWorkingDay, NationalClosure
from tests.factories import create_agency, create_official, csrf_from, login
from tests.sla.test_calendar_for import at


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/calendar") -> int:
    token = csrf_from(client.get(page).text)
    response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
    return response.status_code


def test_national_oversight_sets_winter_hours_and_a_national_closure(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    create_agency(db, "DOIM", kind=AgencyKind.national_oversight)
    login(client, create_official(db, "national_admin@DOIM"))
    week = {
        "mon": "09:00-17:00",
        "tue": "09:00-17:00",
        "wed": "09:00-17:00",
        "thu": "09:00-17:00",
        "fri": "09:00-13:00",
    }
    assert post(client, "/calendar/hours", {**week, "timezone": "Asia/Thimphu", "holiday_country": "BT"}) == 303
    winter = {d: "09:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    season = {"name": "Winter", "starts_on": "2026-11-16", "ends_on": "2027-02-15", "yearly": "true", **winter}
    assert post(client, "/calendar/seasons", season) == 303
    closure = {"scope": "national", "day": "2026-12-24", "name": "Royal wedding anniversary"}
    assert post(client, "/calendar/closures", closure) == 303
    db.rollback()
    assert db.scalar(select(CalendarSeason.name)) == "Winter"
    assert db.scalar(select(NationalClosure.name)) == "Royal wedding anniversary"
    calendar = calendar_for(db, agency.id)
    assert not calendar.is_open(at("2026-03-06T14:00"))  # Friday afternoon now closed
    assert not calendar.is_open(at("2026-11-17T16:30"))  # winter
    assert not calendar.is_open(at("2026-12-24T10:00"))
    html = client.get("/calendar", params={"year": 2026}).text
    assert "Royal wedding anniversary" in html and "National Day" in html and "Winter" in html
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar.%"))).all()
    assert sorted(actions) == ["calendar.national_closure_add", "calendar.season_add", "calendar.update"]
    bad = {**week, "mon": "17:00-09:00"}
    assert post(client, "/calendar/hours", bad) == 303
    assert "mon: &#39;17:00-09:00&#39; ends before it starts" in client.get("/calendar").text


def test_an_agency_admin_adds_its_own_closure_but_not_a_national_one(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    login(client, create_official(db, "agency_admin@THROMDE"))
    page = f"/calendar?agency_id={agency.id}"
    html = client.get(page).text
    assert "Thimphu Thromde only" in html and "every agency (national closure)" not in html
    own = {"scope": "agency", "agency_id": str(agency.id), "day": "2026-03-04", "name": "Office move", "hours": ""}
    assert post(client, "/calendar/closures", own, page) == 303
    national = {"scope": "national", "day": "2026-03-05", "name": "Not allowed"}
    assert post(client, "/calendar/closures", national, page) == 303
    db.rollback()
    assert db.scalars(select(AgencyClosure.name)).all() == ["Office move"]
    assert db.scalars(select(NationalClosure.name)).all() == []
    assert "this needs the national_admin role" in client.get(page).text


def test_the_calendar_page_explains_a_number(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    login(client, create_official(db, "officer@THROMDE"))
    params = {"agency_id": agency.id, "received": "2026-12-16T16:30", "responded": "2026-12-18T09:30"}
    html = client.get("/calendar", params=params).text
    assert "<strong>60 office minutes</strong>" in html and "National Day" in html
    params["responded"] = "2026-12-16T09:00"
    refused = client.get("/calendar", params=params)
    assert refused.status_code == 422 and "is before the message" in refused.text


def test_an_agency_admin_makes_a_public_holiday_a_working_day_for_the_agency(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    other = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    login(client, create_official(db, "agency_admin@THROMDE"))
    page = f"/calendar?agency_id={agency.id}&year=2026"
    html = client.get(page).text
    assert '<option value="2026-12-17">2026-12-17 National Day</option>' in html
    reopen = {"agency_id": str(agency.id), "day": "2026-12-17", "reason": "Tax week: the counters stay open"}
    assert post(client, "/calendar/working-days", reopen, page) == 303
    html = client.get(page).text
    assert "2026-12-17 National Day — worked by Thimphu Thromde: Tax week: the counters stay open" in html
    assert "2026-12-17 is a working day." in html
    db.rollback()
    assert calendar_for(db, agency.id).is_open(at("2026-12-17T10:00"))
    assert not calendar_for(db, other.id).is_open(at("2026-12-17T10:00"))
    # A day that is no public holiday is refused with the reason; nothing is stored.
    assert post(client, "/calendar/working-days", {**reopen, "day": "2026-12-18"}, page) == 303
    assert "2026-12-18 is not a public holiday in this calendar" in client.get(page).text
    assert post(client, "/calendar/working-days", {**reopen, "day": "17/12/2026"}, page) == 303
    assert "is not a date like 2026-12-17" in client.get(page).text
    # Nationally, only national oversight may reopen a holiday.
    assert post(client, "/calendar/working-days", {"day": "2026-11-11", "reason": "x"}, page) == 303
    assert "this needs the national_admin role" in client.get(page).text
    working = db.scalars(select(HolidayWorkingDay)).all()
    assert [(w.day.isoformat(), w.agency_id) for w in working] == [("2026-12-17", agency.id)]
    assert post(client, f"/calendar/working-days/{working[0].id}/delete", {"agency_id": str(agency.id)}, page) == 303
    db.rollback()
    assert not calendar_for(db, agency.id).is_open(at("2026-12-17T10:00"))


def test_the_json_api_reopens_a_public_holiday_for_every_agency(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    create_agency(db, "DOIM", kind=AgencyKind.national_oversight)
    login(client, create_official(db, "national_admin@DOIM"))
    headers = {"X-CSRF-Token": csrf_from(client.get("/calendar").text)}
    body = {"date": "2026-11-11", "reason": "Moved to Friday by government order"}
    created = client.post("/api/v1/calendar/working-days", json=body, headers=headers)
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "date": "2026-11-11",
        "reason": body["reason"],
        "scope": "national",
    }
    view = client.get("/api/v1/calendar", params={"agency_id": agency.id, "year": 2026}).json()
    assert [w["holiday"] for w in view["working_days"]] == [
        "Birth Anniversary of the 4th Druk Gyalpo - Constitution Day"
    ]
    assert "2026-11-11" not in [c["date"] for c in view["closures"]]
    refused = client.post("/api/v1/calendar/working-days", json={**body, "date": "2026-11-12"}, headers=headers)
    assert refused.status_code == 422 and "not a public holiday" in refused.text
    removed = client.delete(f"/api/v1/calendar/working-days/{created.json()['id']}", headers=headers)
    assert removed.status_code == 204
    assert client.delete(f"/api/v1/calendar/working-days/{created.json()['id']}", headers=headers).status_code == 404
    db.rollback()
    assert not calendar_for(db, agency.id).is_open(at("2026-11-11T10:00"))
