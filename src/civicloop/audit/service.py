"""Append to and verify the audit chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry, AuditHead
from civicloop.auth.models import Official
from civicloop.kit.clock import utcnow

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    body = {
        "seq": entry.seq,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "agency_id": entry.agency_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    loaded: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return loaded


def record(
    session: Session,
    *,
    actor: Official | None,
    action: str,
    target_type: str,
    target_id: object,
    agency_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry. The head row is locked so concurrent writers chain one after another."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"),
        agency_id=agency_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session, *, anchors: Mapping[int, str] | None = None, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first entry whose hash or link does not hold, or that is not
    the hash a signed checkpoint (``anchors``: {seq: hash}, see ``audit.checkpoints``) holds for it."""
    anchors = anchors or {}
    head = session.get(AuditHead, 1)
    start = head.pruned_seq if head is not None else 0
    cut_hash = head.pruned_hash if head is not None else None
    expected_prev = cut_hash if start and cut_hash else GENESIS
    expected_seq, checked, last_seq = start + 1, 0, start
    attested = start == 0  # a pruned beginning must be vouched for by a disposal entry still in the chain
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return VerifyResult(checked, expected_seq, f"entry {expected_seq} is missing")
            if entry.prev_hash != expected_prev:
                return VerifyResult(checked, entry.seq, "its link to the previous entry does not match")
            if entry_hash(entry) != entry.hash:
                return VerifyResult(checked, entry.seq, "its content was changed after it was written")
            if anchors.get(entry.seq, entry.hash) != entry.hash:
                return VerifyResult(
                    checked, entry.seq, "its hash is not the one its signed checkpoint holds: the chain was rewritten"
                )
            attested = attested or _vouches_for_cut(entry, start, cut_hash)
            expected_prev, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
            last_seq = entry.seq
        session.expunge_all()
    last = start + checked
    head = session.get(AuditHead, 1)
    if head is not None and head.seq != last:
        return VerifyResult(checked, last + 1, f"the chain ends at {last} but the head says {head.seq}")
    if head is not None and checked and head.hash != expected_prev:
        return VerifyResult(checked, last, "the head's hash is not the last entry's")
    if not attested:
        return VerifyResult(
            checked, start + 1, f"entries up to {start} were removed without a disposal entry saying so"
        )
    beyond = max(anchors, default=0)
    if beyond > last:
        return VerifyResult(checked, last + 1, f"a signed checkpoint holds entry {beyond} but the chain ends at {last}")
    return VerifyResult(checked, None, None)


def _vouches_for_cut(entry: AuditEntry, start: int, cut_hash: str | None) -> bool:
    """A disposal entry (hash-chained after the cut) that names the cut: where it is and the hash there."""
    if entry.action != "records.disposed" or not entry.after:
        return False
    cut = entry.after.get("audit_log")
    return isinstance(cut, dict) and cut.get("pruned_through") == start and cut.get("hash_at_cut") == cut_hash


def prune_through(session: Session, seq: int) -> str:
    """Remove entries 1..``seq`` (disposal under the retention schedule); the chain then begins after ``seq``
    and links to its hash, which is returned. The caller records the cut in a disposal entry."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    last = session.get(AuditEntry, seq)
    if last is None or seq <= head.pruned_seq or seq >= head.seq:
        raise ValueError(f"cannot cut the audit chain at {seq}")
    cut_hash = last.hash
    session.execute(delete(AuditEntry).where(AuditEntry.seq <= seq))
    head.pruned_seq, head.pruned_hash = seq, cut_hash
    session.flush()
    return cut_hash


def recent(session: Session, *, agency_ids: set[int] | None, limit: int = 100) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if agency_ids is not None:
        query = query.where(AuditEntry.agency_id.in_(agency_ids))
    return list(session.scalars(query))


def snapshot(obj: object, fields: list[str]) -> dict[str, Any]:
    """The named attributes of a model, for before/after records (never secrets)."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out
