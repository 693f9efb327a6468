"""SLA clocks on real conversations: office time, pauses, platform replies, notifications once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.auth.scope import Actor
from civicloop.channels.models import ConversationKind, ConversationStatus, Message
from civicloop.inbox import clocks, service
from civicloop.inbox.models import ConversationSla
from civicloop.kit.clock import FixedClock
from civicloop.notifications.models import Notification
from civicloop.sla import service as sla_service
from civicloop.sla.calendar import WeeklyHours
from civicloop.sla.engine import ClockKind, SlaState
from tests.factories import create_account, create_agency, create_official
from tests.inbox.builders import agency_says, at, citizen_says, conversation_of


def _sla(db: Session, conversation_id: int) -> ConversationSla:
    db.expire_all()
    row = db.get(ConversationSla, conversation_id)
    assert row is not None
    return row


def _sweep(db: Session, clock: FixedClock, when: str) -> int:
    clock.at = at(when)
    count = clocks.sweep(db)
    db.commit()
    return count


def test_first_response_is_counted_in_office_minutes_across_a_weekend(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    clock.at = at("2026-03-06 16:59")
    message = citizen_says(db, account, at("2026-03-06 16:59"))  # a Friday, one minute before closing
    row = _sla(db, message.conversation_id)
    assert row.state is SlaState.on_track
    assert row.response_kind is ClockKind.first_response
    assert row.response_due_at == at("2026-03-09 16:59")  # 480 office minutes: Monday 16:59

    agency_says(db, account, at("2026-03-09 10:00"))  # answered directly on Facebook
    assert _sweep(db, clock, "2026-03-09 10:01") == 1
    row = _sla(db, message.conversation_id)
    assert row.first_response_minutes == 61
    assert row.first_response_breached is False
    assert row.response_started_at is None
    assert row.state is SlaState.on_track  # the resolution clock still runs
    assert row.resolution_started_at == at("2026-03-06 16:59")


def test_at_risk_then_breached_notify_the_right_people_once(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    officers = [create_official(db, "officer@THROMDE") for _ in range(2)]
    head = create_official(db, "agency_head@THROMDE")
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=60, resolution=600)
    db.commit()
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2026-03-02 09:00"))
    assert _sla(db, message.conversation_id).next_check_at == at("2026-03-02 09:45")

    assert _sweep(db, clock, "2026-03-02 09:44") == 0
    assert _sweep(db, clock, "2026-03-02 09:45") == 1
    assert _sla(db, message.conversation_id).state is SlaState.at_risk
    notices = db.scalars(select(Notification).order_by(Notification.official_id)).all()
    assert [(n.official_id, n.kind) for n in notices] == [(o.id, "sla_at_risk") for o in officers]
    assert "due Mon 02 Mar 10:00" in notices[0].title

    assert _sweep(db, clock, "2026-03-02 09:50") == 0
    assert _sweep(db, clock, "2026-03-02 10:01") == 1
    row = _sla(db, message.conversation_id)
    assert row.state is SlaState.breached
    assert row.breaches == 1
    breach = db.scalars(select(Notification).where(Notification.kind == "sla_breached")).all()
    assert [n.official_id for n in breach] == [head.id]
    clocks.refresh(db, conversation_of(db, message))
    clocks.refresh(db, conversation_of(db, message))
    db.commit()
    assert db.scalar(select(ConversationSla.breaches)) == 1
    assert len(db.scalars(select(Notification)).all()) == 3


def test_at_risk_goes_to_the_assignee_when_there_is_one(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    create_official(db, "officer@THROMDE")
    pema = Actor.of(create_official(db, "officer@THROMDE"))
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=60, resolution=600)
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2026-03-02 09:00"))
    service.assign(db, actor=pema, conversation_id=message.conversation_id, assignee_id=pema.id)
    db.commit()
    _sweep(db, clock, "2026-03-02 09:50")
    assert [n.official_id for n in db.scalars(select(Notification))] == [pema.id]


def test_waiting_on_the_citizen_pauses_the_clocks(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    officer = Actor.of(create_official(db, "officer@THROMDE"))
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=60, resolution=600)
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2026-03-02 09:00"))
    clock.at = at("2026-03-02 09:30")
    service.set_status(db, actor=officer, conversation_id=message.conversation_id, status=ConversationStatus.waiting)
    db.commit()
    _sweep(db, clock, "2026-03-02 12:00")
    row = _sla(db, message.conversation_id)
    assert row.paused and row.state is SlaState.on_track
    assert row.next_check_at is None and row.response_due_at is None
    assert db.scalars(select(Notification)).all() == []

    clock.at = at("2026-03-02 13:00")
    citizen_says(db, account, at("2026-03-02 13:00"), "My CID is on the form.")
    conversation = conversation_of(db, message)
    assert conversation.status is ConversationStatus.open
    row = _sla(db, message.conversation_id)
    assert not row.paused
    # 30 minutes used before the pause, so the hour runs out at 13:30.
    assert row.response_due_at == at("2026-03-02 13:30")
    assert row.response_started_at == at("2026-03-02 09:00")


def test_a_late_answer_seen_only_afterwards_still_counts_as_a_breach(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    create_official(db, "agency_head@THROMDE")
    sla_service.set_targets(db, actor=None, agency_id=agency.id, first_response=60, next_response=30, resolution=600)
    clock.at = at("2026-03-02 09:00")
    first = citizen_says(db, account, at("2026-03-02 09:00"))
    agency_says(db, account, at("2026-03-02 09:20"))
    _sweep(db, clock, "2026-03-02 09:21")
    clock.at = at("2026-03-02 10:00")
    citizen_says(db, account, at("2026-03-02 10:00"), "It is still dark.")
    row = _sla(db, first.conversation_id)
    assert row.response_kind is ClockKind.next_response
    assert row.response_due_at == at("2026-03-02 10:30")
    # No sweep ran while the next-response clock ran out; the answer at 11:00 arrives first.
    agency_says(db, account, at("2026-03-02 11:00"))
    _sweep(db, clock, "2026-03-02 11:01")
    row = _sla(db, first.conversation_id)
    assert row.first_response_minutes == 20 and row.first_response_breached is False
    assert row.breaches == 1
    assert row.response_started_at is None
    assert db.scalars(select(Notification)).all() == []  # nothing left to chase


def test_closing_stops_the_clocks_and_a_new_message_reopens(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    officer = Actor.of(create_official(db, "officer@THROMDE"))
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2026-03-02 09:00"))
    clock.advance(minutes=5)
    service.set_status(db, actor=officer, conversation_id=message.conversation_id, status=ConversationStatus.closed)
    db.commit()
    row = _sla(db, message.conversation_id)
    assert row.state is None and row.next_check_at is None and row.first_response_minutes is None
    clock.at = at("2026-03-04 11:00")
    citizen_says(db, account, at("2026-03-04 11:00"), "Still not fixed.")
    assert conversation_of(db, message).status is ConversationStatus.open
    row = _sla(db, message.conversation_id)
    # A new request: its clocks start with the new message (it has never been answered: first response).
    assert row.resolution_started_at == at("2026-03-04 11:00")
    assert row.response_started_at == at("2026-03-04 11:00")
    assert row.response_kind is ClockKind.first_response
    assert row.state is SlaState.on_track


def test_imported_feedback_runs_no_clock(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2025-01-02 09:00"), ref="import-1", kind=ConversationKind.import_)
    row = _sla(db, message.conversation_id)
    assert row.state is None and row.next_check_at is None
    assert _sweep(db, clock, "2026-03-09 09:00") == 0
    assert clock.at - timedelta(days=7) == at("2026-03-02 09:00")


def test_a_calendar_that_never_opens_does_not_cost_the_citizens_message(
    db: Session, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    closed_all_year = WeeklyHours.parse({})
    sla_service.add_season(
        db, actor=None, name="Closed", starts_on=date(2000, 1, 1), ends_on=date(2000, 12, 31), hours=closed_all_year,
        yearly=True,
    )  # fmt: skip
    db.commit()
    clock.at = at("2026-03-02 09:00")
    message = citizen_says(db, account, at("2026-03-02 09:00"))
    assert db.get(Message, message.id) is not None
    assert "SLA bookkeeping failed" in caplog.text
    assert _sla(db, message.conversation_id).status == "open"  # listed in the inbox, without clocks
    assert clocks.sweep(db) == 1  # tried again, logged again, and the sweep carries on
    assert "SLA refresh of conversation" in caplog.text
