from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.accountability import service
from civicloop.accountability.models import Commitment, CommitmentNotice, CommitmentStatus
from civicloop.accountability.schemas import CommitmentIn, Photo, UpdateIn
from civicloop.audit.models import AuditEntry
from civicloop.channels.models import ConversationKind
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.consultations import report
from civicloop.consultations import service as consultations
from civicloop.consultations.schemas import ReportIn
from civicloop.errors import Conflict, Invalid
from tests.accountability.conftest import Scene, published_with_participants
from tests.channels.outbound.test_email import Inbox, smtp_server
from tests.consultations.conftest import PNG, make_consultation
from tests.consultations.test_api import _api
from tests.factories import create_agency, create_official, csrf_from, login

__all__ = ["smtp_server"]
X_THREAD = "1860000000000000001"  # the mention scene.mention() starts
CHANNEL_CALLS = ("facebook.comments", "x.tweets", "wechat.send", "facebook.messages")


def sent_per_channel(scene: Scene) -> dict[str, int]:
    return {endpoint: len(scene.sim.calls(endpoint)) for endpoint in CHANNEL_CALLS}


def update(db: Session, scene: Scene, commitment_id: int, status: str, progress: int, note: str = "") -> None:
    data = UpdateIn(status=CommitmentStatus(status), progress=progress, note=note)
    service.add_update(db, actor=scene.actor, commitment_id=commitment_id, data=data)
    db.commit()


def test_a_status_change_tells_each_participant_once_on_their_own_channel(db: Session, scene: Scene) -> None:
    _, commitment = published_with_participants(db, scene)
    scene.sim.reset_records()
    update(db, scene, commitment.id, "in_progress", 20, "Work started on the platform.")
    assert sent_per_channel(scene) == {name: 1 for name in CHANNEL_CALLS}, "one notice per citizen, per channel"
    replies = select(OutboundMessage).where(
        OutboundMessage.kind == "reply", OutboundMessage.status == OutboundStatus.sent
    )
    texts = [o.text for o in db.scalars(replies)]
    assert len(texts) == 4 and all("is now in progress" in t and f"/commitments/{commitment.id}" in t for t in texts)

    update(db, scene, commitment.id, "in_progress", 60, "Half the platform is raised.")
    assert sent_per_channel(scene) == {name: 1 for name in CHANNEL_CALLS}, "no status change: nobody is told"

    db.rollback()
    assert len(db.scalars(select(CommitmentNotice)).all()) == 4
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("commitment.%"))))
    assert actions == {"commitment.create", "commitment.update", "commitment.notify"}


def test_a_citizen_who_writes_stop_hears_no_more(db: Session, scene: Scene) -> None:
    _, commitment = published_with_participants(db, scene)
    scene.inbound(scene.x, ConversationKind.comment_thread, X_THREAD, "1860000000000000002", "Stop", citizen="9000001")
    scene.sim.reset_records()
    update(db, scene, commitment.id, "done", 100, "The platform is raised.")
    assert sent_per_channel(scene)["x.tweets"] == 0 and sent_per_channel(scene)["wechat.send"] == 1
    db.rollback()
    outcomes = sorted(db.scalars(select(CommitmentNotice.outcome)))
    assert outcomes == ["opted_out", "sent", "sent", "sent"]


def test_the_rules_of_a_commitment(db: Session, scene: Scene) -> None:
    draft = make_consultation(db, scene, accounts=False)
    with pytest.raises(Conflict, match="publish the report first"):
        service.create_commitment(
            db, actor=scene.actor, consultation_id=draft.id, data=CommitmentIn(title="Benches", due_on=date(2026, 5, 1))
        )
    db.rollback()
    _, commitment = published_with_participants(db, scene)
    dropped = UpdateIn(status=CommitmentStatus.dropped, progress=0)
    with pytest.raises(Invalid, match="why the commitment is dropped"):
        service.add_update(db, actor=scene.actor, commitment_id=commitment.id, data=dropped)
    same = UpdateIn(status=CommitmentStatus.planned, progress=0)
    with pytest.raises(Invalid, match="nothing changed"):
        service.add_update(db, actor=scene.actor, commitment_id=commitment.id, data=same)
    with pytest.raises(Invalid, match="only PNG, JPEG or WebP"):
        service.add_update(
            db, actor=scene.actor, commitment_id=commitment.id, data=same, photo=Photo(filename="x.png", data=b"MZ..")
        )


def test_the_public_tracker_shows_the_timeline_overdue_ones_and_open_data(
    db: Session, client: TestClient, scene: Scene
) -> None:
    _, commitment = published_with_participants(db, scene)
    service.add_update(
        db,
        actor=scene.actor,
        commitment_id=commitment.id,
        data=UpdateIn(status=CommitmentStatus.in_progress, progress=30, note="Work started.", photo_alt="Diggers"),
        photo=Photo(filename="site.png", data=PNG),
    )
    db.commit()
    scene.clock.advance(days=80)  # past the due date of 30 April, not done
    national = client.get("/commitments")
    assert national.status_code == 200 and "Raise the bus stop platform" in national.text
    assert "Overdue" in national.text and "<strong>1</strong> overdue" in national.text
    dz = client.get("/commitments?agency=THROMDE&lang=dz")
    assert dz.headers["content-language"] == "dz" and "དུས་ཚོད་ཡོལ་ཡོདཔ།" in dz.text and "ལཱ་འབད་དོ།" in dz.text
    detail = client.get(f"/commitments/{commitment.id}")
    assert "Work started." in detail.text and 'alt="Diggers"' in detail.text
    photo = detail.text.split('src="/commitments/photos/')[1].split('"')[0]
    assert client.get(f"/commitments/photos/{photo}").content == PNG
    assert client.get("/commitments/photos/0123456789abcdef0123456789abcdef.png").status_code == 404
    records = client.get("/commitments/open-data.json").json()["commitments"]
    assert records[0]["status"] == "in_progress" and records[0]["overdue"] is True and records[0]["progress"] == 30
    assert "Sonam" not in str(records), "no personal data"
    assert client.get("/commitments/open-data.csv").text.startswith("id,agency_code,consultation_code,title")
    assert client.get("/commitments?agency=NOPE").status_code == 404
    assert client.get("/commitments/999999").status_code == 404


