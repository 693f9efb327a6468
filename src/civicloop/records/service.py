"""Rules of the records domain: the schedule, legal holds and disposal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.audit import service as audit
from civicloop.audit.models import AuditEntry, AuditHead
from civicloop.auth.models import Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels.models import Conversation
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.kit.clock import utcnow
from civicloop.records import holds as hold_rules
from civicloop.records import queries
from civicloop.records.classes import AUDIT, AUDIT_SOURCE, BY_KEY, DISPOSAL_ORDER, RecordClass, Source
from civicloop.records.models import DisposalRun, ExportStatus, LegalHold, RecordsExport, RetentionRule

T = TypeVar("T")
HOLD_ROLES = (Role.agency_head,)
MIN_DAYS = 30  # nothing is disposed of sooner: a typo must not wipe last week's records
AUDIT_MIN_DAYS = 365
BATCH = 2000


# -- the schedule -------------------------------------------------------------------------------------------


def _require_national_admin(actor: Actor | None) -> None:
    """``actor`` None is the deployment's operator at the command line, who may do anything."""
    if actor is not None:
        actor.require_national_admin()


def _official(actor: Actor | None) -> Official | None:
    return actor.official if actor is not None else None


def set_rule(
    session: Session, actor: Actor | None, record_class: str, days: int | None, legal_basis: str
) -> RetentionRule:
    """National administrators set how long a class is kept (None: permanently), with its legal basis."""
    _require_national_admin(actor)
    if record_class not in BY_KEY:
        raise Invalid(f"no record class {record_class!r}; the classes are {', '.join(BY_KEY)}", field="record_class")
    if days is not None and days < MIN_DAYS:
        raise Invalid(f"a retention period is at least {MIN_DAYS} days", field="days")
    if record_class == AUDIT.key and days is not None and days < AUDIT_MIN_DAYS:
        raise Invalid(
            f"the audit log proves every other disposal: keep it at least {AUDIT_MIN_DAYS} days", field="days"
        )
    if not legal_basis.strip():
        raise Invalid(
            "give the legal basis (the law, schedule item or decision that sets this period)", field="legal_basis"
        )
    rule = session.get(RetentionRule, record_class)
    before = {"days": rule.days, "legal_basis": rule.legal_basis} if rule else None
    if rule is None:
        rule = RetentionRule(record_class=record_class)
        session.add(rule)
    rule.days, rule.legal_basis = days, legal_basis.strip()
    rule.updated_at, rule.updated_by_id = utcnow(), actor.id if actor else None
    audit.record(
        session,
        actor=_official(actor),
        action="records.retention_set",
        target_type="record_class",
        target_id=record_class,
        before=before,
        after={"days": days, "legal_basis": rule.legal_basis},
    )
    session.flush()
    return rule


# -- legal holds --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldIn:
    reason: str
    agency_id: int | None = None
    account_id: int | None = None
    conversation_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None


def _named(session: Session, actor: Actor | None, model: type[T], row_id: int, what: str) -> T:
    if actor is not None:
        return actor.fetch(session, model, row_id, what=what)
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what} {row_id} not found")
    return row


def _check_hold_scope(session: Session, actor: Actor | None, data: HoldIn) -> int | None:
    """The agency the hold belongs to, checked against who places it and what it names."""
    agency_id = data.agency_id
    if data.conversation_id is not None:
        conversation = _named(session, actor, Conversation, data.conversation_id, "conversation")
        if agency_id not in (None, conversation.agency_id):
            raise Invalid("the conversation belongs to another agency", field="conversation_id")
        agency_id = conversation.agency_id
    if data.account_id is not None:
        account = _named(session, actor, OfficialAccount, data.account_id, "account")
        if agency_id not in (None, account.agency_id):
            raise Invalid("the account belongs to another agency", field="account_id")
        agency_id = account.agency_id
    if agency_id is None:
        _require_national_admin(actor)
        return None
    if session.get(Agency, agency_id) is None:
        raise NotFound("agency not found")
    if actor is not None:
        actor.require(agency_id, *HOLD_ROLES)
    return agency_id


def place_hold(session: Session, actor: Actor | None, data: HoldIn) -> LegalHold:
    """An agency head (their agency) or a national administrator (any, or every agency) places a hold."""
    if not data.reason.strip():
        raise Invalid("say why the records are held (the case, request or audit)", field="reason")
    if data.since and data.until and data.since > data.until:
        raise Invalid("the hold's range ends before it starts", field="until")
    search = (data.search or "").strip() or None
    if search is not None and len(search) > 200:
        raise Invalid("the search words are at most 200 characters", field="search")
    agency_id = _check_hold_scope(session, actor, data)
    hold = LegalHold(
        agency_id=agency_id,
        account_id=data.account_id,
        conversation_id=data.conversation_id,
        since=data.since,
        until=data.until,
        search=search,
        reason=data.reason.strip(),
        placed_by_id=actor.id if actor else None,
        placed_at=utcnow(),
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor=_official(actor),
        action="records.hold_placed",
        target_type="legal_hold",
        target_id=hold.id,
        agency_id=agency_id,
        after=describe_hold(hold),
    )
    return hold


