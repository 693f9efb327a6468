"""Reads of the guidelines domain: approvals in an actor's scope, term overrides, election periods,
findings per week, and the names and accounts the approval queue shows. Rules live in service.py;
pages and routes only translate HTTP."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.guidelines.findings import Category
from civicloop.guidelines.models import Approval, ApprovalStatus, ElectionPeriod, ReviewFinding, TermOverride
from civicloop.kit.clock import utcnow


def get_approval(session: Session, *, actor: Actor, approval_id: int) -> Approval:
    return actor.fetch(session, Approval, approval_id, what="approval")


def list_approvals(
    session: Session,
    *,
    actor: Actor,
    status: ApprovalStatus | None = None,
    requested_by: int | None = None,
    limit: int = 100,
) -> list[Approval]:
    query = select(Approval).order_by(Approval.requested_at.desc(), Approval.id.desc()).limit(limit)
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(Approval.agency_id.in_(visible))
    if status is not None:
        query = query.where(Approval.status == status)
    if requested_by is not None:
        query = query.where(Approval.requested_by_id == requested_by)
    return list(session.scalars(query))


def list_terms(session: Session, *, actor: Actor, agency_id: int | None = None) -> list[TermOverride]:
    if agency_id is not None:
        actor.require_view(agency_id)
    query = select(TermOverride).order_by(TermOverride.lexicon, TermOverride.term)
    query = query.where(TermOverride.agency_id.is_(None) if agency_id is None else TermOverride.agency_id == agency_id)
    return list(session.scalars(query))


def list_election_periods(session: Session) -> list[ElectionPeriod]:
    return list(session.scalars(select(ElectionPeriod).order_by(ElectionPeriod.starts_at.desc())))


def findings_per_week(
    session: Session, *, actor: Actor, agency_id: int | None = None, days: int = 90
) -> dict[Category, list[tuple[str, int]]]:
    """Findings per category per week (Monday, UTC) over the last ``days`` days, every week listed even
    when empty, within the actor's scope."""
    now = utcnow()
    since = now - timedelta(days=days)
    day = func.date(ReviewFinding.created_at)
    query = (
        select(ReviewFinding.category, day, func.count())
        .where(ReviewFinding.created_at >= since)
        .group_by(ReviewFinding.category, day)
    )
    visible = actor.agency_ids()
    if agency_id is not None:
        actor.require_view(agency_id)
        query = query.where(ReviewFinding.agency_id == agency_id)
    elif visible is not None:
        query = query.where(ReviewFinding.agency_id.in_(visible))
    first = since.date() - timedelta(days=since.weekday())
    weeks = [first + timedelta(weeks=n) for n in range((now.date() - first).days // 7 + 1)]
    counts: dict[Category, dict[date, int]] = {c: dict.fromkeys(weeks, 0) for c in Category}
    for category, when, count in session.execute(query):
        when = when if isinstance(when, date) else date.fromisoformat(str(when))
        week = when - timedelta(days=when.weekday())
        counts[Category(category)][week] = counts[Category(category)].get(week, 0) + int(count)
    return {c: [(week.isoformat(), n) for week, n in sorted(per_week.items())] for c, per_week in counts.items()}


def totals(session: Session, *, actor: Actor, agency_id: int | None = None, days: int = 90) -> dict[Category, int]:
    series = findings_per_week(session, actor=actor, agency_id=agency_id, days=days)
    return {c: sum(n for _, n in points) for c, points in series.items()}


def account_labels(session: Session, approvals: list[Approval]) -> dict[int, str]:
    """Per approval of an outbound message: the account it goes to."""
    outbound_ids = [a.outbound_id for a in approvals if a.outbound_id is not None]
    if not outbound_ids:
        return {}
    rows = session.execute(
        select(OutboundMessage.id, OfficialAccount.platform, OfficialAccount.name)
        .join(OfficialAccount, OfficialAccount.id == OutboundMessage.account_id)
        .where(OutboundMessage.id.in_(outbound_ids))
    )
    by_outbound = {row_id: f"{registry.spec(platform).label} · {name}" for row_id, platform, name in rows}
    return {a.id: by_outbound[a.outbound_id] for a in approvals if a.outbound_id in by_outbound}


def official_names(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {o.id: o.name for o in session.scalars(select(Official).where(Official.id.in_(wanted)))}
