"""A web-form citizen gets answers: the private status link, replies there and by email through a real
SMTP server (the demo's own mail sink), and the officer sees what the citizen gave."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, Platform
from civicloop.channels.models import Conversation, ConversationStatus, Direction, Message
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.web.status import status_token
from civicloop.config import reset_settings
from civicloop.kit.mailsink import FolderHandler, stored
from tests.conftest import free_port
from tests.factories import create_account, create_agency, create_official, csrf_from, login

FORM = "/feedback/THROMDE"


@pytest.fixture
def agency(db: Session) -> Agency:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_account(db, agency, Platform.web, "thromde-feedback", {}, "Feedback form")
    other = create_agency(db, "MOH", name="Ministry of Health")
    create_account(db, other, Platform.web, "moh-feedback", {}, "Feedback form")
    db.commit()
    return agency


@pytest.fixture
def sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo's mail sink (``civicloop.kit.mailsink``) on loopback: a real SMTP server writing .eml files."""
    folder = tmp_path / "mail"
    folder.mkdir()
    port = free_port()
    controller = Controller(FolderHandler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CIVICLOOP_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("CIVICLOOP_MAIL_SINK_DIR", str(folder))
    reset_settings()
    yield folder
    controller.stop()
    monkeypatch.undo()
    reset_settings()


def _submit(client: TestClient, **fields: str) -> str:
    """Send the form; returns the status link printed on the thank-you page."""
    token = csrf_from(client.get(FORM).text)
    data = {"message": "The streetlights on Norzin Lam are off at night.", "topic": "Streetlights", **fields}
    thanks = client.post(FORM, data={**data, "csrf_token": token})
    assert thanks.status_code == 200 and "Thank you" in thanks.text
    link = re.search(r'id="status-link" href="([^"?]+)', thanks.text)
    assert link, "the thank-you page gives the status link"
    return link.group(1)


def _officer_replies(client: TestClient, db: Session, text: str) -> Conversation:
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example")
    db.commit()
    login(client, officer)
    conversation = db.scalars(select(Conversation)).one()
    page = client.get(f"/inbox/{conversation.id}")
    assert page.status_code == 200
    assert 'name="text"' in page.text and "disabled" not in page.text.split('id="reply"')[1].split("</form>")[0]
    token = csrf_from(page.text)
    sent = client.post(
        f"/inbox/{conversation.id}/reply", data={"text": text, "csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/inbox").text)})
    return conversation


