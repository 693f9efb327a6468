"""The issue's "done when", end to end: Thimphu Thromde's head signs "designated staff, others 30
minutes a day" in a real Chromium, the tester shows what that means for Pema, the real Squid (already
running, never restarted) enforces it through ``civicloop squid-helper``, and the usage report in the
browser shows the minutes and the refusal from Squid's own access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.access import logimport
from civicloop.agencies.models import AgencyKind
from civicloop.sla.calendar import calendar_for
from tests.access.squid_harness import helper_python, new_folder, start_squid, unprivileged_user
from tests.access.test_browser import head_signs_designated_and_30_minutes, try_in_tester
from tests.access.test_squid import _fragment, _get, _office_morning, _share_sqlite_with_squid, native_minutes
from tests.factories import create_account, create_agency, create_official

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_browser_policy_is_enforced_by_squid_and_reported(db: Session, db_url: str, page) -> None:  # type: ignore[no-untyped-def]
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde", kind=AgencyKind.city)
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    create_official(db, "officer@THROMDE", email="pema@thromde.example", name="Pema Wangchuk")
    kinley = create_official(db, "officer@THROMDE", email="kinley@thromde.example", name="Kinley Penjor")
    create_account(db, agency, "facebook", name="Thimphu Thromde Page").responsible_official_id = kinley.id
    db.commit()
    at = _office_morning(db)
    folder = new_folder()
    # Pema already spent 29 minutes on Facebook that morning, per an earlier log.
    native_minutes(db, folder, "pema@thromde.example", at - timedelta(hours=1), 29)
    _share_sqlite_with_squid(db_url)
    squid = start_squid(_fragment(db_url, folder, at, helper_python(unprivileged_user())), folder)
    try:
        # The national default: every officer may use social media in office hours.
        assert _get(squid, "pema@thromde.example", "www.facebook.com").status_code == 200

        head_signs_designated_and_30_minutes(page, agency.id)
        local_morning = at.astimezone(calendar_for(db, agency.id).zone).strftime("%Y-%m-%dT%H:%M")
        verdict = try_in_tester(page, "pema", local_morning)
        assert verdict.inner_text().startswith(
            "Allowed — pema@thromde.example is not designated; Thimphu Thromde allows 30 minutes a day of "
            "social media in office hours, and 29 have been used today."
        )

        # Squid was not restarted: within seconds Pema's last allowed minute is used, then she is refused.
        refused = _get(squid, "pema@thromde.example", "www.facebook.com")
        for _ in range(200):  # up to 20 s; the helper reloads the policy every 0.2 s
            if refused.status_code == 403:
                break
            refused = _get(squid, "pema@thromde.example", "www.facebook.com")
            page.wait_for_timeout(100)
        assert refused.status_code == 403
        assert "has used 30 of the 30 minutes a day that Thimphu Thromde allows" in refused.text
        assert _get(squid, "kinley@thromde.example", "www.facebook.com").status_code == 200  # runs the Page
        squid.stop()
        db.commit()  # end the read that began before the browser's change (SQLite cannot upgrade it)
        logimport.import_log(db, path=squid.civicloop_log)
        db.commit()
    finally:
        squid.remove()

    page.get_by_role("link", name="see the usage report").click()
    expect(page.get_by_role("heading", name="Office access usage Thimphu Thromde")).to_be_visible()
    office, outside, people = page.get_by_role("row", name="Social media").locator("td").all_inner_texts()
    assert people == "2"  # Pema and Kinley, through Squid today
    assert float(office) + float(outside) >= 2  # each visit counts at least a minute
    assert "daily allowance used up: 1" in (page.locator("svg.chart desc").nth(1).text_content() or "")
