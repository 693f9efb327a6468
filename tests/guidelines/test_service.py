"""Policy, reviews, approvals, overrides and election periods, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.outbound.service import create_outbound
from civicloop.errors import Conflict, Forbidden, Invalid
from civicloop.guidelines import Category, ElectionPhase, queries, service
from civicloop.guidelines.models import Action, Approval, ApprovalStatus, ReviewFinding
from civicloop.kit.clock import utcnow
from tests.factories import create_account, create_agency, create_official

CID_REPLY = "Dear Sir, the permit for CID 11512003456 is ready for collection."


def _actor(official: Official) -> Actor:
    return Actor.of(official)


@pytest.fixture
def world(db: Session) -> dict[str, Actor]:
    create_agency(db, "DOIM", name="Department of Information and Media")
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_agency(db, "PUNAKHA", name="Punakha Dzongkhag Administration")
    people = {
        "admin": create_official(db, "national_admin@DOIM", email="admin@doim.example"),
        "officer": create_official(db, "officer@THROMDE", email="officer@thromde.example"),
        "head": create_official(db, "agency_head@THROMDE", email="head@thromde.example"),
        "other_head": create_official(db, "agency_head@PUNAKHA", email="head@punakha.example"),
    }
    db.info["thromde_id"] = thromde.id
    return {name: _actor(official) for name, official in people.items()}


def _thromde(db: Session) -> int:
    agency_id: int = db.info["thromde_id"]
    return agency_id


def test_a_cid_in_a_reply_is_held_and_recorded_masked(db: Session, world: dict[str, Actor]) -> None:
    review = service.review_outgoing(db, actor=world["officer"], agency_id=_thromde(db), text=CID_REPLY, kind="reply")
    assert review.action == "hold"
    [finding] = review.findings
    assert finding.rule_id == "personal.cid"
    stored = db.scalars(select(ReviewFinding)).one()
    assert stored.excerpt == "11•••••••56" and stored.action is Action.hold
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "guidelines.review")).one()
    assert "11512003456" not in str(entry.after)


def test_national_oversight_changes_and_locks_a_rule_and_agencies_only_tighten(
    db: Session, world: dict[str, Actor]
) -> None:
    agency_id = _thromde(db)
    assert service.policy_for(db, agency_id)[Category.civility].action is Action.hold
    service.set_rule(db, actor=world["head"], category="civility", action="warn", agency_id=agency_id)
    assert service.policy_for(db, agency_id)[Category.civility].action is Action.warn  # unlocked: may loosen
    service.set_rule(db, actor=world["admin"], category="civility", action="hold", locked=True)
    assert service.policy_for(db, agency_id)[Category.civility].action is Action.hold  # the lock wins again
    with pytest.raises(Invalid, match="stricter, not looser"):
        service.set_rule(db, actor=world["head"], category="civility", action="warn", agency_id=agency_id)
    service.set_rule(db, actor=world["head"], category="civility", action="block", agency_id=agency_id)
    assert service.policy_for(db, agency_id)[Category.civility].action is Action.block
    with pytest.raises(Forbidden):
        service.set_rule(db, actor=world["officer"], category="civility", action="block")
    change = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "guidelines.rule_change", AuditEntry.agency_id.is_(None))
    ).one()
    assert change.before == {"action": "hold", "locked": False}
    assert change.after == {"action": "hold", "locked": True, "scope": "national"}


def test_low_findings_warn_and_high_ones_are_never_less_than_a_hold(db: Session, world: dict[str, Actor]) -> None:
    agency_id = _thromde(db)
    service.set_rule(db, actor=world["admin"], category="personal_data", action="warn")
    assert service.evaluate(db, agency_id=agency_id, text=CID_REPLY).action == "hold"
    assert service.evaluate(db, agency_id=agency_id, text="Write to dorji88@gmail.com").action == "warn"
    assert service.evaluate(db, agency_id=agency_id, text="DNT members visited.").action == "warn"
    assert service.evaluate(db, agency_id=agency_id, text="CONFIDENTIAL: fares").action == "block"


def test_the_head_approves_edits_or_rejects_with_a_reason_and_never_their_own(
    db: Session, world: dict[str, Actor]
) -> None:
    agency_id = _thromde(db)
    held = []
    for _ in range(3):
        review = service.review_outgoing(db, actor=world["officer"], agency_id=agency_id, text=CID_REPLY, kind="reply")
        held.append(
            service.request_approval(db, actor=world["officer"], review=review, agency_id=agency_id, kind="reply")
        )
    with pytest.raises(Forbidden):
        service.decide(db, actor=world["officer"], approval_id=held[0].id, approve=True, reason="fine")
    with pytest.raises(Invalid, match="reason"):
        service.decide(db, actor=world["head"], approval_id=held[0].id, approve=True, reason="  ")
    with pytest.raises(Invalid, match="cannot be sent"):
        service.decide(
            db,
            actor=world["head"],
            approval_id=held[0].id,
            approve=True,
            reason="edited",
            edited_text="CONFIDENTIAL: " + CID_REPLY,
        )
    other_agency = world["other_head"]
    with pytest.raises(Exception, match="not found"):
        service.decide(db, actor=other_agency, approval_id=held[0].id, approve=True, reason="x")
    approved = service.decide(db, actor=world["head"], approval_id=held[0].id, approve=True, reason="citizen asked")
    assert approved.status is ApprovalStatus.approved and approved.decided_at is not None
    with pytest.raises(Conflict):
        service.decide(db, actor=world["head"], approval_id=held[0].id, approve=False, reason="again")
    edited = service.decide(
        db,
        actor=world["head"],
        approval_id=held[1].id,
        approve=True,
        reason="removed the ID",
        edited_text="Dear Sir, the permit is ready for collection.",
    )
    assert edited.original_text == CID_REPLY and "115" not in edited.text
    rejected = service.decide(db, actor=world["head"], approval_id=held[2].id, approve=False, reason="no IDs in public")
    assert rejected.status is ApprovalStatus.rejected
    actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions.count("guidelines.hold") == 3
    assert {"guidelines.approve", "guidelines.edit_approve", "guidelines.reject"} <= set(actions)
    head_review = service.review_outgoing(db, actor=world["head"], agency_id=agency_id, text=CID_REPLY, kind="post")
    own = service.request_approval(db, actor=world["head"], review=head_review, agency_id=agency_id, kind="post")
    with pytest.raises(Forbidden, match="your own"):
        service.decide(db, actor=world["head"], approval_id=own.id, approve=True, reason="mine")
    assert service.decide(db, actor=world["admin"], approval_id=own.id, approve=True, reason="ok").status is (
        ApprovalStatus.approved
    )


def test_an_outbound_post_with_a_cid_is_held_until_approved_then_queued(db: Session, world: dict[str, Actor]) -> None:
    agency_id = _thromde(db)
    from civicloop.agencies.models import Agency

    agency = db.get(Agency, agency_id)
    assert agency is not None
    account = create_account(db, agency, credentials={"app_secret": "s", "verify_token": "v", "page_access_token": "t"})
    row = create_outbound(db, actor=world["officer"], account_id=account.id, kind="post", text=CID_REPLY)
    assert row.status is OutboundStatus.held
    approval = db.scalars(select(Approval).where(Approval.outbound_id == row.id)).one()
    assert db.info.get("civicloop_pending_jobs") in (None, [])  # nothing enqueued while held
    service.decide(
        db,
        actor=world["head"],
        approval_id=approval.id,
        approve=True,
        reason="removed the ID",
        edited_text="Dear Sir, the permit is ready for collection.",
    )
    db.flush()
    refreshed = db.get(OutboundMessage, row.id)
    assert refreshed is not None and refreshed.status is OutboundStatus.queued
    assert refreshed.text == "Dear Sir, the permit is ready for collection."
    assert len(db.info["civicloop_pending_jobs"]) == 1  # the send, after commit
    db.rollback()


def test_a_blocked_outbound_text_is_refused_and_a_rejected_one_never_sent(db: Session, world: dict[str, Actor]) -> None:
    from civicloop.agencies.models import Agency

    agency = db.get(Agency, _thromde(db))
    assert agency is not None
    account = create_account(db, agency, credentials={"app_secret": "s", "verify_token": "v", "page_access_token": "t"})
    with pytest.raises(Invalid, match="classification marking"):
        create_outbound(db, actor=world["officer"], account_id=account.id, kind="post", text="CONFIDENTIAL: new fares")
    db.rollback()
    row = create_outbound(db, actor=world["officer"], account_id=account.id, kind="post", text=CID_REPLY)
    approval = db.scalars(select(Approval).where(Approval.outbound_id == row.id)).one()
    service.decide(db, actor=world["head"], approval_id=approval.id, approve=False, reason="no IDs in public")
    assert row.status is OutboundStatus.rejected and "no IDs in public" in (row.last_error or "")
    clean = create_outbound(db, actor=world["officer"], account_id=account.id, kind="post", text="Bus 7 runs at 7 am.")
    assert clean.status is OutboundStatus.queued
    db.rollback()


def test_election_periods_set_the_phase_and_tighten_neutrality(db: Session, world: dict[str, Actor]) -> None:
    now = utcnow()
    service.add_election_period(
        db,
        actor=world["admin"],
        name="Thromde elections",
        starts_at=now - timedelta(days=10),
        polls_at=now + timedelta(hours=30),
        ends_at=now + timedelta(days=2),
    )
    assert service.election_phase(db, now) is ElectionPhase.embargo
    assert service.election_phase(db, now - timedelta(days=5)) is ElectionPhase.period
    assert service.election_phase(db, now + timedelta(days=3)) is ElectionPhase.none
    assert service.evaluate(db, agency_id=_thromde(db), text="DNT members visited.").action == "hold"
    with pytest.raises(Invalid):
        service.add_election_period(db, actor=world["admin"], name="x", starts_at=now, polls_at=now, ends_at=now)


def test_lexicon_overrides_national_and_per_agency(db: Session, world: dict[str, Actor]) -> None:
    thromde = _thromde(db)
    text = "Kelzang Tobgyel visited Project Zhungdra. Stop being a clown."
    assert [f.rule_id for f in service.evaluate(db, agency_id=thromde, text=text).findings] == ["civility.insult"]
    service.add_term(db, actor=world["admin"], lexicon="candidates", term="Kelzang Tobgyel")
    service.remove_term(db, actor=world["admin"], lexicon="insults", term="clown")
    service.add_term(db, actor=world["head"], lexicon="agency_terms", term="Project Zhungdra", agency_id=thromde)
    rules = [f.rule_id for f in service.evaluate(db, agency_id=thromde, text=text).findings]
    assert rules == ["political.candidate", "confidential.agency_term"]
    punakha = world["other_head"].roles
    [punakha_id] = punakha
    assert [f.rule_id for f in service.evaluate(db, agency_id=punakha_id, text=text).findings] == [
        "political.candidate"
    ]
    with pytest.raises(Forbidden):
        service.add_term(db, actor=world["officer"], lexicon="agency_terms", term="x", agency_id=thromde)
    with pytest.raises(Forbidden):
        service.add_term(db, actor=world["head"], lexicon="insults", term="NEW")  # national lists: oversight only
    with pytest.raises(Conflict):
        service.add_term(db, actor=world["admin"], lexicon="candidates", term="kelzang  tobgyel")
    service.add_term(db, actor=world["admin"], lexicon="insults", term="Clown")  # back in
    assert "civility.insult" in [f.rule_id for f in service.evaluate(db, agency_id=thromde, text=text).findings]


def test_findings_are_counted_per_category_per_day_within_scope(db: Session, world: dict[str, Actor]) -> None:
    agency_id = _thromde(db)
    for text in (CID_REPLY, "You idiot.", "Call 17123456"):
        service.review_outgoing(db, actor=world["officer"], agency_id=agency_id, text=text, kind="reply")
    totals = queries.totals(db, actor=world["head"], agency_id=agency_id)
    assert totals[Category.personal_data] == 2 and totals[Category.civility] == 1
    assert sum(queries.totals(db, actor=world["other_head"]).values()) == 0


def test_redact_hides_citizens_personal_data_but_keeps_office_contacts() -> None:
    text = "My CID is 11512003456, call 17123456 or mail dorji88@gmail.com; the Thromde helpline is 1199."
    assert service.redact(text) == (
        "My CID is [ID number], call [phone number] or mail [email]; the Thromde helpline is 1199."
    )
