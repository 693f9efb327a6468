"""Rough edges a newcomer hit (issue 15), each pinned here."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import create_agency, create_official, login

ONE_BACKEND = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@ONE_BACKEND
def test_the_saved_replies_address_people_guess_leads_to_them(db: Session, client: TestClient) -> None:
    create_agency(db, "THROMDE")
    login(client, create_official(db, "officer@THROMDE"))
    guessed = client.get("/inbox/saved-replies", follow_redirects=False)
    assert guessed.status_code == 308 and guessed.headers["location"] == "/inbox-saved-replies"
    assert client.get("/inbox/saved-replies").status_code == 200
    # Any other address that names no conversation is a page saying so, not a raw validation message.
    wrong = client.get("/inbox/not-a-number")
    assert wrong.status_code == 404 and "there is no page at this address" in wrong.text
    assert "Input should be" not in wrong.text


def test_counted_words_are_singular_for_one() -> None:
    from civicloop.kit.words import plural
    from civicloop.oversight import detectors
    from civicloop.web.templating import templates

    assert [plural(n, "answer") for n in (0, 1, 2)] == ["0 answers", "1 answer", "2 answers"]
    assert plural(1, "person") == "1 person" and plural(3, "person") == "3 people"
    assert templates.env.from_string("{{ 1 | plural('text') }}, {{ 4 | plural('day') }}").render() == "1 text, 4 days"
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 1, tzinfo=UTC)
    found = detectors.token_expiry(now + timedelta(days=1), now=now)
    assert found is not None and found.explanation == "the access token expires in 1 day"


def test_pdf_steps_and_font_subsetting_stay_out_of_the_log(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from weasyprint import HTML

    from civicloop.cli.server import CHATTY_LOGGERS, quiet_chatty_libraries

    def pdf_lines() -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            HTML(string="<h1>You said, we did</h1><p>The bus stop gets a roof.</p>").write_pdf()
        return [r.name for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))]

    try:
        assert pdf_lines(), "WeasyPrint reports its steps at INFO unless quieted"
        quiet_chatty_libraries()
        assert pdf_lines() == []
    finally:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
