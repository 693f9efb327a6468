"""The public feedback form, end to end through the app: CSRF, honeypot, rate limit, length limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.agencies.schemas import AccountPublic
from civicloop.channels.models import Contact, Conversation, ConversationKind, Message
from civicloop.config import reset_settings
from civicloop.kit.clock import FixedClock, set_clock
from tests.factories import create_account, create_agency, csrf_from

FORM = "/feedback/THROMDE"


@pytest.fixture
def agency(db: Session) -> Agency:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_account(db, agency, "web", "thromde-feedback", {}, "Feedback form")
    return agency


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2026, 3, 2, 4, 0, tzinfo=UTC))
    restore = set_clock(fixed)
    yield fixed
    restore()


def _send(client: TestClient, **fields: str) -> object:
    token = csrf_from(client.get(FORM).text)
    data = {"message": "Please add a shelter at the Motithang bus stop.", **fields}
    return client.post(FORM, data={**data, "csrf_token": token}, follow_redirects=False)


def _messages(db: Session) -> list[Message]:
    db.rollback()
    return list(db.scalars(select(Message).order_by(Message.id)))


def test_the_form_is_public_and_names_the_agency(client: TestClient, agency: Agency) -> None:
    page = client.get(FORM)
    assert page.status_code == 200
    html = page.text
    assert "Tell Thimphu Thromde what you think" in html
    assert 'name="csrf_token"' in html and 'name="website"' in html and 'tabindex="-1"' in html
    for label in ("Your message", "Topic (optional)", "Your name (optional)", "Email or mobile number (optional)"):
        assert label in html
    assert client.get("/feedback/thromde").status_code == 200  # codes are case-insensitive
    assert client.get("/feedback/NOSUCH").status_code == 404


def test_an_agency_without_a_web_account_takes_no_feedback(client: TestClient, db: Session) -> None:
    create_agency(db, "PUNAKHA", name="Punakha Dzongkhag Administration")
    response = client.get("/feedback/PUNAKHA")
    assert response.status_code == 404 and "does not take feedback" in response.text


def test_feedback_is_stored_once_with_a_reference_and_the_citizens_contact(
    client: TestClient, db: Session, agency: Agency
) -> None:
    response = _send(client, name="Karma Choden", contact="Karma@Example.bt", topic="Bus stop")
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    reference = location.split("ref=")[1].split("&")[0]
    assert reference.startswith("THROMDE-") and len(reference) == len("THROMDE-") + 6
    thanks = client.get(location)
    assert f'<strong id="reference">{reference}</strong>' in thanks.text
    [message] = _messages(db)
    assert (message.external_id, message.platform, message.text) == (
        reference,
        "web",
        "Please add a shelter at the Motithang bus stop.",
    )
    conversation = db.get(Conversation, message.conversation_id)
    assert conversation is not None and conversation.kind is ConversationKind.form
    assert (conversation.external_ref, conversation.subject) == (reference, "Bus stop")
    contact = db.get(Contact, message.contact_id)
    assert contact is not None and (contact.display_name, contact.email) == ("Karma Choden", "karma@example.bt")


def test_anonymous_feedback_and_a_mobile_number_are_accepted(client: TestClient, db: Session, agency: Agency) -> None:
    assert _send(client).status_code == 303  # type: ignore[attr-defined]
    assert _send(client, contact="17 12 34 56").status_code == 303  # type: ignore[attr-defined]
    contacts = [db.get(Contact, m.contact_id) for m in _messages(db)]
    assert [(c.display_name, c.phone) for c in contacts if c] == [("Anonymous", None), ("Anonymous", "+97517123456")]


def test_a_post_without_the_csrf_token_is_refused_and_nothing_stored(
    client: TestClient, db: Session, agency: Agency
) -> None:
    client.get(FORM)
    response = client.post(FORM, data={"message": "hello", "csrf_token": "forged"})
    assert response.status_code == 403
    assert _messages(db) == []


def test_a_bot_that_fills_the_honeypot_is_thanked_and_ignored(client: TestClient, db: Session, agency: Agency) -> None:
    response = _send(client, website="http://cheap-pills.example")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert _messages(db) == []


def test_length_and_contact_problems_are_explained_and_the_input_kept(
    client: TestClient, db: Session, agency: Agency
) -> None:
    response = _send(client, message="ཐ" * 5001, name="Dorji", contact="not a contact")
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert "Message is 5,001 characters long; the limit is 5,000. Please shorten it by 1 character." in html
    assert "Enter an email address or a Bhutanese mobile number" in html
    assert 'value="Dorji"' in html and 'aria-invalid="true"' in html
    empty = _send(client, message="   ")
    assert "Please write your message." in empty.text  # type: ignore[attr-defined]
    assert _messages(db) == []


def test_the_rate_limit_per_address_holds_across_processes(
    db: Session, agency: Agency, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from civicloop.main import create_app

    monkeypatch.setenv("CIVICLOOP_FEEDBACK_MAX_PER_HOUR", "2")
    reset_settings()
    try:
        # Two app instances stand for two web processes behind a load balancer.
        with TestClient(create_app()) as first, TestClient(create_app()) as second:
            assert _send(first).status_code == 303  # type: ignore[attr-defined]
            assert _send(second).status_code == 303  # type: ignore[attr-defined]
            refused = _send(first, name="Third try")
            assert refused.status_code == 429  # type: ignore[attr-defined]
            assert int(refused.headers["retry-after"]) == 3601  # type: ignore[attr-defined]
            assert "2 messages in the last hour" in refused.text  # type: ignore[attr-defined]
            assert 'value="Third try"' in refused.text  # type: ignore[attr-defined]
            clock.advance(minutes=61)
            assert _send(second).status_code == 303  # type: ignore[attr-defined]
    finally:
        monkeypatch.undo()
        reset_settings()
    assert len(_messages(db)) == 3


def test_the_web_accounts_url_is_its_agencys_form(db: Session, agency: Agency) -> None:
    account = db.scalars(select(OfficialAccount).where(OfficialAccount.platform == "web")).one()
    assert AccountPublic.of(account).webhook_url.endswith("/feedback/THROMDE")
