"""An agency head sets "designated staff, others 30 minutes a day" in a real Chromium, tries it out
with the tester, and reads the usage report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.access import logimport
from civicloop.agencies.models import AgencyKind
from civicloop.kit.clock import utcnow
from civicloop.sla.calendar import calendar_for
from tests.access.squid_harness import office_morning
from tests.access.test_logimport import native, own
from tests.factories import PASSWORD, create_account, create_agency, create_official

pytestmark = pytest.mark.browser


def test_head_sets_30_minutes_for_others_tests_it_and_reads_the_report(db: Session, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde", kind=AgencyKind.city)
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    create_official(db, "officer@THROMDE", email="pema@thromde.example", name="Pema Wangchuk")
    kinley = create_official(db, "officer@THROMDE", email="kinley@thromde.example", name="Kinley Penjor")
    account = create_account(db, agency, "facebook", name="Thimphu Thromde Page")
    account.responsible_official_id = kinley.id
    db.commit()
    recent = utcnow() - timedelta(hours=3)
    log = tmp_path / "access.log"
    log.write_text(
        "".join(native(recent + timedelta(minutes=m), "pema") for m in range(12))
        + own(recent + timedelta(minutes=20), "pema", "social%3Aallowance_used_up")
    )
    logimport.import_log(db, path=log)
    db.commit()
    morning = office_morning(calendar_for(db, agency.id))
    local_morning = morning.astimezone(calendar_for(db, agency.id).zone).strftime("%Y-%m-%dT%H:%M")

    head_signs_designated_and_30_minutes(page, agency.id)
    verdict = try_in_tester(page, "pema", local_morning)
    assert verdict.inner_text().startswith(
        "Allowed — pema@thromde.example is not designated; Thimphu Thromde allows 30"
    )
    page.get_by_label("Proxy login").fill("kinley")
    page.get_by_role("button", name="Check").click()
    verdict.filter(has_text="kinley@thromde.example runs the official Facebook account").wait_for()

    page.get_by_role("link", name="see the usage report").click()
    expect(page.get_by_role("heading", name="Office access usage Thimphu Thromde")).to_be_visible()
    assert page.locator("svg.chart").count() == 3
    minutes = page.get_by_role("row", name="Social media").inner_text()
    assert "12" in minutes.replace(".0", "")  # twelve one-minute requests in one session
    assert "daily allowance used up: 1" in (page.locator("svg.chart desc").nth(1).text_content() or "")


def head_signs_designated_and_30_minutes(page, agency_id: int) -> None:  # type: ignore[no-untyped-def]
    """Thimphu Thromde's head signs in and signs "designated staff, others 30 minutes a day, open after hours"."""
    page.goto("/login")
    page.get_by_label("Email").fill("head@thromde.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Office access").click()
    page.get_by_role("link", name="Thimphu Thromde").first.click()
    assert "open to all staff in office hours" in page.locator("td.access-rule").first.inner_text()

    page.get_by_label("Designated staff only").check()
    page.get_by_label("Daily minutes for staff who are not designated").fill("30")
    page.get_by_label("Open", exact=True).check()
    page.get_by_role("button", name="Sign this policy").click()
    page.wait_for_url(f"**/access/agencies/{agency_id}")
    assert page.locator("td.access-rule").first.inner_text() == (
        "designated staff in office hours, others 30 minutes a day; open after hours"
    )
    expect(page.get_by_role("cell", name="Chimi Dolkar <head@thromde.example>").first).to_be_visible()


def try_in_tester(page, login: str, local_time: str):  # type: ignore[no-untyped-def]
    """Ask the agency page's "would this be allowed?" tester about Facebook; returns the verdict."""
    page.get_by_label("Proxy login").fill(login)
    page.get_by_label("Site", exact=True).fill("www.facebook.com")
    page.get_by_label("Date and time").fill(local_time)
    page.get_by_role("button", name="Check").click()
    verdict = page.locator("#tester-result .access-verdict")
    verdict.filter(has_text=login).wait_for()
    return verdict
