"""Officials' second factor: enrolment (QR code, first code, recovery codes), the code after the
password, single use of codes and recovery codes, throttling, the roles that require it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.auth import totp
from civicloop.auth.models import Official
from civicloop.errors import Invalid, TooManyRequests, Unauthenticated
from civicloop.kit.clock import FixedClock
from tests.factories import PASSWORD, create_agency, create_official, csrf_from
from tests.foundation.test_cli import run

START = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _code(secret: str, clock: FixedClock, *, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(clock.now().timestamp()) + 30 * steps)


def _enrolled(db: Session, official: Official, clock: FixedClock) -> tuple[str, list[str]]:
    secret = totp.start_enrolment(db, official=official).secret
    codes = totp.confirm_enrolment(db, official=official, code=_code(secret, clock))
    db.commit()
    clock.advance(seconds=30)
    return secret, codes


def test_enrolment_gives_a_local_qr_code_and_ten_single_use_recovery_codes(db: Session, clock: FixedClock) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    enrolment = totp.start_enrolment(db, official=official)
    assert enrolment.uri.startswith("otpauth://totp/CivicLoop:") and f"secret={enrolment.secret}" in enrolment.uri
    assert enrolment.qr_svg.startswith("<svg") and "<path" in enrolment.qr_svg
    assert not totp.is_enrolled(db, official.id)
    with pytest.raises(Unauthenticated):
        totp.confirm_enrolment(db, official=official, code="000000")
    codes = totp.confirm_enrolment(db, official=official, code=_code(enrolment.secret, clock))
    assert len(set(codes)) == 10 and all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
    assert totp.is_enrolled(db, official.id)
    stored = db.scalars(select(totp.RecoveryCode.digest)).all()
    assert not {c.replace("-", "") for c in codes} & set(stored)  # digests only
    with pytest.raises(Invalid):
        totp.start_enrolment(db, official=official)  # not replaced quietly once confirmed
    assert "totp.enrol" in db.scalars(select(AuditEntry.action)).all()


def test_a_code_is_accepted_once_and_only_near_its_time(db: Session, clock: FixedClock) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    secret, _ = _enrolled(db, official, clock)
    code = _code(secret, clock)
    totp.verify(db, official=official, code=code)
    with pytest.raises(Unauthenticated):
        totp.verify(db, official=official, code=code)  # replayed within its 30 s
    clock.advance(seconds=60)
    totp.verify(db, official=official, code=_code(secret, clock, steps=-1))  # a phone 30 s behind
    with pytest.raises(Unauthenticated):
        totp.verify(db, official=official, code=_code(secret, clock, steps=-3))
    clock.advance(seconds=90)
    with pytest.raises(Unauthenticated):
        totp.verify(db, official=official, code=code)


def test_recovery_codes_work_once_each(db: Session, clock: FixedClock) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    _, codes = _enrolled(db, official, clock)
    totp.verify(db, official=official, code=codes[0].lower())
    with pytest.raises(Unauthenticated):
        totp.verify(db, official=official, code=codes[0])
    assert totp.recovery_codes_left(db, official.id) == 9


def test_wrong_codes_are_throttled(db: Session, clock: FixedClock) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    secret, _ = _enrolled(db, official, clock)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            totp.verify(db, official=official, code="123456")
        db.commit()
    with pytest.raises(TooManyRequests):
        totp.verify(db, official=official, code=_code(secret, clock))
    clock.advance(minutes=16)
    totp.verify(db, official=official, code=_code(secret, clock))


def _password(client: TestClient, email: str) -> str:
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return response.text


def _submit_code(client: TestClient, code: str) -> str:
    token = csrf_from(client.get("/login/code").text)
    return client.post("/login/code", data={"code": code, "csrf_token": token}).text


def test_an_agency_head_enrols_at_sign_in_then_signs_in_with_password_and_code(
    client: TestClient, db: Session, clock: FixedClock, required: None
) -> None:
    create_agency(db, "MOIT")
    head = create_official(db, "agency_head@MOIT")
    page = _password(client, head.email)
    assert 'id="totp-qr"' in page and "<svg" in page
    assert client.get("/settings/two-factor", follow_redirects=False).status_code != 200  # not signed in yet
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    assert "Code" in _submit_code(client, "000000")
    done = _submit_code(client, _code(secret[1], clock))
    assert 'id="recovery-codes"' in done
    assert client.get("/settings/two-factor").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/settings/two-factor").text)})

    clock.advance(seconds=60)
    page = _password(client, head.email)
    assert "totp-qr" not in page and "6-digit code" in page
    assert client.get("/settings/two-factor", follow_redirects=False).status_code != 200
    _submit_code(client, _code(secret[1], clock))
    assert 'id="totp-status"' in client.get("/settings/two-factor").text


def test_an_officer_signs_in_with_the_password_alone_unless_enrolled(
    client: TestClient, db: Session, clock: FixedClock, required: None
) -> None:
    create_agency(db, "MOIT")
    officer = create_official(db, "officer@MOIT")
    _password(client, officer.email)
    page = client.get("/settings/two-factor").text
    assert "Not set up." in page
    token = csrf_from(page)
    started = client.post("/settings/two-factor/start", data={"csrf_token": token}).text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', started)
    assert secret is not None
    confirmed = client.post(
        "/settings/two-factor/confirm", data={"code": _code(secret[1], clock), "csrf_token": token}
    ).text
    assert 'id="recovery-codes"' in confirmed and "10 recovery codes left" in confirmed
    client.post("/logout", data={"csrf_token": token})
    clock.advance(seconds=60)
    assert "6-digit code" in _password(client, officer.email)


def test_an_administrator_resets_a_lost_second_factor(db: Session, clock: FixedClock) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "agency_admin@MOIT")
    _enrolled(db, official, clock)
    result = run("official", "reset-two-factor", official.email.upper())
    assert result.returncode == 0, result.stderr
    db.rollback()
    assert not totp.is_enrolled(db, official.id)
    unknown = run("official", "reset-two-factor", "nobody@example.bt")
    assert unknown.returncode == 2 and "no official with email" in unknown.stderr
