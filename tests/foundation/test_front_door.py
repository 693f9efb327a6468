"""The public front door at ``/`` and the navigation shaped by each role, on the demo."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.demo import DEMO_PASSWORD, DemoWorld
from tests.factories import csrf_from

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class Page(HTMLParser):
    """Links, the main navigation's entries and the forms a page offers."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.nav: list[str] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)
        self.buttons_outside_forms: list[str] = []
        self._in_nav = False
        self._in_form = 0
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and a.get("aria-label") == "Main":
            self._in_nav = True
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
            if self._in_nav:
                self.nav.append(str(a["href"]))
        if tag == "form":
            self._in_form += 1
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or ""))
        if tag == "button" and not self._in_form and a.get("type") != "button":
            self.buttons_outside_forms.append(a.get("hx-post") or a.get("hx-delete") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False
        if tag == "form":
            self._in_form -= 1


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def _login(client: TestClient, email: str) -> None:
    client.cookies.clear()
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_a_visitor_reaches_every_public_page_from_the_home_in_both_languages(
    demo: DemoWorld, client: TestClient, db: Session
) -> None:
    open_now = db.scalars(select(Consultation).where(Consultation.status == ConsultationStatus.open)).all()
    published = db.scalars(select(Consultation).where(Consultation.status == ConsultationStatus.published)).all()
    with_form = db.scalars(
        select(Agency)
        .join(OfficialAccount, OfficialAccount.agency_id == Agency.id)
        .where(OfficialAccount.platform == "web", OfficialAccount.status == AccountStatus.active)
    ).all()
    assert open_now and published and with_form, "the demo has open consultations, reports and feedback forms"
    for lang, heading in (("en", "Have your say in government"), ("dz", "གཞུང་ལུ་ཁྱོད་ཀྱི་བསམ་འཆར།")):
        home = client.get(f"/?lang={lang}")
        assert home.status_code == 200 and home.headers["content-language"] == lang
        assert f"<h1>{heading}</h1>" in home.text
        hrefs = parse(home.text).hrefs
        expected = (
            {f"/c/{c.code}?lang={lang}" for c in open_now}
            | {f"/c/{c.code}/report?lang={lang}" for c in published}
            | {f"/feedback/{a.code}?lang={lang}" for a in with_form}
            | {f"/transparency?lang={lang}", f"/commitments?lang={lang}", f"/c?lang={lang}", "/login"}
            | {"/transparency/open-data.json", "/transparency/open-data.csv"}
        )
        assert expected <= set(hrefs), expected - set(hrefs)
        for href in sorted(expected):
            assert client.get(href).status_code == 200, href
        # Each open consultation shows its closing date.
        for c in open_now:
            assert c.closes_at is not None
            assert f'datetime="{c.closes_at.isoformat()}"' in home.text
    # Officials have no navigation here: only the discreet link to sign in.
    assert parse(client.get("/").text).nav == []


def test_a_signed_in_official_keeps_their_own_home(demo: DemoWorld, client: TestClient) -> None:
    _login(client, "officer@thromde.example")
    home = client.get("/")
    assert "Welcome, Pema Wangchuk" in home.text
    assert "Have your say in government" not in home.text


# What each role must, and must not, find in its navigation.
ROLES = {
    "officer@thromde.example": (
        {"/inbox", "/publishing", "/consultations", "/analysis"},
        {"/guidelines/approvals", "/audit", "/agencies", "/access"},
    ),
    "head@thromde.example": (
        {"/inbox", "/publishing", "/consultations", "/analysis", "/guidelines/approvals", "/access", "/oversight"},
        {"/audit", "/agencies"},
    ),
    "analyst@thromde.example": ({"/consultations", "/analysis", "/oversight"}, {"/inbox", "/guidelines/approvals"}),
    "itadmin@thromde.example": ({"/officials", "/accounts", "/access"}, {"/audit", "/guidelines/approvals"}),
    "admin@doim.example": ({"/oversight", "/agencies", "/officials", "/audit"}, set()),
    "auditor@doim.example": ({"/oversight", "/agencies", "/audit"}, {"/inbox", "/publishing", "/guidelines/approvals"}),
}


def test_each_role_sees_the_entries_it_uses_and_each_entry_opens(demo: DemoWorld, client: TestClient) -> None:
    for email, (present, absent) in ROLES.items():
        _login(client, email)
        home = client.get("/")
        nav = parse(home.text).nav
        assert present <= set(nav), (email, present - set(nav))
        assert not absent & set(nav), (email, absent & set(nav))
        assert len(nav) == len(set(nav)), f"{email}: an entry shows twice"
        for href in nav:
            assert client.get(href).status_code == 200, (email, href)
        assert 'class="nav-group-label"' in home.text


# Forms an auditor may use: signing out; asking for a records bundle (records.service.request_export: national
# roles, the auditor too, export any agency's records); and the office-access tester, a question that changes
# nothing and that national oversight may ask (access.service.may_test). Filters and searches are GET forms.
AUDITOR_MAY_POST = {"/logout", "/records/exports"}


def _auditor_may(action: str) -> bool:
    return action in AUDITOR_MAY_POST or (action.startswith("/access/agencies/") and action.endswith("/test"))


def test_the_auditor_sees_no_button_for_an_action_it_cannot_take(demo: DemoWorld, client: TestClient) -> None:
    _login(client, "auditor@doim.example")
    start = parse(client.get("/").text)
    pages = set(start.nav) | {"/"}
    # One level below each entry as well: the detail pages the lists link to.
    for href in sorted(set(start.nav)):
        body = client.get(href)
        pages |= {
            h.split("#")[0]
            for h in parse(body.text).hrefs
            if h.startswith(href + "/") and "." not in h.rsplit("/", 1)[-1]
        }
    offered = {}
    for href in sorted(pages):
        response = client.get(href)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        found = parse(response.text)
        posts = {action for method, action in found.forms if method == "post" and not _auditor_may(action)}
        if posts or found.buttons_outside_forms:
            offered[href] = sorted(posts) + found.buttons_outside_forms
    assert len(pages) > 15, "the auditor's pages were walked"
    assert offered == {}, "\n".join(f"{k}: {v}" for k, v in sorted(offered.items()))
