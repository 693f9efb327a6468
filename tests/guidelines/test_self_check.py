"""The voluntary self-check for personal accounts: public, the same explanations, and no trace of
the text anywhere: not in any table, not in any log record, not in the URL."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.db.base import Base
from civicloop.guidelines import service
from tests.factories import csrf_from

# A text no table or log could contain by chance: a CID-shaped number and words that take sides.
MARKER = "Zangmo-4711 says: vote for DNT, and my friend's CID is 11512098765."


def database_text(db: Session) -> str:
    """Every row of every table, as one string (this test's database is small)."""
    db.rollback()  # a fresh snapshot: the app committed in its own sessions
    out = []
    for table in Base.metadata.sorted_tables:
        for row in db.execute(select(table)):
            out.append(repr(tuple(row)))
    return "\n".join(out)


def counts(db: Session) -> dict[str, int]:
    db.rollback()
    return {t.name: len(db.execute(select(t)).all()) for t in Base.metadata.sorted_tables}


def _assert_no_trace(db: Session, caplog: pytest.LogCaptureFixture, before: dict[str, int]) -> None:
    assert counts(db) == before
    stored = database_text(db)
    for fragment in ("Zangmo-4711", "11512098765"):
        assert fragment not in stored
        assert all(fragment not in record.getMessage() for record in caplog.records)
        assert all(fragment not in str(record.args) for record in caplog.records)


def test_the_page_explains_findings_and_says_nothing_is_kept(
    db: Session, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = counts(db)
    page = client.get("/self-check")
    assert page.status_code == 200
    assert "Nothing is stored, logged or reported" in page.text and "You do not need to sign in" in page.text
    token = csrf_from(page.text)
    answer = client.post("/self-check", data={"text": MARKER, "csrf_token": token})
    assert answer.status_code == 200
    assert "Taking sides: asking for votes" in answer.text and "Citizenship ID" in answer.text
    assert "How to fix it:" in answer.text and "The policy asks you not to post this" in answer.text
    partial = client.post("/self-check", data={"text": MARKER}, headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert partial.status_code == 200 and "<html" not in partial.text and "gl-finding" in partial.text
    clean = client.post("/self-check", data={"text": "Tashi delek! Happy Losar.", "csrf_token": token})
    assert "No problems found." in clean.text
    empty = client.post("/self-check", data={"text": "  ", "csrf_token": token})
    assert empty.status_code == 422 and "there is no text to check" in empty.text
    _assert_no_trace(db, caplog, before)


def test_the_json_api_is_public_and_keeps_nothing(
    db: Session, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = counts(db)
    response = client.post("/api/v1/self-check", json={"text": MARKER})
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "hold"
    assert {(f["rule"], f["text"]) for f in body["findings"]} == {
        ("political.canvassing", "vote for DNT"),
        ("personal.cid", "11512098765"),
    }
    assert all(f["explanation"] and f["suggestion"] and f["guideline"] for f in body["findings"])
    too_long = client.post("/api/v1/self-check", json={"text": MARKER * 400})
    assert too_long.status_code == 422 and "20000" in too_long.json()["error"]["message"]
    assert "Zangmo" not in too_long.text  # the error does not echo the text back either
    broken = client.post("/api/v1/self-check", content=b"not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    _assert_no_trace(db, caplog, before)


def test_the_self_check_uses_the_national_policy_and_election_period(db: Session) -> None:
    assert service.self_check(db, text="DNT's manifesto launch is on Saturday at the Clock Tower.").action == "warn"
    assert service.self_check(db, text="Vote for DNT!").action == "hold"
