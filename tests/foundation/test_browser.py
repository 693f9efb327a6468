"""The foundation as a person uses it, in a real Chromium."""

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, create_agency, create_official

pytestmark = pytest.mark.browser


def _sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_agency_admin_adds_an_account_and_sees_it_listed(db: Session, page) -> None:  # type: ignore[no-untyped-def]
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    admin = create_official(db, "agency_admin@THROMDE", email="itadmin@thromde.example")
    _sign_in(page, admin.email)
    page.get_by_role("link", name="Thimphu Thromde").first.click()
    # An X account that only receives (signed webhooks, no user token): pasted credentials that send are
    # checked with the platform first (tests/channels/connect).
    page.get_by_label("Platform", exact=True).select_option("x")
    page.get_by_label("Display name").fill("Thimphu Thromde on X")
    page.get_by_label("Platform id").fill("1450055566677788899")
    page.get_by_label("Credentials").fill("consumer_secret=abc123")
    page.get_by_role("button", name="Add account").click()
    page.wait_for_url("**/accounts/*")
    assert "/webhooks/x/" in page.locator("#webhook-url").inner_text()
    page.goto("/accounts")
    expect(page.get_by_role("link", name="Thimphu Thromde on X")).to_be_visible()
    page.goto(f"/agencies/{agency.id}")
    expect(page.get_by_role("cell", name="1450055566677788899")).to_be_visible()


def test_a_bad_account_form_shows_the_reason_and_keeps_the_input(db: Session, page) -> None:  # type: ignore[no-untyped-def]
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "agency_admin@THROMDE", email="itadmin@thromde.example")
    _sign_in(page, "itadmin@thromde.example")
    page.goto(f"/agencies/{agency.id}")
    page.get_by_label("Display name").fill("Missing secrets")
    page.get_by_label("Platform id").fill("1")
    page.get_by_role("button", name="Add account").click()
    assert "facebook accounts need credential(s)" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Display name").input_value() == "Missing secrets"


def test_an_officer_cannot_reach_another_agencys_page(db: Session, page) -> None:  # type: ignore[no-untyped-def]
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    other = create_agency(db, "PUNAKHA", name="Punakha Dzongkhag Administration")
    create_official(db, "officer@THROMDE", email="officer@thromde.example")
    _sign_in(page, "officer@thromde.example")
    assert page.get_by_role("link", name="Punakha Dzongkhag Administration").count() == 0
    response = page.goto(f"/agencies/{other.id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert "Punakha" not in page.content()


def test_navigation_works_on_a_phone_screen(db: Session, phone_page) -> None:  # type: ignore[no-untyped-def]
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "officer@THROMDE", email="officer@thromde.example")
    _sign_in(phone_page, "officer@thromde.example")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    # An officer's navigation holds the daily work (web/nav.py), not the registry of accounts; on a phone it
    # folds under a "Menu" button (GOV.UK's service navigation).
    expect(phone_page.get_by_role("link", name="Accounts")).to_have_count(0)
    expect(phone_page.get_by_role("link", name="Consultations")).to_be_hidden()
    phone_page.get_by_role("button", name="Menu").click()
    phone_page.get_by_role("link", name="Consultations").click()
    expect(phone_page.get_by_role("heading", name="Consultations and surveys")).to_be_visible()
