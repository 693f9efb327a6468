"""The analysis pages in a real Chromium: an analyst starts a run on an agency's stored comments, reads
the themes, sentiment and campaigns, drills into a theme and renames it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.analysis import tasks as analysis_tasks
from tests.analysis.builders import seed
from tests.factories import PASSWORD, create_official

pytestmark = pytest.mark.browser
assert analysis_tasks.on_message is not None  # registers the job that runs an analysis


def test_an_analyst_reads_themes_sentiment_and_campaigns_then_renames_a_theme(  # type: ignore[no-untyped-def]
    db: Session, live_server: str, page
) -> None:
    agency, _account, _actor = seed(db)
    analyst = create_official(db, "analyst@ANLYS", email="dechen@anlys.example", name="Dechen")
    db.commit()

    page.goto("/login")
    page.get_by_label("Email").fill(analyst.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto("/analysis")
    page.get_by_role("link", name=agency.name).first.click()
    expect(page.get_by_text("No analysis yet.")).to_be_visible()
    page.get_by_label("Embedder").select_option("fast")
    page.get_by_role("button", name="Analyse messages").click()
    page.get_by_role("heading", name="Themes").wait_for()

    # Themes largest first, each with its sentiment mix; charts are drawn for sizes, negativity and time.
    themes = page.locator("main > .table-wrap > table").first.locator("tbody tr")  # not a chart's own table
    sizes = [int(themes.nth(i).locator("td").first.inner_text()) for i in range(themes.count())]
    named = [themes.nth(i).locator("th").inner_text() for i in range(themes.count())]
    real = [size for size, name in zip(sizes, named, strict=True) if name != "Other"]
    assert len(real) >= 3 and real == sorted(real, reverse=True)
    assert page.locator("svg.chart").count() >= 2
    over_time = page.locator("#sentiment-over-time tbody tr")
    assert over_time.count() == 1 and over_time.first.locator("th").inner_text() == "2026-03-02"
    campaigns = page.get_by_role("heading", name="Campaigns")
    expect(campaigns).to_be_visible()
    expect(page.locator("td", has_text="Dear Thromde").first).to_be_visible()
    assert page.locator("section.quotes blockquote").count() >= 3

    # Drill down into the largest theme, and rename it with markup that must stay text.
    first_theme = named[sizes.index(max(real))]
    page.get_by_role("link", name=first_theme).first.click()
    page.get_by_role("heading", name=first_theme).wait_for()
    assert page.locator("tbody tr").count() >= 3
    page.get_by_text("Edit this theme").click()
    page.get_by_label("New name").fill("Water <b>supply</b>")
    page.get_by_role("button", name="Rename").click()
    page.get_by_role("heading", name="Water <b>supply</b>").wait_for()
    page.get_by_role("link", name="← All themes").click()
    expect(page.get_by_role("link", name="Water <b>supply</b>")).to_be_visible()
