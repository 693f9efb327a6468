"""Responsiveness: inbox/SLA's measurements, per agency and day for the national ranking.

An agency's scorecard asks inbox/SLA itself (``civicloop.inbox.metrics.response_metrics``), which
gives exact medians. The national ranking compares every agency at once, so it reads daily sums
kept here (and their monthly roll-up): the same population and the same counts as
``response_metrics`` (a test checks it), but only additive figures (response rate, share within
target), which any period can sum exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.channels.models import ConversationStatus
from civicloop.inbox.models import ConversationSla
from civicloop.kit.timezones import zone
from civicloop.oversight import rollup
from civicloop.oversight.models import ResponseDay
from civicloop.oversight.periods import Period
from civicloop.sla.engine import SlaState

# Responses keep arriving for days after a conversation began: each refresh recounts this many days.
RECENT_DAYS = 14
NIGHTLY_DAYS = 90


@dataclass
class ResponseCounts:
    conversations: int = 0
    responded: int = 0
    within_target: int = 0
    missed_target: int = 0
    breaches: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.conversations if self.conversations else None

    @property
    def within_target_share(self) -> float | None:
        # Of all the conversations that needed an answer (as ``inbox.metrics``): unanswered is not within.
        return self.within_target / self.conversations if self.conversations else None

    def add(self, other: ResponseCounts) -> None:
        self.conversations += other.conversations
        self.responded += other.responded
        self.within_target += other.within_target
        self.missed_target += other.missed_target
        self.breaches += other.breaches


def rebuild(session: Session, *, period: Period, zone_name: str) -> int:
    """Recount every agency's response days in ``period`` from ``conversation_sla``; returns rows written."""
    start, end = period.bounds(zone_name)
    tz = zone(zone_name)
    rows = session.execute(
        select(
            ConversationSla.agency_id,
            OfficialAccount.platform,
            ConversationSla.first_citizen_at,
            ConversationSla.first_response_at,
            ConversationSla.first_response_breached,
            ConversationSla.breaches,
        )
        .join(OfficialAccount, OfficialAccount.id == ConversationSla.account_id)
        # The same population as inbox/SLA's metrics: imported feedback has no first_citizen_at.
        .where(ConversationSla.first_citizen_at >= start, ConversationSla.first_citizen_at < end)
    ).all()
    counts: dict[tuple[date, int, str], ResponseCounts] = defaultdict(ResponseCounts)
    for agency_id, platform, first_at, responded_at, breached, breaches in rows:
        if first_at is None:  # excluded by the range filter; keeps the type checker honest
            continue
        item = counts[(first_at.astimezone(tz).date(), agency_id, platform)]
        item.conversations += 1
        item.responded += responded_at is not None
        item.within_target += breached is False
        item.missed_target += breached is True
        item.breaches += breaches
    session.execute(delete(ResponseDay).where(ResponseDay.day >= period.start, ResponseDay.day <= period.end))
    session.add_all(
        ResponseDay(
            day=day,
            agency_id=agency_id,
            channel=channel,
            conversations=c.conversations,
            responded=c.responded,
            within_target=c.within_target,
            missed_target=c.missed_target,
            breaches=c.breaches,
        )
        for (day, agency_id, channel), c in sorted(counts.items())
    )
    session.flush()
    rollup.roll_up(session, rollup.RESPONSES, period.months())
    return len(counts)


def rebuild_recent(session: Session, *, zone_name: str, now: datetime, days: int = RECENT_DAYS) -> int:
    """Recount the last ``days`` days, a month at a time so that a long rebuild holds little in memory."""
    today = now.astimezone(zone(zone_name)).date()
    whole = Period(today - timedelta(days=days - 1), today)
    return sum(rebuild(session, period=part, zone_name=zone_name) for part in whole.by_month())


def by_agency(session: Session, period: Period, agency_ids: set[int] | None) -> dict[int, ResponseCounts]:
    """Per agency, summed over the period (whole months from the monthly roll-up)."""
    found = rollup.sums(session, rollup.RESPONSES, period, key="agency_id", agency_ids=agency_ids)
    return {int(agency_id): ResponseCounts(*amounts) for agency_id, amounts in found.items()}


def breached_backlog(session: Session) -> dict[int, tuple[int, int]]:
    """Per agency: (open conversations, of which past a response target now)."""
    query = (
        select(
            ConversationSla.agency_id,
            func.count(),
            func.count().filter(ConversationSla.state == SlaState.breached),
        )
        .where(
            ConversationSla.status.in_([ConversationStatus.open.value, ConversationStatus.waiting.value]),
            ConversationSla.first_citizen_at.is_not(None),
        )
        .group_by(ConversationSla.agency_id)
    )
    return {int(a): (int(total), int(late)) for a, total, late in session.execute(query)}
