import itertools

from sqlalchemy import text
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.audit.models import AuditEntry
from tests.factories import create_account, create_agency, create_official


def _seed(db: Session) -> None:
    agency = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    create_official(db, "officer@MOIT")
    create_account(db, agency)


def test_every_change_is_chained_and_verifies(db: Session) -> None:
    _seed(db)
    entries = db.query(AuditEntry).order_by(AuditEntry.seq).all()
    assert [e.action for e in entries] == ["agency.create", "official.create", "membership.add", "account.create"]
    assert entries[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    assert audit.verify(db).ok and audit.verify(db).checked == 4


def test_an_altered_row_is_reported_at_its_sequence_number(db: Session) -> None:
    _seed(db)
    db.execute(text("UPDATE audit_entries SET actor_label = 'someone else' WHERE seq = 2"))
    db.commit()
    result = audit.verify(db)
    assert not result.ok
    assert result.broken_at == 2
    assert "changed" in (result.reason or "")


def test_a_deleted_row_is_reported(db: Session) -> None:
    _seed(db)
    db.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
    db.commit()
    result = audit.verify(db)
    assert result.broken_at == 3 and "missing" in (result.reason or "")


def test_a_truncated_tail_is_reported(db: Session) -> None:
    _seed(db)
    db.execute(text("DELETE FROM audit_entries WHERE seq = 4"))
    db.commit()
    result = audit.verify(db)
    assert not result.ok and result.broken_at == 4


def test_credentials_never_enter_the_audit_log(db: Session) -> None:
    agency = create_agency(db)
    create_account(db, agency, credentials={"app_secret": "do-not-log-me", "verify_token": "v"})
    dump = " ".join(str(e.after) for e in db.query(AuditEntry))
    assert "do-not-log-me" not in dump
