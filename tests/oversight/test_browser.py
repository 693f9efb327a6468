"""The national dashboard and the public page as people use them, in a real Chromium."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.agencies.models import AgencyKind
from civicloop.channels.models import Direction
from civicloop.oversight import tasks
from tests.factories import PASSWORD, create_account, create_agency, create_official
from tests.oversight.builders import bulk_messages, bus_stop_consultation, message

# The browser checks what people see; the figures underneath are checked on both databases elsewhere.
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def world(db: Session) -> None:
    # Taken here, not when the module is imported: a whole suite under load can run this test many
    # minutes after collecting it, and the spike must fall in the hour before the evaluation.
    now = datetime.now(UTC)
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde", kind=AgencyKind.city, district="Thimphu")
    create_agency(db, "PUNAKHA", name="Punakha Dzongkhag Administration", kind=AgencyKind.district, district="Punakha")
    create_agency(db, "DOIM", name="Department of Information and Media", kind=AgencyKind.national_oversight)
    page = create_account(db, thromde, "facebook", name="Thimphu Thromde Page")
    rows = [
        (page, now - timedelta(hours=hour, minutes=20), Direction.inbound, f"usual-{hour % 20}")
        for hour in range(2, 24 * 7)
    ]
    bulk_messages(db, rows)
    for n in range(20):
        message(db, page, now - timedelta(minutes=50 - 2 * n), thread=f"bus-stop-{n % 4}", citizen=f"c{n}")
    bus_stop_consultation(db, thromde, now)
    db.commit()
    create_official(db, "national_admin@DOIM", email="admin@doim.example")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    tasks.refresh_and_evaluate(now=now)


def _sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_the_national_admin_reads_the_dashboard_and_handles_the_live_alert(world: None, page) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, "admin@doim.example")
    page.get_by_role("link", name="Oversight").click()
    expect(page.get_by_role("heading", name="National dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="What these figures are based on")).to_be_visible()
    adoption = page.locator("#adoption table")
    expect(adoption.get_by_role("cell", name="Punakha Dzongkhag Administration")).to_be_visible()
    expect(page.get_by_role("heading", name="Ranking", exact=True)).to_be_visible()
    expect(page.get_by_label("How the ranking is defined").get_by_text("Responsiveness rank")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#ranking").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("civicloop-national-ranking-")
    page.get_by_role("link", name="Spike of citizen messages on Thimphu Thromde Page").click()
    expect(page.get_by_text("20 messages in the last hour")).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("The alert is acknowledged")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)


def test_an_agency_head_sees_only_their_scorecard(world: None, page) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, "head@thromde.example")
    page.goto("/oversight")
    expect(page.get_by_role("heading", name="Oversight of your agencies")).to_be_visible()
    assert page.get_by_text("Punakha Dzongkhag Administration").count() == 0
    page.locator("#agencies").get_by_role("link", name="Thimphu Thromde").click()
    expect(page.get_by_role("heading", name="Scorecard: Thimphu Thromde")).to_be_visible()
    page.locator("#fig-conversations a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Citizen conversations begun in the period")


def test_the_public_page_works_without_login_on_a_phone(world: None, phone_page) -> None:  # type: ignore[no-untyped-def]
    phone_page.goto("/transparency")
    expect(phone_page.get_by_role("heading", name="How government agencies listen and answer")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the public page scrolls sideways on a phone ({width}px)"
    phone_page.get_by_role("link", name="read the “you said, we did” report").click()
    phone_page.wait_for_url("**/c/BUSSTOP/report*")  # the visitor's ?lang= goes along
