"""The pages and the JSON API as officials use them (HTML parsed, real app, real database)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.guidelines import service
from civicloop.guidelines.models import Approval, ApprovalStatus
from tests.factories import create_agency, create_official, csrf_from, login

CID_REPLY = "Dear Sir, the permit for CID 11512003456 is ready."


def _setup(db: Session) -> int:
    create_agency(db, "DOIM", name="Department of Information and Media")
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "national_admin@DOIM", email="admin@doim.example", name="Karma Wangchuk")
    create_official(db, "officer@THROMDE", email="officer@thromde.example", name="Pema Wangchuk")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    return agency.id


def _as(client: TestClient, db: Session, email: str) -> str:
    from civicloop.auth.models import Official

    official = db.scalars(select(Official).where(Official.email == email)).one()
    client.cookies.clear()
    login(client, official)
    return csrf_from(client.get("/guidelines").text)


def test_the_live_check_highlights_the_cid_with_an_explanation_and_escapes_the_text(
    db: Session, client: TestClient
) -> None:
    agency_id = _setup(db)
    token = _as(client, db, "officer@thromde.example")
    response = client.post(
        "/guidelines/check",
        data={"text": "<script>x</script> " + CID_REPLY, "agency_id": str(agency_id)},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    html = response.text
    assert '<mark class="gl-mark gl-personal_data" title="Finding 1">11512003456<sup>1</sup></mark>' in html
    assert "Citizenship ID (CID)" in html and "held for your agency head" in html
    assert "<script>x" not in html and "&lt;script&gt;" in html
    assert (
        client.post(
            "/guidelines/check", data={"text": "Bus 7 runs at 7 am."}, headers={"X-CSRF-Token": token}
        ).text.count("No problems found")
        == 1
    )
    # Cleared text gets back the line shown before anything was typed, so nothing below the box moves.
    cleared = client.post("/guidelines/check", data={"text": "  "}, headers={"X-CSRF-Token": token}).text
    assert '<p class="gl-verdict">Not checked yet.</p>' in cleared


def test_the_head_approves_a_held_reply_in_the_queue_and_the_author_sees_why(db: Session, client: TestClient) -> None:
    agency_id = _setup(db)
    from civicloop.auth.models import Official

    officer = Actor.of(db.scalars(select(Official).where(Official.email == "officer@thromde.example")).one())
    review = service.review_outgoing(db, actor=officer, agency_id=agency_id, text=CID_REPLY, kind="reply")
    approval = service.request_approval(db, actor=officer, review=review, agency_id=agency_id, kind="reply")
    db.commit()
    officer_token = _as(client, db, "officer@thromde.example")
    queue = client.get("/guidelines/approvals").text
    assert "you cannot decide on your own text" in queue and "Approve and send" not in queue
    refused = client.post(
        f"/guidelines/approvals/{approval.id}", data={"decision": "approve", "reason": "x", "csrf_token": officer_token}
    )
    assert refused.status_code == 403
    head_token = _as(client, db, "head@thromde.example")
    assert "Approve and send" in client.get("/guidelines/approvals").text
    response = client.post(
        f"/guidelines/approvals/{approval.id}",
        data={"decision": "approve", "reason": "", "text": CID_REPLY, "csrf_token": head_token},
    )
    assert response.status_code == 422 and "give a reason" in response.text
    response = client.post(
        f"/guidelines/approvals/{approval.id}",
        data={
            "decision": "approve",
            "reason": "ID removed before sending",
            "text": "Dear Sir, the permit is ready.",
            "csrf_token": head_token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.rollback()  # end the test session's read snapshot
    stored = db.get(Approval, approval.id)
    assert (
        stored is not None
        and stored.status is ApprovalStatus.approved
        and stored.text == "Dear Sir, the permit is ready."
    )
    _as(client, db, "officer@thromde.example")
    mine = client.get("/guidelines").text
    assert "approved" in mine and "ID removed before sending" in mine and "(edited)" in mine


def test_the_national_admin_changes_a_rule_and_it_shows_in_the_audit_log(db: Session, client: TestClient) -> None:
    _setup(db)
    head_token = _as(client, db, "head@thromde.example")
    assert client.get("/guidelines/settings").status_code == 403
    assert (
        client.post(
            "/guidelines/settings/rules", data={"category": "civility", "action": "warn", "csrf_token": head_token}
        ).status_code
        == 403
    )
    token = _as(client, db, "admin@doim.example")
    page = client.get("/guidelines/settings").text
    assert "Political neutrality" in page and "Election periods" in page
    response = client.post(
        "/guidelines/settings/rules",
        data={"category": "civility", "action": "block", "locked": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    audit = client.get("/audit").text
    assert "guidelines.rule_change guideline_rule civility" in audit
    assert '"action": "block", "locked": true, "scope": "national"' in audit
    response = client.post(
        "/guidelines/settings/terms",
        data={"lexicon": "candidates", "term": "Kelzang Tobgyel", "op": "add", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Kelzang Tobgyel" in client.get("/guidelines/settings").text
    bad = client.post(
        "/guidelines/settings/elections",
        data={
            "name": "x",
            "starts_at": "2026-02-01T09:00",
            "polls_at": "2026-01-01T09:00",
            "ends_at": "2026-03-01T09:00",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422 and "must start before polling" in bad.text


def test_the_json_api_checks_and_decides(db: Session, client: TestClient) -> None:
    agency_id = _setup(db)
    token = _as(client, db, "officer@thromde.example")
    body = client.post(
        "/api/v1/guidelines/check",
        json={"text": "Vote for DPT! " + CID_REPLY, "agency_id": agency_id},
        headers={"X-CSRF-Token": token},
    ).json()
    assert body["action"] == "hold"
    assert [(f["rule"], f["text"], f["action"]) for f in body["findings"]] == [
        ("political.canvassing", "Vote for DPT", "hold"),
        ("personal.cid", "11512003456", "hold"),
    ]
    assert client.get("/api/v1/guidelines/approvals").json() == []
    missing = client.post(
        "/api/v1/guidelines/approvals/999/decision",
        json={"decision": "approve", "reason": "x"},
        headers={"X-CSRF-Token": token},
    )
    assert missing.status_code == 404


def test_agency_and_stats_pages_render(db: Session, client: TestClient) -> None:
    agency_id = _setup(db)
    _as(client, db, "head@thromde.example")
    page = client.get(f"/guidelines/agencies/{agency_id}").text
    assert "agency terms" in page and "public contacts" in page and "(locked)" in page
    stats = client.get(f"/guidelines/stats?agency_id={agency_id}").text
    assert "<svg" in stats and "Findings per category per week" in stats
