"""Oversight's reads: what the figure modules count, scoped by the agency ids their callers pass.

The figure modules (scorecard, dashboard, adoption, participation, …) turn these rows into figures;
the recounts that write the pre-aggregated tables (``aggregates``, ``responses``, ``rollup``) keep
their reads beside their writes, since a read there is half of one rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from civicloop.access.models import AccessDenial, AccessSession
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.channels.models import Conversation, Direction, Message, MessageState, WebhookRejection
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage, OutboundStatus
from civicloop.consultations.models import Consultation, ConsultationStatus, Response
from civicloop.guidelines.models import Action, Approval, ApprovalStatus, GuidelineReview, ReviewFinding
from civicloop.inbox.models import ConversationSla
from civicloop.kit.timezones import zone
from civicloop.oversight.models import Alert, AlertKind, AlertState, Incident
from civicloop.oversight.periods import Period


def message_days(session: Session, conversation_id: int, zone_name: str) -> set[date]:
    """The local days on which the conversation has a message."""
    tz = zone(zone_name)
    instants = session.scalars(select(Message.created_at).where(Message.conversation_id == conversation_id))
    return {instant.astimezone(tz).date() for instant in instants}


def first_citizen_day(session: Session, conversation_id: int, zone_name: str) -> date | None:
    """The local day the conversation began (its first citizen message), as its SLA row records it."""
    began = session.scalar(
        select(ConversationSla.first_citizen_at).where(ConversationSla.conversation_id == conversation_id)
    )
    return began.astimezone(zone(zone_name)).date() if began is not None else None


# -- agencies and accounts (adoption, dashboard, scorecard, lists) -----------------------------------


def agencies(session: Session, agency_ids: set[int] | None) -> list[Agency]:
    """These agencies (None: all), by name."""
    query = select(Agency).order_by(Agency.name)
    if agency_ids is not None:
        query = query.where(Agency.id.in_(agency_ids))
    return list(session.scalars(query))


def agency_names(session: Session) -> dict[int, str]:
    return {agency_id: name for agency_id, name in session.execute(select(Agency.id, Agency.name))}


def agency(session: Session, agency_id: int) -> Agency | None:
    return session.get(Agency, agency_id)


def accounts(session: Session, agency_ids: set[int] | None) -> list[OfficialAccount]:
    """The official accounts of these agencies (None: all), by platform and name."""
    query = select(OfficialAccount).order_by(OfficialAccount.platform, OfficialAccount.name)
    if agency_ids is not None:
        query = query.where(OfficialAccount.agency_id.in_(agency_ids))
    return list(session.scalars(query))


def accounts_by_platform(session: Session, agency_id: int) -> list[OfficialAccount]:
    query = select(OfficialAccount).where(OfficialAccount.agency_id == agency_id).order_by(OfficialAccount.platform)
    return list(session.scalars(query))


def account_names(session: Session, agency_id: int) -> dict[int, str]:
    query = select(OfficialAccount.id, OfficialAccount.name).where(OfficialAccount.agency_id == agency_id)
    return {account_id: name for account_id, name in session.execute(query)}


def silent_alerts(session: Session, account_ids: Sequence[int]) -> dict[int, Alert]:
    """Accounts whose silence alert is still active, with the alert."""
    if not account_ids:
        return {}
    rows = session.scalars(
        select(Alert).where(
            Alert.kind == AlertKind.account_silent,
            Alert.state != AlertState.resolved,
            Alert.active.is_(True),
            Alert.subject_id.in_(account_ids),
        )
    )
    return {alert.subject_id: alert for alert in rows}


def open_alerts(session: Session, agency_ids: set[int] | None, limit: int = 20) -> list[Alert]:
    """The latest alerts not resolved, of these agencies (None: all)."""
    query = select(Alert).where(Alert.state != AlertState.resolved).order_by(Alert.last_seen_at.desc()).limit(limit)
    if agency_ids is not None:
        query = query.where(Alert.agency_id.in_(agency_ids))
    return list(session.scalars(query))


def webhook_rejections(session: Session, day: date, app_keys: set[str]) -> dict[tuple[str, str], int]:
    """Webhook requests refused on ``day`` per (platform, app key)."""
    rows = session.execute(
        select(WebhookRejection.provider, WebhookRejection.app_key, func.sum(WebhookRejection.count))
        .where(WebhookRejection.day == day, WebhookRejection.app_key.in_(app_keys))
        .group_by(WebhookRejection.provider, WebhookRejection.app_key)
    ).all()
    return {(provider, app_key): int(total or 0) for provider, app_key, total in rows}


def posts_sent(session: Session, agency_id: int, start: datetime, end: datetime) -> dict[int, int]:
    """Posts published through CivicLoop in ``[start, end)``, per account."""
    query = (
        select(OutboundMessage.account_id, func.count())
        .where(
            OutboundMessage.agency_id == agency_id,
            OutboundMessage.kind == OutboundKind.post,
            OutboundMessage.status == OutboundStatus.sent,
            OutboundMessage.sent_at >= start,
            OutboundMessage.sent_at < end,
        )
        .group_by(OutboundMessage.account_id)
    )
    return {int(a): int(n) for a, n in session.execute(query)}


# -- the rows behind a scorecard figure (lists) -------------------------------------------------------


def conversations_begun(
    session: Session, agency_id: int, start: datetime, end: datetime, *, channel: str | None, limit: int
) -> list[tuple[Conversation, OfficialAccount, datetime]]:
    """Conversations whose first citizen message is in ``[start, end)``, oldest first, with their account."""
    first = (
        select(Message.conversation_id, func.min(Message.created_at).label("first_at"))
        .where(Message.agency_id == agency_id, Message.direction == Direction.inbound)
        .group_by(Message.conversation_id)
        .subquery()
    )
    query = (
        select(Conversation, OfficialAccount, first.c.first_at)
        .join(first, first.c.conversation_id == Conversation.id)
        .join(OfficialAccount, OfficialAccount.id == Conversation.account_id)
        .where(first.c.first_at >= start, first.c.first_at < end)
        .order_by(first.c.first_at, Conversation.id)
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(_on_channel(query, channel))]


def messages_written(
    session: Session,
    agency_id: int,
    start: datetime,
    end: datetime,
    *,
    channel: str | None,
    direction: Direction | None,
    limit: int,
) -> list[tuple[int, datetime, Direction, MessageState, int, OfficialAccount]]:
    """Messages written in ``[start, end)``, oldest first: id, time, direction, state, conversation, account."""
    query = (
        select(
            Message.id, Message.created_at, Message.direction, Message.state, Message.conversation_id, OfficialAccount
        )
        .join(OfficialAccount, OfficialAccount.id == Message.account_id)
        .where(Message.agency_id == agency_id, Message.created_at >= start, Message.created_at < end)
        .order_by(Message.created_at, Message.id)
        .limit(limit)
    )
    if direction is not None:
        query = query.where(Message.direction == direction)
    return [tuple(row) for row in session.execute(_on_channel(query, channel))]  # type: ignore[misc]


QueryT = TypeVar("QueryT", bound=Select[*tuple[Any, ...]])


def _on_channel(query: QueryT, channel: str | None) -> QueryT:
    return query.where(OfficialAccount.platform == channel) if channel else query


# -- office access (office_access) ----------------------------------------------------------------------


def access_minutes(
    session: Session, period: Period, agency_ids: set[int] | None
) -> list[tuple[int | None, float | None, float | None, int]]:
    """Per agency over the period's days: office minutes, all minutes, distinct people."""
    mine = [AccessSession.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = (
        select(
            AccessSession.agency_id,
            func.sum(AccessSession.office_minutes),
            func.sum(AccessSession.minutes),
            func.count(func.distinct(AccessSession.person)),
        )
        .where(
            AccessSession.day >= period.start,
            AccessSession.day <= period.end,
            AccessSession.agency_id.is_not(None),
            *mine,
        )
        .group_by(AccessSession.agency_id)
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def access_denials(
    session: Session, period: Period, agency_ids: set[int] | None
) -> list[tuple[int | None, int | None]]:
    """Per agency over the period's days: requests refused."""
    denied = [AccessDenial.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = (
        select(AccessDenial.agency_id, func.sum(AccessDenial.count))
        .where(
            AccessDenial.day >= period.start,
            AccessDenial.day <= period.end,
            AccessDenial.agency_id.is_not(None),
            *denied,
        )
        .group_by(AccessDenial.agency_id)
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


# -- consultations (participation) ----------------------------------------------------------------------


def consultations_per_agency(
    session: Session, column: Any, start: datetime, end: datetime, agency_ids: set[int] | None
) -> list[tuple[int, int]]:
    """Consultations whose ``column`` (opened_at, closed_at, published_at) is in ``[start, end)``, per agency."""
    mine = [Consultation.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = (
        select(Consultation.agency_id, func.count())
        .where(column >= start, column < end, *mine)
        .group_by(Consultation.agency_id)
    )
    return [(int(a), int(n)) for a, n in session.execute(query)]


def consultation_responses_per_agency(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None
) -> list[tuple[int, int]]:
    query = select(Response.agency_id, func.count()).where(Response.submitted_at >= start, Response.submitted_at < end)
    if agency_ids is not None:
        query = query.where(Response.agency_id.in_(agency_ids))
    return [(int(a), int(n)) for a, n in session.execute(query.group_by(Response.agency_id))]


def consultations_reported(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None
) -> list[tuple[int, datetime | None, datetime | None]]:
    """Consultations whose report was published in ``[start, end)``: agency, closed at, published at."""
    mine = [Consultation.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = select(Consultation.agency_id, Consultation.closed_at, Consultation.published_at).where(
        Consultation.published_at >= start, Consultation.published_at < end, *mine
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def consultations_open_in(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None, states: Sequence[ConsultationStatus]
) -> list[Consultation]:
    """Consultations in these states that were open at some time in ``[start, end)``, latest opened first."""
    query = (
        select(Consultation)
        .where(
            Consultation.status.in_(states),
            Consultation.opened_at < end,
            (Consultation.closed_at.is_(None)) | (Consultation.closed_at >= start),
        )
        .order_by(Consultation.opened_at.desc())
    )
    if agency_ids is not None:
        query = query.where(Consultation.agency_id.in_(agency_ids))
    return list(session.scalars(query))


# -- conduct: guideline checks and incidents (conduct) -----------------------------------------------


def findings_per_category(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None
) -> list[tuple[str, int]]:
    mine = [ReviewFinding.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = (
        select(ReviewFinding.category, func.count())
        .where(ReviewFinding.created_at >= start, ReviewFinding.created_at < end, *mine)
        .group_by(ReviewFinding.category)
    )
    return [(category, int(n)) for category, n in session.execute(query)]


def reviews_per_action(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None
) -> list[tuple[Action, int]]:
    mine = [GuidelineReview.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = (
        select(GuidelineReview.action, func.count())
        .where(GuidelineReview.created_at >= start, GuidelineReview.created_at < end, *mine)
        .group_by(GuidelineReview.action)
    )
    return [(action, int(n)) for action, n in session.execute(query)]


def approvals_per_status(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None
) -> list[tuple[ApprovalStatus, int]]:
    mine = [Approval.agency_id.in_(agency_ids)] if agency_ids is not None else []
    query = (
        select(Approval.status, func.count())
        .where(Approval.requested_at >= start, Approval.requested_at < end, *mine)
        .group_by(Approval.status)
    )
    return [(status, int(n)) for status, n in session.execute(query)]


def incident_count(session: Session, start: datetime, end: datetime, agency_ids: set[int] | None) -> int:
    mine = [Incident.agency_id.in_(agency_ids)] if agency_ids is not None else []
    found = session.scalar(select(func.count()).where(Incident.posted_at >= start, Incident.posted_at < end, *mine))
    return int(found or 0)


def incidents(
    session: Session, start: datetime, end: datetime, agency_ids: set[int] | None, limit: int
) -> list[Incident]:
    """Incidents posted in ``[start, end)``, oldest first."""
    query = select(Incident).where(Incident.posted_at >= start, Incident.posted_at < end).order_by(Incident.posted_at)
    if agency_ids is not None:
        query = query.where(Incident.agency_id.in_(agency_ids))
    return list(session.scalars(query.limit(limit)))


def incident(session: Session, incident_id: int) -> Incident | None:
    return session.get(Incident, incident_id)
