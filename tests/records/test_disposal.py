"""The retention schedule, legal holds and disposal, on the demo's records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.audit import checkpoints
from civicloop.audit import service as audit
from civicloop.audit.models import AuditEntry, AuditHead
from civicloop.auth.scope import Actor
from civicloop.channels.models import Conversation, Direction, Message, RawEvent
from civicloop.consultations.models import Response
from civicloop.demo.foundation import DemoWorld
from civicloop.errors import Forbidden, Invalid
from civicloop.kit.clock import utcnow
from civicloop.records import queries, service
from civicloop.records.service import HoldIn


def _actor(world: DemoWorld, key: str) -> Actor:
    return Actor.of(world.officials[key])


def _inbound(session: Session, conversation_id: int | None = None, *, of_consultations: bool = True) -> int:
    """Citizens' messages; ``of_consultations=False`` leaves out those counted as consultation answers (a
    class of its own, kept for its own period)."""
    query = select(func.count()).select_from(Message).where(Message.direction == Direction.inbound)
    if not of_consultations:
        query = query.where(~exists(select(Response.id).where(Response.message_id == Message.id)))
    if conversation_id is not None:
        query = query.where(Message.conversation_id == conversation_id)
    return session.scalar(query) or 0


def _busiest_conversation(session: Session) -> Conversation:
    conversation_id = session.scalar(
        select(Message.conversation_id)
        .where(Message.direction == Direction.inbound)
        .group_by(Message.conversation_id)
        .order_by(func.count().desc(), Message.conversation_id)
        .limit(1)
    )
    return session.get_one(Conversation, conversation_id)


def held_agency_code(session: Session, conversation: Conversation) -> str:
    return session.get_one(Agency, conversation.agency_id).code.lower()


def test_disposal_keeps_what_a_hold_covers_and_records_only_counts(db: Session, demo: DemoWorld) -> None:
    admin = _actor(demo, "admin@doim.example")
    held = _busiest_conversation(db)
    held_messages = _inbound(db, held.id)
    total = _inbound(db)
    answers_elsewhere = (
        total - _inbound(db, of_consultations=False) - (held_messages - _inbound(db, held.id, of_consultations=False))
    )
    assert held_messages and total > held_messages + answers_elsewhere

    service.set_rule(db, admin, "citizen_messages", 30, "Records Act s.12, schedule item 4.1")
    head = Actor.of(demo.officials[f"head@{held_agency_code(db, held)}.example"])
    hold = service.place_hold(db, head, HoldIn("Court case 12/2026", conversation_id=held.id))
    db.commit()

    run = service.dispose(db, now=utcnow() + timedelta(days=400))
    db.commit()

    assert _inbound(db, held.id) == held_messages
    assert _inbound(db) == held_messages + answers_elsewhere, "every other citizen message is past 30 days, unheld"
    report = run.report["citizen_messages"]
    assert report["sources"]["messages from citizens"]["disposed"] == total - held_messages - answers_elsewhere
    assert report["sources"]["messages from citizens"]["kept_on_hold"] == held_messages
    # Raw payloads of the kept messages stay; the others went with their messages.
    kept_raw = db.scalar(select(func.count()).select_from(RawEvent)) or 0
    referenced = db.scalar(select(func.count(Message.raw_event_id.distinct())).where(Message.raw_event_id.is_not(None)))
    assert kept_raw >= (referenced or 0)
    assert db.get(Conversation, held.id) is not None

    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "records.disposed"))
    assert entry is not None and entry.seq == run.audit_seq and entry.after is not None
    assert entry.after["citizen_messages"]["disposed"] == report["disposed"]
    assert "text" not in str(entry.after), "the audit entry holds counts and ranges, never content"
    assert audit.verify(db).ok
    assert hold.lifted_at is None


def test_lifting_the_hold_lets_the_next_disposal_remove_it(db: Session, demo: DemoWorld) -> None:
    admin = _actor(demo, "admin@doim.example")
    held = _busiest_conversation(db)
    service.set_rule(db, admin, "citizen_messages", 30, "Records Act s.12")
    hold = service.place_hold(db, admin, HoldIn("Audit 2026", conversation_id=held.id))
    db.commit()
    later = utcnow() + timedelta(days=400)
    service.dispose(db, now=later)
    service.lift_hold(db, admin, hold.id, "case closed")
    db.commit()
    service.dispose(db, now=later)
    db.commit()
    assert _inbound(db, of_consultations=False) == 0
    assert queries.standing_holds(db) == []


def test_search_and_date_holds_keep_only_matching_records(db: Session, demo: DemoWorld) -> None:
    admin = _actor(demo, "admin@doim.example")
    word = db.scalars(select(Message.text).where(Message.direction == Direction.inbound).limit(1)).one().split()[0]
    matching = db.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.direction == Direction.inbound,
            func.lower(Message.text).contains(word.lower())
            | exists(select(Response.id).where(Response.message_id == Message.id)),
        )
    )
    service.set_rule(db, admin, "citizen_messages", 30, "Records Act s.12")
    service.place_hold(db, admin, HoldIn("Information request 7", search=word))
    db.commit()
    service.dispose(db, now=utcnow() + timedelta(days=400))
    db.commit()
    assert _inbound(db) == matching


def test_nothing_is_disposed_before_its_period_or_in_a_dry_run(db: Session, demo: DemoWorld) -> None:
    admin = _actor(demo, "admin@doim.example")
    total = _inbound(db)
    service.set_rule(db, admin, "citizen_messages", 30, "Records Act s.12")
    db.commit()
    assert service.dispose(db).report["citizen_messages"]["disposed"] == 0  # the demo is younger than 30 days
    dry = service.dispose(db, now=utcnow() + timedelta(days=400), dry_run=True)
    db.commit()
    assert dry.report["citizen_messages"]["sources"]["messages from citizens"]["disposed"] == _inbound(
        db, of_consultations=False
    )
    assert _inbound(db) == total


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_schedule_refuses_what_it_must(db: Session, demo: DemoWorld) -> None:
    admin = _actor(demo, "admin@doim.example")
    with pytest.raises(Invalid, match="at least 30 days"):
        service.set_rule(db, admin, "citizen_messages", 3, "x")
    with pytest.raises(Invalid, match="legal basis"):
        service.set_rule(db, admin, "citizen_messages", 365, " ")
    with pytest.raises(Invalid, match="no record class"):
        service.set_rule(db, admin, "tweets", 365, "x")
    with pytest.raises(Invalid, match="at least 365 days"):
        service.set_rule(db, admin, "audit", 90, "x")
    officer = _actor(demo, "officer@doim.example")
    with pytest.raises(Forbidden):
        service.set_rule(db, officer, "citizen_messages", 365, "x")
    with pytest.raises(Invalid, match="say why"):
        service.place_hold(db, admin, HoldIn(" "))


def test_the_audit_log_loses_only_its_beginning_and_still_verifies(db: Session, demo: DemoWorld) -> None:
    admin = _actor(demo, "admin@doim.example")
    service.set_rule(db, admin, "audit", 365, "Records Act s.20")
    db.commit()
    checkpoint = checkpoints.write(db)
    db.commit()
    assert checkpoint is not None
    before = db.scalar(select(func.count()).select_from(AuditEntry)) or 0

    run = service.dispose(db, now=utcnow() + timedelta(days=800))
    db.commit()

    part = run.report["audit"]
    assert part["disposed"] == before - 1, "all but the newest entry, which the chain's head names"
    remaining = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [e.action for e in remaining][-1] == "records.disposed" and len(remaining) == 2
    assert audit.verify(db, anchors=checkpoints.anchors(None, None)).ok

    # Moving the beginning on (and linking it up) without a disposal entry saying so is caught.
    head = db.get_one(AuditHead, 1)
    head.pruned_seq, head.pruned_hash = remaining[0].seq, remaining[0].hash
    db.execute(delete(AuditEntry).where(AuditEntry.seq == remaining[0].seq))
    db.commit()
    result = audit.verify(db)
    assert not result.ok and "without a disposal entry" in (result.reason or "")
