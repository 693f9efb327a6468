"""Two-factor sign-in as an agency head goes through it, in a real Chromium."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.kit.clock import FixedClock
from tests.factories import PASSWORD, create_agency, create_official

pytestmark = pytest.mark.browser


def _password(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/code")


def test_an_agency_head_sets_up_the_app_then_signs_in_with_a_code(  # type: ignore[no-untyped-def]
    db: Session, page, clock: FixedClock, required: None
) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    _password(page, "head@thromde.example")
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Set up and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong or already used code")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(int(clock.now().timestamp())))
    page.get_by_role("button", name="Set up and sign in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Sign out").click()

    clock.advance(seconds=60)
    _password(page, "head@thromde.example")
    expect(page.locator("#totp-qr")).to_have_count(0)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(int(clock.now().timestamp())))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/settings/two-factor")
    expect(page.locator("#totp-status")).to_contain_text("10 recovery codes left")
