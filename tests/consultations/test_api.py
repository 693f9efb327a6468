"""The JSON API, the inbox link control, the report with replies to participants, and the CLI export."""

import json
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicloop.channels.models import ConversationKind
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage
from civicloop.cli import app
from civicloop.consultations import answers, queries, report, results, service
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.consultations.schemas import ReportSectionIn
from civicloop.errors import Conflict, NotFound
from tests.consultations.conftest import Scene, make_consultation
from tests.factories import csrf_from, login


def _api(client: TestClient, scene: Scene) -> dict[str, str]:
    login(client, scene.officer)
    csrf = csrf_from(client.get("/settings/tokens").text)
    token = client.post("/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


def test_the_api_runs_a_consultation_from_draft_to_report(db: Session, client: TestClient, scene: Scene) -> None:
    api = _api(client, scene)
    closes = (scene.clock.now() + timedelta(days=7)).isoformat()
    body = {
        "agency_id": scene.agency.id,
        "title": "Has opening social media in offices helped your work?",
        "summary": "A survey of civil servants.",
        "kind": "survey",
        "audience": "civil_servants",
        "audience_agency_ids": [scene.agency.id],
        "closes_at": closes,
        "questions": [{"kind": "single_choice", "prompt": "Helped?", "options": ["Yes", "No", "Not sure"]}],
    }
    bad = client.post(
        "/api/v1/consultations", json={**body, "questions": [{"kind": "multiple_choice", "prompt": "x"}]}, headers=api
    )
    assert bad.status_code == 422 and "needs at least two options" in bad.json()["error"]["message"]
    created = client.post("/api/v1/consultations", json=body, headers=api)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert client.post(f"/api/v1/consultations/{cid}/open", headers=api).json()["status"] == "open"
    consultation = queries.get(db, actor=scene.actor, consultation_id=cid)
    question = queries.questions_of(db, cid)[0]
    answers.submit_form(
        db, consultation=consultation, values={question.id: ["Yes"]}, comment="Faster replies", respondent=scene.actor
    )
    db.commit()
    listed = client.get(f"/api/v1/consultations/{cid}/responses", headers=api).json()
    assert listed[0]["answers"][0]["choices"] == ["Yes"] and listed[0]["comment"] == "Faster replies"
    summary = client.get(f"/api/v1/consultations/{cid}/results", headers=api).json()
    assert summary["questions"][0]["options"][0] == {"label": "Yes", "count": 1, "percent": 100.0}
    assert client.post(f"/api/v1/consultations/{cid}/report/publish", json={}, headers=api).status_code == 409
    assert client.post(f"/api/v1/consultations/{cid}/close", headers=api).json()["status"] == "closed"
    section = {"heading": "Working hours", "you_said": "It helped.", "we_did": "We keep it open."}
    assert client.post(f"/api/v1/consultations/{cid}/report/sections", json=section, headers=api).status_code == 201
    published = client.post(f"/api/v1/consultations/{cid}/report/publish", json={}, headers=api).json()
    assert published["url"].endswith(f"/c/{consultation.code}/report")
    open_data = client.get(f"/c/{consultation.code}/open-data.json").json()
    assert open_data["results"]["total"] == 1 and open_data["responses"][0]["comment"] == "Faster replies"
    assert client.get(f"/c/{consultation.code}/open-data.csv").text.startswith("response,submitted,channel,comment")


def _open_with_a_message(db: Session, client: TestClient, scene: Scene, text: str) -> tuple[Consultation, int]:
    """An open consultation, a citizen's message on Messenger (its conversation's id returned), an officer signed in."""
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    message = scene.messenger(text)
    login(client, scene.officer)
    return consultation, message.conversation_id


def test_officers_link_and_unlink_conversations_from_the_inbox(db: Session, client: TestClient, scene: Scene) -> None:
    consultation, conversation_id = _open_with_a_message(
        db, client, scene, "The bus stop near the Clock Tower floods when it rains <b>every</b> time"
    )
    control = client.get(f"/consultations/link-control?conversation_id={conversation_id}")
    assert "Not linked to any consultation" in control.text and consultation.title in control.text
    csrf = csrf_from(control.text)
    form = {"consultation_id": consultation.id, "conversation_id": conversation_id, "csrf_token": csrf}
    linked = client.post("/consultations/links", data=form, headers={"HX-Request": "true"})
    assert "Linked; 1 message(s) now count as answers." in linked.text
    assert results.compute(db, consultation).by_channel == {"Facebook": 1}
    unlinked = client.post("/consultations/links", data={**form, "action": "unlink"}, headers={"HX-Request": "true"})
    assert "Unlinked; 1 answer(s) no longer count." in unlinked.text
    db.rollback()  # end the test's read snapshot to see the request's commit
    assert results.compute(db, consultation).total == 0


def test_without_javascript_the_link_control_is_a_page_of_its_own(
    db: Session, client: TestClient, scene: Scene
) -> None:
    """The inbox's link to the control, and a link or unlink sent without JavaScript, open a whole page (a title, the
    site's layout, a way back), not the fragment the inbox loads in place."""
    consultation, conversation_id = _open_with_a_message(
        db, client, scene, "The bus stop near the Clock Tower floods when it rains"
    )
    page = client.get(f"/consultations/link-control?conversation_id={conversation_id}")
    assert "<title>Consultations this conversation counts for" in page.text and "<main" in page.text
    assert f'href="/inbox/{conversation_id}"' in page.text
    form = {"consultation_id": consultation.id, "conversation_id": conversation_id}
    linked = client.post("/consultations/links", data={**form, "csrf_token": csrf_from(page.text)})
    assert linked.status_code == 200 and linked.url.path == "/consultations/link-control"
    assert "<title>Consultations this conversation counts for" in linked.text and "Linked; 1 message(s)" in linked.text
    fragment = client.get(
        f"/consultations/link-control?conversation_id={conversation_id}", headers={"HX-Request": "true"}
    )
    assert "<title>" not in fragment.text and consultation.title in fragment.text


def test_publishing_replies_in_each_participants_thread(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    scene.mention(f"@ThimphuThromde {consultation.code}: option A please, with a bench")
    service.close(db, actor=scene.actor, consultation_id=consultation.id)
    report.add_section(
        db,
        actor=scene.actor,
        consultation_id=consultation.id,
        data=ReportSectionIn(heading="Benches", you_said="Benches.", we_did="Two benches."),
    )
    outcome = report.publish(
        db, actor=scene.actor, consultation_id=consultation.id, announce=True, reply_to_participants=True
    )
    db.commit()
    assert outcome.announced and (outcome.replies_sent, outcome.replies_refused) == (1, 0)
    reply = db.scalars(select(OutboundMessage).where(OutboundMessage.kind == OutboundKind.reply)).one()
    assert reply.account_id == scene.x.id and f"/c/{consultation.code}/report" in reply.text


def test_the_cli_exports_answers_as_csv_and_json(db: Session, scene: Scene, tmp_path: Path) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    design = queries.questions_of(db, consultation.id)[0]
    answers.submit_form(db, consultation=consultation, values={design.id: ["C"]}, comment='=HYPERLINK("x")')
    db.commit()
    runner = CliRunner()
    export = ["consultation", "export", str(consultation.id)]
    csv_out = runner.invoke(app, [*export, "--format", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    assert "'=HYPERLINK" in csv_out.output, "a formula in a citizen's text is defused for spreadsheets"
    target = tmp_path / "answers.json"
    assert runner.invoke(app, [*export, "--format", "json", "-o", str(target)]).exit_code == 0
    assert json.loads(target.read_text())["responses"][0]["Q1 Which design do you prefer?"] == "C"
    missing = runner.invoke(app, ["consultation", "export", "999"])
    assert isinstance(missing.exception, NotFound) and "no consultation with id 999" in missing.exception.message
    refused = runner.invoke(app, [*export, "--open-data"])
    assert isinstance(refused.exception, Conflict)


def test_message_quoting_a_closed_consultation_is_not_counted(db: Session, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    service.close(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    scene.inbound(scene.facebook, ConversationKind.direct, "p1", "m1", f"late: {consultation.code}")
    assert answers.message_ids_for(db, consultation.id) == []


def _open_with_an_answer(db: Session, scene: Scene) -> int:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    design, _, free = queries.questions_of(db, consultation.id)
    answers.submit_form(
        db, consultation=consultation, values={design.id: ["B"], free.id: ["A wider roof against the monsoon rain."]}
    )
    db.commit()
    assert consultation.themes_at is None
    return consultation.id


def _analysed_texts(db: Session, consultation_id: int) -> int | None:
    """How many answers the closing's theme analysis read; None if it never ran."""
    db.expire_all()
    consultation = db.get(Consultation, consultation_id)
    assert consultation is not None and consultation.status is ConsultationStatus.closed
    if consultation.themes_at is None:
        return None
    return int(consultation.themes["run"]["messages"])


def test_closing_through_the_api_works_out_the_themes(db: Session, client: TestClient, scene: Scene) -> None:
    consultation_id = _open_with_an_answer(db, scene)
    api = _api(client, scene)
    assert client.post(f"/api/v1/consultations/{consultation_id}/close", headers=api).status_code == 200
    assert _analysed_texts(db, consultation_id) == 1


def test_closing_through_the_cli_works_out_the_themes(db: Session, scene: Scene) -> None:
    consultation_id = _open_with_an_answer(db, scene)
    closed = CliRunner().invoke(app, ["consultation", "close", str(consultation_id)])
    assert closed.exit_code == 0, closed.output
    assert _analysed_texts(db, consultation_id) == 1