def lift_hold(session: Session, actor: Actor | None, hold_id: int, reason: str) -> LegalHold:
    hold = session.get(LegalHold, hold_id)
    if hold is None or (actor and hold.agency_id is not None and not actor.can_view(hold.agency_id)):
        raise NotFound("hold not found")
    if hold.agency_id is None:
        _require_national_admin(actor)
    elif actor is not None:
        actor.require(hold.agency_id, *HOLD_ROLES)
    if hold.lifted_at is not None:
        raise Invalid("this hold was already lifted")
    if not reason.strip():
        raise Invalid("say why the hold is lifted", field="reason")
    hold.lifted_at, hold.lifted_by_id, hold.lift_reason = utcnow(), actor.id if actor else None, reason.strip()
    audit.record(
        session,
        actor=_official(actor),
        action="records.hold_lifted",
        target_type="legal_hold",
        target_id=hold.id,
        agency_id=hold.agency_id,
        before=describe_hold(hold),
        after={"lift_reason": hold.lift_reason},
    )
    session.flush()
    return hold


def describe_hold(hold: LegalHold) -> dict[str, Any]:
    return {
        "agency_id": hold.agency_id,
        "account_id": hold.account_id,
        "conversation_id": hold.conversation_id,
        "since": hold.since.isoformat() if hold.since else None,
        "until": hold.until.isoformat() if hold.until else None,
        "search": hold.search,
        "reason": hold.reason,
    }


# -- disposal -------------------------------------------------------------------------------------------------


def _expired(source: Source, cutoff: datetime) -> ColumnElement[bool]:
    condition = source.date < (cutoff.date() if source.date_only else cutoff)
    return and_(condition, source.guard()) if source.guard is not None else condition


def _dispose_source(
    session: Session, source: Source, cutoff: datetime, holds: list[LegalHold], dry_run: bool
) -> dict[str, Any]:
    expired = _expired(source, cutoff)
    held = hold_rules.covered(holds, source)
    kept = session.scalar(select(func.count()).select_from(source.model).where(expired, held)) or 0
    count, oldest, newest = session.execute(
        select(func.count(), func.min(source.date), func.max(source.date))
        .select_from(source.model)
        .where(expired, ~held)
    ).one()
    if count and not dry_run:
        key = source.primary_key or source.model.id
        while True:
            ids = list(session.scalars(select(key).where(expired, ~held).limit(BATCH)))
            if not ids:
                break
            session.execute(delete(source.model).where(key.in_(ids)).execution_options(synchronize_session=False))
    return {
        "disposed": count,
        "kept_on_hold": kept,
        "oldest": oldest.isoformat() if oldest is not None else None,
        "newest": newest.isoformat() if newest is not None else None,
    }


def _dispose_class(
    session: Session, record_class: RecordClass, days: int, now: datetime, holds: list[LegalHold], dry_run: bool
) -> dict[str, Any]:
    cutoff = now - timedelta(days=days)
    sources = {s.name: _dispose_source(session, s, cutoff, holds, dry_run) for s in record_class.sources}
    return {
        "cutoff": cutoff.isoformat(),
        "days": days,
        "disposed": sum(s["disposed"] for s in sources.values()),
        "kept_on_hold": sum(s["kept_on_hold"] for s in sources.values()),
        "sources": sources,
    }


def dispose(
    session: Session, *, actor: Actor | None = None, dry_run: bool = False, now: datetime | None = None
) -> DisposalRun:
    """Remove what the schedule says has expired and no hold keeps; write counts and ranges, never content,
    to a disposal run and the audit log. ``dry_run`` counts without removing or recording anything."""
    _require_national_admin(actor)
    now = now or utcnow()
    holds = queries.standing_holds(session)
    rules = queries.rules(session)
    report = {
        c.key: _dispose_class(session, c, rule_days, now, holds, dry_run)
        for c in DISPOSAL_ORDER
        if (rule_days := rules[c.key].days) is not None and c.sources
    }
    cut = None
    if (audit_days := rules[AUDIT.key].days) is not None:
        report[AUDIT.key], cut = _dispose_audit(session, audit_days, now, holds, dry_run)
    run = DisposalRun(at=now, by_id=actor.id if actor else None, report=report)
    if dry_run:
        return run
    session.add(run)
    session.flush()
    summary: dict[str, Any] = {"holds_standing": len(holds), **{key: _summary(part) for key, part in report.items()}}
    if cut is not None:
        summary["audit_log"] = cut  # vouches for the chain's new beginning (``audit.service.verify``)
    entry = audit.record(
        session,
        actor=_official(actor),
        action="records.disposed",
        target_type="disposal_run",
        target_id=run.id,
        after=summary,
    )
    run.audit_seq = entry.seq
    return run


