"""WCAG 2.2 AA over every page of the demo: axe-core (from npm, ``make axe`` installs it into tests/a11y) run in
Debian's Chromium on each page a visitor and each role reach by following links, at desktop and phone sizes.

A page is one path shape: ``/inbox/17`` and ``/inbox/18`` are the same page. The national administrator, who
reaches most, goes first; each role after it checks its home and the shapes no earlier role reached (an agency
head's approvals, an auditor's read-only views); then the same at phone size. Any violation of serious or
critical impact fails the test, with the page, the rule and the offending elements. Each size is a test of its own,
so that two workers walk the two sizes at the same time (``make test``), each with one browser context per role.
axe is added as an init script (the DevTools protocol), so the pages keep their Content-Security-Policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from civicloop.demo import DEMO_PASSWORD
from civicloop.demo.foundation import DemoWorld, demo_email
from tests.conftest import unavailable

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = {"serious", "critical"}
ROLES = ["national_admin", "auditor", "agency_head", "officer", "analyst", "agency_admin"]
# Links a crawler must not follow: downloads, the API, leaving the site or the session, a provider's sign-in.
SKIP = re.compile(
    r"^/(api|webhooks|static|logout|login/oidc)\b|[?&](format|download)=|\.(csv|json|pdf|svg|png|zip|xlsx)(\?|$)"
)
# axe's verdict on the page and the links to follow from it, in one call to the page.
CHECK_AND_LINKS = """async tags => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    const links = Array.from(document.querySelectorAll('a[href]:not([download])'), a => a.href);
    return {violations: result.violations, links};
}"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shape(path_and_query: str) -> str:
    """The page a URL shows: numbers and codes in the path are one page; the query's keys, not its values."""
    parts = urlsplit(path_and_query)
    path = re.sub(r"/\d+(?=/|$)", "/N", parts.path)
    path = re.sub(r"/(c|r)/[A-Z0-9]{4,}", r"/\1/CODE", path)  # public consultation and report codes
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    base: str
    seen: dict[str, str] = field(default_factory=dict)  # shape → the URL checked for it
    violations: list[str] = field(default_factory=list)

    def visit(self, tab, url: str, who: str, size: str) -> list[str]:  # type: ignore[no-untyped-def]
        response = tab.goto(url)
        assert response is not None and response.status < 500, f"{who}: {url} answered {response and response.status}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            return []  # an uploaded picture or document, not a page
        result = tab.evaluate(CHECK_AND_LINKS, TAGS)
        for v in result["violations"]:
            if v["impact"] in FAILING:
                targets = "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
                self.violations.append(f"[{who}, {size}] {url}: {v['id']} ({v['impact']}) {v['help']} → {targets}")
        hrefs: list[str] = result["links"]
        return hrefs

    def links(self, hrefs: list[str], page_url: str) -> Iterator[str]:
        for href in hrefs:
            absolute = urljoin(page_url, href).split("#")[0]
            if not absolute.startswith(self.base):
                continue
            local = absolute[len(self.base) :] or "/"
            if not SKIP.search(local):
                yield local


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_demo_page_has_no_serious_accessibility_violation(  # type: ignore[no-untyped-def]
    demo: DemoWorld, live_server: str, browser, size: str
) -> None:
    if not AXE.exists():
        unavailable("axe-core is not installed in tests/a11y: run `make axe` (needs npm)")
    crawl = Crawl(live_server)
    visitors: list[tuple[str, str | None]] = [("visitor", None)]
    visitors += [(role, demo_email(role, "DOIM")) for role in ROLES]
    viewport = DESKTOP if size == "desktop" else PHONE
    checked: set[str] = set()
    for who, email in visitors:
        context = browser.new_context(base_url=live_server, viewport=viewport, is_mobile=size == "phone")
        context.add_init_script(path=str(AXE))
        tab = context.new_page()
        if email is not None:
            tab.goto("/login")
            tab.fill("#f-email", email)
            tab.fill("#f-password", DEMO_PASSWORD)
            tab.locator("main button[type=submit]").click()
            tab.wait_for_url(lambda url: "/login" not in url)
        # A visitor starts from the public pages; each role from its home and the pages of its navigation,
        # which are checked for every role at desktop size (each shows that role's own buttons). Past those,
        # a page shape already checked at this size by an earlier role is not checked again.
        queue = ["/", "/c", "/transparency", "/accessibility", "/login"] if email is None else ["/"]
        always = {"/"}
        if email is not None and size == "desktop":
            tab.goto("/")
            always |= set(crawl.links(tab.eval_on_selector_all("nav a[href]", "a => a.map(x => x.href)"), tab.url))
            queue += sorted(always)
        here: set[str] = set()
        while queue:
            url = queue.pop(0)
            key = shape(url)
            if key in here or (key in checked and url not in always):
                continue
            here.add(key)
            checked.add(key)
            hrefs = crawl.visit(tab, url, who, size)
            crawl.seen.setdefault(key, url)
            queue.extend(crawl.links(hrefs, tab.url))
        context.close()
    assert len(crawl.seen) > 40, sorted(crawl.seen)  # the crawl reached the product, not just a sign-in page
    assert not crawl.violations, "\n".join(crawl.violations)


def test_axe_is_pinned_and_installed_by_make() -> None:
    import json

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert "npm ci --prefix tests/a11y" in makefile and re.search(r"^test: .*\baxe\b", makefile, re.M)
    folder = Path(__file__).parents[1] / "a11y"
    wanted = json.loads((folder / "package.json").read_text())["dependencies"]["axe-core"]
    locked = json.loads((folder / "package-lock.json").read_text())["packages"]["node_modules/axe-core"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted) and locked == wanted  # an exact version, locked
