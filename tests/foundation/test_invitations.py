"""Invitations and password resets: one-time links that expire, stored as digests, audited (issue 15)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicloop.audit.models import AuditEntry
from civicloop.auth.invitation_models import LinkPurpose, PasswordLink
from civicloop.auth.models import Official
from civicloop.kit.clock import FixedClock, set_clock, utcnow
from tests.factories import create_agency, create_official, csrf_from, login
from tests.oversight.conftest import Inbox, smtp_server

__all__ = ["smtp_server"]

NEW_PASSWORD = "a-long-new-password-1"
LINK = re.compile(r"https?://[^\s<]+/password/set/(pw_[A-Za-z0-9_-]+)")


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(utcnow())
    restore = set_clock(fixed)
    yield fixed
    restore()


def _body(message: object) -> str:
    payload = message.get_payload(decode=True)  # type: ignore[attr-defined]
    assert isinstance(payload, bytes)
    return payload.decode()


def _sign_in(client: TestClient, email: str, password: str) -> int:
    client.cookies.clear()
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    ).status_code


def _set(client: TestClient, token: str, password: str, confirm: str | None = None) -> object:
    form = client.get(f"/password/set/{token}")
    return client.post(
        f"/password/set/{token}",
        data={"password": password, "confirm": confirm or password, "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )


def test_an_invited_official_sets_a_password_once_through_the_link(
    db: Session, client: TestClient, clock: FixedClock
) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    admin = create_official(db, "agency_admin@THROMDE", email="itadmin@thromde.example")
    login(client, admin)
    page = client.get("/officials")
    invited = client.post(
        "/officials",
        data={
            "name": "Sonam New",
            "email": "sonam@thromde.example",
            "role": "officer",
            "agency_code": "THROMDE",
            "password": "",
            "csrf_token": csrf_from(page.text),
        },
    )
    # No SMTP here: the administrator sees the link once, to hand over.
    assert invited.status_code == 200 and 'id="invitation"' in invited.text
    match = LINK.search(invited.text)
    assert match, invited.text
    token = match.group(1)
    link = db.scalars(select(PasswordLink)).one()
    assert link.purpose is LinkPurpose.invitation and token not in (link.digest, link.outgoing or "")
    assert _sign_in(client, "sonam@thromde.example", NEW_PASSWORD) == 401, "no password until the link is used"
    client.cookies.clear()
    differ = _set(client, token, NEW_PASSWORD, "something-else-12")
    assert differ.status_code == 422 and "the two passwords differ" in differ.text  # type: ignore[attr-defined]
    short = _set(client, token, "short")
    assert short.status_code == 422  # type: ignore[attr-defined]
    done = _set(client, token, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login"  # type: ignore[attr-defined]
    assert _sign_in(client, "sonam@thromde.example", NEW_PASSWORD) == 303
    client.cookies.clear()
    again = client.get(f"/password/set/{token}")
    assert again.status_code == 410 and "used already" in again.text
    db.rollback()
    actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert "official.invitation_link" in actions and "official.invitation_used" in actions


def test_a_reset_link_is_emailed_replaces_the_last_one_and_expires(
    db: Session, client: TestClient, clock: FixedClock, smtp_server: Inbox
) -> None:
    create_agency(db, "THROMDE")
    official = create_official(db, "officer@THROMDE", email="pema@thromde.example")

    def ask(email: str) -> str:
        client.cookies.clear()
        form = client.get("/password/forgot")
        answer = client.post("/password/forgot", data={"email": email, "csrf_token": csrf_from(form.text)})
        assert answer.status_code == 200 and 'id="sent"' in answer.text
        return answer.text

    # An unknown address gets the same answer and no email.
    ask("nobody@thromde.example")
    assert smtp_server.messages == []
    ask("pema@thromde.example")
    ask("PEMA@thromde.example")
    assert [m["To"] for m in smtp_server.messages] == ["pema@thromde.example"] * 2
    first, second = (LINK.search(_body(m)) for m in smtp_server.messages)
    assert first and second
    assert client.get(f"/password/set/{second.group(1)}").status_code == 200
    assert client.get(f"/password/set/{first.group(1)}").status_code == 410, "the newer link replaced it"
    db.rollback()
    assert all(link.outgoing is None for link in db.scalars(select(PasswordLink))), "the token is wiped once sent"
    clock.advance(hours=1, minutes=1)
    assert client.get(f"/password/set/{second.group(1)}").status_code == 410, "a reset link lasts an hour"
    ask("pema@thromde.example")
    third = LINK.search(_body(smtp_server.messages[-1]))
    assert third and _set(client, third.group(1), NEW_PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert _sign_in(client, official.email, NEW_PASSWORD) == 303


def test_the_cli_invites_and_prints_the_link_without_smtp(db: Session) -> None:
    from civicloop.cli import app

    create_agency(db, "THROMDE")
    runner = CliRunner()
    result = runner.invoke(app, ["official", "invite", "kezang@thromde.example", "Kezang", "--role", "officer@THROMDE"])
    assert result.exit_code == 0, result.output
    assert "SMTP is not configured" in result.output and LINK.search(result.output.replace("\n", ""))
    db.rollback()
    assert db.scalars(select(Official).where(Official.email == "kezang@thromde.example")).one().password_hash is None
    reset = runner.invoke(app, ["official", "reset-link", "kezang@thromde.example"])
    assert reset.exit_code == 0 and LINK.search(reset.output.replace("\n", ""))
    unknown = runner.invoke(app, ["official", "reset-link", "nobody@thromde.example"])
    assert unknown.exit_code != 0
