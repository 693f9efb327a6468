"""Keyboard only, in a real Chromium on the demo: an officer works the inbox with its shortcuts (j/k, Enter, a,
r, c, ?), and a citizen answers a consultation with Tab, arrows, Space and Enter. No mouse click anywhere."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civicloop.demo import DEMO_PASSWORD
from civicloop.demo.foundation import DemoWorld, demo_email

pytestmark = pytest.mark.browser


def focused(tab) -> str:  # type: ignore[no-untyped-def]
    """The focused element, as a short description for assertions."""
    return str(
        tab.evaluate(
            "() => { const e = document.activeElement; return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +"
            " (e.name ? '[' + e.name + ']' : '') + (e.type ? ':' + e.type : '') }"
        )
    )


def tab_to(tab, selector: str, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until ``selector`` has the focus: it is reachable by keyboard, in a sensible number of steps."""
    for _ in range(limit):
        if tab.evaluate("s => document.activeElement.matches(s)", selector):
            return
        tab.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached by Tab in {limit} presses (at {focused(tab)})")


def sign_in(tab, email: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto("/login")
    tab_to(tab, "#f-email")
    tab.keyboard.type(email)
    tab.keyboard.press("Tab")
    tab.keyboard.type(DEMO_PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_officer_works_the_inbox_with_the_keyboard_alone(demo: DemoWorld, page) -> None:  # type: ignore[no-untyped-def]
    officer = demo.officials[demo_email("officer", "DOIM")]
    sign_in(page, officer.email)
    page.goto("/inbox?channel=facebook")  # Facebook threads: the platform takes a reply at any time
    rows = page.locator("#inbox-list tbody a[href^='/inbox/']")
    expect(rows.first).to_be_visible()
    first, second = rows.nth(0).get_attribute("href"), rows.nth(1).get_attribute("href")

    page.keyboard.press("j")  # the first conversation is selected and focused
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == first
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == second
    page.keyboard.press("k")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first}")

    page.keyboard.press("?")  # the help overlay lists the shortcuts; Escape closes it
    help_ = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_).to_be_visible()
    expect(help_).to_contain_text("Assign the conversation to me")
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()
    # The next key is a shortcut at once (the 'a' below), not typing into the closed dialog's checkbox, and the focus
    # goes back where it was when the dialog's "close" event comes, a moment after Escape (CI saw it not yet there).
    page.wait_for_function("() => !document.getElementById('shortcuts').contains(document.activeElement)")

    with page.expect_navigation(timeout=30_000):  # the form posts, and the page comes back with the change
        page.keyboard.press("a")  # assign to me
    expect(page.locator("#assignee")).to_have_text(officer.name)
    # The response target stays on screen however far down the official has scrolled.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    target = page.locator("#conv-target")
    assert page.evaluate(
        "() => { const r = document.getElementById('conv-target').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight }"
    ), "the response target scrolled out of view"
    expect(target).to_contain_text(re.compile("on track|at risk|breached|no clock|paused"))

    page.keyboard.press("r")  # to the reply box, write, and send with the keyboard
    assert focused(page).startswith("textarea")
    page.keyboard.type("Thank you, we are looking into it today.")
    tab_to(page, "#reply button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#thread")).to_contain_text("Thank you, we are looking into it today.")

    page.keyboard.press("c")  # close
    expect(page.locator("#status")).to_have_text("closed")

    page.keyboard.press("j")  # on to the next conversation of the list, straight from the open one
    page.wait_for_url(f"**{second}")

    page.keyboard.press("?")  # shortcuts can be turned off (WCAG 2.1.4), and then a key does nothing
    tab_to(page, "#shortcuts-off")
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    page.keyboard.press("k")
    page.wait_for_timeout(500)
    assert page.url.endswith(second)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_citizen_answers_a_consultation_with_the_keyboard_alone(demo: DemoWorld, phone_page) -> None:  # type: ignore[no-untyped-def]
    tab = phone_page
    tab.goto("/c")
    tab_to(tab, "main a[href^='/c/']")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/c/[A-Z0-9]+"))
    answered: list[str] = []
    # Through the whole form with Tab: pick the first choice of each group (arrows for radios), tick a box,
    # write in each text box, and send with Enter on the button.
    for _ in range(120):
        tab.keyboard.press("Tab")
        what = focused(tab)
        if what.endswith((":radio", ":checkbox")):
            tab.keyboard.press("Space")
            answered.append(what)
        elif what.startswith("textarea"):
            tab.keyboard.type("Please add a roof against the rain.")
            answered.append(what)
        elif what.startswith("button") and what.endswith(":submit"):
            tab.keyboard.press("Enter")
            break
    else:
        raise AssertionError(f"never reached the submit button; answered {answered}")
    expect(tab.locator("#thanks")).to_be_visible()
    assert any(a.endswith(":radio") for a in answered) and any(a.startswith("textarea") for a in answered)
