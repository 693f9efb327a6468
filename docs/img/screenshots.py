"""The README's screenshots, taken from a running demo: `make demo` in one terminal, then

    .venv/bin/python docs/img/screenshots.py [http://127.0.0.1:8000]

in another. Debian's Chromium (as the browser tests use it) draws each page at the size named below and writes
docs/img/<name>.png. Re-run it when pages change, and commit the pictures with the change.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

FOLDER = Path(__file__).parent
PASSWORD = "civicloop-demo"  # the demo's, printed by `make demo`
DESKTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}


def sign_in(tab: Page, email: str | None) -> None:
    if email is None:
        return
    tab.goto("/login")
    tab.fill("#f-email", email)
    tab.fill("#f-password", PASSWORD)
    tab.locator("main button[type=submit]").click()
    tab.wait_for_url(lambda url: "/login" not in url)


def first_link(tab: Page, path: str, selector: str) -> str:
    tab.goto(path)
    href = tab.locator(selector).first.get_attribute("href")
    assert href, f"no {selector} on {path}"
    return href


def main(base: str) -> None:
    shots = [
        # name, who, size, how to find the page
        ("public-home", None, DESKTOP, lambda tab: "/"),
        ("demo-home", "admin@doim.example", DESKTOP, lambda tab: "/"),
        ("inbox-split", "officer@thromde.example", DESKTOP,
         lambda tab: first_link(tab, "/inbox", "#inbox-list tbody a[href^='/inbox/']")),
        ("metrics", "head@thromde.example", DESKTOP, lambda tab: "/metrics"),
        ("consultation-phone", None, PHONE, lambda tab: first_link(tab, "/c", "main a[href^='/c/']")),
        ("inbox-phone", "officer@thromde.example", PHONE, lambda tab: "/inbox"),
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for name, email, viewport, where in shots:
            context = browser.new_context(base_url=base, viewport=viewport, device_scale_factor=1)
            tab = context.new_page()
            sign_in(tab, email)
            tab.goto(where(tab))
            tab.wait_for_load_state("networkidle")
            if name == "metrics":
                tab.evaluate("() => document.querySelector('figure.chart-box').scrollIntoView()")
            tab.screenshot(path=str(FOLDER / f"{name}.png"))
            print(f"docs/img/{name}.png ← {tab.url}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
