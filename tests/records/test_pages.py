"""The records page as agency heads, national roles and officers use it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.audit.models import AuditEntry
from civicloop.channels.models import Conversation
from civicloop.demo.foundation import DEMO_PASSWORD, DemoWorld
from civicloop.records import bundle
from civicloop.records.models import LegalHold, RecordsExport, RetentionRule
from tests.factories import form_post, login


def _sign_in(client: TestClient, demo: DemoWorld, email: str) -> None:
    login(client, demo.officials[email], DEMO_PASSWORD)


def _a_conversation(db: Session, code: str) -> Conversation:
    agency = db.scalars(select(Agency).where(Agency.code == code)).one()
    return db.scalars(select(Conversation).where(Conversation.agency_id == agency.id).order_by(Conversation.id)).first()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_agency_head_holds_a_conversation_and_exports_the_agencys_records(
    db: Session, demo: DemoWorld, client: TestClient, tmp_path: Path
) -> None:
    code = "MOIT"
    conversation = _a_conversation(db, code)
    _sign_in(client, demo, f"head@{code.lower()}.example")
    page = client.get("/records")
    assert page.status_code == 200 and "Place a legal hold" in page.text
    assert 'action="/records/schedule/' not in page.text, "only national administrators change the schedule"

    response = form_post(
        client,
        "/records/holds",
        {
            "reason": "Court case 4/2026",
            "agency_id": str(conversation.agency_id),
            "conversation_id": str(conversation.id),
        },
        page="/records",
    )
    assert response.status_code == 303
    shown = client.get(f"/inbox/{conversation.id}").text
    assert "On legal hold" in shown and "Court case 4/2026" in shown

    # Bad input: a clear message on the page, nothing stored.
    refused = form_post(client, "/records/holds", {"reason": "x", "since": "last week"}, page="/records")
    assert refused.status_code == 422 and "YYYY-MM-DD" in refused.text
    other = _a_conversation(db, "DOIM")
    refused = form_post(client, "/records/holds", {"reason": "x", "conversation_id": str(other.id)}, page="/records")
    assert refused.status_code == 404, "another agency's conversation is not even confirmed to exist"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(LegalHold)) == 1

    agency_id = conversation.agency_id
    response = form_post(client, "/records/exports", {"agency_id": str(agency_id)}, page="/records")
    assert response.status_code == 303
    db.rollback()
    export = db.scalars(select(RecordsExport)).one()
    assert export.status == "done", export.error
    download = client.get(f"/records/exports/{export.id}/download")
    assert download.status_code == 200
    path = tmp_path / "bundle.zip"
    path.write_bytes(download.content)
    assert bundle.verify(path).ok
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert f"transcripts/conversation-{conversation.id}.pdf" in archive.namelist()
    db.rollback()
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("records.%"))))
    assert {"records.hold_placed", "records.export_requested", "records.export_downloaded"} <= actions


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_schedule_is_national_the_auditor_only_reads_and_officers_do_not_see_records(
    db: Session, demo: DemoWorld, client: TestClient
) -> None:
    _sign_in(client, demo, "officer@doim.example")
    assert client.get("/records").status_code == 404
    assert 'href="/records"' not in client.get("/inbox").text
    client.cookies.clear()

    _sign_in(client, demo, "auditor@doim.example")
    page = client.get("/records").text
    assert "Retention schedule" in page and "Place a legal hold" not in page and "Lift hold" not in page
    refused = form_post(
        client, "/records/schedule/citizen_messages", {"days": "400", "legal_basis": "x"}, page="/records"
    )
    assert refused.status_code == 403
    client.cookies.clear()

    _sign_in(client, demo, "admin@doim.example")
    response = form_post(
        client,
        "/records/schedule/citizen_messages",
        {"days": "1825", "legal_basis": "Records Act 2026, item 4"},
        page="/records",
    )
    assert response.status_code == 303
    refused = form_post(
        client, "/records/schedule/citizen_messages", {"days": "five", "legal_basis": "x"}, page="/records"
    )
    assert refused.status_code == 422 and "give a number" in refused.text
    db.rollback()
    rule = db.get_one(RetentionRule, "citizen_messages")
    assert (rule.days, rule.legal_basis) == (1825, "Records Act 2026, item 4")