def _dispose_audit(
    session: Session, days: int, now: datetime, holds: list[LegalHold], dry_run: bool
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The audit chain can only lose its beginning: entries go up to the first one that is recent or held,
    never the newest (the head)."""
    cutoff = now - timedelta(days=days)
    held = hold_rules.covered(holds, AUDIT_SOURCE)
    head = session.get(AuditHead, 1)
    start, last = (head.pruned_seq, head.seq) if head is not None else (0, 0)
    keep_from = session.scalar(select(func.min(AuditEntry.seq)).where(or_(AuditEntry.at >= cutoff, held)))
    through = min(keep_from - 1 if keep_from is not None else last, last - 1)
    gone = and_(AuditEntry.seq > start, AuditEntry.seq <= through)
    count, oldest, newest = session.execute(
        select(func.count(), func.min(AuditEntry.at), func.max(AuditEntry.at)).where(gone)
    ).one()
    kept = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff, held)) or 0
    part = {
        "cutoff": cutoff.isoformat(),
        "days": days,
        "disposed": count,
        "kept_on_hold": kept,
        "sources": {
            AUDIT_SOURCE.name: {
                "disposed": count,
                "kept_on_hold": kept,
                "oldest": oldest.isoformat() if oldest is not None else None,
                "newest": newest.isoformat() if newest is not None else None,
            }
        },
    }
    if not count or dry_run:
        return part, None
    return part, {"pruned_through": through, "hash_at_cut": audit.prune_through(session, through)}


def _summary(part: dict[str, Any]) -> dict[str, Any]:
    sources = part["sources"].values()
    oldest = [s["oldest"] for s in sources if s["oldest"]]
    newest = [s["newest"] for s in sources if s["newest"]]
    return {
        "cutoff": part["cutoff"],
        "disposed": part["disposed"],
        "kept_on_hold": part["kept_on_hold"],
        "oldest": min(oldest, default=None),
        "newest": max(newest, default=None),
    }


# -- exports asked for on the web -------------------------------------------------------------------------------

EXPORT_ROLES = (Role.agency_head,)
BUILD_EXPORT_JOB = "civicloop.records.tasks.build_export"


@dataclass(frozen=True)
class ExportIn:
    agency_id: int
    since: datetime | None = None
    until: datetime | None = None
    account_id: int | None = None
    search: str | None = None
    redact: bool = False
    requester_contact_id: int | None = None


def request_export(session: Session, actor: Actor, data: ExportIn) -> RecordsExport:
    """An agency head (or a national administrator or auditor) asks for a bundle; a job writes it."""
    if session.get(Agency, data.agency_id) is None:
        raise NotFound("agency not found")
    if not actor.sees_all:  # national roles (the auditor too) may ask for any agency's records
        actor.require(data.agency_id, *EXPORT_ROLES)
    if data.since and data.until and data.since > data.until:
        raise Invalid("the period ends before it starts", field="until")
    if data.account_id is not None:
        account = session.get(OfficialAccount, data.account_id)
        if account is None or account.agency_id != data.agency_id:
            raise Invalid("that account is not the agency's", field="account_id")
    if data.requester_contact_id is not None and not data.redact:
        raise Invalid("name a requesting citizen only for a citizen's request (redacted)", field="requester_contact_id")
    criteria = {
        "since": data.since.isoformat() if data.since else None,
        "until": data.until.isoformat() if data.until else None,
        "account_id": data.account_id,
        "search": (data.search or "").strip() or None,
        "redact": data.redact,
        "requester_contact_id": data.requester_contact_id,
    }
    row = RecordsExport(
        agency_id=data.agency_id,
        requested_by_id=actor.id,
        requested_at=utcnow(),
        criteria=criteria,
        status=ExportStatus.queued,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="records.export_requested",
        target_type="records_export",
        target_id=row.id,
        agency_id=data.agency_id,
        after=criteria,
    )
    jobs.after_commit(session, BUILD_EXPORT_JOB, row.id)
    return row


def export_for_download(session: Session, actor: Actor, export_id: int) -> RecordsExport:
    row = session.get(RecordsExport, export_id)
    if row is None or not actor.can_view(row.agency_id):
        raise NotFound("export not found")
    if not (actor.sees_all or actor.has_role(row.agency_id, *EXPORT_ROLES)):
        raise Forbidden("records exports are for agency heads and national roles")
    if row.status != ExportStatus.done or row.file_name is None:
        raise NotFound("this export is not ready")
    audit.record(
        session,
        actor=actor.official,
        action="records.export_downloaded",
        target_type="records_export",
        target_id=row.id,
        agency_id=row.agency_id,
    )
    return row
