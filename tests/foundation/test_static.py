"""Style sheets, scripts and pictures are named by their content's digest and kept by the browser for a year; a new
release changes the digest. A font (named by a style sheet) is kept for a day; anything else under /static/ is asked
about again each time (a 304 while unchanged)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.web.static_files import KEPT_FOR_A_DAY, KEPT_FOR_A_YEAR, digest
from civicloop.web.templating import TEMPLATES_DIR

STATIC_ADDRESS = re.compile(r'(?:href|src|content)="(/static/[^"]+)"')


def _static_addresses(html: str) -> list[str]:
    return STATIC_ADDRESS.findall(html)


def test_templates_name_static_files_only_through_static_url() -> None:
    literal = [p.name for p in TEMPLATES_DIR.rglob("*.html") if "/static/" in p.read_text(encoding="utf-8")]
    assert literal == [], "use {{ static_url('file') }}, so that the address changes with the file"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_page_names_each_file_by_its_digest_and_the_file_is_kept_for_a_year(db: Session, client: TestClient) -> None:
    addresses = _static_addresses(client.get("/login").text)
    assert {"/static/civicloop.css", "/static/civicloop.js"} <= {a.split("?")[0] for a in addresses}
    for address in addresses:
        path, version = address.removeprefix("/static/").split("?v=")
        assert version == digest(path)
        answer = client.get(address)
        assert answer.status_code == 200 and answer.headers["cache-control"] == KEPT_FOR_A_YEAR, address


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("address", ["/static/civicloop.css", "/static/civicloop.css?v=0123456789ab"])
def test_an_address_without_the_current_digest_is_asked_about_each_time(
    db: Session, client: TestClient, address: str
) -> None:
    """A font named by a style sheet, or a page cached before a release naming the old digest."""
    first = client.get(address)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    again = client.get(address, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_dzongkha_font_named_by_the_style_sheet_is_kept_for_a_day(db: Session, client: TestClient) -> None:
    (style_sheet,) = [a for a in _static_addresses(client.get("/login").text) if "/fonts.css?v=" in a]
    fonts = client.get(style_sheet).text
    (font,) = re.findall(r'url\("([^"]+)"\)', fonts)
    answer = client.get(f"/static/fonts/{font}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == KEPT_FOR_A_DAY


def test_a_missing_file_is_a_plain_404(client: TestClient) -> None:
    answer = client.get("/static/nothing-here.css?v=0123456789ab")
    assert answer.status_code == 404 and "cache-control" not in answer.headers


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_second_page_is_drawn_without_asking_for_any_static_file_again(  # type: ignore[no-untyped-def]
    db: Session, page, live_server_paths: list[str]
) -> None:
    page.goto("/login")
    page.goto("/c")  # its own style sheet, and Dzongkha text: the font
    assert {"/static/civicloop.css", "/static/consultations.css"} <= set(live_server_paths), live_server_paths
    assert any(p.endswith(".woff") for p in live_server_paths), live_server_paths
    live_server_paths.clear()
    page.goto("/login")
    page.goto("/c")
    assert live_server_paths == ["/login", "/c"]
