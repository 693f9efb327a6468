"""The feedback form as a citizen uses it on a phone, in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.models import Message
from tests.factories import create_account, create_agency

pytestmark = pytest.mark.browser


def test_a_citizen_leaves_feedback_on_a_phone(db: Session, phone_page) -> None:  # type: ignore[no-untyped-def]
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_account(db, agency, "web", "thromde-feedback", {}, "Feedback form")
    page = phone_page
    page.goto("/feedback/THROMDE")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width}px)"
    expect(page.get_by_role("heading", name="Tell Thimphu Thromde what you think")).to_be_visible()
    # Too long first: the reason is announced and what was typed is kept.
    page.get_by_label("Your message").fill("བ" * 5003)
    page.get_by_label("Your name (optional)").fill("Pema")
    page.get_by_role("button", name="Send feedback").click()
    alert = page.get_by_role("alert")
    assert "Please shorten it by 3 characters." in alert.inner_text()
    assert page.get_by_label("Your name (optional)").input_value() == "Pema"
    alert.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "f-message"
    page.get_by_label("Your message").fill("The footpath lights at Changangkha are off after 22:00.")
    page.get_by_label("Email or mobile number (optional)").fill("77123456")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url("**/feedback/THROMDE/thanks?ref=*")
    reference = page.locator("#reference").inner_text()
    assert reference.startswith("THROMDE-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    db.rollback()
    stored = db.scalars(select(Message)).one()
    assert (stored.external_id, stored.text) == (reference, "The footpath lights at Changangkha are off after 22:00.")
    # The private status link on the thank-you page opens the citizen's page, which fits the phone too.
    page.get_by_role("link", name="Your private page for this feedback").click()
    expect(page.locator("#reference")).to_have_text(reference)
    expect(page.locator("#state")).to_have_text("Waiting for the agency's answer")
    page.get_by_label("Your message").fill("It is the lamp post by the chorten.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#sent")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
