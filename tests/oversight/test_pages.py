"""Dashboard, scorecard and the lists behind figures: content, scoping by role, and every export."""

import csv
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, AgencyKind
from civicloop.channels import ingest
from civicloop.channels.models import Direction
from civicloop.config import get_settings
from civicloop.oversight import aggregates
from civicloop.oversight.periods import local_today
from tests.factories import create_account, create_agency, create_official, login
from tests.oversight.builders import bulk_messages

NOW = datetime.now(UTC)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


@pytest.fixture
def world(db: Session) -> dict[str, object]:
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde", kind=AgencyKind.city, district="Thimphu")
    punakha = create_agency(db, "PUNAKHA", name="Punakha Dzongkhag", kind=AgencyKind.district, district="Punakha")
    lonely = create_agency(db, "NOACC", name="Agency Without Accounts")
    create_agency(db, "DOIM", name="Department of Information and Media", kind=AgencyKind.national_oversight)
    fb = create_account(db, thromde, "facebook", name="Thromde Page")
    x = create_account(db, thromde, "x", name="Thromde on X")
    pk = create_account(db, punakha, "wechat", name="Punakha WeChat")
    pk.status = AccountStatus.disconnected
    fb.token_expires_at = NOW + timedelta(days=3)
    rows = []
    for n in range(12):  # this period: 12 citizen conversations on Facebook, 3 on X; the last period: 4
        rows.append((fb, NOW - timedelta(days=2, minutes=n), Direction.inbound, f"fb-{n}"))
        rows.append((fb, NOW - timedelta(days=2, minutes=n - 30), Direction.outbound, f"fb-{n}"))
    rows += [(x, NOW - timedelta(days=3, hours=n), Direction.inbound, f"x-{n}") for n in range(3)]
    rows += [(fb, NOW - timedelta(days=40, hours=n), Direction.inbound, f"old-{n}") for n in range(4)]
    rows += [(pk, NOW - timedelta(days=1, hours=n), Direction.inbound, f"pk-{n}") for n in range(5)]
    bulk_messages(db, rows)
    db.commit()
    aggregates.refresh(db, zone_name=get_settings().timezone, now=NOW)
    db.commit()
    return {"thromde": thromde, "punakha": punakha, "lonely": lonely, "fb": fb}


def test_the_national_dashboard_shows_adoption_gaps_figures_and_what_it_rests_on(
    db: Session, client: TestClient, world: dict
) -> None:
    login(client, create_official(db, "national_admin@DOIM"))
    page = client.get("/oversight")
    assert page.status_code == 200
    html = page.text
    assert "National dashboard" in html
    assert "What these figures are based on" in html and "Response times in office hours" in html
    adoption = client.get("/oversight?table=adoption&format=json").json()
    by_code = {row["code"]: row for row in adoption["rows"]}
    assert by_code["NOACC"]["adopted"] is False and by_code["NOACC"]["facebook"] == "none"
    assert by_code["PUNAKHA"]["adopted"] is False  # its only account is disconnected
    assert by_code["THROMDE"]["adopted"] is True
    assert adoption["basis"]["based_on"] == ["accounts", "messages", "responses", "guidelines", "consultations"]
    assert adoption["basis"]["not_available_yet"] == []
    agencies = {row["agency"]: row for row in client.get("/oversight?table=agencies&format=json").json()["rows"]}
    assert agencies["Thimphu Thromde"]["conversations"] == 15
    districts = client.get("/oversight?table=districts&format=json").json()["rows"]
    assert [(r["district"], r["messages_in"]) for r in districts] == [("Punakha", 5)]


