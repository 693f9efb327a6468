"""Sessions live on the server: signing out, a password change, disabling an official or removing a role
ends them at once, even for a copied cookie; officials see and end their other sessions."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civicloop.auth.models import Official, OfficialSession
from civicloop.auth.tasks import purge_sessions
from civicloop.kit.clock import utcnow
from tests.factories import PASSWORD, create_agency, create_official, csrf_from, form_post, login

NEW_PASSWORD = "a-new-long-passphrase"


def _copy(client: TestClient) -> TestClient:
    """Another browser holding a copy of the same session cookie."""
    other = TestClient(client.app)
    other.cookies.set("civicloop_session", client.cookies["civicloop_session"])
    return other


def _signed_in(client: TestClient) -> bool:
    return client.get("/api/v1/me").status_code == 200


def test_signing_out_ends_the_session_for_a_copied_cookie_too(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    login(client, official)
    stolen = _copy(client)
    assert _signed_in(stolen)
    form_post(client, "/logout", {})
    assert not _signed_in(client)
    assert not _signed_in(stolen)
    forged = stolen.post("/settings/tokens", data={"name": "x", "csrf_token": csrf_from(stolen.get("/login").text)})
    assert forged.status_code in (401, 403)
    assert stolen.get("/inbox", follow_redirects=False).headers["location"] == "/login?next=/inbox"


def test_a_password_change_ends_every_other_session(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    login(client, official)
    phone = TestClient(client.app)
    login(phone, official)
    wrong = form_post(client, "/settings/account/password", {"current": "nope", "password": NEW_PASSWORD})
    assert wrong.status_code == 401  # type: ignore[attr-defined]
    assert _signed_in(phone)
    changed = form_post(client, "/settings/account/password", {"current": PASSWORD, "password": NEW_PASSWORD})
    assert changed.status_code == 303  # type: ignore[attr-defined]
    assert _signed_in(client)
    assert not _signed_in(phone)
    again = TestClient(client.app)
    login(again, official, password=NEW_PASSWORD)


def test_disabling_an_official_ends_their_sessions_and_refuses_new_ones(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    admin = create_official(db, "agency_admin@MOIT")
    theirs = TestClient(client.app)
    login(theirs, official)
    login(client, admin)
    page = f"/officials/{official.id}"
    response = form_post(client, f"{page}/active", {"active": "false"}, page)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert not _signed_in(theirs)
    db.expire_all()
    assert db.get(Official, official.id).active is False  # type: ignore[union-attr]
    token = csrf_from(theirs.get("/login").text)
    refused = theirs.post("/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 401
    form_post(client, f"{page}/active", {"active": "true"}, page)
    login(theirs, official)


def test_an_admin_of_another_agency_cannot_disable_an_official(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    create_agency(db, "MOH")
    official = create_official(db, "officer@MOIT", "officer@MOH")
    login(client, create_official(db, "agency_admin@MOH"))
    page = f"/officials/{official.id}"
    response = form_post(client, f"{page}/active", {"active": "false"}, page)
    assert response.status_code == 403  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(Official, official.id).active is True  # type: ignore[union-attr]


def test_removing_a_role_ends_the_officials_sessions(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT", "analyst@MOIT")
    admin = create_official(db, "agency_admin@MOIT")
    theirs = TestClient(client.app)
    login(theirs, official)
    login(client, admin)
    page = f"/officials/{official.id}"
    membership_id = re.findall(r'action="/memberships/(\d+)/delete"', client.get(page).text)[0]
    form_post(client, f"/memberships/{membership_id}/delete", {"official_id": str(official.id)}, page)
    assert not _signed_in(theirs)
    login(theirs, official)  # the remaining role still lets them in


def test_officials_see_their_sessions_and_end_the_others(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    someone = create_official(db, "officer@MOIT")
    login(client, official)
    phone = TestClient(client.app, headers={"User-Agent": "Pixel phone browser"})
    login(phone, official)
    elsewhere = TestClient(client.app)
    login(elsewhere, someone)
    page = client.get("/settings/account").text
    assert "Pixel phone browser" in page and "this browser" in page
    ids = re.findall(r'action="/settings/account/sessions/(\d+)/end"', page)
    assert len(ids) == 1  # the current one is ended by signing out
    theirs = db.scalar(select(OfficialSession.id).where(OfficialSession.official_id == someone.id))
    stranger = form_post(client, f"/settings/account/sessions/{theirs}/end", {}, "/settings/account")
    assert stranger.status_code == 404  # type: ignore[attr-defined]
    assert _signed_in(elsewhere)
    form_post(client, f"/settings/account/sessions/{ids[0]}/end", {}, "/settings/account")
    assert not _signed_in(phone)
    assert _signed_in(client)
    login(phone, official)
    form_post(client, "/settings/account/sessions/end-others", {}, "/settings/account")
    assert not _signed_in(phone) and _signed_in(client)


def test_expired_sessions_count_for_nothing_and_are_purged_at_night(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    login(client, official)
    db.execute(update(OfficialSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert not _signed_in(client)
    assert purge_sessions.call_local() == 1
    assert db.scalar(select(func.count()).select_from(OfficialSession)) == 0
