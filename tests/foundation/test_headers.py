"""Security headers on every answer, a CSP that needs no inline script or style, and API docs served from here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.config import reset_settings
from civicloop.web.templating import TEMPLATES_DIR
from tests.factories import PASSWORD, create_agency, create_official

PATHS = ["/login", "/healthz", "/api/v1/me", "/api/docs", "/api/openapi.json", "/static/civicloop.css", "/nowhere"]


def _directives(csp: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()}


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_security_headers(db: Session, client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    csp = _directives(response.headers["content-security-policy"])
    assert csp["default-src"] == "default-src 'self'"
    assert csp["script-src"] == "script-src 'self'"
    assert csp["style-src"] == "style-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # the base URL is http here


def test_an_unexpected_error_answers_500_with_the_security_headers_too(caplog: pytest.LogCaptureFixture) -> None:
    """Starlette answers an unhandled error outside every middleware: the handler adds the headers itself, and logs
    the error's traceback (the handler runs in a worker thread, where there is no current exception to log)."""
    from civicloop.main import create_app

    app = create_app()

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken-for-this-test", broken)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/broken-for-this-test")
    assert response.status_code == 500
    assert "RuntimeError" not in response.text and "a bug" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    (logged,) = [r for r in caplog.records if r.getMessage() == "unhandled error on GET /broken-for-this-test"]
    assert logged.exc_info is not None and logged.exc_info[0] is RuntimeError
    assert "raise RuntimeError" in caplog.text


@pytest.fixture
def https_client(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from civicloop.main import create_app

    monkeypatch.setenv("CIVICLOOP_BASE_URL", "https://civicloop.example.gov.bt")
    reset_settings()
    with TestClient(create_app(), base_url="https://testserver") as test_client:
        yield test_client
    monkeypatch.undo()
    reset_settings()


def test_hsts_is_sent_when_the_base_url_is_https(https_client: TestClient) -> None:
    response = https_client.get("/login")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_an_answer_with_its_own_policy_keeps_it() -> None:
    """Uploaded files are served with ``default-src 'none'; sandbox``: the page policy must not loosen it."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from civicloop.kit.uploads import download_headers
    from civicloop.web.headers import SecurityHeaders

    def upload(_: object) -> PlainTextResponse:
        return PlainTextResponse("%PDF-", headers=download_headers("a.pdf", "application/pdf"))

    app = SecurityHeaders(Starlette(routes=[Route("/file", upload)]), https=False)
    response = TestClient(app).get("/file")
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["x-frame-options"] == "DENY"


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on handler": re.compile(r"\bhx-on", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx eval (js: or hx-vars)": re.compile(r"hx-vars|hx-vals='js:|hx-vals=\"js:", re.I),
}
# Rendered only into a PDF by WeasyPrint, never served as a page; its <style> element is its stylesheet.
PDF_ONLY = {"consultations/report_pdf.html"}


@pytest.mark.parametrize("kind", INLINE)
def test_templates_carry_no_inline_script_handler_or_style(kind: str) -> None:
    found = []
    for path in sorted(Path(TEMPLATES_DIR).rglob("*.html")):
        name = path.relative_to(TEMPLATES_DIR).as_posix()
        text = path.read_text()
        if INLINE[kind].search(text) and not (name in PDF_ONLY and kind == "style attribute"):
            found.append(name)
    assert found == [], f"{kind} in {found}: the CSP would block it; move it to a file under static/"


def test_charts_carry_no_style_attribute() -> None:
    from civicloop.web.charts import bar_chart

    svg = str(bar_chart([("a", 1.0), ("b", 2.0)], title="Replies"))
    assert "style=" not in svg


def test_api_docs_are_served_from_this_server(db: Session, client: TestClient) -> None:
    html = client.get("/api/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


@pytest.mark.browser
def test_api_docs_render_under_the_policy(db: Session, page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name=re.compile("CivicLoop"))).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/me").first).to_be_visible()


@pytest.mark.browser
def test_the_account_page_works_under_the_policy(db: Session, page) -> None:  # type: ignore[no-untyped-def]
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT", email="pema@moit.example")
    page.goto("/login")
    page.get_by_label("Email").fill(official.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Test Official").click()
    expect(page.get_by_role("cell", name="this browser")).to_be_visible()