def test_the_scorecard_compares_with_the_previous_period_and_links_each_figure_to_its_rows(
    db: Session, client: TestClient, world: dict
) -> None:
    thromde = world["thromde"]
    login(client, create_official(db, "agency_head@THROMDE"))
    today = local_today(NOW, get_settings().timezone)
    start = (today - timedelta(days=29)).isoformat()
    figures = {
        f["key"]: f
        for f in client.get(f"/oversight/agencies/{thromde.id}?start={start}&table=figures&format=json").json()["rows"]
    }
    assert figures["conversations"]["value"] == 15 and figures["conversations"]["previous"] == 4
    assert figures["conversations"]["change"] == 2.75
    assert figures["messages_out"]["value"] == 12
    html = client.get(f"/oversight/agencies/{thromde.id}?start={start}").text
    hrefs = links(html)
    behind = [h for h in hrefs if h.startswith(f"/oversight/agencies/{thromde.id}/list/conversations")]
    assert behind, "the conversations figure must link to its list"
    listed = client.get(behind[0].replace("&amp;", "&") + "&table=conversations&format=json").json()
    assert len(listed["rows"]) == 15
    facebook_only = client.get(
        f"/oversight/agencies/{thromde.id}/list/conversations?start={start}&channel=facebook&table=conversations&format=csv"
    )
    assert len(list(csv.DictReader(io.StringIO(facebook_only.text)))) == 12
    for _ in range(2):  # channels counts requests it refused (bad signatures); the scorecard shows today's
        ingest.count_rejection(db, provider="facebook", app_key=world["fb"].app_key, reason="bad_signature")
    db.commit()
    accounts = client.get(f"/oversight/agencies/{thromde.id}?table=accounts&format=json").json()["rows"]
    health = {row["account"]: row for row in accounts}
    assert health["Thromde Page"]["health"] == "needs attention"
    assert "expires in" in health["Thromde Page"]["reasons"]
    assert health["Thromde Page"]["rejected_today"] == 2 and health["Thromde on X"]["rejected_today"] == 0


def test_an_agency_head_sees_only_their_own_agency(db: Session, client: TestClient, world: dict) -> None:
    login(client, create_official(db, "agency_head@THROMDE"))
    board = client.get("/oversight")
    assert board.status_code == 200
    assert "Punakha" not in board.text and "Agency Without Accounts" not in board.text
    rows = client.get("/oversight?table=agencies&format=json").json()["rows"]
    assert [r["agency"] for r in rows] == ["Thimphu Thromde"]
    other = world["punakha"].id
    for path in (
        f"/oversight/agencies/{other}",
        f"/oversight/agencies/{other}?table=figures&format=csv",
        f"/oversight/agencies/{other}/list/conversations",
        f"/oversight/agencies/{other}/list/messages?table=messages&format=json",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Punakha" not in response.text


def test_an_officer_is_sent_to_the_alerts_and_refused_the_scorecard(
    db: Session, client: TestClient, world: dict
) -> None:
    login(client, create_official(db, "officer@THROMDE"))
    assert client.get("/oversight", follow_redirects=False).headers["location"] == "/oversight/alerts"
    assert client.get(f"/oversight/agencies/{world['thromde'].id}").status_code == 403


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # HTTP behaviour, not SQL


@SQLITE_ONLY
def test_charts_download_as_svg_and_png_with_a_file_name(db: Session, client: TestClient, world: dict) -> None:
    login(client, create_official(db, "auditor@DOIM"))
    svg = client.get("/oversight?chart=monthly&format=svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert 'filename="civicloop-national-monthly-' in svg.headers["content-disposition"]
    assert svg.text.startswith("<svg") and "Monthly trend" in svg.text
    png = client.get(f"/oversight/agencies/{world['thromde'].id}?chart=channels&format=png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


@SQLITE_ONLY
def test_csv_exports_defuse_spreadsheet_formulas_in_names(db: Session, client: TestClient, world: dict) -> None:
    create_agency(db, "EVIL", name="=HYPERLINK(1)")
    login(client, create_official(db, "national_admin@DOIM"))
    rows = list(csv.DictReader(io.StringIO(client.get("/oversight?table=adoption&format=csv").text)))
    assert "'=HYPERLINK(1)" in [r["agency"] for r in rows]


def test_bad_queries_get_a_clear_error_not_a_crash(db: Session, client: TestClient, world: dict) -> None:
    login(client, create_official(db, "national_admin@DOIM"))
    for query in (
        "start=2026-02-30",
        "start=2026-03-10&end=2026-03-01",
        "table=nope&format=csv",
        "format=xml",
        "table=figures",
    ):
        response = client.get(f"/oversight?{query}")
        assert response.status_code in (404, 422), (query, response.text)


def test_a_source_that_has_not_landed_is_named_as_not_available_yet_never_shown_as_zero() -> None:
    from civicloop.oversight.sources import Basis, DataSource
    from civicloop.web.templating import templates

    here = DataSource("messages", "Citizen messages", "channels", "conversations", True)
    missing = DataSource("access", "Office access", "office access", "usage and denials", False)
    macros = templates.env.get_template("oversight/_macros.html").module
    html = str(macros.basis_box(Basis([here], [missing])))  # type: ignore[attr-defined]
    assert "Citizen messages" in html
    assert "Not available yet" in html and "Office access (office access): usage and denials." in html
    assert "Not available yet" not in str(macros.basis_box(Basis([here], [])))  # type: ignore[attr-defined]
