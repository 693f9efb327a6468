"""A visitor without an account finds every public page from ``/``, in English and Dzongkha, on a phone and a
desktop, in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civicloop.demo import DemoWorld

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

HEADINGS = {"en": "Have your say in government", "dz": "གཞུང་ལུ་ཁྱོད་ཀྱི་བསམ་འཆར།"}


def _visit_every_public_page(tab, lang: str, width: int) -> None:  # type: ignore[no-untyped-def]
    tab.goto("/")
    if lang == "dz":
        tab.get_by_role("link", name="རྫོང་ཁ").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(HEADINGS[lang])
    assert tab.evaluate("document.documentElement.scrollWidth") <= width, "the home scrolls sideways"
    home = tab.url
    # Every link of the public home, followed: each opens a page that answers and has a heading.
    sections = ["#open-consultations", "#feedback-forms", "#reports", "#accountability"]
    hrefs: list[str] = []
    for section in sections:
        links = tab.locator(f"{section} a")
        assert links.count() > 0, f"{section} is empty"
        hrefs += [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    for href in hrefs:
        tab.goto(home)
        tab.locator(f'a[href="{href}"]').first.click()
        if href.endswith((".json", ".csv")):
            continue  # a download, checked by the in-process test
        expect(tab.locator("h1")).to_be_visible()
        assert tab.url.split("?")[0].endswith(href.split("?")[0]), (tab.url, href)
        if "lang=" in href:
            assert f"lang={lang}" in tab.url, (tab.url, href)  # the visitor's language goes along
    tab.goto(home)
    tab.get_by_role("link", name="Sign in" if lang == "en" else "ནང་འཛུལ།").click()
    expect(tab.get_by_label("Email")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "dz"])
def test_a_visitor_reaches_every_public_page_on_a_desktop(demo: DemoWorld, page, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 900})
    _visit_every_public_page(page, lang, 1280)


@pytest.mark.parametrize("lang", ["en", "dz"])
def test_a_visitor_reaches_every_public_page_on_a_phone(demo: DemoWorld, phone_page, lang: str) -> None:  # type: ignore[no-untyped-def]
    _visit_every_public_page(phone_page, lang, 390)
