"""Every read of the moderation domain: a comment's record, repetitions, appeals, the public monthly log."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency
from civicloop.auth.models import Membership, Official, Role
from civicloop.channels.models import Direction, Message
from civicloop.channels.moderation import Operation
from civicloop.kit.i18n import N_
from civicloop.kit.timezones import local
from civicloop.moderation.models import AgencyModerationPolicy, AppealStatus, ModerationAction, ModerationAppeal
from civicloop.moderation.policy import APPEAL, GROUNDS, NEVER, Ground, GroundText
from civicloop.moderation.rules import REPEAT_DAYS, normalized


def agency_policy(session: Session, agency_id: int) -> AgencyModerationPolicy | None:
    return session.get(AgencyModerationPolicy, agency_id)


def actions_for(session: Session, message_id: int) -> list[ModerationAction]:
    """The record of one comment, oldest first."""
    query = select(ModerationAction).where(ModerationAction.message_id == message_id).order_by(ModerationAction.id)
    return list(session.scalars(query))


def appeals_for(session: Session, action_ids: list[int]) -> list[ModerationAppeal]:
    if not action_ids:
        return []
    query = select(ModerationAppeal).where(ModerationAppeal.action_id.in_(action_ids)).order_by(ModerationAppeal.id)
    return list(session.scalars(query))


def repeats(session: Session, message: Message) -> int:
    """How many times the writer of ``message`` sent the agency this same text in the last days (itself included)."""
    if message.contact_id is None:
        return 1
    since = message.created_at - timedelta(days=REPEAT_DAYS)
    texts = session.scalars(
        select(Message.text).where(
            Message.agency_id == message.agency_id,
            Message.contact_id == message.contact_id,
            Message.direction == Direction.inbound,
            Message.created_at >= since,
            Message.created_at <= message.created_at,
        )
    )
    wanted = normalized(message.text)
    return max(sum(1 for text in texts if normalized(text) == wanted), 1)


def action_by_token(session: Session, token: str) -> ModerationAction | None:
    if not token or len(token) > 40:
        return None
    return session.scalars(select(ModerationAction).where(ModerationAction.appeal_token == token)).first()


def appeals(
    session: Session, agency_ids: set[int] | None, status: AppealStatus | None = AppealStatus.open
) -> list[tuple[ModerationAppeal, ModerationAction, Message | None]]:
    query = (
        select(ModerationAppeal, ModerationAction, Message)
        .join(ModerationAction, ModerationAction.id == ModerationAppeal.action_id)
        .outerjoin(Message, Message.id == ModerationAction.message_id)
        .order_by(ModerationAppeal.received_at, ModerationAppeal.id)
    )
    if agency_ids is not None:
        query = query.where(ModerationAppeal.agency_id.in_(agency_ids))
    if status is not None:
        query = query.where(ModerationAppeal.status == status)
    return [(a, b, c) for a, b, c in session.execute(query).all()]


def agency_heads(session: Session, agency_id: int) -> list[Official]:
    query = (
        select(Official)
        .join(Membership, Membership.official_id == Official.id)
        .where(Membership.agency_id == agency_id, Membership.role == Role.agency_head, Official.active.is_(True))
        .order_by(Official.id)
    )
    return list(session.scalars(query))


def official_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {o.id: o.name for o in session.scalars(select(Official).where(Official.id.in_(ids)))}


# --- the public log -----------------------------------------------------------------------------------

# The log's key for comments hidden on the platform itself, outside CivicLoop: the platform does not say why.
NO_GROUND = "none_given"
NO_GROUND_LABEL = N_("hidden on the platform itself, no ground given")


@dataclass
class LogRow:
    """One agency's moderation in one month: counts only, no texts, no names."""

    agency_code: str
    agency_name: str
    month: str  # "2026-03", in the deployment's time zone
    hidden: int = 0
    deleted: int = 0
    grounds: Counter[str] = field(default_factory=Counter)
    appeals: int = 0
    reversals: int = 0
    # The agency's name in other languages, as ``kit.i18n.localized`` reads it (``tr(row, "agency_name")``).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def monthly_log(session: Session, start: datetime, end: datetime, zone_name: str) -> list[LogRow]:
    """Hides and deletions the platforms applied, appeals received and reversals decided in [start, end)."""
    rows: dict[tuple[int, str], LogRow] = {}
    agencies = {a.id: a for a in session.scalars(select(Agency))}

    def row(agency_id: int, at: datetime) -> LogRow:
        month = local(at, zone_name).strftime("%Y-%m")
        agency = agencies[agency_id]
        names = {
            lang: {"agency_name": entry["name"]}
            for lang, entry in (agency.translations or {}).items()
            if isinstance(entry, dict) and entry.get("name")
        }
        return rows.setdefault((agency_id, month), LogRow(agency.code, agency.name, month, translations=names))

    actions = session.execute(
        select(ModerationAction.agency_id, ModerationAction.at, ModerationAction.operation, ModerationAction.ground)
        .where(ModerationAction.applied.is_(True), ModerationAction.at >= start, ModerationAction.at < end)
        .where(ModerationAction.operation.in_([Operation.hide, Operation.delete]))
    ).all()
    for agency_id, at, operation, ground in actions:
        target = row(agency_id, at)
        if operation is Operation.hide:
            target.hidden += 1
        else:
            target.deleted += 1
        target.grounds[ground or NO_GROUND] += 1  # hidden on the platform itself
    received = session.execute(
        select(ModerationAppeal.agency_id, ModerationAppeal.received_at).where(
            ModerationAppeal.received_at >= start, ModerationAppeal.received_at < end
        )
    ).all()
    for agency_id, at in received:
        row(agency_id, at).appeals += 1
    reversed_ = session.execute(
        select(ModerationAppeal.agency_id, ModerationAppeal.decided_at).where(
            ModerationAppeal.status == AppealStatus.reversed,
            ModerationAppeal.decided_at >= start,
            ModerationAppeal.decided_at < end,
        )
    ).all()
    for agency_id, decided_at in reversed_:
        if decided_at is not None:
            row(agency_id, decided_at).reversals += 1
    by_agency: defaultdict[str, list[LogRow]] = defaultdict(list)
    for item in rows.values():
        by_agency[item.agency_name].append(item)
    return [r for name in sorted(by_agency) for r in sorted(by_agency[name], key=lambda r: r.month)]


@dataclass
class PublicLog:
    """The policy and the log for a period, as the transparency pages show them."""

    start: datetime
    end: datetime
    rows: list[LogRow]
    grounds: dict[Ground, GroundText] = field(default_factory=lambda: dict(GROUNDS))
    # English, marked for the catalogs: the pages show them with ``_t()``.
    never: str = NEVER
    appeal: str = APPEAL

    def ground_label(self, ground: str) -> str:
        """A ground's label (English, marked for the catalogs: the pages show it with ``_t()``), or its stored name
        if no longer national."""
        if ground == NO_GROUND:
            return NO_GROUND_LABEL
        text = self.grounds.get(Ground(ground)) if ground in Ground.__members__ else None
        return text.label if text is not None else ground


def public_log(session: Session, start: datetime, end: datetime, zone_name: str) -> PublicLog:
    return PublicLog(start, end, monthly_log(session, start, end, zone_name))
