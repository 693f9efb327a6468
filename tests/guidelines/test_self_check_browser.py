"""Done-when, in a real Chromium: a civil servant checks a post for their own account without
signing in, reads the same explanations, and nothing of the text is left in the database or in any
log line of the server, access log included (uvicorn at debug level with its access log on)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tests.conftest import free_port
from tests.guidelines.test_self_check import counts, database_text

pytestmark = pytest.mark.browser
TEXT = "Proud of our PDP government! Vote for PDP on Tuesday. Call me on 17654321, Pelden-2291."


@pytest.fixture
def chatty_server(db: Session) -> Iterator[str]:
    """The app under uvicorn with every log on, into the test's log capture."""
    import uvicorn

    from civicloop.main import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_config=None, log_level="debug", access_log=True
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_civil_servant_checks_a_personal_post_and_no_trace_is_left(  # type: ignore[no-untyped-def]
    db: Session, browser, chatty_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    from playwright.sync_api import expect

    caplog.set_level(logging.DEBUG)
    before = counts(db)
    context = browser.new_context(base_url=chatty_server)
    page = context.new_page()
    try:
        page.goto("/self-check")
        expect(page.locator("#privacy")).to_contain_text("Nothing is stored, logged or reported")
        page.get_by_label("Text you mean to post").fill(TEXT)
        page.get_by_role("button", name="Check my text").click()
        result = page.locator("#findings .gl-result")
        expect(result).to_contain_text("The policy asks you not to post this")
        findings = page.locator(".gl-finding")
        expect(findings.filter(has_text="Taking sides: asking for votes")).to_contain_text("How to fix it:")
        expect(findings.filter(has_text="Taking sides: supporting or praising a side")).to_be_visible()
        expect(findings.filter(has_text="Mobile number")).to_contain_text("Remove the number")
        expect(page.locator("mark.gl-political").first).to_be_visible()
        assert page.url.endswith("/self-check")  # the text never went into the address
        page.get_by_label("Text you mean to post").fill("Tashi delek! Happy Losar to everyone.")
        page.get_by_role("button", name="Check my text").click()
        expect(result).to_contain_text("No problems found.")
    finally:
        context.close()
    access = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/self-check" in r.getMessage() for r in access), "the access log was on"
    assert counts(db) == before
    stored = database_text(db)
    for fragment in ("Pelden-2291", "17654321", "Proud of our PDP"):
        assert fragment not in stored
        assert not [r for r in caplog.records if fragment in r.getMessage() or fragment in str(r.args)]
