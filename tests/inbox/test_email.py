"""Notifications go out by email through a real SMTP server when one is configured, once each."""

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.config import reset_settings
from civicloop.inbox import clocks
from civicloop.kit.clock import FixedClock
from civicloop.notifications.models import Notification
from civicloop.sla import service as sla_service
from tests.channels.outbound.test_email import Inbox
from tests.conftest import free_port
from tests.factories import create_account, create_agency, create_official
from tests.inbox.builders import at, citizen_says


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CIVICLOOP_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("CIVICLOOP_MAIL_FROM", "civicloop@thromde.example")
    reset_settings()
    yield handler
    controller.stop()
    monkeypatch.undo()
    reset_settings()


def test_at_risk_and_breach_notices_are_emailed_once(db: Session, clock: FixedClock, smtp: Inbox) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(db, agency)
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example")
    head = create_official(db, "agency_head@THROMDE", email="chimi@thromde.example")
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=60, resolution=600)
    db.commit()
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2026-03-02 09:00"), "No water in Changzamtog since morning")
    for when in ("2026-03-02 09:46", "2026-03-02 09:50", "2026-03-02 10:01", "2026-03-02 10:30"):
        clock.at = at(when)
        clocks.sweep(db)
        db.commit()
    assert smtp.envelopes == [[officer.email], [head.email]]
    at_risk, breached = smtp.messages
    assert at_risk["Subject"].startswith("[CivicLoop] At risk: first response due Mon 02 Mar 10:00")
    assert at_risk["From"] == "civicloop@thromde.example"
    assert f"/inbox/{message.conversation_id}" in at_risk.get_payload()  # type: ignore[operator]
    assert breached["Subject"].startswith("[CivicLoop] Breached: first response target missed")
    db.expire_all()
    assert all(n.emailed_at is not None for n in db.scalars(select(Notification)))


def test_without_smtp_notices_stay_in_the_app(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    create_official(db, "officer@THROMDE")
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=60, resolution=600)
    clock.at = at("2026-03-02 09:00")
    citizen_says(db, account, at("2026-03-02 09:00"))
    clock.at = at("2026-03-02 09:50")
    clocks.sweep(db)
    db.commit()
    notices = db.scalars(select(Notification)).all()
    assert len(notices) == 1 and notices[0].emailed_at is None