def test_without_email_the_citizen_reads_the_answer_and_replies_on_the_status_page(
    db: Session, client: TestClient, agency: Agency
) -> None:
    link = _submit(client, name="Karma", contact="77123456")
    reference = link.split("/")[-2]
    assert link == f"/feedback/THROMDE/status/{reference}/{status_token(reference)}"
    page = client.get(link)
    assert page.status_code == 200
    assert reference in page.text and "Waiting for the agency" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"

    conversation = _officer_replies(client, db, "Thank you, Karma. The lights are repaired tonight.")
    db.rollback()
    [reply] = db.scalars(select(OutboundMessage)).all()
    assert reply.status is OutboundStatus.sent and reply.external_id == f"page:{reply.idempotency_key}"

    page = client.get(link)
    assert "The lights are repaired tonight." in page.text and "Answered" in page.text
    assert "Pema" not in page.text  # the officer's name stays inside the agency

    dz = client.get(link, params={"lang": "dz"})
    assert dz.headers["content-language"] == "dz" and "ཁྱོད་ཀྱི་བསམ་འཆར།" in dz.text

    token = csrf_from(page.text)
    answer = client.post(
        link,
        # The English page's form says its language; without it the remembered choice (Dzongkha, above) would answer.
        data={"message": "They are still off on the north side.", "csrf_token": token, "lang": "en"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "Your message was sent to the agency." in client.get(answer.headers["location"]).text
    db.rollback()
    texts = [(m.direction, m.text) for m in db.scalars(select(Message).order_by(Message.id))]
    assert texts[-1] == (Direction.inbound, "They are still off on the north side.")
    assert db.get(Conversation, conversation.id).status is ConversationStatus.open  # type: ignore[union-attr]

    empty = client.post(link, data={"message": "  ", "csrf_token": token})
    assert empty.status_code == 422 and "Please write your message." in empty.text


def test_a_wrong_token_or_agency_answers_404(db: Session, client: TestClient, agency: Agency) -> None:
    link = _submit(client)
    reference = link.split("/")[-2]
    good = status_token(reference)
    wrong = ("A" if good[0] != "A" else "B") + good[1:]
    assert client.get(link).status_code == 200
    assert client.get(link.replace(good, wrong)).status_code == 404
    assert client.get(link.replace(good, "short")).status_code == 404
    assert client.get(link.replace("/feedback/THROMDE/", "/feedback/MOH/")).status_code == 404
    assert client.post(link.replace(good, wrong), data={"message": "hi"}).status_code in (403, 404)
    # The thank-you page shows a link only with the reference's own token: it cannot mint links.
    thanks = client.get(f"{FORM}/thanks", params={"ref": reference, "t": wrong})
    assert thanks.status_code == 200 and reference in thanks.text and "status-link" not in thanks.text


def test_with_smtp_the_answer_also_goes_by_email_with_the_status_link(
    db: Session, client: TestClient, agency: Agency, sink: Path
) -> None:
    link = _submit(client, name="Karma", contact="karma@example.bt")
    [ack] = stored(sink)
    assert ack.to == "karma@example.bt" and "Thimphu Thromde has received your feedback" in ack.body
    assert link in ack.body

    _officer_replies(client, db, "Thank you. The lights are repaired tonight.")
    mails = stored(sink)
    assert len(mails) == 2
    reply = mails[0]
    assert reply.subject.startswith("Re: your feedback to Thimphu Thromde (reference THROMDE-")
    assert reply.body.startswith("Thank you. The lights are repaired tonight.")
    assert link in reply.body
    raw = message_from_bytes((sink / reply.name).read_bytes(), policy=policy.default)
    assert raw["To"] == "karma@example.bt"
    # The same answer on the status page, and the demo's page of the sink shows the email.
    assert "The lights are repaired tonight." in client.get(link).text
    listing = client.get("/demo-mail")
    assert listing.status_code == 200 and reply.subject in listing.text
    shown = client.get(f"/demo-mail/{reply.name}")
    assert shown.status_code == 200 and "The lights are repaired tonight." in shown.text
    assert client.get("/demo-mail/..%2Fsecret_key").status_code == 404


def test_the_mail_sink_page_is_off_without_a_sink(client: TestClient) -> None:
    assert client.get("/demo-mail").status_code == 404


def test_the_officer_sees_what_the_citizen_gave(db: Session, client: TestClient, agency: Agency) -> None:
    link = _submit(client, name="Karma Dorji", contact="karma@example.bt", topic="Streetlights")
    reference = link.split("/")[-2]
    officer = create_official(db, "officer@THROMDE")
    db.commit()
    login(client, officer)
    conversation = db.scalars(select(Conversation)).one()
    html = client.get(f"/inbox/{conversation.id}").text
    facts = html.split('id="citizen"')[1].split("</section>")[0]
    for shown in ("Karma Dorji", "karma@example.bt", "Streetlights", reference):
        assert shown in facts
    assert "private status page" in facts and "not emailed" in facts  # no SMTP in this test


def test_the_demo_runs_its_mail_sink_as_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicloop.cli.demo import start_mail_sink
    from civicloop.kit.mail import send_mail

    for name in ("CIVICLOOP_SMTP_URL", "CIVICLOOP_MAIL_SINK_DIR", "CIVICLOOP_MAIL_FROM"):
        # Set, then removed: monkeypatch then remembers the original (often: absent) and puts it back after,
        # which a bare delenv of an absent variable would not (the demo's settings would leak into later tests).
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    process = start_mail_sink(tmp_path)
    try:
        assert send_mail(to=["karma@example.bt"], subject="Re: your feedback", body="Fixed tonight.")
        [mail] = stored(tmp_path / "mail")
        assert (mail.to, mail.subject, mail.body.strip()) == ("karma@example.bt", "Re: your feedback", "Fixed tonight.")
    finally:
        process.terminate()
        process.wait(timeout=10)
        monkeypatch.undo()
        reset_settings()