def test_officials_update_only_their_own_agencys_commitments(db: Session, client: TestClient, scene: Scene) -> None:
    _, commitment = published_with_participants(db, scene)
    other = create_agency(db, "MOH", name="Ministry of Health")
    stranger = create_official(db, "officer@MOH", email="officer@moh.example")
    db.commit()
    assert other.id != scene.agency.id
    login(client, stranger)
    page = client.get(f"/accountability/commitments/{commitment.id}")
    assert page.status_code == 404
    client.cookies.clear()
    login(client, scene.officer)
    page = client.get(f"/accountability/commitments/{commitment.id}")
    assert page.status_code == 200 and "Add an update" in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post(
        f"/accountability/commitments/{commitment.id}/updates",
        data={"status": "dropped", "progress": "0", "csrf_token": csrf},
    )
    assert refused.status_code == 422 and "why the commitment is dropped" in refused.text
    form = {
        "status": "in_progress",
        "progress": "25",
        "note": "Work began.",
        "photo_alt": "Workers",
        "csrf_token": csrf,
    }
    saved = client.post(
        f"/accountability/commitments/{commitment.id}/updates",
        data=form,
        files={"photo": ("site.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(f"/accountability/commitments/{commitment.id}")
    assert "Work began." in page.text and 'alt="Workers"' in page.text and "4 sent" in page.text
    bad = client.post(
        f"/accountability/commitments/{commitment.id}/updates",
        data={**form, "status": "done"},
        files={"photo": ("site.png", b"not a picture", "image/png")},
    )
    assert bad.status_code == 422 and "only PNG, JPEG or WebP" in bad.text


def test_the_api_makes_a_commitment_and_updates_it(db: Session, client: TestClient, scene: Scene) -> None:
    consultation, _ = published_with_participants(db, scene)
    api = _api(client, scene)
    body = {"title": "Two benches", "due_on": "2026-06-01", "division": "Parks", "themes": ["benches"]}
    made = client.post(f"/api/v1/consultations/{consultation.id}/commitments", json=body, headers=api)
    assert made.status_code == 201 and made.json()["status"] == "planned"
    path = f"/api/v1/commitments/{made.json()['id']}/updates"
    dropped = client.post(path, json={"status": "dropped", "progress": 0}, headers=api)
    assert dropped.status_code == 422 and "why" in dropped.json()["error"]["message"]
    done = client.post(path, json={"status": "done", "progress": 10, "note": "Installed."}, headers=api)
    assert done.status_code == 201 and done.json()["progress"] == 100 and done.json()["status_changed"]
    assert (
        client.post("/api/v1/commitments/999/updates", json={"status": "done", "progress": 1}, headers=api).status_code
        == 404
    )


def test_an_official_links_the_comments_behind_a_new_commitment(db: Session, client: TestClient, scene: Scene) -> None:
    consultation, _ = published_with_participants(db, scene)
    login(client, scene.officer)
    page = client.get(f"/consultations/{consultation.id}/commitments")
    assert "the stop floods when it rains" in page.text and "Raise the bus stop platform" in page.text
    rid = page.text.split('name="response_id" value="')[1].split('"')[0]
    form = {"title": "Drain the stop", "due_on": "2026-05-15", "response_id": [rid], "csrf_token": csrf_from(page.text)}
    made = client.post(f"/consultations/{consultation.id}/commitments", data=form, follow_redirects=False)
    assert made.status_code == 303
    bad = client.post(f"/consultations/{consultation.id}/commitments", data={**form, "due_on": "soon"})
    assert bad.status_code == 422 and "due_on" in bad.text
    db.rollback()
    linked = db.scalars(select(Commitment).where(Commitment.title == "Drain the stop")).one()
    assert linked.response_ids == [int(rid)]
    assert "<dt>Citizen comments that led to it</dt><dd>1</dd>" in client.get(f"/commitments/{linked.id}").text


def test_a_feedback_form_participant_hears_by_email(db: Session, scene: Scene, smtp_server: Inbox) -> None:
    consultation = make_consultation(db, scene)
    consultations.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    scene.form(f"{consultation.code}: please add a shelter", email="karma@example.bt")  # linked by its code
    consultations.close(db, actor=scene.actor, consultation_id=consultation.id)
    report.save_report(
        db, actor=scene.actor, consultation_id=consultation.id, data=ReportIn(decision="A shelter is built.")
    )
    report.publish(db, actor=scene.actor, consultation_id=consultation.id)
    data = CommitmentIn(title="Build a shelter", due_on=date(2026, 9, 1))
    commitment = service.create_commitment(db, actor=scene.actor, consultation_id=consultation.id, data=data)
    db.commit()
    update(db, scene, commitment.id, "in_progress", 10, "Foundations poured.")
    assert smtp_server.envelopes == [["karma@example.bt"]]
    assert "Build a shelter" in smtp_server.messages[0].get_payload(decode=True).decode()
