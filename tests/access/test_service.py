"""Signing policies, designating staff, the staff directory and categories: rights, validation, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access import service
from civicloop.access.models import AccessPolicy
from civicloop.access.policy import AfterHours, OfficeHours
from civicloop.access.snapshot import load_snapshot
from civicloop.audit.models import AuditEntry
from civicloop.auth.scope import Actor
from civicloop.errors import Forbidden, Invalid
from tests.factories import create_account, create_agency, create_official

TUESDAY_10 = datetime(2030, 3, 5, 4, 0, tzinfo=UTC)  # 10:00 in Thimphu


def _actor(db: Session, email: str) -> Actor:
    from civicloop.auth.models import Official

    official = db.scalar(select(Official).where(Official.email == email))
    assert official is not None
    return Actor.of(official)


def test_the_agency_head_signs_and_the_audit_log_records_who_when_and_from_when(db: Session) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    create_official(db, "officer@THROMDE", email="pema@thromde.example")
    head = _actor(db, "head@thromde.example")
    start = date.today() + timedelta(days=3)
    row = service.set_policy(
        db,
        actor=head,
        agency_id=agency.id,
        category="social",
        office_hours=OfficeHours.designated,
        allowance_minutes=30,
        after_hours=AfterHours.open,
        effective_from=start,
    )
    db.commit()
    assert (row.signed_by, row.effective_from) == ("Chimi Dolkar <head@thromde.example>", start)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "access.policy.sign")).one()
    assert entry.actor_id == head.id and entry.agency_id == agency.id
    assert entry.after == {
        "category": "social",
        "office_hours": "designated",
        "allowance_minutes": 30,
        "after_hours": "open",
        "effective_from": start.isoformat(),
        "signed_by": "Chimi Dolkar <head@thromde.example>",
        "summary": "designated staff in office hours, others 30 minutes a day; open after hours",
    }
    # Options left out keep the last signed values (the CLI's way).
    closed_after = service.set_policy(
        db, actor=head, agency_id=agency.id, category="social", after_hours=AfterHours.closed, effective_from=start
    )
    assert (closed_after.office_hours, closed_after.allowance_minutes) == (OfficeHours.designated, 30)
    with pytest.raises(Forbidden):
        service.set_policy(
            db, actor=_actor(db, "pema@thromde.example"), agency_id=agency.id, category="social", allowance_minutes=600
        )
    with pytest.raises(Invalid, match="cannot be in the past"):
        service.set_policy(db, actor=head, agency_id=agency.id, category="social", effective_from=date(2020, 1, 1))
    with pytest.raises(Invalid, match="unknown category"):
        service.set_policy(db, actor=head, agency_id=agency.id, category="gaming")
    with pytest.raises(Forbidden):
        service.set_policy(db, actor=head, agency_id=None, category="social", office_hours=OfficeHours.closed)


def test_the_cli_signer_must_be_the_head_of_that_agency(db: Session) -> None:
    create_agency(db, "THROMDE")
    moit = create_agency(db, "MOIT")
    head = create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    with pytest.raises(Forbidden, match="not the head of this agency"):
        service.set_policy(db, actor=None, agency_id=moit.id, category="social", signed_by=head)
    unsigned = service.set_policy(db, actor=None, agency_id=moit.id, category="social", office_hours=OfficeHours.all)
    assert unsigned.signed_by == "the command line (no signer named)"


def test_people_are_found_by_email_local_part_directory_or_designation(db: Session) -> None:
    thromde = create_agency(db, "THROMDE", name="Thimphu Thromde")
    moit = create_agency(db, "MOIT")
    kinley = create_official(db, "officer@THROMDE", email="kinley@thromde.example", name="Kinley")
    create_official(db, "officer@THROMDE", email="pema@thromde.example")
    create_official(db, "officer@MOIT", email="pema@moit.example")  # "pema" alone is now ambiguous
    page = create_account(db, thromde, "facebook", name="Thromde Page")
    page.responsible_official_id = kinley.id
    db.commit()
    result = service.import_directory(
        db,
        actor=None,
        text="login,agency,name\nDorji Wangmo,THROMDE,Dorji\nkarma,NOPE,Karma\n,MOIT,x\nugyen,moit,Ugyen\n",
    )
    assert (result.added, result.errors) == (
        2,
        ["line 3: unknown agency 'NOPE'", "line 4: '' is not a proxy login (1–254 printable characters)"],
    )
    again = service.import_directory(db, actor=None, text="login,agency\nugyen,THROMDE\ndorji wangmo,THROMDE\n")
    assert (again.added, again.updated, again.unchanged) == (0, 2, 0)
    service.designate(db, actor=None, agency_id=moit.id, login="Sangay", until=date.today() + timedelta(days=10))
    db.commit()
    people = load_snapshot(db, now=TUESDAY_10, usage_days=0).people
    assert people["kinley"].key == "kinley@thromde.example"
    assert people["kinley"].designation("social", date.today()) is not None  # runs the Page
    assert "pema" not in people and people["pema@moit.example"].agency_id == moit.id
    assert people["dorji wangmo"].agency_id == thromde.id and people["ugyen"].agency_id == thromde.id
    assert people["sangay"].agency_id == moit.id and people["sangay"].designation("social", date.today())
    with pytest.raises(Invalid, match="belongs to another agency"):
        service.designate(db, actor=None, agency_id=moit.id, login="kinley")
    with pytest.raises(Invalid, match="end date cannot be in the past"):
        service.designate(db, actor=None, agency_id=thromde.id, login="kinley", until=date(2020, 1, 1))


def test_designations_are_audited_and_can_be_removed(db: Session) -> None:
    agency = create_agency(db, "THROMDE")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    create_official(db, "officer@THROMDE", email="pema@thromde.example")
    head = _actor(db, "head@thromde.example")
    row = service.designate(db, actor=head, agency_id=agency.id, login=" PEMA ")
    assert row.login == "pema" and row.designated_by.startswith("Test Official <head@thromde.example>")
    with pytest.raises(Forbidden):
        service.designate(db, actor=_actor(db, "pema@thromde.example"), agency_id=agency.id, login="pema")
    service.undesignate(db, actor=head, designation_id=row.id)
    actions = list(
        db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("access.%")).order_by(AuditEntry.seq))
    )
    assert actions == ["access.designate", "access.undesignate"]


def test_an_edited_category_changes_decisions_and_conflicts_are_refused(db: Session) -> None:
    create_agency(db, "THROMDE")
    admin = create_official(db, "national_admin@THROMDE", email="admin@doim.example")
    actor = Actor.of(admin)
    assert service.check(db, actor=None, login="x", host="www.linkedin.com", at=TUESDAY_10).category == "social"
    service.save_category(
        db, actor=actor, key="social", name="Social media", domains="facebook.com\n*.fbcdn.net", platforms=["facebook"]
    )
    with pytest.raises(Invalid, match="both messaging and social"):
        service.save_category(db, actor=actor, key="social", name="Social", domains="whatsapp.com")
    service.save_category(db, actor=actor, key="video", name="Video", domains="vimeo.com")
    assert service.check(db, actor=None, login="x", host="www.linkedin.com", at=TUESDAY_10).rule == "uncategorised"
    assert service.check(db, actor=None, login="x", host="player.vimeo.com", at=TUESDAY_10).category == "video"
    service.reset_category(db, actor=actor, key="social")
    assert service.check(db, actor=None, login="x", host="www.linkedin.com", at=TUESDAY_10).category == "social"
    assert db.scalars(select(AccessPolicy)).all() == []


def test_the_tester_answers_only_for_people_the_official_may_see(db: Session) -> None:
    create_agency(db, "THROMDE")
    create_agency(db, "MOIT")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example")
    create_official(db, "officer@MOIT", email="tashi@moit.example")
    create_official(db, "officer@THROMDE", email="pema@thromde.example")
    head = _actor(db, "head@thromde.example")
    assert service.check(db, actor=head, login="pema", host="x.com", at=TUESDAY_10).allow
    with pytest.raises(Forbidden):
        service.check(db, actor=head, login="tashi@moit.example", host="x.com", at=TUESDAY_10)
    with pytest.raises(Forbidden):
        service.check(db, actor=_actor(db, "pema@thromde.example"), login="pema", host="x.com", at=TUESDAY_10)
