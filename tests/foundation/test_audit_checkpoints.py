"""Signed checkpoints anchor the audit chain: someone who can write to the database (but not to the
checkpoint folder) can no longer cut the newest entries or rewrite the chain unnoticed."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from civicloop.audit import checkpoints
from civicloop.audit import service as audit
from civicloop.audit.models import AuditEntry, AuditHead
from civicloop.audit.tasks import checkpoint_audit_chain
from civicloop.config import reset_settings
from tests.factories import create_account, create_agency, create_official
from tests.foundation.test_cli import run


@pytest.fixture
def checkpoint_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "checkpoints"
    monkeypatch.setenv("CIVICLOOP_AUDIT_CHECKPOINT_DIR", str(folder))
    reset_settings()
    yield folder
    monkeypatch.delenv("CIVICLOOP_AUDIT_CHECKPOINT_DIR")
    reset_settings()


def _seed(db: Session) -> None:
    agency = create_agency(db, "MOIT", name="Ministry of Infrastructure and Transport")
    create_official(db, "officer@MOIT")
    create_account(db, agency)
    db.commit()


def _rewind_to(db: Session, seq: int) -> None:
    """What an attacker with database access does: drop the newest entries and move the head back."""
    kept = db.scalars(select(AuditEntry).where(AuditEntry.seq == seq)).one()
    db.execute(text("DELETE FROM audit_entries WHERE seq > :seq"), {"seq": seq})
    db.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"), {"seq": seq, "hash": kept.hash})
    db.commit()


def _rewrite_from(db: Session, seq: int) -> None:
    """Edit an entry and recompute every hash and link after it, and the head: the chain holds again."""
    entries = list(db.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    entries[seq - 1].actor_label = "someone else"
    for previous, entry in itertools.pairwise([None, *entries]):
        entry.prev_hash = previous.hash if previous else audit.GENESIS
        entry.hash = audit.entry_hash(entry)
    head = db.get(AuditHead, 1)
    assert head is not None
    head.hash = entries[-1].hash
    db.commit()


def test_a_rewound_head_passes_the_chain_alone_and_fails_against_a_checkpoint(
    db: Session, checkpoint_dir: Path
) -> None:
    _seed(db)
    checkpoint_audit_chain()  # the worker's periodic job (run at once under CIVICLOOP_JOBS_IMMEDIATE)
    assert [c.seq for c in checkpoints.read(checkpoint_dir / checkpoints.CHECKPOINTS_FILE)] == [4]
    create_agency(db, "MOH")
    written = checkpoints.write(db)
    assert written is not None and written.seq == 5
    assert checkpoints.write(db) is None  # nothing new since
    anchors = checkpoints.anchors()
    assert audit.verify(db, anchors=anchors).ok
    _rewind_to(db, 2)
    assert audit.verify(db).ok  # the attack the chain alone cannot see
    result = audit.verify(db, anchors=anchors)
    assert (result.ok, result.broken_at) == (False, 3)
    assert "checkpoint holds entry 5 but the chain ends at 2" in (result.reason or "")
    assert checkpoints.write(db) is None  # a head behind the last checkpoint is never signed


def test_an_edited_and_recomputed_chain_fails_against_a_checkpoint(db: Session, checkpoint_dir: Path) -> None:
    _seed(db)
    assert checkpoints.write(db) is not None
    _rewrite_from(db, 2)
    assert audit.verify(db).ok
    result = audit.verify(db, anchors=checkpoints.anchors())
    assert (result.ok, result.broken_at) == (False, 4)
    assert "rewritten" in (result.reason or "")


def test_a_checkpoint_not_signed_by_the_deployments_key_is_refused(db: Session, checkpoint_dir: Path) -> None:
    _seed(db)
    assert checkpoints.write(db) is not None
    path = checkpoint_dir / checkpoints.CHECKPOINTS_FILE
    genuine = json.loads(path.read_text())
    forged = checkpoints.Checkpoint(**{**genuine, "seq": 2})
    path.write_text(json.dumps(forged.__dict__) + "\n")
    with pytest.raises(checkpoints.CheckpointError, match=r"entry 2 .* not signed by this deployment.s key"):
        checkpoints.anchors()
    other = Ed25519PrivateKey.generate()
    key_file = checkpoint_dir / "other.pem"
    key_file.write_text(checkpoints.public_pem(other.public_key()))
    path.write_text(json.dumps(genuine) + "\n")
    with pytest.raises(checkpoints.CheckpointError):
        checkpoints.anchors(public_key_file=key_file)
    path.write_text("not json\n")
    with pytest.raises(checkpoints.CheckpointError, match="not a checkpoint file"):
        checkpoints.anchors()


def test_published_checkpoints_verify_a_copy_from_the_cli(
    client: TestClient, db: Session, checkpoint_dir: Path, tmp_path: Path
) -> None:
    _seed(db)
    env = {"CIVICLOOP_AUDIT_CHECKPOINT_DIR": str(checkpoint_dir)}
    assert "entry 4" in run("audit", "checkpoint", env=env).stdout
    assert "nothing written" in run("audit", "checkpoint", env=env).stdout
    # What anyone can download, without logging in, and keep.
    published = client.get("/transparency/open-data.json").json()["audit"]
    assert published["latest"]["seq"] == 4 and published["count"] == 1
    copy, key = tmp_path / "copy.jsonl", tmp_path / "key.pem"
    copy.write_bytes(client.get("/transparency/audit-checkpoints.jsonl").content)
    key.write_text(published["public_key"])
    verified = run("audit", "verify", "--json", "--checkpoints", str(copy), "--public-key", str(key), env=env)
    assert verified.returncode == 0 and json.loads(verified.stdout)["checkpoints"] == 1

    _rewind_to(db, 3)
    result = run("audit", "verify", env=env)
    assert result.returncode == 1 and "broken at entry 4" in result.stdout
    result = run("audit", "verify", "--checkpoints", str(copy), "--public-key", str(key))
    assert result.returncode == 1 and "checkpoint holds entry 4" in result.stdout
    missing = run("audit", "verify", "--checkpoints", str(tmp_path / "nowhere.jsonl"), env=env)
    assert missing.returncode == 1 and "does not exist" in missing.stdout
